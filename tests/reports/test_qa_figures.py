"""Fixes of the QA pass on the demo's figures (reports floor): each test fails without its fix. "Today" is 2026-12-07
(the day QA saw them; `today` below), December 2026 the month in progress.

1. The aging workbook of the month in progress ages the receivables as of today (Period.as_of), as the receivables page
   and 经营指标 do; a past month as of its end. The 销售机会月报 is labelled 截至 the day its snapshot was read.
2. A run's totals: money to the fen where computed (stored so, the API shows them so), on the run page with thousands
   separators, rates as percentages — in the totals and in what changed since the last generation.
3. No negative zero of a rate; a rate over a base of 0 or below (费用率 over net returns) is not computed ("—").
4. A rep's 目标达成 workbook has no 销售组达成 sheet; with no collection target anywhere, the cover's sums say "—".
5. A period not yet begun is refused by 经营指标 (page: the filter's error box; API: 400 naming `period`) and a day to
   come by the digest (API and page), with the report runs' message.
6. A report requested through the API without `scope` is of the widest scope the requester may generate.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.db.models import FloatField
from django.db.models.functions import Cast
from openpyxl import load_workbook

from orders.models import CreditNote, SalesOrder, Shipment
from reports import kpis
from reports.models import ReportRun, SalesTarget
from reports.periods import Period
from reports.scopes import Scope
from reports.templatetags.reports_tags import kpi_value, run_figure
from tests.factories import CustomerFactory
from tests.helpers import company_today

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 7)
DEC = Period.month(2026, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The company's today is 2026-12-07."""
    return company_today(monkeypatch, TODAY)


def at(y, m, d, hh=12) -> datetime:
    return datetime(y, m, d, hh, tzinfo=SH)


def shipped_order(cast, owner, number, amount, when, customer=None) -> SalesOrder:
    """An order of `owner` shipped in full at `when` (a receivable: nothing paid)."""
    customer = customer or CustomerFactory(owner=owner, team=cast.east, name=f"客户{number}", type="distributor")
    order = SalesOrder.objects.create(
        number=number,
        customer=customer,
        owner=owner,
        received_on=when.date(),
        amount_incl=D(amount),
        status=SalesOrder.Status.SHIPPED,
        shipped_at=when,
        created_by=cast.clerk,
    )
    Shipment.objects.create(
        number=f"FH-{number}", order=order, status="shipped", shipped_at=when, amount_incl=D(amount), created_by=cast.clerk
    )
    return order


def rep_target(cast, rep, amount, collection=None, period=DEC, level="rep"):
    return SalesTarget.objects.create(
        year=period.start.year,
        kind="month",
        number=period.number,
        level=level,
        team=cast.east if level != "company" else None,
        rep=rep if level == "rep" else None,
        amount=D(amount),
        collection=None if collection is None else D(collection),
        updated_by=cast.manager,
    )


def request_run(api, capture, body) -> tuple[ReportRun, object]:
    """POST /api/v1/report-runs/ (the task runs on commit, in the test) → the finished run and its workbook."""
    with capture(execute=True):
        response = api.post("/api/v1/report-runs/", body, format="json")
    assert response.status_code == 201, response.content
    run = ReportRun.objects.get(pk=response.json()["id"])
    assert run.status == ReportRun.Status.DONE, run.error
    with run.file.open("rb") as f:
        return run, load_workbook(BytesIO(f.read()))


def field(ws, label):
    """The value beside the bold label `label` of a sheet's parameter rows (Sheet.fields)."""
    for row in ws.iter_rows(values_only=True):
        if row and row[0] == label:
            return next(v for v in row[1:] if v is not None)
    raise AssertionError(f"{label} not on {ws.title}")


def cover(wb) -> dict:
    return {r[0]: r[1] for r in wb["封面"].iter_rows(values_only=True) if r and r[0]}


# --- 1. the aging of the month in progress is as of today --------------------------------------------------------------
def test_the_aging_workbook_of_the_month_in_progress_ages_as_of_today(cast, api_as, django_capture_on_commit_callbacks):
    shipped_order(cast, cast.alice, "SO-QA-1", "1590.40", at(2026, 11, 20))
    run, wb = request_run(
        api_as(cast.manager), django_capture_on_commit_callbacks, {"kind": "aging", "period": "2026-12", "scope": "company"}
    )
    summary = wb["账龄汇总"]
    assert field(summary, "截止日期").date() == TODAY  # not 2026-12-31
    assert run.totals["aging_0_30"]["value"] == "1590.40" and run.totals["aging_31_60"]["value"] == "0.00"
    customers = wb["客户账龄"]
    assert field(customers, "截止日期").date() == TODAY
    header = int(customers.freeze_panes[1:]) - 1
    rows = [r for r in customers.iter_rows(min_row=header + 1, values_only=True) if r[0] == "客户SO-QA-1"]
    assert [D(str(v)).quantize(D("0.01")) for v in rows[0][2:4]] == [D("1590.40"), D("0.00")]
    # the same as the receivables' own figures: the figures API's aging chart (17 days old)
    charts = {c["key"]: c for c in api_as(cast.manager).get("/api/v1/figures/?period=2026-12").json()["charts"]}
    assert charts["aging"]["series"][0]["data"][:2] == [1590.4, 0.0]
    assert kpis.receivables_aging(DEC.as_of(), Scope.company())["0_30"] == D("1590.40")


