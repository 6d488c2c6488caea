"""Every figure shown anywhere — dashboards, the daily digest, the monthly workbooks, the API — comes from here
(SPEC.md "Targets, reports and KPIs"; the glossary page, reports/glossary.py, says in words how each is computed).

Each figure is one aggregate query through the selectors of the floors below (orders.selectors, aftersales.selectors),
for a `Period` (reports.periods: month boundaries in Asia/Shanghai) and a `Scope` (reports.scopes: company, team, rep).
Money is Decimal in yuan (CNY), rounded to the fen; rates are Decimal 0..1 with four places, or None when undefined
(nothing to divide by). Cancelled orders never count; a partial shipment counts with what left; goods refused at delivery
and received back (拒收退回) lower the shipped sales of the period they are received back in, and credit notes (红字冲减单)
those of the period they are issued in (invoiced sales are capped by them already: sales_invoiced) — so a closed period's
shipped sales never change. Grouped rows are streamed from one query each.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from aftersales import selectors as aftersales_selectors
from catalog import rules as catalog_rules
from contracts import selectors as contract_selectors
from customers import selectors as customer_selectors
from customers.selectors import OWNER_ROLES
from expenses import selectors as expense_selectors
from orders import figures as order_figures
from orders import rules as order_rules
from salesops.core.models import Team
from salesops.core.money import ZERO, quantize
from salesops.core.names import display_name

from .models import SalesTarget
from .periods import Period, company_zone
from .scopes import Scope

RATE_PLACES = Decimal("0.0001")
SCORE_PLACES = Decimal("0.01")
SCORE_MAX = 5  # a callback's scores are 1 to 5 (aftersales.Callback's constraints)
AGING_BUCKETS = order_rules.AGING_CODES


def _rate(part, whole) -> Decimal | None:
    """part ÷ whole to four places; None over no base, a base of 0 or a negative one (费用率 over net sales below 0 after
    credit notes, 环比 over a month of net returns: a quotient there means nothing). Never a negative zero: a rate that
    rounds to 0 is 0 ("0.0000", "0.0%"), whatever the sign of what was divided."""
    if whole is None or part is None:
        return None
    whole = Decimal(str(whole)) if not isinstance(whole, Decimal) else whole
    if whole <= 0:
        return None
    return rate_value(Decimal(part) / whole)


def rate_value(value) -> Decimal | None:
    """A rate as every rate here holds it: four places, half up, never a negative zero; None stays None."""
    if value is None:
        return None
    rate = quantize(value if isinstance(value, Decimal) else Decimal(str(value)), RATE_PLACES)
    return rate.copy_abs() if rate.is_zero() else rate


def rate_of(part, whole) -> Decimal | None:
    """part ÷ whole as every rate here: four places, None when there is nothing (or less than nothing) to divide by,
    never a negative zero (_rate)."""
    return _rate(part, whole)


def money_of(value) -> Decimal | None:
    """An amount as every figure here holds it: to the fen (a target read by a subquery comes back as the database
    gives it — SQLite 180000 or 0.100000000000000), never a negative zero; None stays None."""
    if value is None:
        return None
    amount = quantize(value if isinstance(value, Decimal) else Decimal(str(value)))  # a float: as db_money reads it
    return amount.copy_abs() if amount.is_zero() else amount


def _span(period: Period) -> tuple[date, date, object, object]:
    return (period.start, period.end, *period.bounds())


_READING: ContextVar[dict | None] = ContextVar("kpi_reading", default=None)


@contextmanager
def one_reading():
    """Within the block, a figure asked for again with the same arguments is read once (a dashboard shows the shipped
    sales in the sales card, the achievement and the growth; the receivables in the collection rate and the aging
    chart): for one page, never across requests — the figures move as documents are saved."""
    token = _READING.set({}) if _READING.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _READING.reset(token)


def _read_once(fn):
    """Figures of one_reading are kept by function and arguments (Period and Scope are frozen, hence hashable)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        reading = _READING.get()
        if reading is None:
            return fn(*args, **kwargs)
        key = (fn.__name__, args, tuple(sorted(kwargs.items())))
        if key not in reading:
            reading[key] = fn(*args, **kwargs)
        value = reading[key]
        return dict(value) if isinstance(value, dict) else value

    return wrapper


