"""The monthly Excel reports: one workbook per report kind, written by the streaming builder (salesops/core/sheets.py).

Every workbook has a cover sheet (封面: the report, its parameters, when it was generated and the totals of its figures),
one or more data sheets (Chinese names, frozen header, yuan formats, a 合计 row) and a chart sheet (图表). Every figure
comes from reports.kpis; rows are streamed from its iterators into write-only sheets, so memory stays flat however many
rows a month has. A builder returns its figures' totals as (key, label, value) — the cover shows them and the run keeps
them to tell what changed when a closed month is generated again.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from itertools import count

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.chart import BarChart
from openpyxl.utils import get_column_letter

from customers.models import Opportunity
from customers.rules import win_rate
from customers.selectors import OPPORTUNITY_SERIES
from orders.rules import AGING_BUCKETS
from salesops.core.names import display_name
from salesops.core.sheets import Book, Column, Kind, Sheet, Span

from . import kpis
from .models import ReportRun
from .periods import Period
from .scopes import Scope

Figure = tuple[str, str, Decimal | int | None]
Progress = Callable[[int], None]
TOP_N = 20  # bars on a chart sheet
TREND_MONTHS = 6  # months of the after-sales trend


def _top(rows: Iterable[dict], key: str, n: int, keep: list) -> Iterator[dict]:
    """Pass the rows through, keeping in `keep` the n largest by `key` (a bounded heap: memory does not grow)."""
    tie = count()
    heap: list = []
    for row in rows:
        item = (row[key] or Decimal(0), next(tie), row)
        if len(heap) < n:
            heapq.heappush(heap, item)
        elif item[0] > heap[0][0]:
            heapq.heapreplace(heap, item)
        yield row
    keep.extend(row for _value, _tie, row in sorted(heap, key=lambda i: (-i[0], i[1])))


def _bar_chart(book: Book, title: str, label_header: str, label_key: str, series: list[tuple], rows) -> None:
    """The chart sheet: a small table of `rows` (the label, then each series (key, header[, kind — money unless given]))
    and a bar chart drawn from it."""
    columns = [Column(label_header, width=30, key="label", value=lambda r: r[label_key])]
    for key, header, *kind in series:
        columns.append(Column(header, kind[0] if kind else Kind.MONEY, width=16, key=key, value=lambda r, k=key: r[k]))
    sheet = book.sheet(_("图表"), columns)
    sheet.table(rows)
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.height, chart.width = 12, 24
    for key, *_rest in series:
        chart.add_data(sheet.column_ref(key), titles_from_data=True)
    chart.set_categories(sheet.column_ref("label", header=False))
    sheet.add_chart(chart, f"{get_column_letter(sheet.ncols + 2)}2")


# --- the reports ------------------------------------------------------------------------------------------------------
STORE_COLUMNS = [
    ("orders", gettext_lazy("订单额(按下单日)")),
    ("shipped", gettext_lazy("发货额")),
    ("invoiced", gettext_lazy("开票额")),
    ("collected", gettext_lazy("回款额")),
    ("returns", gettext_lazy("退货额")),
    ("last_month", gettext_lazy("上月发货额")),
    ("last_year", gettext_lazy("去年同月发货额")),
]


def store_sales(book: Book, period: Period, scope: Scope, progress: Progress) -> list[Figure]:
    """门店/经销商销售: per store orders, shipped, invoiced, collected and returns of the month, vs last month and last year."""
    columns = [
        Column(_("门店/经销商"), width=32, value=lambda r: r["customer_name"]),
        Column(_("区域"), width=12, value=lambda r: r["region"]),
    ]
    columns += [
        Column(label, Kind.MONEY, width=16, key=key, value=lambda r, k=key: r[k], total=True) for key, label in STORE_COLUMNS
    ]
    sheet = book.sheet(_("门店销售"), columns)
    progress(10)
    top: list[dict] = []
    sheet.table(_top(kpis.store_rows(period, scope), "shipped", TOP_N, top))
    sheet.totals()
    progress(70)
    _bar_chart(
        book, _("发货额前 %(n)s 名门店") % {"n": TOP_N}, _("门店/经销商"), "customer_name", [("shipped", _("发货额"))], top
    )
    sums = sheet.sums  # last month and last year stand beside the month: no further query for the growth rates
    return [(key, label, sums[key]) for key, label in STORE_COLUMNS]


TARGET_FIGURES = ("target", "planned", "collection_target")  # the achievement sheets' columns of what was set, not done


def achievement(book: Book, period: Period, scope: Scope, progress: Progress) -> list[Figure]:
    """业务员与销售组目标达成: per rep and per team target, shipped sales (net) and rate; the 合计 rate is the actual of
    those with a target over the summed target (kpis.totals). Beside the target, the amount of the approved sales plan written for the
    period (计划额) and the sales against it (计划完成率; the 合计's: the sales of those with a plan over the summed
    plans). Then the collection target (回款目标), collected (回款额) and 回款达成率, whose 合计 is counted as the 达成率's
    (kpis.totals). Each rep's 销售费用 and 费用率 follow (the 合计 rate: summed expenses over summed sales), and each team's.
    Under the 合计 row, 其中：设有目标者: the targets, sales and collections of the rows with a target and their rates —
    what the 合计's rates are made of. Every rate is a percentage with two decimals (Kind.RATE). A rep's workbook has no
    销售组达成 sheet (a rep's scope has no team rows). On the cover, a sum of targets (业务员目标合计, 业务员计划合计,
    业务员回款目标合计) is "—" when no row has one, as the scope's own target is without one."""
    money = [("target", _("目标额")), ("actual", _("实际销售额(发货净额)"))]
    plans = {level: kpis.planned_by(level, period) for level in ("rep", "team")}

    def money_column(key: str, label: str, width: int = 18) -> Column:
        return Column(label, Kind.MONEY, width=width, key=key, value=lambda r: r[key], total=True)

    def rate_column(key: str, label: str, width: int = 12) -> Column:
        return Column(label, Kind.RATE, width=width, key=key, value=lambda r: r[key])

    def write(title: str, name_header: str, name_key: str, extra: list[Column], rows_kind: str, rows):
        planned, spent = plans[rows_kind], kpis.EXPENSES_BY[rows_kind](period, scope)
        with_plan = {"actual": Decimal("0.00")}  # the sales of the rows with a plan, for the 合计's 计划完成率
        # the targets and actuals of the rows with a target (of more than 0), which the 合计's rates are made of
        targeted = {key: Decimal("0.00") for pair in kpis.ACHIEVEMENTS.values() for key in pair}
        held: set[str] = set()  # the target columns (target, planned, collection_target) some row has a value in
        columns = [Column(name_header, width=20, value=lambda r: r[name_key]), *extra, money_column("target", _("目标额"))]
        if planned is not None:
            columns.append(money_column("planned", _("计划额"), 16))
        columns += [money_column("actual", _("实际销售额(发货净额)")), rate_column("rate", _("达成率"))]
        if planned is not None:
            columns.append(rate_column("plan_rate", _("计划完成率")))
        columns += [
            money_column("collection_target", _("回款目标"), 16),
            money_column("collected", _("回款额"), 16),
            rate_column("collection_achievement", _("回款达成率")),
        ]
        columns += [money_column("expenses", _("销售费用"), 14), rate_column("expense_rate", _("费用率"), 10)]

        def figures(row: dict) -> dict:
            expenses = spent.get(row[kpis.ROW_KEYS[rows_kind]], Decimal("0.00"))
            row |= {"expenses": expenses, "expense_rate": kpis.rate_of(expenses, row["actual"])}
            if planned is not None:
                amount = planned.get(row[kpis.ROW_KEYS[rows_kind]])
                row |= {"planned": amount, "plan_rate": kpis.rate_of(row["actual"], amount)}
                if amount is not None:
                    with_plan["actual"] += row["actual"]
            held.update(key for key in TARGET_FIGURES if row.get(key) is not None)
            for actual, target in kpis.ACHIEVEMENTS.values():
                if row.get(target):
                    targeted[actual] += row[actual]
                    targeted[target] += row[target]
            return row

        sheet = book.sheet(title, columns)
        top: list[dict] = []
        sheet.table(_top(map(figures, rows), "actual", TOP_N, top))
        totals = kpis.totals(rows_kind, period, scope)  # no rows (a rep's own team sheet): no rates
        values = {rate: totals.get(rate) for rate in kpis.ACHIEVEMENTS}
        values["expense_rate"] = kpis.rate_of(sheet.sums.get("expenses", 0), sheet.sums.get("actual", 0))
        if planned is not None:
            values["plan_rate"] = kpis.rate_of(with_plan["actual"], sheet.sums.get("planned") or None)
        sheet.totals(values=values)
        # 其中设有目标者: the rows the 合计's rates are counted over (kpis.totals), so a 合计 of the whole sales against the
        # targets reads right — e.g. 目标 80,000 and 实际 11,300 with 达成率 0.00% when those sales are of reps without a target
        beside = {c.key: None for c in columns if c.key} | targeted
        beside |= {rate: kpis.rate_of(targeted[actual], targeted[target]) for rate, (actual, target) in kpis.ACHIEVEMENTS.items()}
        sheet.totals(_("其中：设有目标者"), values=beside)
        return sheet, top, held

    team_column = Column(_("销售组"), width=16, value=lambda r: r["team_name"])
    reps, top_reps, held = write(_("业务员达成"), _("业务员"), "rep_name", [team_column], "rep", kpis.rep_rows(period, scope))
    progress(45)
    top_teams: list[dict] = []
    if scope.kind != "rep":  # a rep's figures have no team rows: no sheet of 合计 0.00 alone
        _teams, top_teams, _held = write(_("销售组达成"), _("销售组"), "team_name", [], "team", kpis.team_rows(period, scope))
    progress(75)
    if top_teams:
        _bar_chart(book, _("销售组目标与实际"), _("销售组"), "team_name", money, top_teams)
    else:
        _bar_chart(book, _("业务员目标与实际"), _("业务员"), "rep_name", money, top_reps)
    overall = kpis.achievement(period, scope)
    collection = kpis.collection_achievement(period, scope)
    sums = {key: value for key, value in reps.sums.items() if key not in TARGET_FIGURES or key in held}
    figures = [
        ("target", _("业务员目标合计"), sums.get("target")),
        ("actual", _("业务员实际销售额合计"), sums["actual"]),
        ("scope_target", _("%(scope)s目标") % {"scope": scope.label}, overall["target"]),
        ("scope_actual", _("%(scope)s实际销售额") % {"scope": scope.label}, overall["actual"]),
        ("rate", _("%(scope)s目标达成率") % {"scope": scope.label}, overall["rate"]),
        ("collection_target", _("业务员回款目标合计"), sums.get("collection_target")),
        ("collected", _("业务员回款额合计"), sums["collected"]),
        ("scope_collection_target", _("%(scope)s回款目标") % {"scope": scope.label}, collection["target"]),
        ("scope_collected", _("%(scope)s回款额") % {"scope": scope.label}, collection["actual"]),
        ("collection_achievement", _("%(scope)s回款达成率") % {"scope": scope.label}, collection["rate"]),
    ]
    if plans["rep"] is not None:
        figures.insert(1, ("planned", _("业务员计划合计"), sums.get("planned")))
    return figures