def test_a_past_month_is_aged_as_of_its_last_day(cast, api_as, django_capture_on_commit_callbacks):
    shipped_order(cast, cast.alice, "SO-QA-2", "800.00", at(2026, 10, 20))
    run, wb = request_run(
        api_as(cast.manager), django_capture_on_commit_callbacks, {"kind": "aging", "period": "2026-10", "scope": "company"}
    )
    assert field(wb["账龄汇总"], "截止日期").date() == date(2026, 10, 31)
    assert run.totals["aging_0_30"]["value"] == "800.00"
    assert Period.month(2026, 10).as_of(TODAY) == date(2026, 10, 31) and DEC.as_of(TODAY) == TODAY


def test_the_opportunities_workbook_is_labelled_with_the_day_of_its_snapshot(cast, api_as, django_capture_on_commit_callbacks):
    _run, wb = request_run(
        api_as(cast.manager),
        django_capture_on_commit_callbacks,
        {"kind": "opportunities", "period": "2026-12", "scope": "company"},
    )
    assert field(wb["销售漏斗"], "截至").date() == TODAY
    assert field(wb["预计成交"], "截至").date() == TODAY


# --- 2. a run's totals: money to the fen, formatted on the page ---------------------------------------------------------
def test_targets_read_by_a_subquery_are_money_to_the_fen():
    """SQLite gives a subquery's decimal as 180000 or 0.100000000000000: the rows hold it to the fen."""
    row = {"target": D("180000"), "actual": D("4120"), "collection_target": D("0.100000000000000"), "collected": D("0")}
    achieved = kpis._achieved(row)
    assert (str(achieved["target"]), str(achieved["collection_target"])) == ("180000.00", "0.10")
    assert str(achieved["rate"]) == "0.0229"


def test_the_achievement_totals_are_money_to_the_fen_and_formatted_on_the_run_page(
    cast, api_as, client_as, django_capture_on_commit_callbacks, monkeypatch
):
    # the targets come back as SQLite gives them (not to the fen)
    real = kpis._target_subquery
    monkeypatch.setattr(kpis, "_target_subquery", lambda *args, **kw: Cast(real(*args, **kw), FloatField()))
    rep_target(cast, None, "200000.00", level="company")
    rep_target(cast, cast.alice, "100000.00")
    bob = rep_target(cast, cast.bob, "80000.00")
    shipped_order(cast, cast.alice, "SO-QA-3", "4580.00", at(2026, 12, 3))
    body = {"kind": "achievement", "period": "2026-12", "scope": "company"}
    manager = api_as(cast.manager)
    first, _wb = request_run(manager, django_capture_on_commit_callbacks, body)
    bob.amount, bob.collection = D("180000.00"), D("0.10")  # QA gave bob more and a 回款目标 of 0.10
    bob.save()
    run, wb = request_run(manager, django_capture_on_commit_callbacks, body)
    api = manager.get(f"/api/v1/report-runs/{run.pk}/").json()
    assert api["totals"]["target"]["value"] == "280000.00"  # alice's 100,000 and bob's 180,000
    assert api["totals"]["collection_target"]["value"] == "0.10"
    assert api["totals"]["rate"]["value"] == "0.0229"  # 4,580 of the company's 200,000
    assert api["totals"]["actual"]["value"] == "4580.00"
    assert first.totals["collection_target"]["value"] is None  # nobody had a collection target
    page = client_as(cast.manager).get(f"/reports/runs/{run.pk}/").content.decode()
    assert 'data-testid="run-total-target">280,000.00<' in page
    assert 'data-testid="run-total-collection_target">0.10<' in page
    assert 'data-testid="run-total-rate">2.29%<' in page
    assert 'data-testid="run-total-scope_target">200,000.00<' in page
    change = page.split('data-testid="run-change-target"', 1)[1].split("</tr>", 1)[0]
    assert ">180,000.00<" in change and ">280,000.00<" in change
    change = page.split('data-testid="run-change-collection_target"', 1)[1].split("</tr>", 1)[0]
    assert ">—<" in change and ">0.10<" in change
    assert cover(wb)["业务员目标合计"] == pytest.approx(280000)


@pytest.mark.parametrize(
    ("value", "key", "shown"),
    [
        ("0.100000000000000", "collection_target", "0.10"),
        ("180000", "target", "180,000.00"),
        ("-2100.1", "shipped", "-2,100.10"),
        ("0.0229", "rate", "2.29%"),
        ("-0.0000", "collection_achievement", "0.00%"),
        ("3", "complaints", "3"),
        (None, "target", "—"),
    ],
)
def test_a_stored_total_reads_as_the_cover_shows_it(value, key, shown):
    assert run_figure(value, key) == shown


