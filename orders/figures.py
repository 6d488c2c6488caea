"""Aggregate reads of orders, shipments, invoices, payments and credit notes that the reports floor composes into its KPIs
(reports.kpis): one aggregate query per figure, grouped rows streamed from a server-side cursor. Kept apart from
orders.selectors (the reads of the order pages, the API and the work queues) so each module holds one family of reads."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, connections
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Round, TruncDate, TruncMonth
from django.utils import timezone

from customers.models import Customer
from salesops.core.money import ZERO, db_money, quantize
from salesops.core.transient import transient

from . import rules
from .models import (
    CreditNote,
    InvoiceRequest,
    Payment,
    PaymentAllocation,
    RefusalReturn,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    kept_amount,
    returned_after,
)
from .receivables import open_shipments_sql
from .selectors import CREDITED_SHIPMENTS, MONEY_OUTPUT

# What the shipped figures of a period count (按发货口径): each outbound note at its full amount in the period it left
# (SHIPPED, by shipped_at), and goods refused at delivery and received back (拒收退回入库, RefusalReturn) as an event of
# their own, deducted at their value in the period they were received back (RECEIVED_BACK, by received_on) — so a
# closed month never changes when refused goods come back later (as Kingdee/ERPNext count a return in its own period).
# The readers of what is owed as of a date (receivables, balances, unshipped) subtract them from the note instead
# (models.kept_amount).
SHIPPED = "amount_incl"  # of a Shipment
RECEIVED_BACK = "amount_incl"  # of a RefusalReturn


# --- KPI aggregates (reports.kpis composes them) ------------------------------------------------------------------------
# Each answers one figure with one aggregate query, in CNY (amount × the order's exchange rate, rounded per document),
# over orders that are not cancelled, for the company or one team / one rep: `owner_id` = the rep the order is credited
# to (业绩归属业务员), `team_id` = that rep's team (员工档案 → 销售组). Date columns take inclusive dates, timestamp columns
# an aware [start, end) pair (reports.periods.Period.bounds, Asia/Shanghai). `customer_types` (Customer.Type codes):
# the orders of customers of those types only (the store/distributor report, reports.kpis.store_rows).
def _kpi_q(
    prefix: str = "",
    *,
    owner_id: int | None = None,
    team_id: int | None = None,
    customer_types: tuple[str, ...] | None = None,
) -> Q:
    q = ~Q(**{f"{prefix}status": SalesOrder.Status.CANCELLED})
    if customer_types is not None:
        q &= Q(**{f"{prefix}customer__type__in": customer_types})
    if owner_id is not None:
        q &= Q(**{f"{prefix}owner_id": owner_id})
    if team_id is not None:
        q &= Q(**{f"{prefix}owner__profile__team_id": team_id})
    return q


def _cny(amount, order_prefix: str = ""):
    """`amount` (a field name or an expression, e.g. models.kept_amount()) in CNY at the order's rate, rounded."""
    amount = F(amount) if isinstance(amount, str) else amount
    return ExpressionWrapper(Round(amount * F(f"{order_prefix}exchange_rate"), 2), output_field=MONEY_OUTPUT)


def _total(qs: QuerySet, expression) -> Decimal:
    return quantize(qs.aggregate(s=Sum(expression, output_field=MONEY_OUTPUT))["s"] or ZERO)


def _scalar_sum(qs: QuerySet, expression):
    """Coalesce((SELECT SUM(expression) FROM … WHERE …), 0) — the total of a whole queryset as a scalar subquery, for an
    aggregate over another table to subtract (one query)."""
    summed = qs.order_by().annotate(s=Func(expression, function="SUM", output_field=MONEY_OUTPUT)).values("s")
    return Coalesce(Subquery(summed, output_field=MONEY_OUTPUT), Value(ZERO), output_field=MONEY_OUTPUT)


def _days(start: datetime, end: datetime) -> tuple[date, date]:
    """[first, stop): the days whose start (midnight in the company's time zone) is in [start, end) — how a date column
    (拒收退回入库日期) is read with the aware bounds of a period: exactly the period's days."""

    def first_from(moment: datetime) -> date:
        local = timezone.localtime(moment, timezone.get_default_timezone())
        return local.date() if local.time() == time.min else local.date() + timedelta(days=1)

    return first_from(start), first_from(end)