def aging(book: Book, period: Period, scope: Scope, progress: Progress) -> list[Figure]:
    """应收账款账龄: the receivables outstanding at the end of the month's last day — of today for the month in progress
    (Period.as_of, as the receivables page and 经营指标 age them) —, by age bucket (账龄汇总), and the same per customer
    (客户账龄)."""
    as_of = period.as_of()
    buckets = kpis.receivables_aging(as_of, scope)
    labels = {code: str(label) for code, label, *_bounds in AGING_BUCKETS}
    rows = [{"label": labels.get(code, code), "amount": value} for code, value in buckets.items()]
    sheet = book.sheet(
        _("账龄汇总"),
        [
            Column(_("账龄"), width=20, key="label", value=lambda r: r["label"]),
            Column(_("应收余额"), Kind.MONEY, width=18, key="amount", value=lambda r: r["amount"], total=True),
        ],
    )
    sheet.fields([(_("截止日期"), as_of)])
    sheet.table(rows)
    sheet.totals()
    progress(40)
    _customer_aging_sheet(book, as_of, scope, labels)
    progress(70)
    _bar_chart(book, _("应收账龄"), _("账龄"), "label", [("amount", _("应收余额"))], rows)
    return [(f"aging_{code}", labels.get(code, code), value) for code, value in buckets.items()] + [
        ("total", _("应收合计"), sheet.sums["amount"])
    ]


