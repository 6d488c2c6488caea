"""Fixes of the QA pass on the demo (reports floor): each test fails without its fix.

1.  销售额（按开票）/开票额 deducted the credit notes a second time (invoices are capped at delivered − credit notes):
    the KPI, the home page, 经营指标 and its API, the store monthly workbook and the glossary.
16. The 业务员达成 workbook: the 合计 row's rate follows the documented rule (those with a target) with the row it is
    made of beside it, and every rate cell reads the same ("0.00%").
12. A scope that names no sales team or active seller is refused (API 400 naming `scope`, the pages' errors), and the
    pickers offer only the teams and the sellers.
13. The targets import and API refuse what the form refuses, on its row and column; duplicates in a file; a rep's team;
    the count's message; the API's create of an existing target (409) and a change of a target's period or owner.
14. Service and QC request and download the 售后服务统计 monthly workbook, and no other.
15. 经营指标's after-sales and invoice figures link to the rows they are made of (period and scope).
21. The target form's rep picker: names, and only those who may hold a rep target.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import BytesIO
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from orders.models import CreditNote, InvoiceRequest, SalesOrder, Shipment
from reports import kpis, selectors
from reports.forms import TargetForm
from reports.glossary import GLOSSARY
from reports.models import ReportRun, SalesTarget
from reports.periods import Period
from reports.scopes import Scope
from reports.services.runs import report_run_request
from reports.services.targets import TargetError, TargetInput, target_set
from salesops.core.errors import DomainError
from salesops.core.numbering import next_number
from tests.factories import CustomerFactory
from tests.reports.books import make_book

pytestmark = pytest.mark.django_db
COMPANY = Scope.company()
NOV = Period.month(2026, 11)
BESIDE = "其中：设有目标者"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def this_month() -> Period:
    today = timezone.localdate()
    return Period.month(today.year, today.month)


def _order(cast, customer, owner, number, amount) -> SalesOrder:
    return SalesOrder.objects.create(
        number=number,
        customer=customer,
        owner=owner,
        received_on=timezone.localdate(),
        amount_incl=D(amount),
        status=SalesOrder.Status.SHIPPED,
        shipped_at=timezone.now(),
        created_by=cast.clerk,
    )


def _shipped(cast, order, amount) -> None:
    Shipment.objects.create(
        number=f"FH-{order.number}",
        order=order,
        status="shipped",
        shipped_at=timezone.now(),
        amount_incl=D(amount),
        created_by=cast.clerk,
    )


def _generate(kind, period, scope=COMPANY, actor=None, capture=None):
    with capture(execute=True):
        run, created = report_run_request(kind=kind, period=period, scope=scope, actor=actor)
    run.refresh_from_db()
    assert created and run.status == ReportRun.Status.DONE, run.error
    with run.file.open("rb") as f:
        return run, load_workbook(BytesIO(f.read()))


def _rows(ws) -> list[list]:
    """The header and every row under it of the sheet's table."""
    header = int(ws.freeze_panes[1:]) - 1
    return [list(r) for r in ws.iter_rows(min_row=header, values_only=True)]


# --- 1. 销售额（按开票）: invoices as issued ----------------------------------------------------------------------------
@pytest.fixture
def refunds(cast):
    """This month: 门店甲 (alice's) an order of 13,560 delivered and paid, refunded 2,260 (a credit note), then invoiced the
    11,300 the cap allows (delivered − credit notes); 门店乙 (carol's) an order of 36,000 refunded in full, never
    invoiced."""
    b = SimpleNamespace()
    b.jia = CustomerFactory(owner=cast.alice, team=cast.east, name="门店甲", type="franchise_store")
    b.yi = CustomerFactory(owner=cast.carol, team=cast.south, name="门店乙", type="franchise_store")
    b.o1 = _order(cast, b.jia, cast.alice, "SO-FIX-1", "13560.00")
    _shipped(cast, b.o1, "13560.00")
    CreditNote.objects.create(number="DX-FIX-1", order=b.o1, amount=D("2260.00"), reason="退货", created_by=cast.clerk)
    InvoiceRequest.objects.create(
        number=next_number("KP"),
        order=b.o1,
        title="门店甲",
        tax_id="x",
        amount=D("11300.00"),
        status=InvoiceRequest.Status.ISSUED,
        issued_on=timezone.localdate(),
        requested_by=cast.clerk,
    )
    b.o2 = _order(cast, b.yi, cast.carol, "SO-FIX-2", "36000.00")
    _shipped(cast, b.o2, "36000.00")
    CreditNote.objects.create(number="DX-FIX-2", order=b.o2, amount=D("36000.00"), reason="退货", created_by=cast.clerk)
    return b


