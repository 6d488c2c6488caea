"""Credit notes (红字冲减单): the one way an order's receivable goes down other than a payment — a refund for returned goods
(aftersales calls credit_note_create when a return is refunded).

A credit note never exceeds what was shipped on the order minus earlier credit notes, exact to the fen; it is written
under the order's row lock (the lock every writer of an order's money takes first), so two refunds at once never
credit more than that. Receivables (orders.receivables) and what an order still owes (selectors.order_outstanding)
subtract credit notes.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core.editing import required_text
from salesops.core.errors import DomainError, Forbidden
from salesops.core.models import Event
from salesops.core.money import money_text, parse_decimal, quantize
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.roles import Role, users_with_role
from salesops.core.timeline import record_event

from ..models import CreditNote
from ..permissions import may_issue_credit_note
from ..selectors import order_creditable
from ._common import lock_order


def credit_note_create(*, order, actor, amount, reason: str, reference: str = "") -> CreditNote:
    """Issue a credit note on `order` for `amount` yuan (exact to the fen, > 0, ≤ order_creditable under the order's lock);
    finance is told to refund or offset it. Sales clerks, finance and managers may issue one."""
    if not may_issue_credit_note(actor):
        raise Forbidden(_("只有销售内勤、财务和经理可以开具红字冲减单。"))
    reason = required_text(reason, _("请填写冲减原因。"))
    value = parse_decimal(amount, _("冲减金额"))
    if value <= 0:
        raise DomainError(_("冲减金额必须大于 0。"))
    if quantize(value) != value:
        raise DomainError(_("冲减金额精确到分（最多两位小数）。"))
    with transaction.atomic():
        locked = lock_order(order)  # every writer of an order's money locks it first
        room = order_creditable(locked)
        if value > room:
            raise DomainError(
                _("冲减金额 %(amount)s 超过订单 %(order)s 可冲减金额 %(room)s（已发货金额减已冲减）。")
                % {"amount": quantize(value), "order": locked.number, "room": room}
            )
        note = CreditNote.objects.create(
            number=next_number("DX"),
            order=locked,
            amount=quantize(value),
            reason=reason[:300],
            reference=reference[:40],
            created_by=actor,
        )
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("红字冲减 %(number)s：%(amount)s 元（%(reason)s）"),
            params={"number": note.number, "amount": money_text(note.amount), "reason": reason},
        )
        notify(
            recipients=users_with_role(Role.FINANCE),
            title=gettext_lazy("红字冲减 %(number)s：订单 %(order)s（%(customer)s）%(amount)s 元"),
            body=gettext_lazy("请按冲减金额办理退款或冲抵应收。来源：%(ref)s"),
            params={
                "number": note.number,
                "order": locked.number,
                "customer": locked.customer.name,
                "amount": money_text(note.amount),
                "ref": reference or "-",
            },
            url=reverse("orders:order_detail", args=[locked.pk]),
        )
    return note