# --- sales -------------------------------------------------------------------------------------------------------------
@_read_once
def order_intake(period: Period, scope: Scope) -> Decimal:
    """接单额: the value of the orders received in the period."""
    return order_figures.ordered_total(period.start, period.end, **scope.filters())


def sales_by_order_date(period: Period, scope: Scope) -> Decimal:
    """按接单日期的销售额: orders received in the period minus the credit notes issued (so far) on those orders."""
    credited = order_figures.ordered_credited_total(period.start, period.end, **scope.filters())
    return order_intake(period, scope) - credited


@_read_once
def returns_amount(period: Period, scope: Scope) -> Decimal:
    """红字冲减: credit notes issued in the period."""
    return order_figures.credited_total(*period.bounds(), **scope.filters())


@_read_once
def sales_shipped(period: Period, scope: Scope) -> Decimal:
    """按发货口径的销售额: the full value of the outbound notes that left in the period, minus the goods refused at
    delivery and received back in the period (拒收退回, by the day they came back, whenever their note left) and the
    period's credit notes: each return counts in its own period, so a closed month never changes
    (orders.figures.shipped_total)."""
    return order_figures.shipped_total(*period.bounds(), **scope.filters()) - returns_amount(period, scope)


def sales_invoiced(period: Period, scope: Scope) -> Decimal:
    """按开票口径的销售额 (开票额): the invoices issued in the period (not cancelled). Credit notes are not deducted: an
    order is invoiced at most what was delivered less its credit notes (orders.selectors.order_invoiceable_amount), so
    the refunded goods are already out of its invoices; a refund after invoicing is settled by cancelling the invoice
    and issuing it again for less (红冲重开), which this figure follows."""
    return order_figures.invoiced_total(period.start, period.end, **scope.filters())


def unshipped_amount(as_of: date, scope: Scope) -> Decimal:
    """未发货额 at the end of `as_of`: orders received by then minus what of them had left by then."""
    return order_figures.unshipped_total(as_of, Period.day(as_of).bounds()[1], **scope.filters())


# --- sales expenses (费用报销) -------------------------------------------------------------------------------------------
@_read_once
def sales_expenses(period: Period, scope: Scope) -> Decimal:
    """销售费用: the expense claims approved or paid, by the day each line was spent in the period."""
    return expense_selectors.expense_total(period.start, period.end, **scope.filters())


def expenses_by_rep(period: Period, scope: Scope) -> dict[int, Decimal]:
    """{rep id: 销售费用} of the scope's claimants in the period."""
    return expense_selectors.expense_by("claimant", period.start, period.end, **scope.filters())


def expenses_by_team(period: Period, scope: Scope) -> dict[int, Decimal]:
    """{team id: 销售费用} of the scope's claims in the period (a claim's team: its claimant's when it was written)."""
    return expense_selectors.expense_by("team", period.start, period.end, **scope.filters())


EXPENSES_BY = {"rep": expenses_by_rep, "team": expenses_by_team}


def expense_rate(period: Period, scope: Scope) -> Decimal | None:
    """费用率: 销售费用 ÷ the period's shipped sales (None without sales)."""
    return _rate(sales_expenses(period, scope), sales_shipped(period, scope))


# --- sales plans (销售计划, a floor above: plans registers its source in its AppConfig.ready) ---------------------------
_PLANNED: dict[str, Callable[[str, Period], dict[int, Decimal]]] = {}


def register_planned(source: Callable[[str, Period], dict[int, Decimal]]) -> None:
    """`source(level, period)` gives {rep id or team id: amount} of the approved plans of `level` ("rep", "team")
    written for exactly `period` (plans.selectors.planned_amounts)."""
    _PLANNED["source"] = source


def planned_by(level: str, period: Period) -> dict[int, Decimal] | None:
    """计划额 per rep or team of the period's approved plans; None when no floor plans sales (the achievement sheets then
    have no plan columns)."""
    source = _PLANNED.get("source")
    return None if source is None else source(level, period)