# --- 3. no negative zero; no rate over a base of 0 or below ------------------------------------------------------------
def test_rates_are_never_a_negative_zero_nor_over_a_base_below_zero():
    assert str(kpis.rate_of(D("-0.00"), D("2100.10"))) == "0.0000"
    assert str(kpis.rate_of(D("-0.01"), D("2100.10"))) == "0.0000"
    assert kpis.rate_of(D("0.00"), D("-2100.10")) is None
    assert kpis.rate_of(D("5"), D("0")) is None
    assert str(kpis.rate_of(D("-2100.10"), D("80000"))) == "-0.0263"  # net returns against a target: a real figure
    assert kpi_value(D("-0.0004"), "rate") == "0.0%"
    assert kpi_value(D("-0.001"), "money") == "¥0.00"
    assert kpi_value(D("-2100.10"), "money") == "¥-2,100.10"


def test_net_returns_give_no_expense_rate_and_no_negative_zero(cast, api_as, client_as):
    order = shipped_order(cast, cast.alice, "SO-QA-4", "9680.00", at(2026, 11, 20))
    note = CreditNote.objects.create(number="CN-QA-4", order=order, amount=D("2100.10"), reason="退货", created_by=cast.clerk)
    CreditNote.objects.filter(pk=note.pk).update(created_at=at(2026, 12, 3))
    rep_target(cast, cast.alice, "80000.00")
    cards = {c["key"]: c for c in api_as(cast.alice).get("/api/v1/figures/?period=2026-12").json()["cards"]}
    assert cards["sales_shipped"]["value"] == "-2100.10"
    assert cards["expense_rate"]["value"] is None  # was "-0.0000": no expenses over net returns
    assert cards["achievement"]["value"] == "-0.0263"
    assert cards["growth"]["value"] == "-1.2170"  # from 9,680 in November: a positive base
    page = client_as(cast.alice).get("/reports/figures/?period=2026-12").content.decode()
    assert 'data-testid="kpi-expense_rate-value">—<' in page
    assert 'data-testid="kpi-sales_shipped-value">¥-2,100.10<' in page
    assert "-0.0%" not in page


# --- 4. a rep's achievement workbook ------------------------------------------------------------------------------------
def test_a_reps_achievement_workbook_has_no_team_sheet_and_no_collection_target_sum(
    cast, api_as, django_capture_on_commit_callbacks
):
    rep_target(cast, cast.alice, "80000.00")
    shipped_order(cast, cast.alice, "SO-QA-5", "1000.00", at(2026, 12, 2))
    body = {"kind": "achievement", "period": "2026-12", "scope": f"rep:{cast.alice.pk}"}
    run, wb = request_run(api_as(cast.alice), django_capture_on_commit_callbacks, body)
    assert "销售组达成" not in wb.sheetnames and "业务员达成" in wb.sheetnames
    assert run.totals["collection_target"]["value"] is None and run.totals["scope_collection_target"]["value"] is None
    assert cover(wb)["业务员回款目标合计"] == "—"
    assert run.totals["target"]["value"] == "80000.00"


# --- 5. periods not yet begun --------------------------------------------------------------------------------------------
def test_figures_of_a_period_not_yet_begun_are_refused(cast, api_as, client_as):
    message = "不能生成尚未开始的月份（2027年6月）的报表。"
    page = client_as(cast.manager).get("/reports/figures/?period=2027-06")
    html = page.content.decode()
    assert page.status_code == 400
    assert 'data-testid="filter-errors"' in html and message in html and 'value="2027-06"' in html
    api = api_as(cast.manager).get("/api/v1/figures/?period=2027-06")
    assert api.status_code == 400 and "period" in str(api.json()) and message in str(api.json())
    assert api_as(cast.manager).get("/api/v1/figures/?period=2026-12").status_code == 200
    assert api_as(cast.manager).get("/api/v1/figures/?period=2027").status_code == 400
    # the report runs say the same
    refused = api_as(cast.manager).post("/api/v1/report-runs/", {"kind": "aging", "period": "2027-06"}, format="json")
    assert refused.status_code == 400 and message in str(refused.json())


def test_a_digest_of_a_day_to_come_is_refused(cast, api_as, client_as):
    api = api_as(cast.manager).get("/api/v1/daily-digest/?day=2030-01-01")
    assert api.status_code == 400 and "day" in str(api.json()) and "尚未开始" in str(api.json())
    assert api_as(cast.manager).get("/api/v1/daily-digest/?day=2026-12-08").status_code == 400
    assert api_as(cast.manager).get("/api/v1/daily-digest/?day=2026-12-07").status_code == 200
    page = client_as(cast.manager).get("/reports/digest/?day=2030-01-01")
    assert page.status_code == 400 and 'data-testid="digest-day-error"' in page.content.decode()


# --- 6. the default scope of a report request ----------------------------------------------------------------------------
@pytest.mark.parametrize(("who", "scope"), [("alice", "rep:{alice}"), ("lena", "team:{east}"), ("manager", "company")])
def test_a_report_requested_without_scope_is_of_the_widest_the_requester_may_generate(cast, api_as, who, scope):
    response = api_as(getattr(cast, who)).post("/api/v1/report-runs/", {"kind": "aging", "period": "2026-11"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["scope_key"] == scope.format(alice=cast.alice.pk, east=cast.east.pk)
