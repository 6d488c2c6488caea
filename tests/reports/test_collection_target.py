"""回款达成: collections (回款额) against the collection target (回款目标) of a period and scope — the KPI, the 经营指标
page and its chart, the API, the monthly 业务员与销售组目标达成 workbook and its run page — read as the sales target is.

Given the hand-computed November 2026 of tests/reports/books.py (confirmed collections: alice 3,000.00 on O1, carol
1,000.00 on O5; O2's 5,000.00 only recorded), plus:
  bob's O6 paid 600.00 (confirmed, 11-20);
  carol's USD order O-FX of 100.05 at 7.1234, paid in full (confirmed, 11-18): 100.05 × 7.1234 = 712.696… → 712.70 yuan;
  collection targets of November: company 5,000.00, 华东组 4,000.00, alice 2,700.00, bob 0.00 (a rep target of 0);
  华南组 a sales target of 3,000.00 without a collection target; carol none.
So November collected: alice 3,000.00, bob 600.00, lena 0, carol 1,712.70; 华东组 3,600.00, 华南组 1,712.70; company
5,312.70 — and 回款达成率: company 5,312.70 / 5,000 = 1.0625, 华东组 3,600 / 4,000 = 0.9000, alice 3,000 / 2,700 =
1.1111, bob (target 0) and carol (none) no rate, shown "—".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from openpyxl import load_workbook

from orders.models import Payment, PaymentAllocation, SalesOrder
from reports import kpis
from reports.models import ReportRun, SalesTarget
from reports.periods import Period
from reports.scopes import Scope
from reports.services.runs import report_run_request
from reports.templatetags.reports_tags import kpi_value
from salesops.core.numbering import next_number

from .books import make_book

pytestmark = pytest.mark.django_db
NOV = Period.month(2026, 11)
COMPANY = Scope.company()


def _paid(order, amount, received, ref):
    payment = Payment.objects.create(
        number=next_number("HK"),
        customer=order.customer,
        bank_reference=ref,
        amount=D(amount),
        received_on=received,
        status=Payment.Status.CONFIRMED,
        recorded_by=order.created_by,
    )
    PaymentAllocation.objects.create(payment=payment, order=order, amount=D(amount))


@pytest.fixture
def book(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    b = make_book(cast)
    _paid(b.o6, "600.00", date(2026, 11, 20), "B-BOB")
    b.fx = SalesOrder.objects.create(
        number="SO-TFX",
        customer=b.yi,
        owner=cast.carol,
        received_on=date(2026, 11, 10),
        currency="USD",
        exchange_rate=D("7.1234"),
        amount_incl=D("100.05"),
        status=SalesOrder.Status.VERIFIED,
        created_by=cast.clerk,
    )
    _paid(b.fx, "100.05", date(2026, 11, 18), "B-FX")
    november = SalesTarget.objects.filter(year=2026, kind="month", number=11)
    november.filter(level="company").update(collection=D("5000.00"))
    november.filter(level="team", team=cast.east).update(collection=D("4000.00"))
    november.filter(level="rep", rep=cast.alice).update(collection=D("2700.00"))
    SalesTarget.objects.create(
        year=2026,
        kind="month",
        number=11,
        level="rep",
        team=cast.east,
        rep=cast.bob,
        amount=D("0.00"),
        collection=D("0.00"),
        updated_by=cast.manager,
    )
    SalesTarget.objects.create(
        year=2026,
        kind="month",
        number=11,
        level="team",
        team=cast.south,
        amount=D("3000.00"),
        collection=None,
        updated_by=cast.manager,
    )
    return b


# --- the figure -------------------------------------------------------------------------------------------------------
def test_collection_achievement_of_company_team_and_rep_to_the_fen(book):
    c = book.cast
    assert kpis.collection_achievement(NOV, COMPANY) == {
        "target": D("5000.00"),
        "actual": D("5312.70"),  # 3,000 + 600 + 1,000 + 712.70 (the USD payment in yuan)
        "rate": D("1.0625"),
    }
    assert kpis.collection_achievement(NOV, Scope.team(c.east.pk)) == {
        "target": D("4000.00"),
        "actual": D("3600.00"),
        "rate": D("0.9000"),
    }
    assert kpis.collection_achievement(NOV, Scope.rep(c.alice.pk)) == {
        "target": D("2700.00"),
        "actual": D("3000.00"),
        "rate": D("1.1111"),
    }
    # the actual is the 回款额 figure itself, whatever the currency
    assert kpis.collection_achievement(NOV, Scope.rep(c.carol.pk))["actual"] == kpis.collected(NOV, Scope.rep(c.carol.pk))
    assert kpis.collected(NOV, Scope.rep(c.carol.pk)) == D("1712.70")


def test_a_missing_or_zero_collection_target_gives_no_rate(book):
    c = book.cast
    # bob's target of 0: no rate; carol has no target; 华南组's target has no collection target
    assert kpis.collection_achievement(NOV, Scope.rep(c.bob.pk)) == {"target": D("0.00"), "actual": D("600.00"), "rate": None}
    assert kpis.collection_achievement(NOV, Scope.rep(c.carol.pk)) == {
        "target": None,
        "actual": D("1712.70"),
        "rate": None,
    }
    assert kpis.collection_achievement(NOV, Scope.team(c.south.pk))["target"] is None
    # as the sales target: a quarter without a quarterly target has none — its months' targets are not added up
    q4 = Period.quarter(2026, 4)
    assert kpis.achievement(q4, COMPANY)["target"] is None
    assert kpis.collection_achievement(q4, COMPANY) == {"target": None, "actual": D("5312.70"), "rate": None}
    # a quarterly target with only its sales amount has no collection target either
    SalesTarget.objects.create(
        year=2026, kind="quarter", number=4, level="company", amount=D("60000.00"), collection=None, updated_by=c.manager
    )
    assert kpis.achievement(q4, COMPANY)["target"] == D("60000.00")
    assert kpis.collection_achievement(q4, COMPANY)["rate"] is None
    # the year's own collection target counts for the year
    SalesTarget.objects.create(
        year=2026,
        kind="year",
        number=0,
        level="company",
        amount=D("240000.00"),
        collection=D("20000.00"),
        updated_by=c.manager,
    )
    assert kpis.collection_achievement(Period.year(2026), COMPANY) == {
        "target": D("20000.00"),
        "actual": D("5312.70"),
        "rate": D("0.2656"),  # 0.265635
    }


def test_rep_and_team_rows_and_their_totals(book):
    c = book.cast
    east = Scope.team(c.east.pk)
    keys = ("rep_name", "collection_target", "collected", "collection_achievement")
    assert [tuple(r[k] for k in keys) for r in kpis.rep_rows(NOV, east)] == [
        ("alice", D("2700.00"), D("3000.00"), D("1.1111")),
        ("bob", D("0.00"), D("600.00"), None),
        ("lena", None, D("0.00"), None),
    ]
    totals = kpis.totals("rep", NOV, east)
    # bob's 600 against his target of 0 is no achievement against alice's 2,700 (3,600 / 2,700 would be 1.3333)
    assert (totals["collection_target"], totals["collected"], totals["collection_achievement"]) == (
        D("2700.00"),
        D("3600.00"),
        D("1.1111"),
    )
    assert totals["rate"] == D("1.1250")  # the sales achievement's 合计 unchanged: alice's 9,000 of her 8,000
    teams = {r["team_name"]: r for r in kpis.team_rows(NOV, COMPANY)}
    assert (teams["华东组"]["collection_target"], teams["华东组"]["collected"], teams["华东组"]["collection_achievement"]) == (
        D("4000.00"),
        D("3600.00"),
        D("0.9000"),
    )
    assert (teams["华南组"]["collection_target"], teams["华南组"]["collected"], teams["华南组"]["collection_achievement"]) == (
        None,
        D("1712.70"),
        None,
    )
    team_totals = kpis.totals("team", NOV, COMPANY)
    assert (team_totals["collected"], team_totals["collection_achievement"]) == (D("5312.70"), D("0.9000"))
    # the company's reps: carol (no target) and every collection add up to the company's 回款额
    assert kpis.totals("rep", NOV, COMPANY)["collected"] == kpis.collected(NOV, COMPANY)
    assert [r["rep_name"] for r in kpis.rep_rows(NOV, Scope.rep(c.carol.pk))] == ["carol"]


def test_a_rep_credited_with_collections_only_is_a_row(book, cast):
    """Somebody not (or no longer) an active seller, without a target or sales in the month, is still a row in a month
    they are credited with collections: a deposit (预付款) confirmed on lena's order before anything shipped."""
    cast.lena.is_active = False
    cast.lena.save(update_fields=["is_active"])
    east = Scope.team(cast.east.pk)
    assert "lena" not in [r["rep_name"] for r in kpis.rep_rows(NOV, east)]
    order = SalesOrder.objects.create(
        number="SO-TLENA",
        customer=book.jia,
        owner=cast.lena,
        received_on=date(2026, 11, 25),
        amount_incl=D("800.00"),
        status=SalesOrder.Status.VERIFIED,
        created_by=cast.clerk,
    )
    _paid(order, "200.00", date(2026, 11, 26), "B-LENA")
    lena = [r for r in kpis.rep_rows(NOV, east) if r["rep_name"] == "lena"]
    assert [(r["target"], r["actual"], r["collection_target"], r["collected"]) for r in lena] == [
        (None, D("0.00"), None, D("200.00"))
    ]