def test_invoiced_sales_are_the_invoices_issued_not_less_the_credit_notes_again(cast, refunds):
    month = this_month()
    assert kpis.sales_invoiced(month, COMPANY) == D("11300.00")  # was 11,300 − 2,260 − 36,000 = −26,960
    assert kpis.sales_invoiced(month, Scope.rep(cast.alice.pk)) == D("11300.00")  # was 9,040
    assert kpis.sales_invoiced(month, Scope.team(cast.south.pk)) == D("0.00")  # was −36,000
    # the shipped sales still lose the refunds (the goods came back)
    assert kpis.sales_shipped(month, COMPANY) == D("11300.00")
    stores = {r["customer_name"]: r for r in kpis.store_rows(month, COMPANY)}
    assert (stores["门店甲"]["invoiced"], stores["门店乙"]["invoiced"]) == (D("11300.00"), D("0.00"))
    assert (stores["门店甲"]["returns"], stores["门店乙"]["returns"]) == (D("2260.00"), D("36000.00"))
    assert kpis.totals("store", month, COMPANY)["invoiced"] == kpis.sales_invoiced(month, COMPANY)


def test_the_home_page_figures_page_api_and_store_workbook_show_the_invoices_issued(
    cast, refunds, client_as, api_as, django_capture_on_commit_callbacks
):
    month = this_month()
    home = client_as(cast.manager).get("/")
    cards = {c["key"]: c for c in home.context["headline"]["cards"]}
    assert cards["sales_invoiced"]["value"] == D("11300.00")
    page = client_as(cast.manager).get(f"/reports/figures/?period={month.key}")
    assert {c["key"]: c for c in page.context["cards"]}["sales_invoiced"]["value"] == D("11300.00")
    api = api_as(cast.manager).get(f"/api/v1/figures/?period={month.key}").json()
    assert {c["key"]: c for c in api["cards"]}["sales_invoiced"]["value"] == "11300.00"

    _run, wb = _generate(ReportRun.Kind.STORE_SALES, month, capture=django_capture_on_commit_callbacks)
    header, *rows = _rows(wb["门店销售"])
    invoiced = header.index("开票额")
    by_store = {r[0]: r[invoiced] for r in rows}
    assert by_store["门店甲"] == 11300 and by_store["门店乙"] == 0
    assert by_store["合计"] == 11300  # was −27,… for a company with one invoice of 11,300
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(values_only=True) if r and r[0]}
    assert cover["开票额"] == 11300


def test_the_glossary_says_the_credit_notes_are_not_deducted_from_the_invoices():
    text = {key: str(body) for key, _label, body in GLOSSARY}
    assert "减去期间内开具的红字冲减单" not in text["sales_invoiced"]
    assert "不再减红字冲减单" in text["sales_invoiced"]
    assert "开票口径的销售额不再扣除" in text["returns_amount"]


