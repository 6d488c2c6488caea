"""The money of one order and of a customer's credit: what was shipped, paid, credited, invoiced and may still be, the
payment gate and the credit check (SPEC.md "Shipment", "Invoices and payments"). Reads only; the services check
their rules against these under the order's row lock, and orders.selectors re-exports them for the pages and the API.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from salesops.core.money import MONEY, ZERO, db_money, quantize

from . import rules
from .models import (
    CreditException,
    CreditNote,
    InvoiceRequest,
    Payment,
    PaymentAllocation,
    SalesOrder,
    Shipment,
    ShipmentLine,
    kept_amount,
)

MONEY_OUTPUT = DecimalField(**MONEY)
OPEN_SHIPMENT = (Shipment.Status.DRAFT, Shipment.Status.RELEASED)


def _per_order(rows: QuerySet, order_ref: str, value=None):
    """The sum of `value` (default: amount) over `rows` of the outer query's order (0 without rows), as a subquery."""
    rows = rows.filter(order=OuterRef(order_ref)).values("order").annotate(s=Sum(value or F("amount"))).values("s")
    return Coalesce(Subquery(rows, output_field=MONEY_OUTPUT), Value(ZERO), output_field=MONEY_OUTPUT)


# --- figures of one order ---------------------------------------------------------------------------------------------
def order_paid(order: SalesOrder, *, confirmed_only: bool = True) -> Decimal:
    """Money allocated to the order: confirmed by finance, or (confirmed_only=False) recorded or confirmed; net of the
    refunds paid back (a refund's allocation is negative, Payment.Kind.REFUND)."""
    statuses = [Payment.Status.CONFIRMED] if confirmed_only else [Payment.Status.CONFIRMED, Payment.Status.RECORDED]
    return quantize(
        PaymentAllocation.objects.filter(order=order, payment__status__in=statuses).aggregate(s=Sum("amount"))["s"] or ZERO
    )


def order_outstanding(order: SalesOrder) -> Decimal:
    """The order amount not yet covered by live (recorded or confirmed) payment allocations or credit notes."""
    return order.amount_incl - order_paid(order, confirmed_only=False) - order_credited(order)


# --- credit notes (红字冲减单): reduce what the customer owes, never more than was shipped -------------------------------
CREDITED_SHIPMENTS = (Shipment.Status.SHIPPED, Shipment.Status.DELIVERED)


def order_credited(order) -> Decimal:
    """The total of the order's credit notes."""
    return quantize(CreditNote.objects.filter(order=order).aggregate(s=Sum("amount"))["s"] or ZERO)


def order_shipped_amount(order) -> Decimal:
    """The tax-inclusive value of the goods that left for this order (what was paid or is receivable), less the goods
    refused at delivery and received back (拒收退回)."""
    return quantize(
        Shipment.objects.filter(order=order, status__in=CREDITED_SHIPMENTS).aggregate(s=Sum(kept_amount()))["s"] or ZERO
    )


def order_creditable(order) -> Decimal:
    """How much may still be credited on the order: shipped value minus earlier credit notes."""
    return max(order_shipped_amount(order) - order_credited(order), ZERO)


def order_refundable(order) -> Decimal:
    """What the order holds for its customer beyond what it owes, that finance may pay back (退款, refund_record): the
    confirmed money net of refunds plus the credit notes, less the goods kept (shipped or delivered less refused and
    received back, models.kept_amount); never below 0 — a deposit on an order never shipped is all refundable. The
    receivables' 预收/应退 (orders.receivables) is the same figure in CNY."""
    return max(order_paid(order) + order_credited(order) - order_shipped_amount(order), ZERO)


def _may_block(payment: Payment) -> bool:
    """False when the payment's prefetched allocations (selectors.payment_allocations: a list's rows) show that
    void_refusal has nothing to refuse; True (ask) otherwise."""
    rows = getattr(payment, "_prefetched_objects_cache", {}).get("allocations")
    if rows is None or not all(hasattr(a, "order_refunded") for a in rows):
        return True
    if payment.kind == Payment.Kind.REFUND:
        return any(a.order.status == SalesOrder.Status.CANCELLED for a in rows)
    return any(a.order_refunded for a in rows)