def _customer_aging_sheet(book: Book, as_of: date, scope: Scope, labels: dict[str, str]) -> Sheet:
    """客户账龄: one row per customer with receivables open at the end of `as_of` (the day 账龄汇总 is read at;
    kpis.customer_aging_rows, streamed), the same buckets as 账龄汇总 and the customer's total; its 合计 row equals
    kpis.receivables_aging to the fen."""
    columns = [
        Column(_("客户"), width=32, value=lambda r: r["customer_name"]),
        Column(_("负责业务员"), width=14, value=lambda r: r["rep_name"]),
    ]
    columns += [
        Column(labels[code], Kind.MONEY, width=16, key=code, value=lambda r, k=code: r[k], total=True)
        for code in kpis.AGING_BUCKETS
    ]
    columns.append(Column(_("应收合计"), Kind.MONEY, width=18, key="total", value=lambda r: r["total"], total=True))
    sheet = book.sheet(_("客户账龄"), columns)
    sheet.fields([(_("截止日期"), as_of)])
    sheet.table(kpis.customer_aging_rows(as_of, scope))
    sheet.totals()
    return sheet


def service(book: Book, period: Period, scope: Scope, progress: Progress) -> list[Figure]:
    """售后服务统计: the month's satisfaction, complaints and SLA hit rate, and the same for the six months up to it."""
    months = [period.shifted(-back) for back in range(TREND_MONTHS - 1, -1, -1)]
    rows = []
    for step, month in enumerate(months, start=1):
        rows.append(
            {
                "month": month.label,
                "satisfaction": kpis.satisfaction_avg(month, scope),
                "complaints": kpis.complaint_count(month, scope),
                "sla": kpis.sla_hit_rate(month, scope),
            }
        )
        progress(10 + 60 * step // len(months))
    sheet = book.sheet(
        _("售后统计"),
        [
            Column(_("月份"), width=14, key="month", value=lambda r: r["month"]),
            Column(_("平均满意度"), Kind.QUANTITY, width=14, key="satisfaction", value=lambda r: r["satisfaction"]),
            Column(_("投诉数"), Kind.INTEGER, width=10, key="complaints", value=lambda r: r["complaints"], total=True),
            Column(_("SLA 达成率"), Kind.RATE, width=12, key="sla", value=lambda r: r["sla"]),
        ],
    )
    sheet.table(rows)
    this = rows[-1]
    sheet.totals(_("近%(n)s个月合计") % {"n": TREND_MONTHS})
    totals = _engineer_sheet(book, period, scope)
    progress(80)
    _bar_chart(
        book, _("近%(n)s个月投诉数") % {"n": TREND_MONTHS}, _("月份"), "month", [("complaints", _("投诉数"), Kind.INTEGER)], rows
    )
    return [
        ("satisfaction", _("平均满意度"), this["satisfaction"]),
        ("complaints", _("投诉数"), this["complaints"]),
        ("sla", _("SLA 达成率"), this["sla"]),
        ("tickets_resolved", _("完成工单"), totals["tickets_resolved"]),
        ("callbacks_done", _("完成回访"), totals["callbacks_done"]),
    ]


ENGINEER_COLUMNS = [
    ("tickets_opened", gettext_lazy("新受理工单"), Kind.INTEGER),
    ("tickets_resolved", gettext_lazy("完成工单"), Kind.INTEGER),
    ("sla_hits", gettext_lazy("SLA 达标工单"), Kind.INTEGER),
    ("sla_rate", gettext_lazy("SLA 达成率"), Kind.RATE),
    ("avg_response_hours", gettext_lazy("平均首次响应(小时)"), Kind.QUANTITY),
    ("avg_resolution_hours", gettext_lazy("平均解决(小时)"), Kind.QUANTITY),
    ("callbacks_done", gettext_lazy("完成回访"), Kind.INTEGER),
    ("satisfaction", gettext_lazy("平均满意度"), Kind.QUANTITY),
]


def _engineer_sheet(book: Book, period: Period, scope: Scope) -> dict:
    """工程师统计: one row per service engineer of the month (kpis.engineer_rows), the work nobody was assigned to last;
    the 合计 row is kpis.service_totals (its counts are the rows' sums, its rates and averages over the whole month)."""
    columns = [Column(_("服务人员"), width=20, value=lambda r: r["engineer_name"])]
    columns += [Column(str(label), kind, width=14, key=key, value=lambda r, k=key: r[k]) for key, label, kind in ENGINEER_COLUMNS]
    sheet = book.sheet(_("工程师统计"), columns)
    sheet.fields([(_("月份"), period.label)])
    sheet.table(kpis.engineer_rows(period, scope))
    totals = kpis.service_totals(period, scope)
    sheet.totals(values=totals)
    return totals


def opportunities(book: Book, period: Period, scope: Scope, progress: Progress) -> list[Figure]:
    """销售机会月报: the funnel of the open opportunities now (estimated and weighted amounts by stage), the same by the
    month they are expected to close from the report's month on (overdue before it), per rep what is open, won and
    lost in the month and the win rate, and every opportunity won or lost in the month with its reason. The funnel and
    the forecast are what is open when the workbook is made, whatever the month: labelled 截至 that day (for the month
    in progress its Period.as_of), never the month's last day they were not read at."""
    as_of = timezone.localdate()
    # a funnel's and a forecast's row: how many, their estimated and weighted amounts, with the totals
    sums = [
        Column(_("机会数"), Kind.INTEGER, width=10, key="count", value=lambda r: r["count"], total=True),
        *(
            Column(str(name), Kind.MONEY, width=16, key=key, value=lambda r, k=key: r[k], total=True)
            for key, name in OPPORTUNITY_SERIES
        ),
    ]
    funnel = [row for row in kpis.opportunity_funnel(scope) if row["stage"] in Opportunity.OPEN_STAGES]
    sheet = book.sheet(
        _("销售漏斗"),
        [
            Column(_("阶段"), width=14, key="label", value=lambda r: r["label"]),
            Column(_("赢率"), Kind.RATE, width=10, key="probability", value=lambda r: r["probability"]),
            *sums,
        ],
    )
    sheet.fields([(_("截至"), as_of)])
    sheet.table(funnel)
    sheet.totals()
    open_totals = sheet.sums
    forecast = book.sheet(
        _("预计成交"),
        [
            Column(_("预计成交月份"), width=18, value=lambda r: r["label"]),
            *sums,
        ],
    )
    forecast.fields([(_("截至"), as_of), (_("起始月份"), period.start.strftime("%Y-%m"))])
    forecast.table(kpis.opportunity_forecast(period.start, scope))
    forecast.totals()
    progress(30)
    reps = kpis.opportunity_rep_rows(period, scope)
    rep_sheet = book.sheet(
        _("业务员"),
        [
            Column(_("业务员"), width=16, value=lambda r: r["rep_name"]),
            Column(_("跟进中"), Kind.INTEGER, width=10, key="open_count", value=lambda r: r["open_count"], total=True),
            Column(_("跟进中金额"), Kind.MONEY, width=16, key="open_amount", value=lambda r: r["open_amount"], total=True),
            Column(_("加权金额"), Kind.MONEY, width=16, key="weighted", value=lambda r: r["weighted"], total=True),
            Column(_("本月赢单"), Kind.INTEGER, width=10, key="won_count", value=lambda r: r["won_count"], total=True),
            Column(_("赢单金额"), Kind.MONEY, width=16, key="won_amount", value=lambda r: r["won_amount"], total=True),
            Column(_("本月输单"), Kind.INTEGER, width=10, key="lost_count", value=lambda r: r["lost_count"], total=True),
            Column(_("赢单率"), Kind.RATE, width=10, key="rate", value=lambda r: r["rate"]),
        ],
    )
    rep_sheet.fields([(_("月份"), period.label)])
    rep_sheet.table(reps)
    rate = win_rate(sum(r["won_count"] for r in reps), sum(r["lost_count"] for r in reps))
    rep_sheet.totals(values={"rate": rate})
    won_amount = rep_sheet.sums["won_amount"]
    progress(60)
    closed = book.sheet(
        _("本月结束的机会"),
        [
            Column(_("机会编号"), width=18, value=lambda o: o.number),
            Column(_("机会名称"), width=24, value=lambda o: o.title),
            Column(_("客户"), width=28, value=lambda o: o.customer.name),
            Column(_("业务员"), width=12, value=lambda o: display_name(o.owner)),
            Column(_("结果"), width=8, value=lambda o: o.get_status_display()),
            Column(_("预计金额"), Kind.MONEY, width=16, key="amount", value=lambda o: o.amount, total=True),
            Column(_("结束时间"), Kind.DATETIME, width=17, value=lambda o: o.closed_at),
            Column(_("赢单/输单说明"), width=36, value=lambda o: o.close_reason),
            Column(_("竞争对手"), width=14, value=lambda o: o.competitor),
        ],
    )
    closed.table(kpis.opportunities_closed(period, scope).iterator())
    closed.totals()
    progress(80)
    _bar_chart(book, _("销售漏斗（跟进中）"), _("阶段"), "label", OPPORTUNITY_SERIES, funnel)
    return [
        ("open_count", _("跟进中的机会"), int(open_totals["count"])),
        ("weighted", _("加权金额"), open_totals["weighted"]),
        ("won_amount", _("本月赢单金额"), won_amount),
        ("rate", _("本月赢单率"), rate),
    ]


BUILDERS: dict[str, Callable[[Book, Period, Scope, Progress], list[Figure]]] = {
    ReportRun.Kind.STORE_SALES: store_sales,
    ReportRun.Kind.ACHIEVEMENT: achievement,
    ReportRun.Kind.AGING: aging,
    ReportRun.Kind.SERVICE: service,
    ReportRun.Kind.OPPORTUNITIES: opportunities,
}


# What each figure of BUILDERS' totals is, by key (every other key is money): the cover's cell format, how the run page
# writes a stored total and how generate_workbook rounds it (money to the fen, a rate to kpis.RATE_PLACES).
RATE_FIGURES = frozenset({"rate", "sla", "collection_achievement"})
COUNT_FIGURES = frozenset({"complaints", "tickets_resolved", "callbacks_done", "open_count"})
SCORE_FIGURES = frozenset({"satisfaction"})


def figure_kind(key: str) -> str:
    """ "rate", "count", "score" or "money": what the figure `key` of a workbook's totals is."""
    if key in RATE_FIGURES:
        return "rate"
    if key in COUNT_FIGURES:
        return "count"
    if key in SCORE_FIGURES:
        return "score"
    return "money"


def _figure_kind(key: str, value) -> Kind:
    kind = figure_kind(key)
    if kind == "rate":
        return Kind.RATE
    if kind == "score":
        return Kind.QUANTITY
    if kind == "count" or isinstance(value, int):
        return Kind.INTEGER
    return Kind.MONEY


def _figure_value(key: str, value):
    """A figure as the cover shows it and the run keeps it: money to the fen (a sum of targets read by a subquery may come
    as 180000 or 0.100000000000000), a rate to four places, never a negative zero; None stays None."""
    if value is None or isinstance(value, int) or figure_kind(key) in ("count", "score"):
        return value
    if figure_kind(key) == "rate":
        return kpis.rate_value(value)
    return kpis.money_of(value)


def generate_workbook(
    *, kind: str, period: Period, scope: Scope, requested_by, generated_at: datetime, target, progress: Progress
) -> list[Figure]:
    """Write the workbook of report `kind` to `target` (a binary file); returns its figures' totals."""
    book = Book()
    cover = book.sheet(_("封面"), [Column(_("项目"), width=24), Column(_("内容"), width=36)], landscape=False)
    figures = [(key, label, _figure_value(key, value)) for key, label, value in BUILDERS[kind](book, period, scope, progress)]
    cover.heading(str(ReportRun.Kind(kind).label), company=settings.COMPANY_NAME)
    cover.fields(
        [
            (_("期间"), period.label),
            (_("范围"), scope.label),
            (_("申请人"), display_name(requested_by, _("系统定时生成"))),
            (_("生成时间"), generated_at),
        ]
    )
    cover.line(Span(_("数据合计"), 2, bold=True))
    for key, label, value in figures:
        shown = Span(value, kind=_figure_kind(key, value)) if value is not None else Span("—", kind=Kind.TEXT)
        cover.line(Span(label, bold=True), shown)
    progress(90)
    book.save(target)
    return figures