def _sum_subquery(qs: QuerySet, group: str, expression):
    """Coalesce((SELECT SUM(expression) … GROUP BY group), 0) — a correlated total for an outer row."""
    summed = qs.values(group).annotate(s=Sum(expression, output_field=MONEY_OUTPUT)).values("s")
    return Coalesce(Subquery(summed, output_field=MONEY_OUTPUT), Value(ZERO), output_field=MONEY_OUTPUT)


def kpi_orders(**scope) -> QuerySet[SalesOrder]:
    """Orders that count for the figures of the scope (not cancelled)."""
    return SalesOrder.objects.filter(_kpi_q(**scope))


def kpi_shipments(start: datetime, end: datetime, **scope) -> QuerySet[Shipment]:
    """Outbound notes that left in [start, end) (shipped or delivered) of the scope's orders."""
    return Shipment.objects.filter(
        _kpi_q("order__", **scope), status__in=CREDITED_SHIPMENTS, shipped_at__gte=start, shipped_at__lt=end
    )


def kpi_refusal_returns(start: datetime, end: datetime, **scope) -> QuerySet[RefusalReturn]:
    """Goods refused at delivery and received back (拒收退回入库) on a day of [start, end) (_days), of the scope's orders,
    whenever their note left: what the shipped figures deduct in the period they came back (RECEIVED_BACK)."""
    first, stop = _days(start, end)
    return RefusalReturn.objects.filter(
        _kpi_q("order__", **scope),
        shipment__status__in=CREDITED_SHIPMENTS,
        received_on__gte=first,
        received_on__lt=stop,
    )


def kpi_credit_notes(start: datetime, end: datetime, **scope) -> QuerySet[CreditNote]:
    return CreditNote.objects.filter(_kpi_q("order__", **scope), created_at__gte=start, created_at__lt=end)


def kpi_invoices(start: date, end: date, **scope) -> QuerySet[InvoiceRequest]:
    return InvoiceRequest.objects.filter(
        _kpi_q("order__", **scope), status=InvoiceRequest.Status.ISSUED, issued_on__range=(start, end)
    )


def kpi_allocations(start: date, end: date, **scope) -> QuerySet[PaymentAllocation]:
    """Confirmed payment allocations whose money arrived in [start, end] — what every collection figure (回款额, 回款率,
    回款达成) sums. Collection counts money received only (amount > 0): a refund paid back to a customer (退款, a
    negative allocation) is not a negative collection."""
    return PaymentAllocation.objects.filter(
        _kpi_q("order__", **scope),
        payment__status=Payment.Status.CONFIRMED,
        payment__received_on__range=(start, end),
        amount__gt=0,
    )


def ordered_total(start: date, end: date, **scope) -> Decimal:
    """Order intake (接单额): the value of the orders received in [start, end]."""
    return _total(kpi_orders(**scope).filter(received_on__range=(start, end)), _cny("amount_incl"))


def ordered_credited_total(start: date, end: date, **scope) -> Decimal:
    """Credit notes (any date) on the orders received in [start, end]."""
    qs = CreditNote.objects.filter(_kpi_q("order__", **scope), order__received_on__range=(start, end))
    return _total(qs, _cny("amount", "order__"))


def shipped_total(start: datetime, end: datetime, **scope) -> Decimal:
    """Shipped in [start, end) (按发货口径, before credit notes): the notes that left in it at their full amount, less the
    goods refused and received back in it whenever their note left (SHIPPED, RECEIVED_BACK). One query (the receipts a
    scalar subquery)."""
    back = _scalar_sum(kpi_refusal_returns(start, end, **scope), _cny(RECEIVED_BACK, "order__"))
    shipped = Coalesce(Sum(_cny(SHIPPED, "order__")), Value(ZERO), output_field=MONEY_OUTPUT) - back
    return quantize(kpi_shipments(start, end, **scope).aggregate(s=shipped)["s"] or ZERO)