def void_refusal(payment: Payment) -> str:
    """Why `payment` may not be voided now ("" when it may), for the payments' actions and services.payment_void (which
    asks again under the orders' locks): money received that was partly paid back (a refund would leave its order
    holding less than nothing: the refund is voided first), and a refund of a cancelled order (voided, the money
    would stay on an order no page shows: 应收账款 and the refunds leave cancelled orders out)."""
    from django.utils.translation import gettext as _

    if payment.status == Payment.Status.VOIDED or not _may_block(payment):
        return ""
    if payment.kind == Payment.Kind.REFUND:
        cancelled = payment.allocations.filter(order__status=SalesOrder.Status.CANCELLED).select_related("order").first()
        if cancelled is not None:
            return _("订单 %(number)s 已取消，不能作废其退款（作废后款项将留在已取消的订单上）。") % {
                "number": cancelled.order.number
            }
        return ""
    if payment.status != Payment.Status.CONFIRMED:
        return ""
    refunded = PaymentAllocation.objects.filter(
        payment__kind=Payment.Kind.REFUND, payment__status=Payment.Status.CONFIRMED, order=OuterRef("order")
    )
    for allocation in payment.allocations.filter(Exists(refunded)).select_related("order"):
        if order_paid(allocation.order) - allocation.amount < 0:
            return _("订单 %(number)s 已办理退款，请先作废退款再作废这笔回款。") % {"number": allocation.order.number}
    return ""


def orders_refundable(orders: QuerySet[SalesOrder]) -> list[SalesOrder]:
    """The orders of `orders` holding something refundable (order_refundable > 0), by number, each with `refundable`,
    `confirmed` (net of refunds), `credited` and `shipped` (kept) set; one query (only orders with confirmed money are
    summed: nothing else can hold any)."""
    confirmed = PaymentAllocation.objects.filter(payment__status=Payment.Status.CONFIRMED)
    rows = (
        orders.filter(Exists(confirmed.filter(order=OuterRef("pk"))))
        .annotate(
            shipped=_per_order(Shipment.objects.filter(status__in=CREDITED_SHIPMENTS), "pk", kept_amount()),
            confirmed=_per_order(confirmed, "pk"),
            credited=_per_order(CreditNote.objects.all(), "pk"),
        )
        .order_by("number")
    )
    out = []
    for order in rows:
        order.shipped, order.confirmed, order.credited = (
            quantize(order.shipped),
            quantize(order.confirmed),
            quantize(order.credited),
        )
        order.refundable = max(order.confirmed + order.credited - order.shipped, ZERO)
        if order.refundable > 0:
            out.append(order)
    return out


_ASK = object()  # order_gate: the credit facts not given, read them


def order_gate(
    order: SalesOrder,
    *,
    paid: Decimal | None = None,
    exception: Decimal | None = None,
    credited: Decimal | None = None,
    credit=_ASK,
) -> rules.Gate:
    """Whether goods of `order` may leave now, and why not: the payment due before shipment — of the order's amount
    less its credit notes (goods returned and credited are not paid for; a refund of them would otherwise hold a
    shipped order's gate) — vs confirmed payments + exceptions, and for a customer with a credit limit what it owes
    plus what the order's notes not yet shipped add (order_credit_facts) vs the limit + the exceptions
    (rules.shipment_gate).

    Lists pass `paid` / `exception` / `credited` already summed for many orders at once (with_gate_figures) and
    `credit` read for them at once (order_credit_facts; None: no credit check)."""
    if credited is None:
        credited = order_credited(order)
    due = rules.due_before_shipment(
        payment_terms=order.payment_terms,
        order_amount=order.amount_incl - quantize(credited),
        deposit_amount=order.deposit_amount,
    )
    if exception is None:
        exception = order.credit_exceptions.filter(status=CreditException.Status.APPROVED).aggregate(s=Sum("amount"))["s"] or ZERO
    if paid is None:
        paid = order_paid(order)
    exception = quantize(exception)
    if credit is _ASK:
        credit = order_credit_facts([order]).get(order.pk)
    if credit is not None:  # the exceptions are in the order's currency, the credit check in CNY
        credit = replace(credit, exception=quantize(exception * order.exchange_rate))
    return rules.shipment_gate(due=due, confirmed_paid=quantize(paid), approved_exception=exception, credit=credit)


# --- the credit check: what a customer owes against its credit limit (SPEC.md "Customers", "Shipment") -----------------
def customers_owed(customer_ids) -> dict[int, Decimal]:
    """{customer id: what it owes for goods shipped, in CNY}: the open receivables of its orders (not cancelled), as
    the receivables page computes them (orders.receivables.ReceivableTable), one query for all of them."""
    from .receivables import ReceivableTable  # receivables reads this module

    owed = dict.fromkeys(customer_ids, ZERO)
    if owed:
        orders = SalesOrder.objects.filter(customer_id__in=list(owed)).exclude(status=SalesOrder.Status.CANCELLED)
        for row in ReceivableTable(orders).owed():
            owed[row.customer_id] += sum((db_money(b) for b in row.buckets), ZERO)
    return owed