# --- money in ----------------------------------------------------------------------------------------------------------
@_read_once
def collected(period: Period, scope: Scope) -> Decimal:
    """回款额: confirmed payments received in the period (as allocated to the scope's orders) — money received only:
    a refund paid back to a customer (退款) is not a negative collection (orders.figures.kpi_allocations)."""
    return order_figures.collected_total(period.start, period.end, **scope.filters())


@_read_once
def receivables_aging(as_of: date, scope: Scope) -> dict[str, Decimal]:
    """应收账龄 at the end of `as_of`: open receivables by age bucket ("0_30", "31_60", "61_90", "90_plus")."""
    return order_figures.receivable_aging(as_of, Period.day(as_of).bounds()[1], **scope.filters())


def customer_aging_rows(as_of: date, scope: Scope) -> Iterator[dict]:
    """客户账龄 at the end of `as_of`: per customer with open receivables (the scope's orders), by name — the customer's
    rep (负责业务员), the open amounts by age bucket (AGING_BUCKETS) and their total. The rows add up to
    receivables_aging to the fen. Streamed: one query over the open shipments."""
    until = Period.day(as_of).bounds()[1]
    for row in order_figures.customer_receivable_aging(as_of, until, **scope.filters()):
        owner = row["owner"]
        rep = get_user_model()(username=owner[0], first_name=owner[1], last_name=owner[2]) if owner else None
        buckets = {code: quantize(row[code]) for code in AGING_BUCKETS}
        yield {
            "customer_id": row["pk"],
            "customer_name": row["name"],
            "rep_name": display_name(rep),
            **buckets,
            "total": sum(buckets.values(), ZERO),
        }


def receivables_open(as_of: date, scope: Scope) -> Decimal:
    return sum(receivables_aging(as_of, scope).values(), ZERO)


def collection_rate(period: Period, scope: Scope, as_of: date | None = None) -> Decimal | None:
    """回款率: collected in the period ÷ (collected + still receivable at the end of `as_of`: by default period.as_of() —
    the period's end, or for a period not yet over today, as the receivables page's rate — then one reading with the
    aging of that day). Receipts only, as `collected`: refunds paid back count neither as collected nor against it."""
    receivable = receivables_open(as_of or period.as_of(), scope)
    return order_rules.collection_rate(collected=collected(period, scope), receivable=receivable)


# --- quality of work ---------------------------------------------------------------------------------------------------
def order_accuracy(period: Period, scope: Scope) -> Decimal | None:
    """核单准确率: 1 − (orders received in the period and changed after verification ÷ those verified)."""
    verified, changed = order_figures.verification_counts(period.start, period.end, **scope.filters())
    return _rate(verified - changed, verified)


def clerk_order_accuracy(period: Period, clerk_id: int) -> Decimal | None:
    """核单准确率 of one clerk: 1 − (the orders received in the period the clerk verified and changed afterwards ÷ those
    the clerk verified) — the 准确率 of their appraisal."""
    verified, changed = order_figures.verification_counts(period.start, period.end, verified_by_id=clerk_id)
    return _rate(verified - changed, verified)


def new_customer_rate(period: Period, rep_id: int) -> Decimal | None:
    """新客户开发: the customers opened for the rep in the period ÷ the rep's new-customer target of the period (None
    without one)."""
    target = _targets(period).filter(level="rep", rep=rep_id).values_list("new_customers", flat=True).first()
    if not target:
        return None
    opened = customer_selectors.field_counts(rep_id, period.start, period.end, *period.bounds())["new_customers"]
    return _rate(opened, target)


@_read_once
def on_time_delivery(period: Period, scope: Scope) -> Decimal | None:
    """准时交货率: orders fully shipped in the period on or before their promised ship date ÷ those fully shipped."""
    shipped, on_time = order_figures.on_time_counts(*period.bounds(), company_zone(), **scope.filters())
    return _rate(on_time, shipped)


@_read_once
def satisfaction_avg(period: Period, scope: Scope) -> Decimal | None:
    """平均满意度: the mean of every score (1–5) given in the callbacks done in the period."""
    total, count = aftersales_selectors.satisfaction_totals(*period.bounds(), **scope.filters())
    return quantize(Decimal(total) / count, SCORE_PLACES) if count else None