def credited_total(start: datetime, end: datetime, **scope) -> Decimal:
    return _total(kpi_credit_notes(start, end, **scope), _cny("amount", "order__"))


def invoiced_total(start: date, end: date, **scope) -> Decimal:
    return _total(kpi_invoices(start, end, **scope), _cny("amount", "order__"))


def collected_total(start: date, end: date, **scope) -> Decimal:
    return _total(kpi_allocations(start, end, **scope), _cny("amount", "order__"))


def unshipped_total(as_of: date, until: datetime, **scope) -> Decimal:
    """What the orders received by `as_of` still had to ship at `until` (order value minus shipments that left before),
    in CNY rounded per order. The shipments are joined and summed per order (one grouped pass, not a subquery per
    order: 60,000 orders 78 -> 61 ms)."""
    left = Q(shipments__status__in=CREDITED_SHIPMENTS, shipments__shipped_at__lt=until)
    orders = (
        kpi_orders(**scope)
        .filter(received_on__lte=as_of)
        .annotate(shipped=Coalesce(Sum(kept_amount("shipments__"), filter=left), Value(ZERO), output_field=MONEY_OUTPUT))
    )
    if _past(as_of):  # goods refused and received back after as_of were still shipped that day
        notes = {"shipment__status__in": CREDITED_SHIPMENTS, "shipment__shipped_at__lt": until}  # those counted above
        orders = orders.annotate(back_since=returned_after(as_of, "order", **notes))
        return _total(orders, Round((F("amount_incl") - F("shipped") - F("back_since")) * F("exchange_rate"), 2))
    return _total(orders, Round((F("amount_incl") - F("shipped")) * F("exchange_rate"), 2))


def _past(as_of: date) -> bool:
    """Is `as_of` before today (a closed day, whose figures must not move with what happens after it)?"""
    return as_of < timezone.localdate()


def _open_receivables(as_of: date, until: datetime, **columns) -> tuple[str, list]:
    """SQL and params of the scope's shipments before `until` (receivables.open_shipments_sql), each with its `bucket`
    (rules.AGING_BUCKETS, by the shipment's date in the company's time zone), the `columns` asked for and `open_cny`:
    what of it is still receivable at the end of `as_of` — settled oldest first by the order's confirmed payments
    received by `as_of` and its credit notes before `until`, as the receivables page does —, in CNY rounded per
    shipment. `columns` takes the scope (owner_id, team_id) too."""
    scope = {key: columns.pop(key) for key in ("owner_id", "team_id") if key in columns}
    bucket = Case(
        *(
            When(Q(shipped_at__lt=before) & (Q(shipped_at__gte=since) if since is not None else Q()), then=Value(code))
            for code, since, before in _aging_ranges(until)
        )
    )
    items, params = open_shipments_sql(
        Shipment.objects.filter(_kpi_q("order__", **scope), status__in=CREDITED_SHIPMENTS, shipped_at__lt=until),
        PaymentAllocation.objects.filter(payment__status=Payment.Status.CONFIRMED, payment__received_on__lte=as_of),
        CreditNote.objects.filter(created_at__lt=until),
        as_of=as_of if _past(as_of) else None,
        rate=F("order__exchange_rate"),
        bucket=bucket,
        **columns,
    )
    names = "".join(f"{name}, " for name in columns)
    return f"SELECT {names}bucket, ROUND(open * rate, 2) AS open_cny FROM ({items}) i", params


def _aging_ranges(until: datetime) -> list[tuple[str, datetime | None, datetime]]:
    """Per bucket of rules.AGING_BUCKETS (code, shipped from — None: no limit —, shipped before): age = as_of − shipping
    day, so low ≤ age ≤ high ⇔ shipped on or after as_of − high, before the day after as_of − low."""
    return [
        (code, until - timedelta(days=high + 1) if high is not None else None, until - timedelta(days=low))
        for code, _label, low, high in rules.AGING_BUCKETS
    ]