def _order_money(order_ids) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """{order id: (shipped, on notes not yet shipped, settled = confirmed payments + credit notes)}, one query."""
    rows = (
        SalesOrder.objects.filter(pk__in=order_ids)
        .annotate(
            shipped=_per_order(Shipment.objects.filter(status__in=CREDITED_SHIPMENTS), "pk", kept_amount()),
            unshipped=_per_order(Shipment.objects.filter(status__in=OPEN_SHIPMENT), "pk", F("amount_incl")),
            confirmed=_per_order(PaymentAllocation.objects.filter(payment__status=Payment.Status.CONFIRMED), "pk"),
            credited=_per_order(CreditNote.objects.all(), "pk"),
        )
        .values_list("pk", "shipped", "unshipped", "confirmed", "credited")
    )
    return {pk: (quantize(s), quantize(u), quantize(p) + quantize(c)) for pk, s, u, p, c in rows}


def order_credit_facts(orders) -> dict[int, rules.Credit]:
    """{order id: rules.Credit} of the `orders` (with their customers) whose customer has a credit limit and whose
    outbound notes not yet shipped (draft or released) add to what the customer owes (rules.credit_added, in CNY at
    the order's rate); the other orders have no credit check. At most two queries, whatever the number of orders."""
    limited = {o.pk: o for o in orders if (o.customer.credit_limit or ZERO) > 0}
    if not limited:
        return {}
    adds = {}
    for pk, (shipped, unshipped, settled) in _order_money(list(limited)).items():
        added = quantize(rules.credit_added(shipped=shipped, unshipped=unshipped, settled=settled) * limited[pk].exchange_rate)
        if unshipped > 0 and added > 0:
            adds[pk] = added
    owed = customers_owed({limited[pk].customer_id for pk in adds})
    return {
        pk: rules.Credit(limit=limited[pk].customer.credit_limit, owed=owed[limited[pk].customer_id], adds=added)
        for pk, added in adds.items()
    }


def order_credit_warning(order: SalesOrder) -> str:
    """The warning on a direct order's verification (核单, while it waits for it): what the customer owes plus what the
    whole order adds (its amount not yet covered by its confirmed payments and credit notes, CNY) is over the
    customer's credit limit (rules.order_credit_warning); "" otherwise. Not a refusal: the gate holds the notes."""
    waiting = order.status == SalesOrder.Status.RECEIVED or order.needs_reverification
    limit = order.customer.credit_limit or ZERO
    if order.contract_id is not None or not waiting or limit <= 0:  # a contract's credit is checked in its review
        return ""
    shipped, _unshipped, settled = _order_money([order.pk])[order.pk]
    left = max(order.amount_incl - shipped, ZERO)
    adds = quantize(rules.credit_added(shipped=shipped, unshipped=left, settled=settled) * order.exchange_rate)
    if adds <= 0:
        return ""
    owed = customers_owed([order.customer_id])[order.customer_id]
    return rules.order_credit_warning(limit=limit, owed=owed, adds=adds)


def order_delivered_amount(order: SalesOrder) -> Decimal:
    """The tax-inclusive value of what the customer signed for, note line by note line (rules.signed_value: what is
    owed for the notes, to the fen)."""
    signed = ShipmentLine.objects.filter(order_line__order=order, delivered_quantity__gt=0).select_related("order_line")
    return sum((rules.signed_value(sl, sl.order_line) for sl in signed), ZERO)


def order_invoiced_amount(order: SalesOrder) -> Decimal:
    """Invoices requested or issued for the order (not cancelled)."""
    return quantize(order.invoices.exclude(status=InvoiceRequest.Status.CANCELLED).aggregate(s=Sum("amount"))["s"] or ZERO)


def order_invoiceable_amount(order: SalesOrder) -> Decimal:
    """What may still be invoiced on the order: what the customer signed for, less the credit notes (goods returned and
    refunded are not invoiced), less the invoices requested or issued (not cancelled); never below 0. An order priced
    without tax (prices_include_tax off) is agreed not to be invoiced: 0."""
    if not order.prices_include_tax:
        return ZERO
    return max(order_delivered_amount(order) - order_credited(order) - order_invoiced_amount(order), ZERO)
