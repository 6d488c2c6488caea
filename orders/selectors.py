"""Every read of orders, shipments, invoices, payments and receivables, and who sees which (ARCHITECTURE.md rule 5).

Visibility: an order (and its shipments, invoices and payment allocations) is visible to whoever sees its customer
(customers.selectors: clerks, managers, finance, warehouse, QC and service see all; a rep their own; a lead the team's)
and to the rep it is credited to. The money of one order (paid, credited, the gate, the credit check) is read in
orders.balances and re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, Round, TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, ContractLine
from contracts.selectors import contract_list_for
from customers.models import Customer
from customers.selectors import customer_scope
from salesops.core.access import of_visible
from salesops.core.money import ZERO, quantize
from salesops.core.search import every_word_q
from salesops.core.thresholds import threshold

from . import rules
from .balances import (  # noqa: F401  (the money of one order: read here by the pages, the API and the services)
    CREDITED_SHIPMENTS,
    MONEY_OUTPUT,
    OPEN_SHIPMENT,
    _per_order,
    customers_owed,
    order_credit_facts,
    order_credit_warning,
    order_creditable,
    order_credited,
    order_delivered_amount,
    order_gate,
    order_invoiceable_amount,
    order_invoiced_amount,
    order_outstanding,
    order_paid,
    order_shipped_amount,
)
from .models import (
    DUE_BEFORE_SHIPMENT,
    HALF_FEN,
    LINE_READY,
    REFUSED_PENDING,
    SHIPPING_STATUSES,
    TO_PLACE,
    TO_VERIFY,
    CreditException,
    CreditNote,
    Inspection,
    InvoiceRequest,
    Payment,
    PaymentAllocation,
    ProductionUpdate,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
)
from .permissions import handles_money

ORDER_ORDERING_FIELDS = ("number", "received_on", "promised_ship_date", "amount_incl", "status", "created_at")
OPEN_ORDER = (
    SalesOrder.Status.RECEIVED,
    SalesOrder.Status.VERIFIED,
    SalesOrder.Status.PLACED,
    SalesOrder.Status.PARTIALLY_SHIPPED,
)
SHIPPING = SHIPPING_STATUSES  # placed, partially shipped


def _visible(qs: QuerySet, user, prefix: str = "") -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    scope = customer_scope(user, f"{prefix}customer__")
    if scope is None:
        return qs.none()
    return qs.filter(scope | Q(**{f"{prefix}owner": user})) if scope else qs


def order_list_for(user) -> QuerySet[SalesOrder]:
    return _visible(SalesOrder.objects.select_related("customer", "owner", "contract"), user)


def requests_of_visible_orders(model):
    """Who sees an emergency release or a credit exception (`model`): whoever sees its order (core.access, e.g. an
    approval step of one is a 404 to anybody else)."""
    return lambda user: model.objects.filter(order__in=order_list_for(user).values("pk"))


def order_get_for(user, pk) -> SalesOrder:
    return get_object_or_404(order_list_for(user), pk=pk)


def shipment_list_for(user) -> QuerySet[Shipment]:
    return _visible(Shipment.objects.select_related("order__customer", "order__owner"), user, "order__")


def invoice_list_for(user) -> QuerySet[InvoiceRequest]:
    """Invoices of visible orders, for who handles money (the warehouse, QC and service do not: their menu)."""
    qs = InvoiceRequest.objects.select_related("order__customer", "requested_by")
    return _visible(qs, user, "order__") if handles_money(user) else qs.none()


def payment_list_for(user) -> QuerySet[Payment]:
    """Payments of visible customers (a rep sees the payments of own customers), for who handles money."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not handles_money(user):
        return Payment.objects.none()
    scope = customer_scope(user, "customer__")
    if scope is None:
        return Payment.objects.none()
    qs = Payment.objects.select_related("customer", "recorded_by", "confirmed_by")
    return qs.filter(scope) if scope else qs


def payment_allocations() -> Prefetch:
    """The allocations of a page of payments with their orders and, per allocation, whether its order has a refund
    (`order_refunded`): what balances.void_refusal reads to offer 作废 without a query per row."""
    refunds = PaymentAllocation.objects.filter(
        order=OuterRef("order_id"), payment__kind=Payment.Kind.REFUND, payment__status=Payment.Status.CONFIRMED
    )
    rows = PaymentAllocation.objects.select_related("order").annotate(order_refunded=Exists(refunds))
    return Prefetch("allocations", queryset=rows)


