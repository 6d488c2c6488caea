"""The monthly workbooks opened with openpyxl: sheet names, frozen headers, yuan formats, totals rows, a chart sheet and a
cover with the parameters — and every total equal to the KPI selectors to the fen (the hand-computed November 2026 of
tests/reports/books.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from openpyxl import load_workbook

from reports import kpis
from reports.models import ReportRun
from reports.periods import Period
from reports.scopes import Scope
from reports.services.runs import report_run_request
from tests.reports.books import make_book

pytestmark = pytest.mark.django_db
NOV = Period.month(2026, 11)
COMPANY = Scope.company()
MONEY = "#,##0.00"


@pytest.fixture
def book(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_book(cast)


def generate(kind, scope=COMPANY, actor=None, capture=None):
    """Request a run and let its after-commit task run (eager in the test settings); the opened workbook."""
    with capture(execute=True):
        run, created = report_run_request(kind=kind, period=NOV, scope=scope, actor=actor)
    run.refresh_from_db()
    assert created and run.status == ReportRun.Status.DONE, run.error
    with run.file.open("rb") as f:
        return run, load_workbook(BytesIO(f.read()))


BESIDE = "其中：设有目标者"  # the achievement sheets' row under 合计 (what its rates are made of)


def table(ws):
    """(header row number, header texts, data rows as lists, the totals row) of the sheet's table (an achievement
    sheet's 其中 row under the 合计 left out)."""
    header = int(ws.freeze_panes[1:]) - 1
    rows = [list(r) for r in ws.iter_rows(min_row=header, values_only=True) if not r or r[0] != BESIDE]
    return header, rows[0], rows[1:-1], rows[-1]


def test_store_sales_workbook(book, django_capture_on_commit_callbacks):
    run, wb = generate(ReportRun.Kind.STORE_SALES, actor=book.cast.manager, capture=django_capture_on_commit_callbacks)
    assert wb.sheetnames == ["封面", "门店销售", "图表"]

    ws = wb["门店销售"]
    header_row, header, rows, totals = table(ws)
    assert header == [
        "门店/经销商",
        "区域",
        "订单额(按下单日)",
        "发货额",
        "开票额",
        "回款额",
        "退货额",
        "上月发货额",
        "去年同月发货额",
    ]
    assert [r[0] for r in rows] == ["乙客户", "甲客户"]  # by name, as kpis.store_rows gives them
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.cell(header_row + 1, 4).number_format == MONEY and ws.cell(header_row + 3, 4).number_format == MONEY
    # the totals row equals the KPI selectors to the fen
    expected = kpis.totals("store", NOV, COMPANY)
    assert totals[0] == "合计"
    assert [D(str(v)).quantize(D("0.01")) for v in totals[2:]] == [expected[k] for k in kpis.STORE_MONEY]
    assert D(str(totals[3])) == kpis.sales_shipped(NOV, COMPANY) == D("9500.00")
    assert D(str(totals[2])) == kpis.order_intake(NOV, COMPANY)
    assert D(str(totals[5])) == kpis.collected(NOV, COMPANY)

    # the chart sheet has its bar chart over the top stores, largest shipped first
    assert len(wb["图表"]._charts) == 1
    assert [r[0] for r in wb["图表"].iter_rows(min_row=2, values_only=True)] == ["甲客户", "乙客户"]

    # the cover: the report, its parameters, the generation time and the totals
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(values_only=True) if r and r[0]}
    assert cover["期间"] == "2026年11月" and cover["范围"] == "全公司" and cover["申请人"] == "manager"
    assert cover["生成时间"] is not None
    assert D(str(cover["发货额"])) == D("9500.00") and D(str(cover["回款额"])) == kpis.collected(NOV, COMPANY)
    assert D(str(cover["上月发货额"])) == D("2000.00") and D(str(cover["去年同月发货额"])) == D("0.00")
    # the run keeps the same totals for the next generation's comparison
    assert run.totals["shipped"] == {"label": "发货额", "value": "9500.00"}
    assert run.totals["last_month"] == {"label": "上月发货额", "value": "2000.00"}