# --- the 经营指标 page, its chart and the API ------------------------------------------------------------------------
def test_the_figures_page_shows_the_collection_achievement_beside_the_sales_one(cast, client_as, book):
    page = client_as(cast.manager).get("/reports/figures/?period=2026-11")
    cards = {c["key"]: c for c in page.context["cards"]}
    keys = [c["key"] for c in page.context["cards"]]
    assert keys.index("collection_achievement") == keys.index("achievement") + 1
    card = cards["collection_achievement"]
    assert (card["value"], card["target"], card["actual"], card["kind"]) == (
        D("1.0625"),
        D("5000.00"),
        D("5312.70"),
        "rate",
    )
    assert card["label"] == "回款达成率" and card["url"] == "/reports/targets/?period=2026-11"
    html = page.content.decode()
    assert 'href="/reports/glossary/#kpi-collection_achievement"' in html
    detail = html.split('data-testid="kpi-collection_achievement-detail">', 1)[1].split("</small>", 1)[0]
    assert "回款目标 ¥5,000.00" in detail and "回款额 ¥5,312.70" in detail
    assert f'data-testid="kpi-collection_achievement-value">{kpi_value(D("1.0625"), "rate")}<' in html
    # the chart: each month's collections and collection target of the year (November's set, the others not)
    charts = {c["key"]: c for c in page.context["charts"]}
    chart = charts["monthly_collections"]
    assert chart["title"] == "月度回款额与回款目标"
    assert [s["label"] for s in chart["series"]] == ["回款额", "回款目标"]
    assert chart["series"][0]["data"][10] == 5312.7 and chart["series"][1]["data"][10] == 5000.0
    assert chart["series"][0]["data"][9] == 0.0 and chart["series"][1]["data"][9] is None
    assert sum(chart["series"][0]["data"]) == 5312.7
    # the glossary says how it is computed
    assert 'id="kpi-collection_achievement"' in client_as(cast.manager).get("/reports/glossary/").content.decode()