def _bucket_sums() -> str:
    """SQL of the sums of `open_cny` per bucket (AGING_BUCKETS' order), over rows of _open_receivables."""
    return ", ".join(
        f"SUM(CASE WHEN bucket = '{code}' THEN open_cny ELSE 0 END) AS b{n}" for n, code in enumerate(rules.AGING_CODES)
    )


def receivable_aging(as_of: date, until: datetime, **scope) -> dict[str, Decimal]:
    """Receivables at the end of `as_of` by age bucket (rules.AGING_BUCKETS): the open part of each shipment before
    `until` (_open_receivables), aged by the shipment's date in the company's time zone. One query."""
    items, params = _open_receivables(as_of, until, **scope)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_bucket_sums()} FROM ({items}) r", params)
        sums = cursor.fetchone()
    return {code: db_money(value) for code, value in zip(rules.AGING_CODES, sums, strict=True)}


def customer_receivable_aging(as_of: date, until: datetime, **scope) -> Iterator[dict]:
    """Per customer with receivables open at the end of `as_of` (the scope's orders), by name: the customer's pk, name,
    owner (负责业务员: username, first and last name) and its open amounts by age bucket, as receivable_aging — the rows add
    up to its figures to the fen. One query grouped by customer, streamed (_streamed)."""
    items, params = _open_receivables(
        as_of,
        until,
        cid=F("order__customer_id"),
        cname=F("order__customer__name"),
        uname=F("order__customer__owner__username"),
        ufirst=F("order__customer__owner__first_name"),
        ulast=F("order__customer__owner__last_name"),
        **scope,
    )
    sql = (
        f"SELECT cid, cname, uname, ufirst, ulast, {_bucket_sums()} FROM ({items}) r"
        " GROUP BY cid, cname, uname, ufirst, ulast HAVING SUM(open_cny) > 0 ORDER BY cname, cid"
    )
    for cid, name, username, first_name, last_name, *sums in _streamed(connection, sql, params, "2, 1"):
        owner = (username, first_name, last_name) if username else None
        buckets = {code: db_money(value) for code, value in zip(rules.AGING_CODES, sums, strict=True)}
        yield {"pk": cid, "name": name, "owner": owner, **buckets}


def verification_counts(start: date, end: date, *, verified_by_id: int | None = None, **scope) -> tuple[int, int]:
    """(orders received in [start, end] that were verified — by `verified_by_id` when given, a clerk's own —, those of
    them changed after verification)."""
    qs = kpi_orders(**scope) if verified_by_id is None else kpi_orders(**scope).filter(verified_by_id=verified_by_id)
    row = qs.filter(received_on__range=(start, end), verified_at__isnull=False).aggregate(
        verified=Count("pk"), changed=Count("pk", filter=Q(change_count__gt=0))
    )
    return row["verified"], row["changed"]


def on_time_counts(start: datetime, end: datetime, zone, **scope) -> tuple[int, int]:
    """(orders fully shipped in [start, end) that had a promised ship date, those shipped on or before that date)."""
    on_time = Q(shipped_day__lte=F("promised_ship_date"))
    row = (
        kpi_orders(**scope)
        .filter(shipped_at__gte=start, shipped_at__lt=end, promised_ship_date__isnull=False)
        .annotate(shipped_day=TruncDate("shipped_at", tzinfo=zone))
        .aggregate(shipped=Count("pk"), on_time=Count("pk", filter=on_time))
    )
    return row["shipped"], row["on_time"]


# --- grouped KPI rows: one query each, streamed ------------------------------------------------------------------------
def shipped_net_subquery(start: datetime, end: datetime, outer: str, **scope):
    """Shipped (as shipped_total: less the goods received back in the period) minus credited in [start, end) for the
    outer row: `outer` = "customer" or "owner" (the order's field the outer queryset's pk matches), e.g. per customer of a
    store report or per rep of an achievement table; `scope` (owner_id=, team_id=) counts only those sellers' orders,
    e.g. a rep's own sales to each customer of their plan."""
    where, group = {f"order__{outer}": OuterRef("pk")}, f"order__{outer}"
    ships, credits = kpi_shipments(start, end, **scope).filter(**where), kpi_credit_notes(start, end, **scope).filter(**where)
    backs = kpi_refusal_returns(start, end, **scope).filter(**where)
    return (
        _sum_subquery(ships, group, _cny(SHIPPED, "order__"))
        - _sum_subquery(backs, group, _cny(RECEIVED_BACK, "order__"))
        - _sum_subquery(credits, group, _cny("amount", "order__"))
    )