def _paid_claim(user, team, day, amount):
    """A paid expense claim of one line spent on `day`, written as it is stored (the period is past 报销时效 later on)."""
    from expenses.models import ExpenseClaim, ExpenseLine

    claim = ExpenseClaim.objects.create(
        number=f"BX-T-{user.pk}-{day:%m%d}", claimant=user, team=team, title="差旅", total=D(amount), status="paid"
    )
    ExpenseLine.objects.create(claim=claim, spent_on=day, category="travel", amount=D(amount))


def _plan(author, team, level, amount, status="approved", period="2026-11"):
    """A sales plan of `period` as it is stored once decided (its approval is the plans tests' business)."""
    from plans.models import SalesPlan

    return SalesPlan.objects.create(
        number=f"XSJH-T-{SalesPlan.objects.count()}",
        level=level,
        period_key=period,
        author=author,
        team=team,
        planned=D(amount),
        status=status,
    )


def test_achievement_workbook(book, django_capture_on_commit_callbacks):
    east = Scope.team(book.cast.east.pk)
    _paid_claim(book.cast.alice, book.cast.east, NOV.start, "450.00")  # alice's November expenses
    _plan(book.cast.alice, book.cast.east, "rep", "12000.00")  # alice's approved plan for November
    _plan(book.cast.bob, book.cast.east, "rep", "5000.00", status="submitted")  # not yet approved: no plan
    _plan(book.cast.lena, book.cast.east, "rep", "3000.00", period="2026-12")  # another month's
    _plan(book.cast.lena, book.cast.east, "team", "20000.00")
    _run, wb = generate(ReportRun.Kind.ACHIEVEMENT, scope=east, capture=django_capture_on_commit_callbacks)
    assert wb.sheetnames == ["封面", "业务员达成", "销售组达成", "图表"]
    _h, header, rows, totals = table(wb["业务员达成"])
    assert header == [
        "业务员",
        "销售组",
        "目标额",
        "计划额",
        "实际销售额(发货净额)",
        "达成率",
        "计划完成率",
        "回款目标",
        "回款额",
        "回款达成率",
        "销售费用",
        "费用率",
    ]
    assert [r[0] for r in rows] == ["alice", "bob", "lena"]
    assert (D(str(rows[0][3])), D(str(rows[0][6]))) == (D("12000.00"), D("0.75"))  # 9,000 shipped of 12,000 planned
    assert (rows[1][3], rows[1][6], rows[2][3], rows[2][6]) == (None, None, None, None)
    assert (D(str(rows[0][10])), D(str(rows[0][11]))) == (D("450.00"), D("0.05"))  # 450 of alice's 9,000 shipped
    assert (D(str(rows[1][10])), rows[1][11]) == (D("0.00"), D("0"))
    expected = kpis.totals("rep", NOV, east)
    assert (D(str(totals[2])), D(str(totals[4])), D(str(totals[5]))) == (
        expected["target"],
        expected["actual"],
        D("1.125"),
    )  # alice's 9,000 of her 8,000
    assert (D(str(totals[3])), D(str(totals[6]))) == (D("12000.00"), D("0.75"))  # the sales of those with a plan
    assert (D(str(totals[10])), D(str(totals[11]))) == (D("450.00"), D("0.045"))  # over the team's 10,000
    ws = wb["业务员达成"]
    assert ws.cell(_h + 1, 6).number_format == "0.00%" and ws.cell(_h + 1, 4).number_format == MONEY
    _h, header, teams, team_totals = table(wb["销售组达成"])
    assert header == [
        "销售组",
        "目标额",
        "计划额",
        "实际销售额(发货净额)",
        "达成率",
        "计划完成率",
        "回款目标",
        "回款额",
        "回款达成率",
        "销售费用",
        "费用率",
    ]
    assert [r[0] for r in teams] == ["华东组"] and D(str(team_totals[3])) == D("10000.00")
    assert (D(str(teams[0][2])), D(str(teams[0][5]))) == (D("20000.00"), D("0.5"))  # the team's plan: 10,000 of 20,000
    assert (D(str(teams[0][9])), D(str(teams[0][10]))) == (D("450.00"), D("0.045"))  # the claim's team: 华东组
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(values_only=True) if r and r[0]}
    assert cover["申请人"] == "系统定时生成" and cover["范围"] == "华东组"
    assert D(str(cover["业务员计划合计"])) == D("12000.00")
    assert D(str(cover["华东组目标达成率"])) == kpis.achievement(NOV, east)["rate"]