def test_no_collection_target_reads_as_a_dash(cast, client_as, book):
    page = client_as(cast.manager).get(f"/reports/figures/?period=2026-11&scope=rep:{cast.carol.pk}")
    card = {c["key"]: c for c in page.context["cards"]}["collection_achievement"]
    assert card["value"] is None and card["target"] is None
    html = page.content.decode()
    assert 'data-testid="kpi-collection_achievement-value">—<' in html
    assert 'data-testid="kpi-collection_achievement-detail"' not in html
    zero = client_as(cast.manager).get(f"/reports/figures/?period=2026-11&scope=rep:{cast.bob.pk}")
    assert 'data-testid="kpi-collection_achievement-value">—<' in zero.content.decode()  # a target of 0


def test_the_api_gives_the_collection_achievement_as_exact_text(cast, api_as, book):
    data = api_as(cast.lena).get(f"/api/v1/figures/?period=2026-11&scope=team:{cast.east.pk}").json()
    card = {c["key"]: c for c in data["cards"]}["collection_achievement"]
    assert (card["value"], card["target"], card["actual"], card["kind"]) == ("0.9000", "4000.00", "3600.00", "rate")
    chart = {c["key"]: c for c in data["charts"]}["monthly_collections"]
    assert chart["series"][0]["data"][10] == 3600.0 and chart["series"][1]["data"][10] == 4000.0
    bob = api_as(cast.manager).get(f"/api/v1/figures/?period=2026-11&scope=rep:{cast.bob.pk}").json()
    card = {c["key"]: c for c in bob["cards"]}["collection_achievement"]
    assert (card["value"], card["target"], card["actual"]) == (None, "0.00", "600.00")