def collected_subquery(start: date, end: date, outer: str):
    """Collected (as collected_total) in [start, end] for the outer row: `outer` = "owner" or "owner__profile__team" (the
    order's field the outer queryset's pk matches), e.g. per rep or per team of an achievement table."""
    where = {f"order__{outer}": OuterRef("pk")}
    return _sum_subquery(kpi_allocations(start, end).filter(**where), f"order__{outer}", _cny("amount", "order__"))


CUSTOMER_FIGURES = ("ordered", "shipped", "invoiced", "collected", "returns", "last_month", "last_year")
CUSTOMER_FIGURE_ROWS = ("cid", *CUSTOMER_FIGURES)
CUSTOMER_COLUMNS = ("id", "name", "province", "type")


def _per_customer(qs: QuerySet, customer: str, figures: dict) -> QuerySet:
    """One grouped query of the documents `qs`, grouped by their customer's id alone (`customer`: the path to it, an
    integer key — the customer's name and type are joined once per customer, in customer_figure_query): CUSTOMER_FIGURE_ROWS,
    the CUSTOMER_FIGURES in `figures` and 0 for the others."""
    nothing = Value(ZERO, output_field=MONEY_OUTPUT)
    return (
        qs.order_by()
        .values(cid=F(customer))
        .annotate(**{name: figures.get(name, nothing) for name in CUSTOMER_FIGURES})
        .values_list(*CUSTOMER_FIGURE_ROWS)
    )


def _in_periods(stamp: str, periods: dict[str, tuple], *, day: bool = False) -> tuple[dict[str, Q], Q]:
    """{figure: stamp in [start, end) of its period} and the OR of them all (the one scan for the three periods).
    `day`: `stamp` is a date column, read as kpi_refusal_returns reads it (_days)."""
    bounds = {name: _days(span[2], span[3]) if day else (span[2], span[3]) for name, span in periods.items()}
    each = {name: Q(**{f"{stamp}__gte": low, f"{stamp}__lt": high}) for name, (low, high) in bounds.items()}
    anywhere = Q()
    for q in each.values():
        anywhere |= q
    return each, anywhere


def customer_figure_sources(period, last_month, last_year, *, shipped_only: bool = False, **scope) -> list[QuerySet]:
    """The grouped queries customer_figures adds up, one per kind of document, each a pivot (one column per figure,
    SUM … FILTER per period): orders received, shipments (the period, last month and last year), goods refused and
    received back (the same three periods, lowering each one's shipped as shipped_total), issued invoices, confirmed
    payment allocations and credit notes (the same three periods: the period's returns, and lowering last month's and
    last year's shipped). `shipped_only`: the shipments, goods received back and credit notes of the period alone (what
    the shipped sales need). See _per_customer."""
    start, end = period[0], period[1]

    def total(amount: str, condition: Q | None = None, sign: int = 1):
        summed = Sum(_cny(amount, "order__"), filter=condition, output_field=MONEY_OUTPUT)
        return summed if sign > 0 else -summed

    others = {} if shipped_only else {"last_month": last_month, "last_year": last_year}
    ships, shipped_any = _in_periods("shipped_at", {"shipped": period, **others})
    backs, back_any = _in_periods("received_on", {"shipped": period, **others}, day=True)
    credits, credited_any = _in_periods("created_at", {"returns": period, **others})
    shipments = Shipment.objects.filter(_kpi_q("order__", **scope), shipped_any, status__in=CREDITED_SHIPMENTS)
    received_back = RefusalReturn.objects.filter(_kpi_q("order__", **scope), back_any, shipment__status__in=CREDITED_SHIPMENTS)
    credit_notes = CreditNote.objects.filter(_kpi_q("order__", **scope), credited_any)
    sources = [
        _per_customer(shipments, "order__customer", {k: total(SHIPPED, q) for k, q in ships.items()}),
        _per_customer(received_back, "order__customer", {k: total(RECEIVED_BACK, q, -1) for k, q in backs.items()}),
        _per_customer(
            credit_notes, "order__customer", {k: total("amount", q, 1 if k == "returns" else -1) for k, q in credits.items()}
        ),
    ]
    if shipped_only:
        return sources
    ordered = Sum(_cny("amount_incl"), output_field=MONEY_OUTPUT)
    return [
        _per_customer(kpi_orders(**scope).filter(received_on__range=(start, end)), "customer", {"ordered": ordered}),
        *sources,
        _per_customer(kpi_invoices(start, end, **scope), "order__customer", {"invoiced": total("amount")}),
        _per_customer(kpi_allocations(start, end, **scope), "order__customer", {"collected": total("amount")}),
    ]