def test_aging_workbook(book, django_capture_on_commit_callbacks):
    _run, wb = generate(ReportRun.Kind.AGING, capture=django_capture_on_commit_callbacks)
    assert wb.sheetnames == ["封面", "账龄汇总", "客户账龄", "图表"]
    _h, header, rows, totals = table(wb["账龄汇总"])
    assert header == ["账龄", "应收余额"] and [r[0] for r in rows] == ["0–30 天", "31–60 天", "61–90 天", ">90 天"]
    aging = kpis.receivables_aging(NOV.end, COMPANY)
    assert [D(str(r[1])) for r in rows] == list(aging.values())
    assert D(str(totals[1])) == kpis.receivables_open(NOV.end, COMPANY)


def test_aging_workbook_has_one_row_per_customer_adding_up_to_the_kpis(book, django_capture_on_commit_callbacks):
    _run, wb = generate(ReportRun.Kind.AGING, capture=django_capture_on_commit_callbacks)
    ws = wb["客户账龄"]
    header_row, header, rows, totals = table(ws)
    assert header == ["客户", "负责业务员", "0–30 天", "31–60 天", "61–90 天", ">90 天", "应收合计"]
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.cell(header_row + 1, 3).number_format == MONEY and ws.cell(header_row + 2, 7).number_format == MONEY
    # 乙: O5's 2,000.00 of 10-25 less the 500.00 credit note and 1,000.00 paid (36 days); 甲: O1's 1,000.00 still open,
    # O2's 5,000.00 (its payment is not confirmed), O6's 1,000.00; O3 left in December
    assert [[r[0], r[1], *(D(str(v)) for v in r[2:])] for r in rows] == [
        ["乙客户", "carol", D("0"), D("500"), D("0"), D("0"), D("500")],
        ["甲客户", "alice", D("7000"), D("0"), D("0"), D("0"), D("7000")],
    ]
    aging = kpis.receivables_aging(NOV.end, COMPANY)
    assert totals[0] == "合计"
    assert [D(str(v)).quantize(D("0.01")) for v in totals[2:6]] == list(aging.values())
    assert D(str(totals[6])) == kpis.receivables_open(NOV.end, COMPANY) == D("7500.00")


@pytest.mark.parametrize(
    "scope, expected",
    [
        ("east", [("甲客户", "alice", D("7000.00"))]),
        ("south", [("乙客户", "carol", D("500.00"))]),
        ("bob", [("甲客户", "alice", D("1000.00"))]),  # only bob's O6 of alice's customer
    ],
)
def test_customer_aging_rows_follow_the_scope_and_add_up_to_the_kpis(book, scope, expected):
    c = book.cast
    scope = {"east": Scope.team(c.east.pk), "south": Scope.team(c.south.pk), "bob": Scope.rep(c.bob.pk)}[scope]
    rows = list(kpis.customer_aging_rows(NOV.end, scope))
    assert [(r["customer_name"], r["rep_name"], r["total"]) for r in rows] == expected
    aging = kpis.receivables_aging(NOV.end, scope)
    assert {code: sum((r[code] for r in rows), D(0)) for code in kpis.AGING_BUCKETS} == aging
    # on 12-11 O1's shipment of 11-10 is 31 days old, O5's 47: both in 31–60
    late = {r["customer_name"]: r["31_60"] for r in kpis.customer_aging_rows(date(2026, 12, 11), Scope.company())}
    assert late == {"乙客户": D("500.00"), "甲客户": D("1000.00")}
    assert sum(late.values()) == kpis.receivables_aging(date(2026, 12, 11), Scope.company())["31_60"]