def satisfaction_rate(period: Period, scope: Scope) -> Decimal | None:
    """平均满意度 as a rate of the full score (SCORE_MAX): the scores given ÷ (their count × 5), rounded once — not the
    rounded mean divided again (33 points over 8 scores are 0.8250, where 4.13 ÷ 5 would be 0.8260)."""
    total, count = aftersales_selectors.satisfaction_totals(*period.bounds(), **scope.filters())
    return _rate(total, count * SCORE_MAX)


def complaint_count(period: Period, scope: Scope) -> int:
    """客诉数: complaints reported in the period (withdrawn ones excluded)."""
    return aftersales_selectors.complaint_total(period.start, period.end, **scope.filters())


def sla_hit_rate(period: Period, scope: Scope) -> Decimal | None:
    """SLA 达成率: service tickets resolved in the period that were answered and resolved in time ÷ those resolved."""
    resolved, hit = aftersales_selectors.sla_counts(*period.bounds(), **scope.filters())
    return _rate(hit, resolved)


ENGINEER_COUNTS = ("tickets_opened", "tickets_resolved", "sla_hits", "callbacks_done")


def _service_row(stats) -> dict:
    return {
        "tickets_opened": stats.tickets_assigned,
        "tickets_resolved": stats.tickets_resolved,
        "sla_hits": stats.sla_hits,
        "sla_rate": _rate(stats.sla_hits, stats.tickets_resolved),
        "avg_response_hours": stats.avg_first_response_hours,
        "avg_resolution_hours": stats.avg_resolution_hours,
        "callbacks_done": stats.callbacks_done,
        "satisfaction": stats.avg_satisfaction,
    }


def engineer_rows(period: Period, scope: Scope) -> Iterator[dict]:
    """Per service engineer (售后服务人员) of the scope's work in the period, by username, then the work nobody was
    assigned to (未分派): tickets opened and resolved, SLA hits and hit rate, average first-response and resolution hours,
    callbacks done (by who did them) and their average score. The rows add up to service_totals."""
    for stats in aftersales_selectors.engineer_figures(*period.bounds(), **scope.filters()):
        name = display_name(stats.user) if stats.user is not None else _("（未分派）")
        yield {"engineer_id": getattr(stats.user, "pk", None), "engineer_name": name, **_service_row(stats)}


def service_totals(period: Period, scope: Scope) -> dict:
    """The figures of engineer_rows over the whole scope: tickets opened (受理工单), resolved (完成工单), SLA hits, the
    SLA hit rate (= sla_hit_rate), average hours, callbacks done and the average score (= satisfaction_avg)."""
    return _service_row(aftersales_selectors.service_figures(*period.bounds(), **scope.filters()))


# --- targets -----------------------------------------------------------------------------------------------------------
# A target row holds the sales target (`amount`) and, optionally, the collection target (`collection`, 回款目标): every
# reader below takes the field ("amount" or "collection"), so both are read the same way — the target set for exactly
# the period and owner, never summed from shorter lengths (a quarter without a quarterly target has none).


def _targets(period: Period):
    return SalesTarget.objects.filter(year=period.start.year, kind=period.kind, number=period.number)


def target_amount(period: Period, scope: Scope, field: str = "amount") -> Decimal | None:
    """The target set for exactly this period and scope: the sales target, or with field="collection" the collection
    target (None when no target is set, or it has no collection target)."""
    qs = _targets(period).filter(level=scope.kind)
    if scope.kind == "team":
        qs = qs.filter(team=scope.team_id)
    elif scope.kind == "rep":
        qs = qs.filter(rep=scope.user_id)
    return qs.values_list(field, flat=True).first()


def achievement(period: Period, scope: Scope) -> dict:
    """目标达成率: shipped sales (net of credit notes) ÷ the target of the period; rate None without a target."""
    target = target_amount(period, scope)
    actual = sales_shipped(period, scope)
    return {"target": target, "actual": actual, "rate": _rate(actual, target)}


def collection_achievement(period: Period, scope: Scope) -> dict:
    """回款达成率: collected in the period (回款额, as `collected`) ÷ the collection target of the period (回款目标); rate
    None without one or with one of 0."""
    target = target_amount(period, scope, "collection")
    actual = collected(period, scope)
    return {"target": target, "actual": actual, "rate": _rate(actual, target)}