def inspection_list_for(user) -> QuerySet[Inspection]:
    """Inspections of the orders `user` may see."""
    qs = Inspection.objects.select_related("order", "line", "qc_signed_by", "warehouse_signed_by")
    return of_visible(qs, "order", order_list_for(user))


def order_search_q(text: str) -> Q:
    """Every word in the order number, project name, customer name or customer PO."""
    return every_word_q(SalesOrder, text, "number", "project_name", "customer__name", "customer_po")


def shipment_search_q(text: str) -> Q:
    """Every word in the note number, the order number or the customer name."""
    return every_word_q(Shipment, text, "number", "order__number", "order__customer__name")


def order_stages(order: SalesOrder) -> list[tuple[str, str, str]]:
    """The order's stage bar (rules.order_stages) from its lines, invoices, payments and credit notes."""
    totals = order.lines.aggregate(
        quantity=Sum("quantity"),
        inspected=Sum(F("passed_quantity") + F("released_quantity")),
        shipped=Sum("shipped_quantity"),
        delivered=Sum("delivered_quantity"),
    )
    zero = Decimal(0)
    credited = order_credited(order)
    return rules.order_stages(
        verified=order.verified_at is not None and not order.needs_reverification,
        placed=order.placed_at is not None,
        quantity=totals["quantity"] or zero,
        inspected=totals["inspected"] or zero,
        shipped=totals["shipped"] or zero,
        delivered=totals["delivered"] or zero,
        amount=order.amount_incl,
        invoiced=order_invoiced_amount(order),
        paid=order_paid(order) + credited,
        credited=credited,
        invoiced_at_all=order.prices_include_tax,
    )


def order_missing_checks(order: SalesOrder) -> list[str]:
    """The checklist items not yet confirmed with every party they need ("数量（客户）"); empty = ready to verify."""
    confirmed = {
        c.item: {
            p
            for p, ok in ((rules.REP, c.with_rep), (rules.CUSTOMER, c.with_customer), (rules.PRODUCTION, c.with_production))
            if ok
        }
        for c in order.checks.all()
    }
    return rules.missing_confirmations(confirmed)


def reserved_quantity(line: SalesOrderLine, exclude_shipment=None) -> Decimal:
    """Quantity of `line` on open (draft or released) outbound notes, besides `exclude_shipment`."""
    qs = ShipmentLine.objects.filter(order_line=line, shipment__status__in=OPEN_SHIPMENT)
    if exclude_shipment is not None:
        qs = qs.exclude(shipment=exclude_shipment)
    return qs.aggregate(s=Sum("quantity"))["s"] or ZERO


def noted_amount(line: SalesOrderLine, exclude_shipment=None) -> Decimal:
    """The amounts of `line` on outbound notes that are not cancelled (open, shipped or delivered), less what of them
    was refused and received back (拒收退回: owed again), besides `exclude_shipment`: what the note that ships the last
    of the line leaves of the line's amount."""
    qs = ShipmentLine.objects.filter(order_line=line).exclude(shipment__status=Shipment.Status.CANCELLED)
    if exclude_shipment is not None:
        qs = qs.exclude(shipment=exclude_shipment)
    return qs.aggregate(s=Sum(F("amount_incl") - F("returned_amount")))["s"] or ZERO


def available_to_ship(order: SalesOrder) -> dict[int, Decimal]:
    """What each line of the order could still go on a new outbound note (shippable minus what open notes hold)."""
    return {line.pk: max(line.shippable_quantity - reserved_quantity(line), ZERO) for line in order.lines.all()}


def orders_owing(user, customer) -> list[SalesOrder]:
    """The customer's visible orders that still owe money (oldest first), each with its `.outstanding` amount."""
    out = []
    orders = order_list_for(user).filter(customer=customer).exclude(status=SalesOrder.Status.CANCELLED)
    for order in orders.order_by("received_on", "id"):
        order.outstanding = order_outstanding(order)
        if order.outstanding > 0:
            out.append(order)
    return out


