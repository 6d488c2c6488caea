"""Credit exceptions (信用放行, SPEC.md "Shipment"): shipping before the payment due is confirmed, or beyond the customer's
credit limit, approved by the sales manager (a manager's own request by the VP) and then finance through the approvals
engine; an approved amount opens the payment gate by that much — it covers the payment due before shipment, and raises
the customer's credit limit for the order's notes (in CNY at the order's rate; orders.rules.shipment_gate)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core import approvals
from salesops.core.approvals import StepSpec
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import ApprovalRequest, Event
from salesops.core.money import MONEY_BOUNDS, money_text, parse_decimal
from salesops.core.roles import Role, user_roles
from salesops.core.timeline import choice, record_event

from .. import rules
from ..models import CreditException, SalesOrder
from ..permissions import credit_exception_room, may_ask_for_order, require, ships_still
from ..selectors import order_gate
from . import handoffs
from ._common import decide_request, lock_order, order_url, withdraw_request

CREDIT_KIND = "credit_exception"


def credit_exception_summary(exception: CreditException, user) -> list[tuple[str, str]]:
    """What the sales manager and finance weigh in 待我审批: the order, its customer, the amount asked and why, and where
    the order's gate stands — what is due before shipment and confirmed, and for a customer with a credit limit, the
    limit and what it owes for goods shipped (selectors.order_gate, the same figures the release reads)."""
    exception = CreditException.objects.select_related("order__customer").get(pk=exception.pk)
    order = exception.order
    gate = order_gate(order)
    rows = [
        (_("订单"), order.number),
        (_("客户"), order.customer.name),
        (_("申请金额"), money_text(exception.amount)),
        (_("理由"), exception.reason),
        (_("发货前应付"), money_text(gate.due)),
        (_("已确认到账"), money_text(gate.paid)),
    ]
    if gate.credit is not None:
        rows += [(_("信用额度"), money_text(gate.credit.limit)), (_("客户已欠货款"), money_text(gate.credit.owed))]
    return rows


def _check_room(order: SalesOrder, amount) -> None:
    """A credit exception is asked only while the order's gate is closed, for at most what holds it less what requests
    still pending already ask for (permissions.credit_exception_room)."""
    room, pending = credit_exception_room(order)
    if room <= 0:
        raise Conflict(_("订单的发货条件已满足（应付款已确认到账，且未超出信用额度），无需申请信用放行。"))
    if pending >= room:
        raise Conflict(
            _("已有待审批的信用放行申请 %(pending)s 元，已足以放行本订单（尚差 %(room)s 元）；请等待审批结果。")
            % {"pending": money_text(pending), "room": money_text(room)}
        )
    if amount > room - pending:
        pending_text = _("，待审批的申请 %(pending)s 元") % {"pending": money_text(pending)} if pending else ""
        raise DomainError(
            _("申请金额 %(amount)s 元超出放行所需：本订单发货尚差 %(room)s 元%(pending)s，最多可申请 %(left)s 元。")
            % {
                "amount": money_text(amount),
                "room": money_text(room),
                "pending": pending_text,
                "left": money_text(room - pending),
            }
        )


def credit_exception_request(*, order: SalesOrder, actor, amount, reason: str) -> CreditException:
    """Ask to ship before the payment due is confirmed, or beyond the customer's credit limit (信用放行): sales manager,
    then finance, approve — a manager's own request the VP instead of the manager (rules.sales_approval_step). Only while the order's gate is closed, for at most what holds it (_check_room)."""
    amount = parse_decimal(amount, _("金额"), bounds=MONEY_BOUNDS.any_sign())
    reason = (reason or "").strip()
    if amount <= 0 or not reason:
        raise DomainError(_("请填写允许欠款金额（大于 0）和理由。"))
    with transaction.atomic():
        locked = lock_order(order)
        require(may_ask_for_order(locked, actor), _("只有销售内勤、经理和订单业务员可以申请信用放行。"))
        if not ships_still(locked):  # nothing left to ship (or not verified yet): nothing for an exception to open
            raise Conflict(_("订单当前状态为“%(status)s”，不能申请信用放行。") % {"status": locked.get_status_display()})
        _check_room(locked, amount)
        exception = CreditException.objects.create(order=locked, amount=amount, reason=reason, requested_by=actor)
        approvals.approval_start(
            target=exception,
            kind=CREDIT_KIND,
            actor=actor,
            url=order_url(locked),
            steps=[
                rules.sales_approval_step(  # a manager's own request goes to the VP (nobody approves their own)
                    requester_roles=user_roles(actor),
                    code="sales_manager",
                    label=gettext_lazy("销售部经理审批"),
                    stage=10,
                    reason=gettext_noop("未确认收款先发货（信用放行）须销售部经理同意"),
                ),
                StepSpec(
                    code="finance",
                    label=gettext_lazy("财务审批"),
                    stage=20,
                    role=Role.FINANCE,
                    reason=gettext_noop("信用放行须财务确认客户的信用与欠款"),
                ),
            ],
            title=gettext_lazy("信用放行 %(order)s（%(customer)s）%(amount)s 元"),
            title_params={"order": locked.number, "customer": locked.customer.name, "amount": money_text(amount)},
        )
        record_event(
            target=locked,
            verb=Event.Verb.APPROVAL,
            actor=actor,
            text=gettext_noop("申请信用放行 %(amount)s 元：%(reason)s"),
            params={"amount": money_text(amount), "reason": reason},
        )
    return exception


def credit_exception_withdraw(*, exception: CreditException, actor, reason: str = "") -> CreditException:
    """撤回 a pending credit exception (信用放行): its requester or a manager, e.g. when it is no longer needed or waits on a
    step nobody can decide; its approval is cancelled and its amount no longer counts as pending (_check_room), so a new
    one may be asked (_common.withdraw_request: the rule, the lock order, the timeline and who is told)."""
    return withdraw_request(
        CreditException,
        exception,
        actor=actor,
        kind=CREDIT_KIND,
        label=_("信用放行申请"),
        reason=reason,
        event=(gettext_noop("撤回信用放行申请 %(amount)s 元"), gettext_noop("撤回信用放行申请 %(amount)s 元：%(reason)s")),
        params={"amount": money_text(exception.amount)},
    )


def on_credit_exception_decided(request: ApprovalRequest, outcome: str, actor) -> None:
    """The engine's outcome handler: the exception is approved or rejected, on the order's timeline."""
    exception, order = decide_request(CreditException, request, outcome)
    record_event(
        target=order,
        verb=Event.Verb.APPROVAL,
        actor=actor,
        text=gettext_noop("信用放行 %(amount)s 元：%(status)s"),
        params={"amount": money_text(exception.amount), "status": choice(exception)},
    )
    if outcome == ApprovalRequest.Status.APPROVED:
        handoffs.gate_opened(order)