# --- 16. the 业务员达成 workbook's totals ------------------------------------------------------------------------------
def test_the_achievement_totals_read_right_and_every_rate_has_one_format(cast, django_capture_on_commit_callbacks):
    """alice: a target of 80,000 and no sales; bob: 11,300 shipped and no target. The 合计 row sums them (80,000 and
    11,300) and its 达成率 is of those with a target (0 of 80,000, documented: kpis.totals); the row beside it says
    so; every rate cell of the workbook is "0.00%"."""
    month = Period.month(2026, 11)
    for level, team, rep, amount in (
        ("company", None, None, "500000"),
        ("team", cast.east, None, "200000"),
        ("rep", cast.east, cast.alice, "80000"),
    ):
        SalesTarget.objects.create(
            year=2026, kind="month", number=11, level=level, team=team, rep=rep, amount=D(amount), updated_by=cast.manager
        )
    customer = CustomerFactory(owner=cast.bob, team=cast.east)
    order = SalesOrder.objects.create(
        number="SO-FIX-B",
        customer=customer,
        owner=cast.bob,
        received_on=date(2026, 11, 3),
        amount_incl=D("11300.00"),
        status=SalesOrder.Status.SHIPPED,
        created_by=cast.clerk,
    )
    Shipment.objects.create(
        number="FH-FIX-B",
        order=order,
        status="shipped",
        shipped_at=timezone.make_aware(timezone.datetime(2026, 11, 10, 10)),
        amount_incl=D("11300.00"),
        created_by=cast.clerk,
    )
    _run, wb = _generate(ReportRun.Kind.ACHIEVEMENT, month, capture=django_capture_on_commit_callbacks)
    ws = wb["业务员达成"]
    header, *rows = _rows(ws)
    target, actual, rate = header.index("目标额"), header.index("实际销售额(发货净额)"), header.index("达成率")
    by_name = {r[0]: r for r in rows}
    total, beside = by_name["合计"], by_name[BESIDE]
    assert rows[-2][0] == "合计" and rows[-1][0] == BESIDE
    assert (total[target], total[actual], total[rate]) == (80000, 11300, 0)
    assert (beside[target], beside[actual], beside[rate]) == (80000, 0, 0)
    assert kpis.totals("rep", month, COMPANY)["rate"] == D("0.0000")
    # one format for every rate: the rows, the 合计, the 其中 row and the team sheet
    first = int(ws.freeze_panes[1:])
    rate_columns = [i + 1 for i, h in enumerate(header) if h.endswith("率")]
    formats = {ws.cell(row, col).number_format for row in range(first, first + len(rows)) for col in rate_columns}
    formats.discard("General")  # an empty rate ("—": no target) has no format
    assert formats == {"0.00%"}
    teams = wb["销售组达成"]
    team_header, *team_rows = _rows(teams)
    assert team_rows[0][0] == "华东组"
    first = int(teams.freeze_panes[1:])
    assert teams.cell(first, team_header.index("达成率") + 1).number_format == "0.00%"  # 华东组: 11,300 of 200,000
    cover = [r for r in wb["封面"].iter_rows() if r[0].value and str(r[0].value).endswith("目标达成率")]
    assert cover and cover[0][1].number_format == "0.00%"


# --- 12. scopes that do not exist ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("scope", ["team:99", "rep:999", "rep:{service}", "rep:{gm}", "rep:{admin}"])
def test_a_report_of_a_scope_that_is_not_a_team_or_a_seller_is_refused(cast, api_as, client_as, scope):
    key = scope.format(service=cast.service.pk, gm=cast.gm.pk, admin=cast.admin.pk)
    response = api_as(cast.manager).post("/api/v1/report-runs/", {"kind": "store_sales", "period": "2026-11", "scope": key})
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["errors"]) == ["scope"] and "无效" in body["detail"]
    page = client_as(cast.manager).post("/reports/runs/request/", {"kind": "store_sales", "period": "2026-11", "scope": key})
    assert page.status_code == 400 and page.context["form"].errors["scope"]
    figures = client_as(cast.manager).get(f"/reports/figures/?period=2026-11&scope={key}")
    assert figures.status_code == 400 and "无效" in figures.content.decode()
    api = api_as(cast.manager).get(f"/api/v1/figures/?period=2026-11&scope={key}")
    assert api.status_code == 400 and list(api.json()["errors"]) == ["scope"]
    with pytest.raises(DomainError, match="无效"):  # the service refuses it too (the beat, any caller)
        report_run_request(kind="store_sales", period=NOV, scope=Scope.parse(key), actor=cast.manager)
    assert not ReportRun.objects.exists()