def growth(period: Period, scope: Scope) -> dict:
    """环比 / 同比: shipped sales against the period before and the same period a year before; None when that was 0."""
    now = sales_shipped(period, scope)
    out = {}
    for key, other in (("mom", period.previous()), ("yoy", period.year_ago())):
        base = sales_shipped(other, scope)
        out[key] = _rate(now - base, base) if base > 0 else None
    return out


# --- grouped rows ------------------------------------------------------------------------------------------------------
STORE_MONEY = ("orders", "shipped", "invoiced", "collected", "returns", "last_month", "last_year")
# 门店/经销商: the customer types the store/distributor report and its chart are about — every type but the end customer
# (终端客户), which buys for its own use (customers.Customer.Type; the codes as catalog.rules keeps them)
STORE_CUSTOMER_TYPES: tuple[str, ...] = tuple(code for code in catalog_rules.CUSTOMER_TYPE_CODES if code != "end_customer")


def store_rows(period: Period, scope: Scope) -> Iterator[dict]:
    """Per store / distributor (STORE_CUSTOMER_TYPES; end customers are not in it) with any figure, by name: order
    intake, shipped sales (net of credit notes, as sales_shipped), invoiced sales (the invoices issued, as
    sales_invoiced), collected, credit notes (returns), and shipped sales of the period before (last_month) and a year
    before (last_year). Over every customer type the rows would add up to the scope's figures; over these, to their share."""
    rows = order_figures.customer_figures(
        _span(period),
        _span(period.previous()),
        _span(period.year_ago()),
        customer_types=STORE_CUSTOMER_TYPES,
        **scope.filters(),
    )
    for row in rows:
        yield {
            "customer_id": row["pk"],
            "customer_name": row["name"],
            "customer_type": row["type"],
            "region": row["province"],
            "orders": quantize(row["ordered"]),
            **{key: quantize(row[key]) for key in STORE_MONEY[1:]},
        }


def top_stores(period: Period, scope: Scope, n: int) -> list[dict]:
    """The n stores / distributors (as store_rows: no end customer) with the largest shipped sales (net, as in store_rows)
    of the period, largest first (then by name): customer_id, customer_name, region, shipped. One query over the
    shipments and credit notes alone."""
    rows = order_figures.customer_figures(
        _span(period),
        _span(period.previous()),
        _span(period.year_ago()),
        top_shipped=n,
        customer_types=STORE_CUSTOMER_TYPES,
        **scope.filters(),
    )
    return [
        {"customer_id": r["pk"], "customer_name": r["name"], "region": r["province"], "shipped": quantize(r["shipped"])}
        for r in rows
    ]


def _target_subquery(period: Period, level: str, outer: str, field: str = "amount"):
    """The period's target of the outer row (as target_amount, one correlated subquery)."""
    qs = _targets(period).filter(level=level, **{outer: OuterRef("pk")}).values(field)[:1]
    return Subquery(qs)


def _achieved(row: dict) -> dict:
    """The achievement figures of a rep's or team's row read with target, actual, collection_target and collected:
    shipped sales against the target (rate) and collections against the collection target (collection_achievement)."""
    actual, collected_ = money_of(row["actual"]), money_of(row["collected"])
    target, collection_target = money_of(row["target"]), money_of(row["collection_target"])
    return {
        "target": target,
        "actual": actual,
        "rate": _rate(actual, target),
        "collection_target": collection_target,
        "collected": collected_,
        "collection_achievement": _rate(collected_, collection_target),
    }