@pytest.mark.parametrize(
    "who, scope, status",
    [
        ("alice", "", 200),
        ("alice", "rep:{alice}", 200),
        ("alice", "rep:{bob}", 404),
        ("alice", "team:{east}", 404),
        ("alice", "company", 404),
        ("lena", "team:{east}", 200),
        ("lena", "rep:{bob}", 200),
        ("lena", "rep:{carol}", 404),
        ("lena", "company", 404),
        ("manager", "company", 200),
        ("warehouse", "", 404),
    ],
)
def test_who_sees_whose_collection_achievement(cast, client_as, api_as, book, who, scope, status):
    ids = {"alice": cast.alice.pk, "bob": cast.bob.pk, "carol": cast.carol.pk, "east": cast.east.pk}
    query = f"?period=2026-11&scope={scope.format(**ids)}" if scope else "?period=2026-11"
    user = getattr(cast, who)
    page = client_as(user).get(f"/reports/figures/{query}")
    api = api_as(user).get(f"/api/v1/figures/{query}")
    assert (page.status_code, api.status_code) == (status, status)
    if status == 200 and who == "alice":  # a rep's own: her target and her collections, nobody else's
        card = {c["key"]: c for c in api.json()["cards"]}["collection_achievement"]
        assert (card["value"], card["target"], card["actual"]) == ("1.1111", "2700.00", "3000.00")
        assert {c["key"]: c for c in page.context["cards"]}["collection_achievement"]["actual"] == D("3000.00")


# --- the monthly 业务员与销售组目标达成 workbook and its run ---------------------------------------------------------
def _generate(scope, capture, actor=None):
    with capture(execute=True):
        run, created = report_run_request(kind=ReportRun.Kind.ACHIEVEMENT, period=NOV, scope=scope, actor=actor)
    run.refresh_from_db()
    assert created and run.status == ReportRun.Status.DONE, run.error
    with run.file.open("rb") as f:
        return run, load_workbook(BytesIO(f.read()))


def _table(ws):
    header = int(ws.freeze_panes[1:]) - 1
    # the 其中：设有目标者 row under the 合计 (tests/reports/test_report_fixes.py) left out
    rows = [list(r) for r in ws.iter_rows(min_row=header, values_only=True) if not r or r[0] != "其中：设有目标者"]
    return rows[0], rows[1:-1], rows[-1]


def _money(value):
    return None if value is None else D(str(value)).quantize(D("0.01"))