def ordered_per_contract_line(contract: Contract) -> dict[int, Decimal]:
    """How much of each contract line is already on orders that are not cancelled (contract line id → quantity)."""
    rows = (
        SalesOrderLine.objects.filter(contract_line__contract=contract)
        .exclude(order__status=SalesOrder.Status.CANCELLED)
        .values("contract_line")
        .annotate(s=Sum("quantity"))
    )
    return {row["contract_line"]: row["s"] for row in rows}


def direct_orders_exposure(customer) -> Decimal:
    """What the customer's open orders without a contract still owe, in CNY (contracts count their own orders' value).
    Registered with salesops.core.exposure for the contract review."""
    total = ZERO
    for order in SalesOrder.objects.filter(customer=customer, contract__isnull=True).exclude(status=SalesOrder.Status.CANCELLED):
        owed = order.amount_incl - order_paid(order)
        if owed > 0:
            total += quantize(owed * order.exchange_rate)
    return total


# --- work queues ------------------------------------------------------------------------------------------------------
class Rows(Sequence):
    """A queue counted and sliced in the database: `count()`/`len()` is one COUNT (or `counted()`, a cheaper way to the
    same number), a slice reads only its rows, and `decorate(rows)` adds what the shown rows need (a gate, a reason)
    from the rules, without further queries."""

    def __init__(self, qs: QuerySet, decorate=None, counted=None):
        self.qs = qs
        self._decorate = decorate or list
        self._counted = counted or qs.count
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self._counted()
        return self._count

    __len__ = count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._decorate(list(self.qs[index]))
        return self[index : index + 1][0]

    def __iter__(self):
        return iter(self._decorate(list(self.qs)))


# HALF_FEN (models): money columns hold whole fen, so "a − b ≤ 0" is "a − b < half a fen", the same test in exact
# decimals (PostgreSQL) and one that float arithmetic (SQLite) cannot tip over at the boundary.
DONE_PRODUCTION = (SalesOrder.ProductionStatus.DONE, SalesOrder.ProductionStatus.FROM_STOCK)


def gate_figures(order_path: str = "") -> dict:
    """Annotations of the payment gate for a queryset of orders (`order_path` "") or of their children ("order__"):
    confirmed payments, approved credit exceptions, and `gate_shortfall` = due − both, where due is
    rules.due_before_shipment in SQL (tests/orders/test_queue_sql.py checks that both agree)."""
    order_ref = f"{order_path}id" if order_path else "pk"
    credited = _per_order(CreditNote.objects.all(), order_ref)
    # the order's amount less its credit notes (balances.order_gate)
    amount = ExpressionWrapper(F(f"{order_path}amount_incl") - credited, output_field=MONEY_OUTPUT)
    deposit = F(f"{order_path}deposit_amount")
    due = Case(
        When(**{f"{order_path}payment_terms": "prepaid"}, then=amount),
        When(**{f"{order_path}payment_terms": "deposit"}, then=Least(deposit, amount)),
        default=Value(ZERO),
        output_field=MONEY_OUTPUT,
    )
    paid = _per_order(PaymentAllocation.objects.filter(payment__status=Payment.Status.CONFIRMED), order_ref)
    exception = _per_order(CreditException.objects.filter(status=CreditException.Status.APPROVED), order_ref)
    return {
        "gate_due": due,
        "gate_credited": credited,
        "paid_confirmed": paid,
        "exception_approved": exception,
        "gate_shortfall": ExpressionWrapper(due - paid - exception, output_field=MONEY_OUTPUT),
    }


def with_gate_figures(qs: QuerySet[SalesOrder]) -> QuerySet[SalesOrder]:
    """Orders annotated with confirmed payments and approved credit exceptions (for order_gate without N+1)."""
    return qs.annotate(**gate_figures())


def gate_of(order: SalesOrder) -> rules.Gate:
    """The gate of an order from `with_gate_figures` (or queried, for an order without the annotations)."""
    return order_gate(
        order,
        paid=getattr(order, "paid_confirmed", None),
        exception=getattr(order, "exception_approved", None),
        credited=getattr(order, "gate_credited", None),
    )