def rep_rows(period: Period, scope: Scope) -> Iterator[dict]:
    """Per rep of the scope (active sellers, and anybody with a target or credited with sales or collections in the
    period), by username: target, shipped sales (net), achievement rate; collection target, collected, 回款达成率."""
    start, end = period.bounds()
    users = get_user_model().objects.annotate(
        target=_target_subquery(period, "rep", "rep"),
        actual=order_figures.shipped_net_subquery(start, end, "owner"),
        collection_target=_target_subquery(period, "rep", "rep", "collection"),
        collected=order_figures.collected_subquery(period.start, period.end, "owner"),
    )
    if scope.kind == "team":
        users = users.filter(profile__team=scope.team_id)
    elif scope.kind == "rep":
        users = users.filter(pk=scope.user_id)
    # a collection target is on a target row: `target` is set wherever `collection_target` is
    sellers = Q(is_active=True, groups__name__in=OWNER_ROLES) | Q(target__isnull=False) | ~Q(actual=0) | ~Q(collected=0)
    rows = (
        users.filter(pk__in=users.filter(sellers).values("pk"))
        .order_by("username")
        .values(
            "pk",
            "username",
            "first_name",
            "last_name",
            *ACHIEVED_FIELDS,
            team_name=F("profile__team__name"),
        )
    )
    for row in rows.iterator(chunk_size=2000):
        name = display_name(get_user_model()(username=row["username"], first_name=row["first_name"], last_name=row["last_name"]))
        yield {"rep_id": row["pk"], "rep_name": name, "team_name": row["team_name"] or "", **_achieved(row)}


def team_rows(period: Period, scope: Scope) -> Iterator[dict]:
    """Per sales team of the scope, by name: target, shipped sales (net) of its reps, achievement rate; collection
    target, collected of its reps, 回款达成率. For the company, the sales and collections of the orders credited to
    someone in no team (a sales manager's own customers) follow as a last row, 未分派 (team_id None, no target; its
    销售费用 those of the claims of no team), so the rows add up to the company's figures as rep_rows do."""
    start, end = period.bounds()
    teams = Team.objects.annotate(
        target=_target_subquery(period, "team", "team"),
        actual=order_figures.shipped_net_subquery(start, end, "owner__profile__team"),
        collection_target=_target_subquery(period, "team", "team", "collection"),
        collected=order_figures.collected_subquery(period.start, period.end, "owner__profile__team"),
    )
    if scope.kind == "team":
        teams = teams.filter(pk=scope.team_id)
    elif scope.kind == "rep":
        teams = teams.none()
    in_teams = {"actual": ZERO, "collected": ZERO}
    for row in teams.order_by("name").values("pk", "name", *ACHIEVED_FIELDS).iterator(chunk_size=2000):
        achieved = _achieved(row)
        for key in in_teams:
            in_teams[key] += achieved[key]
        yield {"team_id": row["pk"], "team_name": row["name"], **achieved}
    if scope.kind != "company":
        return
    # every order's rep is in one team or in none: what the teams do not hold is the sales of those in none
    rest = {
        "actual": sales_shipped(period, scope) - in_teams["actual"],
        "collected": collected(period, scope) - in_teams["collected"],
    }
    if any(rest.values()) or expenses_by_team(period, scope).get(None):
        row = {"target": None, "collection_target": None, **rest}
        yield {"team_id": None, "team_name": _("（未分派）"), **_achieved(row)}


def product_rows(period: Period, scope: Scope) -> Iterator[dict]:
    """Per product (order line name) of the orders received in the period: quantity and value ordered."""
    for row in order_figures.product_figures(period.start, period.end, **scope.filters()).iterator(chunk_size=2000):
        yield {
            "product_id": row["product_id"],
            "product_name": row["name"],
            "quantity": row["quantity"],
            "amount": quantize(row["amount"]),
        }


def region_rows(period: Period, scope: Scope) -> Iterator[dict]:
    """Per province of the customers of the orders received in the period: number and value of orders."""
    for row in order_figures.region_figures(period.start, period.end, **scope.filters()).iterator(chunk_size=2000):
        yield {"region": row["region"], "orders": row["orders"], "amount": quantize(row["amount"])}


ROW_SOURCES = {"store": store_rows, "rep": rep_rows, "team": team_rows, "product": product_rows, "region": region_rows}
ROW_KEYS = {"store": "customer_id", "rep": "rep_id", "team": "team_id", "product": "product_id", "region": "region"}
# The rate columns of the rep and team rows: rate key → (actual key, target key).
ACHIEVEMENTS = {"rate": ("actual", "target"), "collection_achievement": ("collected", "collection_target")}
ACHIEVED_FIELDS = ("target", "actual", "collection_target", "collected")