def test_the_achievement_workbook_has_the_collection_columns(cast, book, django_capture_on_commit_callbacks):
    east = Scope.team(cast.east.pk)
    run, wb = _generate(east, django_capture_on_commit_callbacks, actor=cast.lena)
    header, rows, totals = _table(wb["业务员达成"])
    first = header.index("回款目标")
    assert header[first : first + 3] == ["回款目标", "回款额", "回款达成率"]
    assert header.index("达成率") < first < header.index("销售费用")
    cells = {r[0]: (_money(r[first]), _money(r[first + 1]), r[first + 2]) for r in rows}
    assert cells == {
        "alice": (D("2700.00"), D("3000.00"), pytest.approx(1.1111)),
        "bob": (D("0.00"), D("600.00"), None),
        "lena": (None, D("0.00"), None),
    }
    # 合计: the summed targets and collections; the rate only of those with a target (alice's 3,000 of her 2,700)
    assert (_money(totals[first]), _money(totals[first + 1]), totals[first + 2]) == (
        D("2700.00"),
        D("3600.00"),
        pytest.approx(1.1111),
    )
    ws = wb["业务员达成"]
    data_row = int(ws.freeze_panes[1:])
    assert ws.cell(data_row, first + 1).number_format == ws.cell(data_row, first + 2).number_format == "#,##0.00"
    assert ws.cell(data_row, first + 3).number_format == "0.00%"
    header, teams, _totals = _table(wb["销售组达成"])
    first = header.index("回款目标")
    assert [(t[0], _money(t[first]), _money(t[first + 1]), t[first + 2]) for t in teams] == [
        ("华东组", D("4000.00"), D("3600.00"), pytest.approx(0.9))
    ]
    # the cover and the run's totals (the run page and the API show them)
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(values_only=True) if r and r[0]}
    assert _money(cover["业务员回款目标合计"]) == D("2700.00") and _money(cover["业务员回款额合计"]) == D("3600.00")
    assert _money(cover["华东组回款目标"]) == D("4000.00") and _money(cover["华东组回款额"]) == D("3600.00")
    assert cover["华东组回款达成率"] == pytest.approx(0.9)
    assert run.totals["collection_achievement"] == {"label": "华东组回款达成率", "value": "0.9000"}
    assert run.totals["scope_collected"] == {"label": "华东组回款额", "value": "3600.00"}
    assert run.totals["collected"]["value"] == "3600.00"


def test_the_company_workbook_counts_every_team_and_shows_no_rate_without_a_target(
    cast, book, django_capture_on_commit_callbacks
):
    run, wb = _generate(COMPANY, django_capture_on_commit_callbacks)
    header, teams, totals = _table(wb["销售组达成"])
    first = header.index("回款目标")
    by_team = {t[0]: (_money(t[first]), _money(t[first + 1]), t[first + 2]) for t in teams}
    assert by_team["华南组"] == (None, D("1712.70"), None)
    assert (_money(totals[first]), _money(totals[first + 1])) == (D("4000.00"), D("5312.70"))
    assert totals[first + 2] == pytest.approx(0.9)  # 华东组's 3,600 of its 4,000: 华南组 has no collection target
    assert run.totals["collection_achievement"]["value"] == "1.0625"  # the company's own: 5,312.70 of 5,000
    assert run.totals["scope_collection_target"]["value"] == "5000.00"


def test_the_run_page_and_api_show_the_collection_figures_to_who_may_see_them(
    cast, book, client_as, api_as, django_capture_on_commit_callbacks
):
    alice_run, _wb = _generate(Scope.rep(cast.alice.pk), django_capture_on_commit_callbacks, actor=cast.alice)
    assert alice_run.totals["collection_achievement"] == {"label": "alice回款达成率", "value": "1.1111"}
    east_run, _wb = _generate(Scope.team(cast.east.pk), django_capture_on_commit_callbacks, actor=cast.lena)
    page = client_as(cast.alice).get(f"/reports/runs/{alice_run.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "alice回款达成率" in html and "111.11%" in html and "alice回款目标" in html
    api = api_as(cast.alice).get(f"/api/v1/report-runs/{alice_run.pk}/").json()
    assert api["totals"]["scope_collection_target"] == {"label": "alice回款目标", "value": "2700.00"}
    # a rep sees only own figures: the team's run is not hers (page and API), the lead reads both
    assert client_as(cast.alice).get(f"/reports/runs/{east_run.pk}/").status_code == 404
    assert api_as(cast.alice).get(f"/api/v1/report-runs/{east_run.pk}/").status_code == 404
    lena = api_as(cast.lena).get(f"/api/v1/report-runs/{east_run.pk}/").json()
    assert lena["totals"]["collection_achievement"]["value"] == "0.9000"
    assert api_as(cast.lena).get(f"/api/v1/report-runs/{alice_run.pk}/").status_code == 200