def customer_figure_query(period, last_month, last_year, *, top_shipped: int | None = None, **scope):
    """The one query of customer_figures as (sql, params, database alias): the pivots of customer_figure_sources as
    UNION ALL, added up per customer and joined to the customer, by name — one row per customer: CUSTOMER_COLUMNS, then
    the CUSTOMER_FIGURES, shipped net of the period's credit notes (`returns`), invoiced as issued (an order is invoiced
    at most its delivered amount less its credit notes, so they are out of its invoices already). `top_shipped` n: only the
    n customers with the largest shipped sales, largest first, from the shipments and credit notes alone (the other
    figures 0). Composed around the ORM's own SQL of the pivots (Django cannot select from a UNION); plain SQL that
    SQLite and PostgreSQL both run."""
    first, *others = customer_figure_sources(period, last_month, last_year, shipped_only=top_shipped is not None, **scope)
    pivots = first.union(*others, all=True)
    inner, params = pivots.query.sql_with_params()
    params = list(params)
    quote = connections[pivots.db].ops.quote_name
    customer = [f"c.{quote(Customer._meta.get_field(name).column)}" for name in CUSTOMER_COLUMNS]
    total = {name: f"COALESCE(SUM(f.{quote(name)}), 0)" for name in CUSTOMER_FIGURES}
    net = {"shipped": f"{total['shipped']} - {total['returns']}"}
    figures = ", ".join(f"{net.get(name, total[name])} AS {quote(name)}" for name in CUSTOMER_FIGURES)
    order = f"{customer[1]}, {customer[0]}"
    if top_shipped is not None:
        order = f"{net['shipped']} DESC, {order} LIMIT %s"
        params.append(top_shipped)
    sql = (
        f"SELECT {', '.join(customer)}, {figures} FROM ({inner}) f INNER JOIN {quote(Customer._meta.db_table)} c "
        f"ON {customer[0]} = f.{quote('cid')} GROUP BY {', '.join(customer)} ORDER BY {order}"
    )
    return sql, params, pivots.db


def customer_figures(period: tuple[date, date, datetime, datetime], last_month, last_year, **scope):
    """Per customer with any figure in the period (scope's orders only), by name: order intake (`ordered`), shipped (net
    of credit notes), invoiced (issued), collected, credit notes (`returns`), and shipped net in the two comparison
    periods. Each period is (first day, last day, aware start, aware end). One query (customer_figure_query, whose
    `top_shipped` it passes on), streamed from a server-side cursor, so memory grows neither with the lines nor with
    the customers. Yields dicts with the customer's pk, name, province, type and the CUSTOMER_FIGURES."""
    sql, params, alias = customer_figure_query(period, last_month, last_year, **scope)
    # the query's own order by column position (pk, name, province, type, *CUSTOMER_FIGURES), for reading it back
    order = "2, 1" if scope.get("top_shipped") is None else f"{5 + CUSTOMER_FIGURES.index('shipped')} DESC, 2, 1"
    for pk, name, province, kind, *values in _streamed(connections[alias], sql, params, order):
        row = {"pk": pk, "name": name, "province": province, "type": kind}
        row.update((figure, db_money(value)) for figure, value in zip(CUSTOMER_FIGURES, values, strict=True))
        yield row