def test_an_existing_team_and_seller_are_accepted(cast, api_as, django_capture_on_commit_callbacks):
    manager = api_as(cast.manager)
    for key in (f"team:{cast.south.pk}", f"rep:{cast.carol.pk}", f"rep:{cast.lena.pk}"):
        with django_capture_on_commit_callbacks(execute=False):
            response = manager.post("/api/v1/report-runs/", {"kind": "aging", "period": "2026-11", "scope": key})
        assert response.status_code == 201, response.content


def test_the_scope_pickers_offer_the_teams_and_the_sellers_only(cast, client_as):
    sellers = {cast.lena, cast.alice, cast.bob, cast.carol, cast.manager, cast.vp}
    expected = {"company", f"team:{cast.east.pk}", f"team:{cast.south.pk}", *(f"rep:{u.pk}" for u in sellers)}
    runs = client_as(cast.manager).get("/reports/runs/")
    assert {key for key, _label in runs.context["form"].fields["scope"].choices} == expected
    figures = client_as(cast.manager).get("/reports/figures/")
    assert {key for key, _label in figures.context["scope_choices"]} == expected
    for who in (cast.admin, cast.finance, cast.clerk, cast.service, cast.gm):
        assert f"rep:{who.pk}" not in expected


# --- 13. the targets import and API ----------------------------------------------------------------------------------
HEADERS = ["年份", "周期", "季度/月份", "层级", "销售组", "业务员(用户名)", "销售额目标", "新客户数目标", "回款目标"]


