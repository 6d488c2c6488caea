"""Payments received (回款, SPEC.md "Invoices and payments"): recorded by clerks or finance and allocated in full to the
customer's orders, confirmed or voided by finance. Only confirmed money opens the payment gate and reduces receivables.

Refunds (退款, refund_record): money finance paid back to a customer out of what one order holds beyond what it owes
(balances.order_refundable: a deposit on an order not shipped, a credit note on goods already paid). A refund is a
Payment of kind REFUND with a negative amount and a negative allocation on that order, so every reader that sums
payments or allocations (order_paid, order_outstanding, the gate, the receivables, the statement, the credit check)
nets it as it is; only the collection figures (回款额, 回款率) count receipts alone (amount > 0)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from customers.selectors import customer_list_for
from salesops.core import batch
from salesops.core.editing import required_text, save_as
from salesops.core.errors import Conflict, DomainError, NotFound
from salesops.core.models import Event
from salesops.core.money import MONEY_BOUNDS, ZERO, money_text, parse_decimal, quantize
from salesops.core.numbering import next_number
from salesops.core.timeline import record_event
from salesops.core.transitions import transition

from ..balances import OPEN_SHIPMENT, order_refundable, void_refusal
from ..models import Payment, PaymentAllocation, SalesOrder, Shipment
from ..permissions import is_finance, may_record_payment, require
from ..selectors import order_gate, order_outstanding, payment_list_for
from . import handoffs
from ._common import lock_order


def _holder(reference: str) -> Payment | None:
    """The live (not voided) payment or refund already holding bank reference `reference` (its number and kind only)."""
    live = Payment.objects.filter(bank_reference=reference).exclude(status=Payment.Status.VOIDED)
    return live.only("number", "kind").first()


def _duplicate(reference: str, holder: Payment | None) -> Conflict:
    """The refusal of a bank reference entered before, naming the payment (or refund) that holds it by its number."""
    if holder is None:  # (voided meanwhile)
        return Conflict(_("银行流水号 %(ref)s 已登记过，不能重复登记。") % {"ref": reference})
    text = (
        _("银行流水号 %(ref)s 已登记为退款 %(number)s，不能重复登记。")
        if holder.kind == Payment.Kind.REFUND
        else _("银行流水号 %(ref)s 已登记为回款 %(number)s，不能重复登记。")
    )
    return Conflict(text % {"ref": reference, "number": holder.number})


def _save(payment: Payment, actor, data: Mapping[str, Any], optional: tuple[str, ...]) -> None:
    """Save a new payment (or refund) with the `optional` fields given in `data`; a bank reference another live payment
    took meanwhile (the unique constraint) is the same refusal as the check before."""
    for name in optional:
        if data.get(name):
            setattr(payment, name, data[name])
    try:
        with transaction.atomic():
            save_as(payment, actor)
    except IntegrityError:
        raise _duplicate(payment.bank_reference, _holder(payment.bank_reference)) from None


def payment_record(*, actor, customer, data: Mapping[str, Any], allocations: Mapping[int, Any]) -> Payment:
    """Record money received and allocate all of it to the customer's orders, exactly; a received date after today, a bank
    reference already entered, or more than an order still owes, is refused. Finance confirms it afterwards (the shipment
    gate counts confirmed money). Numbered HK-YYYYMM-NNNN in the creating transaction."""
    require(may_record_payment(actor), _("只有销售内勤、财务和经理可以登记回款。"))
    customer = customer_list_for(actor).filter(pk=getattr(customer, "pk", customer)).first()
    if customer is None:
        raise NotFound(_("客户不存在或您无权查看。"))
    amount = quantize(parse_decimal(data.get("amount"), _("金额"), bounds=MONEY_BOUNDS.any_sign()))
    reference = "".join(str(data.get("bank_reference") or "").split()).upper()
    if amount <= 0:
        raise DomainError(_("回款金额必须大于 0。"))
    if data.get("kind") == Payment.Kind.REFUND:
        raise DomainError(_("退款请在订单或应收账款页面「办理退款」登记。"))
    if not reference:
        raise DomainError(_("请填写银行流水号或票据号。"))
    received_on = data.get("received_on") or timezone.localdate()
    if received_on > timezone.localdate():
        raise DomainError(_("到账日期不能晚于今天。"))
    parsed = {
        int(k): quantize(parse_decimal(v, _("分配金额"), bounds=MONEY_BOUNDS.any_sign()))
        for k, v in allocations.items()
        if v not in (None, "", 0, "0")
    }
    if any(v <= 0 for v in parsed.values()):
        raise DomainError(_("分配金额必须大于 0。"))
    if sum(parsed.values(), ZERO) != amount:
        raise DomainError(
            _("分配合计 %(sum)s 与回款金额 %(amount)s 不一致，必须全部分配到订单。")
            % {"sum": money_text(sum(parsed.values(), ZERO)), "amount": money_text(amount)}
        )
    with transaction.atomic():
        # several orders: locked in pk order (ARCHITECTURE.md rule 11)
        orders = {
            o.pk: o for o in SalesOrder.objects.select_for_update(of=("self",)).filter(pk__in=sorted(parsed)).order_by("pk")
        }
        for order_id, value in parsed.items():
            order = orders.get(order_id)
            if order is None or order.customer_id != customer.pk:
                raise DomainError(_("订单不属于该客户（编号 %(id)s）。") % {"id": order_id})
            if order.status == SalesOrder.Status.CANCELLED:
                raise DomainError(_("订单 %(number)s 已取消，不能分配回款。") % {"number": order.number})
            outstanding = order_outstanding(order)
            if value > outstanding:
                raise DomainError(
                    _("订单 %(number)s 尚欠 %(left)s 元，不能分配 %(value)s 元（超额回款）。")
                    % {"number": order.number, "left": money_text(outstanding), "value": money_text(value)}
                )
        if (holder := _holder(reference)) is not None:
            raise _duplicate(reference, holder)
        payment = Payment(
            number=next_number(Payment.RECEIPT_PREFIX),  # a refund is refused above: it is drawn by refund_record
            customer=customer,
            amount=amount,
            bank_reference=reference,
            recorded_by=actor,
            received_on=received_on,
        )
        _save(payment, actor, data, ("kind", "method", "notes"))
        PaymentAllocation.objects.bulk_create(
            [PaymentAllocation(payment=payment, order_id=k, amount=v) for k, v in parsed.items()]
        )
        record_event(
            target=payment,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("登记回款 %(amount)s 元（%(ref)s，到账 %(date)s），分配：%(allocations)s"),
            params={
                "amount": money_text(amount),
                "ref": reference,
                "date": received_on,
                "allocations": [f"{orders[pk].number} {money_text(parsed[pk])}" for pk in sorted(parsed)],
            },
        )
        for order in orders.values():
            record_event(
                target=order,
                verb=Event.Verb.UPDATED,
                actor=actor,
                text=gettext_noop("登记回款 %(number)s：%(amount)s 元（%(ref)s），待财务确认"),
                params={"number": payment.number, "amount": money_text(parsed[order.pk]), "ref": reference},
            )
        handoffs.payment_recorded(payment, [orders[pk] for pk in sorted(parsed)])
    return payment


def _held_for_credit(customer) -> list[SalesOrder]:
    """The orders of a customer with a credit limit whose outbound notes wait at a closed gate: a payment to one of its
    orders lowers what it owes and may open the gate of another."""
    if not customer.credit_limit:
        return []
    drafts = SalesOrder.objects.filter(customer=customer, shipments__status=Shipment.Status.DRAFT).distinct()
    return [order for order in drafts.select_related("customer") if not order_gate(order).open]


def payment_confirm(*, payment: Payment, actor) -> Payment:
    """Finance confirms the money arrived — not before the day it was received; from then on it counts for the shipment
    gate and receivables. The clerks hear of each note whose gate it opens: of the orders paid, and of the customer's
    other orders held by its credit limit."""

    def check(p):
        require(is_finance(actor), _("只有财务可以确认到账。"))
        if p.received_on > timezone.localdate():
            raise DomainError(_("到账日期（%(date)s）晚于今天，不能确认到账。") % {"date": p.received_on})

    def before(p):
        p.confirmed_by, p.confirmed_at = actor, timezone.now()

    with transaction.atomic():
        held = _held_for_credit(payment.customer)
        locked = transition(
            obj=payment,
            action="confirm",
            actor=actor,
            check=check,
            before_save=before,
        )
        for allocation in locked.allocations.select_related("order"):
            record_event(
                target=allocation.order,
                verb=Event.Verb.UPDATED,
                actor=actor,
                text=gettext_noop("财务确认到账 %(number)s：%(amount)s 元（%(ref)s）"),
                params={"number": locked.number, "amount": money_text(allocation.amount), "ref": locked.bank_reference},
            )
            handoffs.gate_opened(allocation.order)
        paid = set(locked.allocations.values_list("order_id", flat=True))
        for order in held:
            if order.pk not in paid:
                handoffs.gate_opened(order)  # tells only of the notes now releasable
    return locked


def payments_confirm_many(*, payment_ids, actor) -> list[batch.Outcome]:
    """批量确认到账: finance confirms each of `payment_ids` (each once, at most batch.MAX; else a DomainError and nothing
    is done), each by payment_confirm on its own (salesops.core.batch.each): one that cannot be confirmed (confirmed or
    voided meanwhile, received after today) stays as it was and is reported, the others are confirmed. A payment the
    actor does not see (selectors.payment_list_for) and one that does not exist read alike, naming nothing."""
    require(is_finance(actor), _("只有财务可以确认到账。"))
    ids = batch.ids_of(
        payment_ids,
        field="payment_ids",
        invalid=_("回款编号必须是正整数。"),
        empty=_("请选择要确认到账的回款。"),
        too_many=_("一次最多批量确认 %(max)d 笔回款，您选择了 %(n)d 笔；请分批处理。"),
    )
    visible = payment_list_for(actor)

    def confirm(pk: int) -> None:
        payment = visible.filter(pk=pk).first()
        if payment is None:
            raise NotFound(_("回款不存在或无权查看。"))
        payment_confirm(payment=payment, actor=actor)

    outcomes = batch.each(ids, confirm, unknown=_("回款不存在或无权查看。"), failed=_("处理时出错，未确认；请打开回款单独处理。"))
    numbers = dict(visible.filter(pk__in=ids).values_list("pk", "number"))
    return [replace(o, title=numbers.get(o.pk, "")) for o in outcomes]


def payment_void(*, payment: Payment, actor, reason: str) -> Payment:
    """Finance voids a payment (or a refund) entered by mistake, with a reason; its allocations stop counting. Money
    received that was partly paid back is voided only once the refunds are: an order never holds less than nothing."""
    reason = required_text(reason, _("请填写作废原因。"))

    def check(p):
        require(is_finance(actor), _("只有财务可以作废回款。"))
        # its orders locked (after the payment, in pk order) as refund_record locks the order it pays back from
        list(SalesOrder.objects.select_for_update(of=("self",)).filter(allocations__payment=p).order_by("pk"))
        if refusal := void_refusal(p):
            raise DomainError(refusal)

    return transition(
        obj=payment,
        action="void",
        actor=actor,
        check=check,
        before_save=lambda p: setattr(p, "void_reason", reason[:300]),
        text=gettext_noop("作废回款：%(reason)s"),
        params={"reason": reason},
    )


def _money_since(order: SalesOrder):
    """The day of the order's latest confirmed receipt or credit note (what a refund pays back), None without any."""
    days = list(
        PaymentAllocation.objects.filter(
            order=order, payment__status=Payment.Status.CONFIRMED, payment__kind__in=RECEIPT_KINDS
        ).values_list("payment__received_on", flat=True)
    )
    days += [timezone.localdate(at) for at in order.credit_notes.values_list("created_at", flat=True)]
    return max(days, default=None)