def totals(rows_kind: str, period: Period, scope: Scope) -> dict:
    """The sum of every number column of `rows_kind` rows ("store", "rep", "team", "product", "region"); a rate column
    of ACHIEVEMENTS (达成率, 回款达成率) totals as the actual of the rows with a target over their summed target (the sales
    or collections of a rep without a target, or with a target of 0, are in the actual's total but are not achievement
    against anyone's target)."""
    out: dict = {}
    targeted = dict.fromkeys(ACHIEVEMENTS, ZERO)
    achieved = set()
    for row in ROW_SOURCES[rows_kind](period, scope):
        for key, value in row.items():
            if key in ACHIEVEMENTS or key == ROW_KEYS[rows_kind] or not isinstance(value, int | Decimal):
                continue
            out[key] = out.get(key, 0) + value
        for rate, (actual, target) in ACHIEVEMENTS.items():
            if rate in row:
                achieved.add(rate)
            if row.get(target):  # a target of 0 is no target: its sales are nobody's achievement
                targeted[rate] += row.get(actual, ZERO)
    for rate, (actual, target) in ACHIEVEMENTS.items():
        if rate in achieved:
            out.setdefault(actual, ZERO)
            out.setdefault(target, None)
            out[rate] = _rate(targeted[rate], out[target])
    return out


# --- series for charts -------------------------------------------------------------------------------------------------
def monthly_sales(year: int, scope: Scope) -> list[dict]:
    """The twelve months of `year`: shipped sales (net) and the month's target (None if not set). Three queries."""
    start, end = Period.year(year).bounds()
    actual = order_figures.shipped_net_by_month(start, end, company_zone(), **scope.filters())
    targets = _target_rows(year, scope)
    return [
        {
            "period": m.key,
            "label": m.label,
            "actual": actual.get(m.start, ZERO),
            "target": targets.get(m.number),
        }
        for m in Period.year(year).months()
    ]


def monthly_collections(year: int, scope: Scope) -> list[dict]:
    """The twelve months of `year`: collected (as `collected`) and the month's collection target (None if not set). Two
    queries."""
    year_period = Period.year(year)
    actual = order_figures.collected_by_month(year_period.start, year_period.end, **scope.filters())
    targets = _target_rows(year, scope, "collection")
    return [
        {
            "period": m.key,
            "label": m.label,
            "actual": actual.get(m.start, ZERO),
            "target": targets.get(m.number),
        }
        for m in year_period.months()
    ]


def _target_rows(year: int, scope: Scope, field: str = "amount") -> dict[int, Decimal | None]:
    """{month number: the month's target of the scope} of `year` (as target_amount, for each month at once)."""
    qs = SalesTarget.objects.filter(year=year, kind="month", level=scope.kind)
    if scope.kind == "team":
        qs = qs.filter(team=scope.team_id)
    elif scope.kind == "rep":
        qs = qs.filter(rep=scope.user_id)
    return dict(qs.values_list("number", field))


def pipeline(scope: Scope) -> dict[str, dict]:
    """Open quotations and contracts now (count, value)."""
    return contract_selectors.pipeline_totals(**scope.filters())


def opportunity_funnel(scope: Scope) -> list[dict]:
    """The sales opportunities now, by stage (count, amount, weighted amount)."""
    return customer_selectors.opportunity_funnel(**scope.filters())


def opportunity_forecast(first_month: date, scope: Scope) -> list[dict]:
    """The open opportunities now by the month they are expected to close, from `first_month` on (overdue before it)."""
    return customer_selectors.opportunity_close_forecast(first_month, **scope.filters())


def opportunity_rep_rows(period: Period, scope: Scope) -> list[dict]:
    """Per rep: open opportunities now (count, amount, weighted), won and lost in the period, win rate."""
    return customer_selectors.opportunity_rep_rows(*period.bounds(), **scope.filters())


def opportunities_decided(period: Period, scope: Scope) -> dict:
    """Opportunities won (count, amount) and lost (count) in the period."""
    return customer_selectors.opportunity_decided(*period.bounds(), **scope.filters())


def opportunities_closed(period: Period, scope: Scope):
    """The opportunities won or lost in the period, in the order they closed."""
    return customer_selectors.opportunities_closed(*period.bounds(), **scope.filters())