def _with_gates(shipments: list[Shipment]) -> list[Shipment]:
    credit = order_credit_facts({s.order_id: s.order for s in shipments}.values())
    for shipment in shipments:
        shipment.gate = order_gate(
            shipment.order,
            paid=shipment.paid_confirmed,
            exception=shipment.exception_approved,
            credited=shipment.gate_credited,
            credit=credit.get(shipment.order_id),
        )
    return shipments


def _drafts_of(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """The draft outbound notes of `shipments` (the partial index shipment_draft_idx: their ids and orders)."""
    return shipments.filter(status=Shipment.Status.DRAFT)


def _drafts(user) -> QuerySet[Shipment]:
    """Draft outbound notes the user may see."""
    return _drafts_of(shipment_list_for(user))


def _held_for_credit(drafts: QuerySet[Shipment]) -> list[int]:
    """The orders of `drafts` whose gate is closed by the credit check: their customer has a credit limit and owes,
    with what the order's notes add, more than it and the order's approved exceptions (order_gate with
    order_credit_facts). Decided in Python over the drafts of customers with a limit alone (none: one query that
    finds none); the queues filter the drafts by these orders."""
    limited = Customer.objects.filter(credit_limit__gt=0)  # customer_credit_limited_idx
    if not limited.exists():  # no customer has a limit: the queues are the payment gate's alone
        return []
    candidates = drafts.filter(order__customer__in=limited).values("order_id")
    orders = list(SalesOrder.objects.filter(pk__in=candidates).select_related("customer").annotate(**gate_figures()))
    if not orders:
        return []
    credit = order_credit_facts(orders)
    return sorted(
        o.pk
        for o in orders
        if o.pk in credit
        and not order_gate(
            o, paid=o.paid_confirmed, exception=o.exception_approved, credited=o.gate_credited, credit=credit[o.pk]
        ).open
    )


def _held(drafts: QuerySet[Shipment], figures=QuerySet.annotate, credit_held: list[int] | None = None) -> QuerySet[Shipment]:
    """The notes of `drafts` waiting at the payment gate: something is due and the confirmed payments and approved
    exceptions fall short of it, decided in the database (`figures`: QuerySet.annotate to read the gate's figures with
    the rows, QuerySet.alias to filter on them alone) — or their order is held by the credit check (`credit_held`,
    _held_for_credit of the same drafts, found when not given)."""
    credit_held = _held_for_credit(drafts) if credit_held is None else credit_held
    due = SalesOrder.objects.filter(DUE_BEFORE_SHIPMENT)  # gate_due ≥ half a fen, from order_due_before_shipment_idx
    if not credit_held:
        return figures(drafts.filter(order__in=due), **gate_figures("order__")).filter(gate_shortfall__gte=HALF_FEN)
    by_credit = Q(order_id__in=credit_held)
    return figures(drafts.filter(Q(order__in=due) | by_credit), **gate_figures("order__")).filter(
        Q(gate_shortfall__gte=HALF_FEN) | by_credit
    )


def _releasable(drafts: QuerySet[Shipment], credit_held: list[int]) -> QuerySet[Shipment]:
    """The notes of `drafts` whose payment gate is open (nothing due: open without summing payments), with the gate's
    figures; not those of the orders held by the credit check (`credit_held`)."""
    by_gate = Q(gate_due__lt=HALF_FEN) | Q(gate_shortfall__lt=HALF_FEN)
    open_ = drafts.annotate(**gate_figures("order__")).filter(by_gate)
    return open_.exclude(order_id__in=credit_held) if credit_held else open_


def held_shipments(user) -> Rows:
    """Draft outbound notes waiting at the payment gate (for finance or a credit exception); each shown note has
    `.gate` (rules.shipment_gate) so pages show the reason without asking again. `.credit_held`: the orders held by
    the credit check (_held_for_credit)."""
    drafts = _drafts(user)
    credit_held = _held_for_credit(drafts)
    rows = Rows(_held(drafts, credit_held=credit_held).order_by("pk"), _with_gates)
    rows.credit_held = credit_held
    return rows


def shipments_to_release(user, *, held: Rows | None = None) -> Rows:
    """Draft outbound notes whose payment gate is open: the clerk may release them to the warehouse. Every draft is
    either held or open, so the count is the drafts' (an index-only count) less the held ones' (`held`: the queue's own
    held_shipments, counted once for both)."""
    held = held_shipments(user) if held is None else held  # (not `held or`: the truth of Rows is a COUNT)
    drafts = _drafts(user)
    credit_held = getattr(held, "credit_held", None)
    credit_held = _held_for_credit(drafts) if credit_held is None else credit_held
    return Rows(_releasable(drafts, credit_held).order_by("pk"), _with_gates, counted=lambda: drafts.count() - held.count())


def orders_to_invoice(orders: QuerySet[SalesOrder]) -> QuerySet[SalesOrder]:
    """Orders with something left to invoice (order_invoiceable_amount): priced with tax, and the delivered value is
    more than the credit notes plus what was invoiced (not cancelled). The delivered value is rules.signed_value of each
    outbound note line signed for — its amount when signed whole, else the signed quantity at the line's price (price ×
    quantity × (1 − discount), rounded to the fen half up as line_amounts does) but never above it — summed in SQL;
    tests/orders/test_queue_sql.py checks it against the rule."""
    line = "order_line__"
    net = Round(F("delivered_quantity") * F(f"{line}unit_price") * (Value(Decimal(1)) - F(f"{line}discount_rate")), 2)
    signed = Case(
        When(delivered_quantity__gte=F("quantity"), then=F("amount_incl")),
        default=Least(net, F("amount_incl")),
        output_field=MONEY_OUTPUT,
    )
    signed_lines = (
        ShipmentLine.objects.filter(order_line__order=OuterRef("pk"), delivered_quantity__gt=0)
        .values("order_line__order")
        .annotate(s=Sum(signed))
        .values("s")
    )
    delivered = Coalesce(Subquery(signed_lines, output_field=MONEY_OUTPUT), Value(ZERO), output_field=MONEY_OUTPUT)
    invoiced = _per_order(InvoiceRequest.objects.exclude(status=InvoiceRequest.Status.CANCELLED), "pk")
    credited = _per_order(CreditNote.objects.all(), "pk")
    return (
        orders.filter(prices_include_tax=True, pk__in=SalesOrderLine.objects.filter(delivered_quantity__gt=0).values("order_id"))
        .alias(uninvoiced=ExpressionWrapper(delivered - credited - invoiced, output_field=MONEY_OUTPUT))
        .filter(uninvoiced__gt=HALF_FEN)
    )


def _with_risk(warn_days: int, today: date):
    def decorate(orders: list[SalesOrder]) -> list[tuple[SalesOrder, str]]:
        return [(o, _risk_reason(o, warn_days, today)) for o in orders]

    return decorate


def _risk_reason(order: SalesOrder, warn_days: int, today: date) -> str:
    return rules.production_risk(
        promised=order.promised_ship_date,
        expected=order.expected_date,
        today=today,
        warn_days=warn_days,
        last_progress=order.last_progress,
        done=order.production_status in DONE_PRODUCTION,
    )


def _window_start(warn_days: int, order_path: str = ""):
    """The first day of the window before the promised ship date in which a production report is expected."""
    return Cast(F(f"{order_path}promised_ship_date") - timedelta(days=warn_days), DateField())


def orders_at_risk(orders: QuerySet[SalesOrder], today: date) -> Rows:
    """(order, reason) of the orders whose promised ship date is at risk: rules.production_risk written in SQL, so the
    queue is counted and sliced in the database; the rule gives the reason of the shown rows (tests/orders/
    test_queue_sql.py checks that both agree).

    The last progress is the latest production report's local date, else the day the order was placed; "none, or before
    the window" is written without computing it per order: no report on or after the window's first day, and either some
    report (all before it) or no placing on or after it. Both reports tests are EXISTS on the report's order alone (the
    window read from the report's order), which the planner may run once as a hashed set instead of once per order;
    the rest are the order's own columns (order_shipping_idx holds them for the clerk's queue). `last_progress` is
    annotated for the reason of the shown rows only (a COUNT leaves it out)."""
    warn_days = int(threshold("production_warn_days"))
    tz = timezone.get_current_timezone()
    latest = ProductionUpdate.objects.filter(order=OuterRef("pk")).order_by("-reported_at").values("reported_at")[:1]
    reports = ProductionUpdate.objects.filter(order=OuterRef("pk"))
    reported_in_window = reports.alias(day=TruncDate("reported_at", tzinfo=tz)).filter(
        day__gte=_window_start(warn_days, "order__")
    )
    window_start = _window_start(warn_days)
    silent = (
        Q(promised_ship_date__lte=today + timedelta(days=warn_days))
        & ~Exists(reported_in_window)
        & (Q(placed_at__isnull=True) | Q(placed_on__lt=window_start) | Exists(reports))
    )
    at_risk = (
        orders.filter(promised_ship_date__isnull=False)
        .exclude(production_status__in=DONE_PRODUCTION)
        .alias(placed_on=TruncDate("placed_at", tzinfo=tz))
        .filter(Q(expected_date__gt=F("promised_ship_date")) | silent)
        .annotate(last_progress=TruncDate(Coalesce(Subquery(latest, output_field=DateTimeField()), F("placed_at")), tzinfo=tz))
    )
    return Rows(at_risk, _with_risk(warn_days, today))


def risk_reasons(order_ids: list[int], today: date) -> dict[int, str]:
    """{order id: why its promised ship date is at risk} among the given orders (a list page's shown orders being
    shipped, which the reader already sees): the columns the rule reads, without the list's joins and visibility
    filter (a rep's deep order page re-read its rows whole with both: 5 ms)."""
    if not order_ids:
        return {}
    orders = SalesOrder.objects.filter(pk__in=order_ids).only(
        "promised_ship_date", "expected_date", "production_status", "placed_at"
    )
    return {order.pk: reason for order, reason in orders_at_risk(orders, today)}


# What the clerk's queues show of an order (work_views, api.work, reports' digest) and what its risk reason reads: the
# order queues' rows read these columns and the customer alone (not the owner, the contract and every other column).
QUEUE_ORDER_FIELDS = (
    "number",
    "status",
    "received_on",
    "promised_ship_date",
    "expected_date",
    "production_status",
    "placed_at",
    "amount_incl",
    "needs_reverification",
    "customer__name",
)


def _ready_to_ship(orders: QuerySet[SalesOrder]) -> QuerySet[SalesOrder]:
    """Shipping orders with goods passed or released and not yet shipped, no draft outbound note and not waiting to be
    verified again after a change (that one is 待核单 only: it cannot ship until then); summed per order over the lines
    of shipping orders alone, not over the orders joined for display."""
    has_draft = Exists(Shipment.objects.filter(order=OuterRef("pk"), status=Shipment.Status.DRAFT))
    # only an order with a line ready (LINE_READY, its partial index) can sum to more than nothing: the sum is taken
    # over those orders' lines, not over every line of every shipping order
    with_a_ready_line = SalesOrderLine.objects.filter(LINE_READY).values("order_id")
    ready = (
        SalesOrderLine.objects.filter(order__status__in=SHIPPING, order_id__in=with_a_ready_line)
        .values("order_id")
        .annotate(ready=Sum(F("passed_quantity") + F("released_quantity") - F("shipped_quantity")))
        .filter(ready__gt=0)
        .values("order_id")
    )
    return orders.filter(status__in=SHIPPING, needs_reverification=False, pk__in=ready).exclude(has_draft)


# The clerk's queues over a queryset of orders (the reader's visible orders) and the day: the work page's sections,
# the work API's queues and the order list's `queue` filter (filters.OrderFilter) are these, so a section's "all of
# them" link lists exactly its rows. at_risk gives Rows (the reason of each shown order), the others querysets.
def _to_inspect(orders: QuerySet[SalesOrder]) -> QuerySet[SalesOrder]:
    """The orders of `orders` waiting for inspection (orders_to_inspect's condition; the order list's ?queue=to_inspect)."""
    lines = SalesOrderLine.objects.filter(LINE_TO_INSPECT, order=OuterRef("pk"))
    return orders.filter(Exists(lines), status__in=SHIPPING, production_status=SalesOrder.ProductionStatus.DONE)


ORDER_QUEUES = {
    "received_today": lambda orders, today: orders.filter(received_on=today).exclude(status=SalesOrder.Status.CANCELLED),
    "to_verify": lambda orders, today: orders.filter(TO_VERIFY),
    "verify_overdue": lambda orders, today: orders.filter(status=SalesOrder.Status.RECEIVED, received_on__lt=today),
    "to_place": lambda orders, today: orders.filter(TO_PLACE),
    "at_risk": lambda orders, today: orders_at_risk(orders.filter(status__in=SHIPPING), today),
    "ready_to_ship": lambda orders, today: _ready_to_ship(orders),
    "to_invoice": lambda orders, today: orders_to_invoice(orders),
}


def _not_held(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """The drafts of `shipments` whose gate is open. Every draft is either held or open, so these are the drafts less
    the held ones, decided over the orders with something due (and those held by the credit check) alone (12,000
    drafts: a COUNT of 3 ms, not 16 ms of the gate's sums on every draft as in _releasable)."""
    drafts = _drafts_of(shipments)
    return drafts.exclude(pk__in=_held(drafts, QuerySet.alias).values("pk"))


# The clerk's queues of outbound notes over a queryset of notes (the shipment list's `queue` filter).
SHIPMENT_QUEUES = {
    "to_release": _not_held,
    "waiting_payment": lambda shipments: _held(_drafts_of(shipments), QuerySet.alias),
}
QUEUE_LABELS = {
    "received_today": _("今日接单"),
    "to_verify": _("待核单"),
    "verify_overdue": _("核单超期"),
    "to_place": _("待下单"),
    "at_risk": _("交期风险"),
    "ready_to_ship": _("可发货"),
    "to_release": _("待放行"),
    "waiting_payment": _("等待财务确认"),
    "to_invoice": _("待开票"),
}
# QC's 待检验 (orders_to_inspect) is also a queue of the order list (?queue=to_inspect), not of the clerk's page.
ORDER_LIST_QUEUES = {**ORDER_QUEUES, "to_inspect": lambda orders, today: _to_inspect(orders)}
ORDER_LIST_QUEUE_LABELS = {**{code: QUEUE_LABELS[code] for code in ORDER_QUEUES}, "to_inspect": _("待检验")}


def order_queue(orders: QuerySet[SalesOrder], code: str, today: date) -> QuerySet[SalesOrder]:
    """The orders of `orders` in the queue `code` (a key of ORDER_LIST_QUEUES: the clerk's, or QC's 待检验) on `today`."""
    rows = ORDER_LIST_QUEUES[code](orders, today)
    return rows.qs if isinstance(rows, Rows) else rows


def shipment_queue(shipments: QuerySet[Shipment], code: str) -> QuerySet[Shipment]:
    """The outbound notes of `shipments` in the clerk's queue `code` (a key of SHIPMENT_QUEUES)."""
    return SHIPMENT_QUEUES[code](shipments)


def clerk_queue(user, today: date) -> dict[str, QuerySet | Rows]:
    """The inside-sales clerk's day: received today, to verify (incl. changed orders), overdue verification, to place,
    at risk, ready to ship, outbound notes to release, waiting for payment confirmation, to invoice (QUEUE_LABELS'
    order). Each queue is decided, counted and sliced in the database; an order queue's rows hold QUEUE_ORDER_FIELDS."""
    orders = order_list_for(user).select_related(None).select_related("customer").only(*QUEUE_ORDER_FIELDS)
    held = held_shipments(user)
    queues = {code: queue(orders, today) for code, queue in ORDER_QUEUES.items()}
    queues.update(to_release=shipments_to_release(user, held=held), waiting_payment=held)
    return {code: queues[code] for code in QUEUE_LABELS}


CONTRACTS_TO_ORDER_LABEL = _("已签订待下单")


def contracts_to_order(user) -> QuerySet[Contract]:
    """The clerk's queue 已签订待下单: signed or active contracts `user` sees with some line's quantity not yet on an
    order that is not cancelled (permissions.contract_left_to_order, decided in one query), the longest signed first.
    Each row links to 下订单 (orders:order_create_from_contract)."""
    on_orders = (
        SalesOrderLine.objects.filter(contract_line=OuterRef("pk"))
        .exclude(order__status=SalesOrder.Status.CANCELLED)
        .values("contract_line")
        .annotate(s=Sum("quantity"))
        .values("s")
    )
    quantity = ContractLine._meta.get_field("quantity")
    left = ContractLine.objects.filter(
        contract=OuterRef("pk"),
        quantity__gt=Coalesce(Subquery(on_orders, output_field=quantity), Value(ZERO), output_field=quantity),
    )
    return (
        contract_list_for(user)
        .select_related(None)
        .select_related("customer")
        .only("pk", "number", "version", "status", "signed_on", "currency", "amount_incl", "customer__name")
        .filter(Exists(left), status__in=(Contract.Status.SIGNED, Contract.Status.ACTIVE))
        .order_by("signed_on", "pk")
    )


def finance_queue(user) -> dict[str, QuerySet | Rows]:
    """Finance's day: payments to confirm, invoices to issue, shipments held at the payment gate."""
    return {
        "payments_to_confirm": payment_list_for(user)
        .filter(status=Payment.Status.RECORDED)
        .prefetch_related("allocations__order"),
        "invoices_to_issue": invoice_list_for(user).filter(status=InvoiceRequest.Status.REQUESTED),
        "held_shipments": held_shipments(user),
    }


# An order line with some of its quantity neither passed by inspection nor emergency-released (ordered − passed −
# released > 0): what QC still has to inspect (orders_to_inspect).
LINE_TO_INSPECT = Q(quantity__gt=F("passed_quantity") + F("released_quantity"))


def orders_to_inspect(user) -> QuerySet[SalesOrder]:
    """QC's queue 待检验: the orders `user` sees (order_list_for) placed or partially shipped whose production reported
    完工 (production_status done) with some line not yet passed or released by inspection (LINE_TO_INSPECT), decided in
    one query (the status filter is the partial index order_shipping_idx, which holds production_status and
    expected_date). Each row carries `to_inspect_lines` (how many lines) and `to_inspect_quantity` (their ordered −
    passed − released, summed), read for the shown rows only. Ordered by the expected (= reported completion) date, the
    earliest first and orders without a date last, then by the date received."""
    lines = SalesOrderLine.objects.filter(LINE_TO_INSPECT, order=OuterRef("pk"))
    left = (
        lines.order_by()
        .values("order")
        .annotate(n=Count("pk"), s=Sum(F("quantity") - F("passed_quantity") - F("released_quantity")))
    )
    quantity = SalesOrderLine._meta.get_field("quantity")
    orders = order_list_for(user).select_related(None).select_related("customer")
    return (
        _to_inspect(
            orders.only(
                "pk", "number", "status", "received_on", "expected_date", "production_status", "amount_incl", "customer__name"
            )
        )
        .annotate(
            to_inspect_lines=Subquery(left.values("n")), to_inspect_quantity=Subquery(left.values("s"), output_field=quantity)
        )
        .order_by(F("expected_date").asc(nulls_last=True), "received_on", "pk")
    )


def warehouse_queue(user) -> dict[str, QuerySet]:
    """Warehouse and QC: released notes to ship, orders production finished waiting for inspection (待检验,
    orders_to_inspect), inspections waiting for a signature, shipped notes not yet accepted, delivered notes with
    refused goods still to receive back (待收回拒收货物)."""
    inspections = inspection_list_for(user).select_related("order__customer")  # the API shows each one's customer
    return {
        "to_ship": shipment_list_for(user).filter(status=Shipment.Status.RELEASED),
        "to_inspect": orders_to_inspect(user),
        "to_sign_qc": inspections.filter(qc_signed_by__isnull=True),
        "to_sign_warehouse": inspections.filter(warehouse_signed_by__isnull=True),
        "in_transit": shipment_list_for(user).filter(status=Shipment.Status.SHIPPED),
        "refused_to_receive": refused_to_receive(shipment_list_for(user)),
    }


def refused_to_receive(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """The delivered notes of `shipments` with goods refused at delivery (拒收) not yet received back (拒收退回入库),
    the oldest delivery first: the warehouse's queue 待收回拒收货物 and the shipment list's `refused` filter. The
    lines' partial index (shipment_line_refused_idx) holds the few such notes."""
    pending = ShipmentLine.objects.filter(REFUSED_PENDING, shipment=OuterRef("pk"))
    return shipments.filter(Exists(pending), status=Shipment.Status.DELIVERED).order_by("delivered_on", "pk")