RECEIPT_KINDS = [kind for kind in Payment.Kind.values if kind != Payment.Kind.REFUND]


def refund_record(*, actor, order, data: Mapping[str, Any]) -> Payment:
    """Finance records money paid back to the customer of `order` (退款): `amount` yuan as typed (> 0, exact to the fen),
    never more than the order holds beyond what it owes (balances.order_refundable, read under the order's row lock —
    the lock every writer of an order's money takes first — so two refunds at once never pay back more than that),
    with a bank reference not entered before (as payments) and a paid-on date (`received_on`) not after today. Stored
    as a confirmed Payment of kind REFUND with the negative amount, allocated whole (negative) to the order; voided by
    finance as a payment (payment_void). Numbered TK-YYYYMM-NNNN in the creating transaction."""
    require(is_finance(actor), _("只有财务可以办理退款。"))
    value = parse_decimal(data.get("amount"), _("退款金额"), bounds=MONEY_BOUNDS.any_sign())
    if value <= 0:
        raise DomainError(_("退款金额必须大于 0。"))
    if quantize(value) != value:
        raise DomainError(_("退款金额精确到分（最多两位小数）。"))
    reference = "".join(str(data.get("bank_reference") or "").split()).upper()
    if not reference:
        raise DomainError(_("请填写银行流水号或票据号。"))
    paid_on = data.get("received_on") or timezone.localdate()
    if paid_on > timezone.localdate():
        raise DomainError(_("退款日期不能晚于今天。"))
    with transaction.atomic():
        locked = lock_order(order)  # every writer of an order's money locks it first
        open_notes = list(locked.shipments.filter(status__in=OPEN_SHIPMENT).order_by("pk").values_list("number", flat=True))
        if open_notes:  # released (or to be) on the strength of this money: it stays until they leave or are voided
            raise Conflict(
                _("订单还有未发出的出货单 %(numbers)s，其放行以已收款为据；请先发货或作废出货单，再办理退款。")
                % {"numbers": "、".join(open_notes)}
            )
        since = _money_since(locked)
        if since is not None and paid_on < since:
            raise DomainError(
                _("退款日期 %(date)s 早于订单最近一笔回款或红字冲减的日期 %(since)s。") % {"date": paid_on, "since": since}
            )
        room = order_refundable(locked)
        if value > room:
            raise DomainError(
                _("退款金额 %(amount)s 超过订单 %(order)s 可退金额 %(room)s（已确认回款与红字冲减合计减已发货）。")
                % {"amount": money_text(value), "order": locked.number, "room": money_text(room)}
            )
        if (holder := _holder(reference)) is not None:
            raise _duplicate(reference, holder)
        payment = Payment(
            number=next_number(Payment.REFUND_PREFIX),
            customer=locked.customer,
            kind=Payment.Kind.REFUND,
            amount=-value,
            bank_reference=reference,
            received_on=paid_on,
            status=Payment.Status.CONFIRMED,  # finance paid it: nothing left to confirm
            recorded_by=actor,
            confirmed_by=actor,
            confirmed_at=timezone.now(),
        )
        _save(payment, actor, data, ("method", "notes"))
        PaymentAllocation.objects.create(payment=payment, order=locked, amount=-value)
        params = {
            "number": payment.number,
            "amount": money_text(value),
            "ref": reference,
            "date": paid_on,
            "order": locked.number,
        }
        record_event(
            target=payment,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("办理退款 %(amount)s 元（%(ref)s，%(date)s），订单 %(order)s"),
            params=params,
        )
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("财务已退款 %(number)s：%(amount)s 元（%(ref)s，%(date)s）"),
            params=params,
        )
    return payment
