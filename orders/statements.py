"""客户对账单: a customer's statement of account for a period (seed 002: 明确结款流程，按账期准时对账、结款，做到准确无误)
— what was owed at its start, each movement in date order (goods shipped and refunds paid back: owed; credit notes and
payments received: paid), the running balance and what is owed at its end, in yuan. The moves of one day come in the
order shipment → 拒收退回 → 红字冲减 → 回款 → 退款, then in the order they were entered.

The balance is the customer's whole account: goods shipped (shipped or delivered, of orders not cancelled, at the
order's exchange rate) less credit notes (at the order's rate) less the payments confirmed (in full: a deposit paid
before shipping shows as money received in advance, a negative balance; a refund paid back — a confirmed payment of
kind refund, negative — raises it again). A payment has no currency of its own: it is
allocated whole to the customer's orders, each allocation in its order's currency, so it counts here as the sum of its
allocations each at its order's rate (rounded per allocation, as the 回款额 KPI). The receivables (orders.receivables)
count per order what is allocated to it, in CNY too; the two agree once every payment is allocated. Visibility is the
caller's: the pages and the API fetch the customer through customers.selectors first. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from salesops.core.money import ZERO, quantize

from .models import CreditNote, Payment, PaymentAllocation, RefusalReturn, SalesOrder, Shipment
from .receivables import SHIPPED_STATUSES
from .selectors import MONEY_OUTPUT

MOVES = {"shipment": _("发货"), "refused": _("拒收退回"), "credit": _("红字冲减"), "payment": _("回款"), "refund": _("退款")}
# the order of the moves of one day (MOVES' keys); within a kind, the order of entry (pk)
DAY_ORDER = {kind: n for n, kind in enumerate(MOVES)}
# the labels of the period's figures (Statement.summary; the keys are Statement's fields)
SUMMARY = {
    "shipped": _("本期发货"),
    "refused": _("本期拒收退回"),
    "refunded": _("本期退款"),
    "credited": _("本期红字冲减"),
    "received": _("本期回款"),
}


@dataclass(frozen=True)
class Move:
    day: date
    kind: str  # shipment / refused / credit / payment / refund
    number: str  # the outbound note's (also of goods refused and received back), the credit note's or the payment's number (回款 HK-…, 退款 TK-…)
    order: str  # the order's number; of a payment or a refund, the numbers of the orders it is allocated to ("" if none)
    owed: Decimal | None  # goods shipped (negative: goods refused at delivery and received back, 拒收退回), a refund paid back
    paid: Decimal | None  # a credit note or a payment
    balance: Decimal  # owed after this move
    reference: str = ""  # of a payment or a refund, its bank reference (银行流水号/票据号: how the customer finds it); else ""

    @property
    def kind_label(self) -> str:
        return str(MOVES[self.kind])


@dataclass(frozen=True)
class Statement:
    customer: Customer
    start: date
    end: date
    opening: Decimal
    moves: list[Move]
    owed: Decimal  # the 应收 column's total: the period's goods shipped, less those refused and received back, plus the refunds paid back
    paid: Decimal  # the 已收 column's total: the period's credit notes and payments
    closing: Decimal
    # the summary, each figure what its label says (owed = shipped − refused + refunded; paid = credited + received)
    shipped: Decimal = ZERO  # 本期发货: goods shipped only
    refused: Decimal = ZERO  # 本期拒收退回: goods refused at delivery and received back (positive)
    refunded: Decimal = ZERO  # 本期退款: refunds paid back (positive)
    credited: Decimal = ZERO  # 本期红字冲减: credit notes
    received: Decimal = ZERO  # 本期回款: payments received

    def summary(self) -> list[tuple[str, str, Decimal]]:
        """The period's figures between the opening and the closing balance as (key, label, amount), in the order
        closing = opening + 发货 − 拒收退回 + 退款 − 红字冲减 − 回款 (the page's cards, the PDF's heading)."""
        return [(key, str(label), getattr(self, key)) for key, label in SUMMARY.items()]


def last_month() -> tuple[date, date]:
    """The statement's default period: last month (the 账期 most customers are reconciled for)."""
    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _cny(amount: str):
    return ExpressionWrapper(
        Round(F(amount) * F("order__exchange_rate"), 2), output_field=Shipment._meta.get_field("amount_incl")
    )


def _payment_cny():
    """A payment in CNY: a payment has no currency of its own — it is allocated whole to the customer's orders, each
    allocation in its order's currency (payment_record checks it against what the order owes) —, so each allocation at
    its order's exchange rate, rounded per allocation (as the 回款额 KPI); a payment without allocations as it is."""
    allocations = (
        PaymentAllocation.objects.filter(payment=OuterRef("pk"))
        .values("payment")
        .annotate(s=Sum(Round(F("amount") * F("order__exchange_rate"), 2), output_field=MONEY_OUTPUT))
        .values("s")
    )
    return Coalesce(Subquery(allocations, output_field=MONEY_OUTPUT), F("amount"), output_field=MONEY_OUTPUT)