def _sheet(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = "销售目标"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("t.xlsx", out.getvalue())


def _preview(client, rows) -> dict:
    response = client.post("/core/imports/targets/", {"file": _sheet(rows)})
    assert response.status_code == 200
    return {(e.line, e.column): e.message for e in response.context["result"].errors}


def test_the_import_refuses_what_the_form_refuses_on_its_row_and_column(cast, client_as):
    rows = [
        [2027, "季度", 2, "公司", "", "", "1200000", None, None],  # 2
        [2027, "季度", 2, "公司", "", "", "1300000", None, None],  # 3: the same target again
        [2027, "季度", 2, "销售组", "华东组", "", "-5", None, None],  # 4: negative
        [2027, "季度", 2, "销售组", "华南组", "", "100.005", None, None],  # 5: a third decimal
        [2027, "季度", 3, "销售组", "华东组", "", "100", 2000000, None],  # 6: a count beyond the bound
        [2027, "季度", 2, "业务员", "华南组", "alice", "50", None, None],  # 7: alice is of 华东组
        [2027, "季度", 2, "公司", "华东组", "", "5", None, None],  # 8: a company target naming a team
    ]
    errors = _preview(client_as(cast.manager), rows)
    assert errors[(3, "层级")] == "与第 2 行是同一个目标（同一期间、同一对象），一个文件中每个目标只能填写一行。"
    assert errors[(4, "销售额目标")].startswith("销售额目标不能为负数")
    assert errors[(5, "销售额目标")] == "销售额目标最多两位小数（精确到分），100.005 不能保存。"
    assert errors[(6, "新客户数目标")] == "新客户数目标是客户个数，应为 0 到 1000000 之间的整数。"
    assert "999999999999.99" not in errors[(6, "新客户数目标")]
    assert "alice属于华东组" in errors[(7, "销售组")]
    assert (8, "销售组") in errors
    assert all(column for _line, column in errors), errors  # every error names its column
    assert not SalesTarget.objects.exists()


def test_the_import_accepts_a_rep_row_with_the_reps_own_team_or_none(cast, client_as):
    rows = [
        [2027, "季度", 2, "公司", "", "", "1200000", None, None],
        [2027, "季度", 2, "销售组", "华东组", "", "500000", None, None],
        [2027, "季度", 2, "业务员", "华东组", "alice", "80000", None, None],
        [2027, "季度", 2, "业务员", "", "bob", "70000", None, None],
    ]
    c = client_as(cast.manager)
    response = c.post("/core/imports/targets/", {"file": _sheet(rows)})
    assert response.context["result"].ok, response.context["result"].errors
    done = c.post("/core/imports/targets/commit/", {"token": response.context["result"].token})
    assert done.status_code == 302
    assert set(SalesTarget.objects.filter(level="rep").values_list("rep__username", "team__name")) == {
        ("alice", "华东组"),
        ("bob", "华东组"),
    }


def test_a_lead_importing_a_team_target_is_refused_on_the_team_column(cast, client_as):
    target_set(actor=cast.manager, data=TargetInput(year=2027, kind="year", number=0, level="company", amount=D("1000")))
    errors = _preview(client_as(cast.lena), [[2027, "年度", 0, "销售组", "华东组", "", "500", None, None]])
    assert "您无权设定该目标" in errors[(2, "销售组")]


@pytest.fixture
def alices(cast):
    """November 2026: company 1,000,000, 华东组 500,000, alice 80,000."""
    for level, team, rep, amount in (
        ("company", None, None, "1000000"),
        ("team", cast.east.pk, None, "500000"),
        ("rep", None, cast.alice.pk, "80000"),
    ):
        target = target_set(
            actor=cast.manager,
            data=TargetInput(year=2026, kind="month", number=11, level=level, team_id=team, rep_id=rep, amount=D(amount)),
        )
    return target


def test_the_api_create_of_an_existing_target_is_a_conflict(cast, api_as, alices):
    manager = api_as(cast.manager)
    body = {"year": 2026, "kind": "month", "number": 11, "level": "rep", "rep": cast.alice.pk, "amount": "5"}
    again = manager.post("/api/v1/targets/", body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "target_exists" and "已有目标" in again.json()["detail"]
    alices.refresh_from_db()
    assert alices.amount == D("80000.00")
    # a team that is not alice's is refused, naming it — never replaced by hers
    other = manager.patch(f"/api/v1/targets/{alices.pk}/", {"team": cast.south.pk, "amount": "5"}, format="json")
    assert other.status_code == 400 and list(other.json()["errors"]) == ["team"]
    created = manager.post("/api/v1/targets/", body | {"rep": cast.bob.pk, "team": cast.south.pk, "number": 11}, format="json")
    assert created.status_code == 400 and list(created.json()["errors"]) == ["team"]
    assert not SalesTarget.objects.filter(rep=cast.bob).exists()
    # an update changes the figures, never the period or the owner
    moved = manager.patch(f"/api/v1/targets/{alices.pk}/", {"number": 12}, format="json")
    assert moved.status_code == 400 and list(moved.json()["errors"]) == ["number"]
    changed = manager.patch(f"/api/v1/targets/{alices.pk}/", {"amount": "90000"}, format="json")
    assert changed.status_code == 200 and changed.json()["amount"] == "90000.00"
    assert changed.json()["rep_name"] == "alice"
    assert SalesTarget.objects.filter(level="rep").count() == 1


def test_the_form_create_of_an_existing_target_says_so_and_the_edit_keeps_the_owner(cast, client_as, alices):
    c = client_as(cast.manager)
    form = {"year": 2026, "kind": "month", "number": 11, "level": "rep", "rep": cast.alice.pk, "amount": "5"}
    again = c.post("/reports/targets/new/", form)
    assert again.status_code == 409 and "已有目标" in again.content.decode()
    wrong_team = c.post("/reports/targets/new/", form | {"rep": cast.bob.pk, "team": cast.south.pk})
    assert wrong_team.status_code == 400 and wrong_team.context["form"].errors["team"]
    # the edit page shows the period and owner without letting them change: a posted other month is ignored
    edited = c.post(f"/reports/targets/{alices.pk}/edit/", form | {"number": 12, "amount": "70000"})
    assert edited.status_code == 302
    alices.refresh_from_db()
    assert (alices.number, alices.amount) == (11, D("70000.00"))
    assert SalesTarget.objects.filter(level="rep").count() == 1


def test_the_service_refuses_a_third_decimal_on_the_amount_field(cast):
    data = TargetInput(year=2027, kind="year", number=0, level="company", amount=D("100.005"))
    with pytest.raises(TargetError) as refused:
        target_set(actor=cast.manager, data=data)
    assert refused.value.field == "amount"
    assert not SalesTarget.objects.exists()


# --- 21. the target form's rep picker ---------------------------------------------------------------------------------
def test_the_rep_picker_names_people_and_offers_only_who_may_hold_a_rep_target(cast, client_as, alices):
    cast.alice.first_name, cast.alice.last_name = "王丽", ""
    cast.alice.save()
    field = TargetForm().fields["rep"]
    offered = {field.label_from_instance(u) for u in field.queryset}
    assert offered == {"王丽（alice）", "bob", "carol", "lena"}  # the sellers of a team: no manager, no vp
    page = client_as(cast.manager).get("/reports/targets/new/").content.decode()
    assert "王丽（alice）" in page and f'value="{cast.manager.pk}"' not in page
    refused = client_as(cast.manager).post(
        "/reports/targets/new/",
        {"year": 2026, "kind": "month", "number": 11, "level": "rep", "rep": cast.manager.pk, "amount": "1"},
    )
    assert refused.status_code == 400 and refused.context["form"].errors["rep"]
    with pytest.raises(TargetError) as by_service:  # and the service, for the API and the import
        target_set(
            actor=cast.manager,
            data=TargetInput(year=2026, kind="month", number=11, level="rep", rep_id=cast.vp.pk, amount=D("1")),
        )
    assert by_service.value.field == "rep"


# --- 14. the after-sales department's own monthly statistics --------------------------------------------------------
def _done_run(kind, scope_key="company") -> ReportRun:
    out = BytesIO()
    wb = Workbook()
    wb.active.title = "封面"
    wb.save(out)
    run = ReportRun(kind=kind, period="2026-11", scope_key=scope_key, status=ReportRun.Status.DONE, progress=100)
    run.file.save(f"{kind}-{scope_key.replace(':', '-')}.xlsx", ContentFile(out.getvalue()), save=False)
    run.save()
    return run


@pytest.mark.parametrize("who", ["service", "qc"])
def test_service_and_qc_request_and_download_the_service_workbook_only(
    cast, client_as, api_as, who, django_capture_on_commit_callbacks
):
    user = getattr(cast, who)
    api, page = api_as(user), client_as(user)
    with django_capture_on_commit_callbacks(execute=False):
        asked = api.post("/api/v1/report-runs/", {"kind": "service", "period": "2026-11", "scope": "company"})
        team = api.post("/api/v1/report-runs/", {"kind": "service", "period": "2026-11", "scope": f"team:{cast.east.pk}"})
    assert (asked.status_code, team.status_code) == (201, 201), asked.content
    sales = api.post("/api/v1/report-runs/", {"kind": "store_sales", "period": "2026-11", "scope": "company"})
    assert sales.status_code == 403 and "售后服务统计" in sales.json()["detail"]

    service_run, store_run = _done_run(ReportRun.Kind.SERVICE), _done_run(ReportRun.Kind.STORE_SALES)
    assert page.get(f"/reports/runs/{service_run.pk}/download/").status_code == 200
    assert api.get(f"/api/v1/report-runs/{service_run.pk}/download/").status_code == 200
    assert api.get(f"/api/v1/report-runs/{service_run.pk}/").json()["allowed_actions"] == ["download"]
    assert page.get(f"/reports/runs/{store_run.pk}/download/").status_code == 404
    assert api.get(f"/api/v1/report-runs/{store_run.pk}/download/").status_code == 404
    listed = {r["kind"] for r in api.get("/api/v1/report-runs/").json()["results"]}
    assert listed == {"service"}

    runs = page.get("/reports/runs/")
    assert runs.status_code == 200 and 'data-testid="nav-report-runs"' in runs.content.decode()
    form = runs.context["form"]
    assert [k for k, _label in form.fields["kind"].choices] == ["service"]
    assert "company" in dict(form.fields["scope"].choices)
    requested = page.post("/reports/runs/request/", {"kind": "service", "period": "2026-10", "scope": "company"})
    assert requested.status_code == 302
    refused = page.post("/reports/runs/request/", {"kind": "aging", "period": "2026-10", "scope": "company"})
    assert refused.status_code == 400 and refused.context["form"].errors["kind"]
    # still no sales figures
    assert page.get("/reports/figures/").status_code == 404
    assert page.get("/reports/digest/").status_code == 403


def test_the_warehouse_still_gets_no_report(cast, api_as, client_as):
    service_run = _done_run(ReportRun.Kind.SERVICE)
    assert api_as(cast.warehouse).post("/api/v1/report-runs/", {"kind": "service", "period": "2026-11"}).status_code == 403
    assert api_as(cast.warehouse).get(f"/api/v1/report-runs/{service_run.pk}/download/").status_code == 404
    assert client_as(cast.warehouse).get("/reports/runs/").status_code == 403


# --- 15. 经营指标's links lead to the rows a figure is made of -----------------------------------------------------------
API_OF = {
    "aftersales:complaint_list": "/api/v1/complaints/",
    "aftersales:callback_list": "/api/v1/callbacks/",
    "aftersales:ticket_list": "/api/v1/service-tickets/",
    "orders:invoice_list": "/api/v1/invoices/",
}


# (rows the list must show, and for the invoices their sum) per scope of the book's November: complaints reported and not
# withdrawn (O5's on 11-30; the withdrawn one of 11-10 and O5's of 12-01 left out), callbacks done (O2's, O5's; O1's on
# 12-01 left out), tickets resolved (甲's without an order — alice's customer —, O5's), invoices issued (O1's; O5's in
# October left out)
LINKED = {
    "company": {"complaint_count": 1, "satisfaction_avg": 2, "sla_hit_rate": 2, "sales_invoiced": D("4000.00")},
    "east": {"complaint_count": 0, "satisfaction_avg": 1, "sla_hit_rate": 1, "sales_invoiced": D("4000.00")},
    "south": {"complaint_count": 1, "satisfaction_avg": 1, "sla_hit_rate": 1, "sales_invoiced": D("0.00")},
}


@pytest.mark.parametrize("scope_of", list(LINKED))
def test_the_figures_link_to_the_rows_they_count(cast, client_as, api_as, scope_of):
    make_book(cast)
    scope = {"company": COMPANY, "east": Scope.team(cast.east.pk), "south": Scope.team(cast.south.pk)}[scope_of]
    cards = {c["key"]: c for c in selectors.figure_cards(NOV, scope, date(2026, 12, 15))}
    # the figures themselves agree with the rows counted here
    assert kpis.complaint_count(NOV, scope) == LINKED[scope_of]["complaint_count"]
    assert kpis.sales_invoiced(NOV, scope) == LINKED[scope_of]["sales_invoiced"]
    assert kpis.aftersales_selectors.sla_counts(*NOV.bounds(), **scope.filters())[0] == LINKED[scope_of]["sla_hit_rate"]
    for key, expected in LINKED[scope_of].items():
        url = cards[key]["url"]
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        assert {"2026-11-01", "2026-11-30"} <= {v for values in query.values() for v in values}, (key, url)
        if scope.kind == "team":
            assert query["team"] == [str(scope.team_id)], (key, url)
        assert client_as(cast.manager).get(url).status_code == 200, url
        listed = api_as(cast.manager).get(f"{API_OF[resolve(parts.path).view_name]}?{parts.query}&page_size=200")
        assert listed.status_code == 200, (url, listed.content)
        rows = listed.json()["results"]
        if key == "sales_invoiced":
            assert sum((D(r["amount"]) for r in rows), D("0.00")) == expected, (key, url, rows)
        else:
            assert len(rows) == expected, (key, url, rows)


def test_the_complaint_list_leaves_out_the_withdrawn_when_asked(cast, client_as):
    make_book(cast)
    url = reverse("aftersales:complaint_list")
    every = client_as(cast.manager).get(f"{url}?reported_from=2026-11-01&reported_to=2026-11-30")
    active = client_as(cast.manager).get(f"{url}?reported_from=2026-11-01&reported_to=2026-11-30&active=true")
    assert every.status_code == active.status_code == 200
    assert every.content.decode().count("TS-T") > active.content.decode().count("TS-T") > 0