def _streamed(connection, sql: str, params: list, order: str):
    """The rows of `sql` fetched from a server-side cursor in chunks, so memory stays flat whatever the size of the
    result. On PostgreSQL the query runs first as CREATE TEMP TABLE … AS (which PostgreSQL may plan in parallel; a
    DECLAREd cursor never is) and the cursor reads that table back in `order` (the query's own ORDER BY, by column
    position)."""
    if connection.vendor != "postgresql":
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(2000):
                yield from rows
        return
    table = f"streamed_{uuid.uuid4().hex}"
    with transient(connection.alias), connection.cursor() as cursor:  # a temp table's catalog rows need no durable commit
        cursor.execute(f"CREATE TEMP TABLE {table} AS {sql}", params)
    try:
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table} ORDER BY {order}")
            while rows := cursor.fetchmany(2000):
                yield from rows
    finally:
        with transient(connection.alias), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def product_figures(start: date, end: date, **scope) -> QuerySet:
    """Per product (or free-text line name) of the orders received in [start, end]: quantity and value ordered, by name."""
    return (
        SalesOrderLine.objects.filter(_kpi_q("order__", **scope), order__received_on__range=(start, end))
        .values("product_id", "name")
        .annotate(quantity=Sum("quantity"), amount=Sum(_cny("amount_incl", "order__"), output_field=MONEY_OUTPUT))
        .order_by("name", "product_id")
    )


def region_figures(start: date, end: date, **scope) -> QuerySet:
    """Per customer province of the orders received in [start, end]: orders and their value, by province."""
    return (
        kpi_orders(**scope)
        .filter(received_on__range=(start, end))
        .values(region=F("customer__province"))
        .annotate(orders=Count("pk"), amount=Sum(_cny("amount_incl"), output_field=MONEY_OUTPUT))
        .order_by("region")
    )


def collected_by_month(start: date, end: date, **scope) -> dict[date, Decimal]:
    """{first day of the month: collected (as collected_total)} for the months of [start, end], by the day the money
    arrived (one grouped query)."""
    rows = (
        kpi_allocations(start, end, **scope)
        .annotate(month=TruncMonth("payment__received_on"))
        .values("month")
        .annotate(s=Sum(_cny("amount", "order__"), output_field=MONEY_OUTPUT))
        .order_by()
        .values_list("month", "s")
    )
    return {month: quantize(total or ZERO) for month, total in rows}


def shipped_net_by_month(start: datetime, end: datetime, zone, **scope) -> dict[date, Decimal]:
    """{first day of the month: shipped minus credited} for the months of [start, end) in `zone`, as shipped_total and
    credited_total month by month: the notes at their full amount in the month they left, less the goods refused and
    received back in the month they came back, less the month's credit notes. Two grouped queries: the notes and the
    goods received back as one UNION ALL of (year, month, amount), the credit notes."""

    def per_month(qs: QuerySet, stamp: str, amount, sign: int, **tz):
        summed = Sum(_cny(amount, "order__"), output_field=MONEY_OUTPUT)
        return (
            qs.order_by()
            .annotate(y=ExtractYear(stamp, **tz), m=ExtractMonth(stamp, **tz))
            .values("y", "m")
            .annotate(s=summed if sign > 0 else -summed)
            .values_list("y", "m", "s")
        )

    out: dict[date, Decimal] = defaultdict(lambda: ZERO)
    shipped = per_month(kpi_shipments(start, end, **scope), "shipped_at", SHIPPED, 1, tzinfo=zone).union(
        per_month(kpi_refusal_returns(start, end, **scope), "received_on", RECEIVED_BACK, -1), all=True
    )
    credited = per_month(kpi_credit_notes(start, end, **scope), "created_at", "amount", -1, tzinfo=zone)
    for rows in (shipped, credited):
        for year, month, total in rows:
            out[date(year, month, 1)] += quantize(total or ZERO)
    return dict(out)