def _sum(qs, field: str) -> Decimal:
    return qs.aggregate(s=Sum(field))["s"] or ZERO


def customer_statement(customer: Customer, start: date, end: date) -> Statement:
    """The statement of `customer` from `start` to `end` (both included; days in Asia/Shanghai). Goods refused at
    delivery and received back (拒收退回入库) lower the goods shipped on the day they came back (the note keeps its
    amount on the day it left), so a statement already reconciled keeps its figures. A refund paid back (退款) is owed
    again, on the day it was paid. A payment's or a refund's order is the orders it is allocated to. Nine queries."""
    if end < start:
        raise ValueError(_("结束日期不能早于开始日期。"))
    since, until = _moment(start), _moment(end + timedelta(days=1))
    live = ~Q(order__status=SalesOrder.Status.CANCELLED) & Q(order__customer=customer)
    shipments = Shipment.objects.filter(live, status__in=SHIPPED_STATUSES, shipped_at__lt=until).annotate(cny=_cny("amount_incl"))
    credits = CreditNote.objects.filter(live, created_at__lt=until).annotate(cny=_cny("amount"))
    refused = RefusalReturn.objects.filter(live, received_on__lte=end).annotate(cny=_cny("amount_incl"))
    payments = Payment.objects.filter(customer=customer, status=Payment.Status.CONFIRMED, received_on__lte=end).annotate(
        cny=_payment_cny()
    )

    opening = quantize(
        _sum(shipments.filter(shipped_at__lt=since), "cny")
        - _sum(refused.filter(received_on__lt=start), "cny")
        - _sum(credits.filter(created_at__lt=since), "cny")
        - _sum(payments.filter(received_on__lt=start), "cny")
    )
    # (day, kind, pk, number, order, owed, paid, reference): sorted by day, the kind's place in the day and pk (the pks
    # of different tables never compared)
    rows = [
        (timezone.localdate(s.shipped_at), "shipment", s.pk, s.number, s.order.number, s.cny, None, "")
        for s in shipments.filter(shipped_at__gte=since).select_related("order")
    ]
    rows += [
        (r.received_on, "refused", r.pk, r.shipment.number, r.order.number, -r.cny, None, "")
        for r in refused.filter(received_on__gte=start).select_related("shipment", "order")
    ]
    rows += [
        (timezone.localdate(c.created_at), "credit", c.pk, c.number, c.order.number, None, c.cny, "")
        for c in credits.filter(created_at__gte=since).select_related("order")
    ]
    in_period = list(payments.filter(received_on__gte=start))
    allocated = _allocated_orders([p.pk for p in in_period])
    rows += [
        (p.received_on, "refund", p.pk, p.number, allocated.get(p.pk, ""), -p.cny, None, p.bank_reference)
        if p.kind == Payment.Kind.REFUND
        else (p.received_on, "payment", p.pk, p.number, allocated.get(p.pk, ""), None, p.cny, p.bank_reference)
        for p in in_period
    ]
    balance, moves = opening, []
    for day, kind, _pk, number, order, owed, paid, reference in sorted(rows, key=lambda r: (r[0], DAY_ORDER[r[1]], r[2])):
        balance = quantize(balance + (owed or ZERO) - (paid or ZERO))
        moves.append(
            Move(
                day,
                kind,
                number,
                order,
                quantize(owed) if owed is not None else None,
                quantize(paid) if paid is not None else None,
                balance,
                reference,
            )
        )
    owed = quantize(sum((m.owed for m in moves if m.owed is not None), ZERO))
    paid = quantize(sum((m.paid for m in moves if m.paid is not None), ZERO))

    def total(kind: str, column: str) -> Decimal:
        return quantize(sum((getattr(m, column) for m in moves if m.kind == kind), ZERO))

    return Statement(
        customer,
        start,
        end,
        opening,
        moves,
        owed,
        paid,
        quantize(opening + owed - paid),
        shipped=total("shipment", "owed"),
        refused=-total("refused", "owed"),
        refunded=total("refund", "owed"),
        credited=total("credit", "paid"),
        received=total("payment", "paid"),
    )


def _allocated_orders(payment_pks: list[int]) -> dict[int, str]:
    """{payment pk: the numbers of the orders it is allocated to, "、"-separated in number order} (one query)."""
    numbers: dict[int, list[str]] = {}
    rows = (
        PaymentAllocation.objects.filter(payment__in=payment_pks)
        .order_by("payment_id", "order__number")
        .values_list("payment_id", "order__number")
        .distinct()
    )
    for payment, number in rows:
        numbers.setdefault(payment, []).append(number)
    return {payment: "、".join(found) for payment, found in numbers.items()}