def test_service_workbook(book, django_capture_on_commit_callbacks):
    _run, wb = generate(ReportRun.Kind.SERVICE, capture=django_capture_on_commit_callbacks)
    assert wb.sheetnames == ["封面", "售后统计", "工程师统计", "图表"]
    _h, header, rows, totals = table(wb["售后统计"])
    assert header == ["月份", "平均满意度", "投诉数", "SLA 达成率"]
    assert [r[0] for r in rows] == ["2026年6月", "2026年7月", "2026年8月", "2026年9月", "2026年10月", "2026年11月"]
    november = rows[-1]
    assert D(str(november[1])) == kpis.satisfaction_avg(NOV, COMPANY)
    assert november[2] == kpis.complaint_count(NOV, COMPANY) == 1
    assert D(str(november[3])) == kpis.sla_hit_rate(NOV, COMPANY)
    assert totals[0] == "近6个月合计" and totals[-2] == sum(kpis.complaint_count(NOV.shifted(-i), COMPANY) for i in range(6))
    assert len(wb["图表"]._charts) == 1


def test_service_workbook_has_one_row_per_engineer_and_totals_equal_to_the_kpis(book, django_capture_on_commit_callbacks):
    run, wb = generate(ReportRun.Kind.SERVICE, capture=django_capture_on_commit_callbacks)
    ws = wb["工程师统计"]
    header_row, header, rows, totals = table(ws)
    assert header == [
        "服务人员",
        "新受理工单",
        "完成工单",
        "SLA 达标工单",
        "SLA 达成率",
        "平均首次响应(小时)",
        "平均解决(小时)",
        "完成回访",
        "平均满意度",
    ]
    assert ws.freeze_panes == f"A{header_row + 1}"
    # service: the ticket in time (1 h to answer, 48 h to resolve) and O5's callback (3, 3, 3);
    # nobody: O5's late ticket and O2's callback (5, 4)
    assert rows == [
        ["service", 1, 1, 1, 1, 1, 48, 1, 3],
        ["（未分派）", 1, 1, 0, 0, 1, 48, 1, 4.5],
    ]
    assert ws.cell(header_row + 1, 5).number_format == "0.00%" and ws.cell(header_row + 1, 2).number_format == "0"
    assert ws.cell(header_row + 2, 9).number_format == "#,##0.###"
    # the 合计 row is the KPI selectors': counts add up the rows, the rates are those of the whole month
    expected = kpis.service_totals(NOV, COMPANY)
    assert totals[0] == "合计"
    assert totals[1:4] == [sum(r[i] for r in rows) for i in (1, 2, 3)] == [2, 2, 1]
    assert totals[7] == sum(r[7] for r in rows) == expected["callbacks_done"] == 2
    assert D(str(totals[4])) == expected["sla_rate"] == kpis.sla_hit_rate(NOV, COMPANY) == D("0.5")
    assert D(str(totals[8])) == expected["satisfaction"] == kpis.satisfaction_avg(NOV, COMPANY) == D("3.6")
    assert (D(str(totals[5])), D(str(totals[6]))) == (D("1"), D("48"))
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(values_only=True) if r and r[0]}
    assert cover["完成工单"] == 2 and cover["完成回访"] == 2
    assert run.totals["tickets_resolved"]["value"] in (2, "2")


def test_engineer_rows_follow_the_scope(book):
    south, east = Scope.team(book.cast.south.pk), Scope.team(book.cast.east.pk)
    # O5 is carol's (华南组): its late ticket and its callback by service; 甲's ticket without order counts for alice's team
    assert [(r["engineer_name"], r["tickets_resolved"], r["callbacks_done"]) for r in kpis.engineer_rows(NOV, south)] == [
        ("service", 0, 1),
        ("（未分派）", 1, 0),
    ]
    assert kpis.service_totals(NOV, south)["sla_rate"] == kpis.sla_hit_rate(NOV, south) == D("0")
    assert [r["engineer_name"] for r in kpis.engineer_rows(NOV, east)] == ["service", "（未分派）"]
    assert kpis.service_totals(NOV, east)["satisfaction"] == kpis.satisfaction_avg(NOV, east) == D("4.5")
    assert list(kpis.engineer_rows(NOV, Scope.rep(book.cast.bob.pk))) == []


def test_a_reps_own_achievement_workbook_is_written(book, django_capture_on_commit_callbacks):
    # a rep's scope has no team rows: the team sheet's 合计 has no rate (was KeyError 'rate': every rep's own run failed)
    _run, wb = generate(
        ReportRun.Kind.ACHIEVEMENT, scope=Scope.rep(book.cast.alice.pk), capture=django_capture_on_commit_callbacks
    )
    assert "业务员达成" in wb.sheetnames
