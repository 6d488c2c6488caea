"""What the order services share: the order's row lock (taken first by every writer), links, stamps and totals."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core import approvals
from salesops.core.errors import Conflict, Forbidden, NotFound
from salesops.core.locking import retry_on_lock_conflict
from salesops.core.models import ApprovalRequest, Event
from salesops.core.money import sum_lines
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.timeline import record_event

from ..models import SalesOrder
from ..permissions import may_withdraw_request


def lock_order(order) -> SalesOrder:
    """The order row locked for this transaction (an order or its id). Every writer locks the order before the document
    it changes (shipment, inspection, invoice, request), so two writers never wait on each other in opposite order."""
    found = (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=getattr(order, "pk", order))
        .first()
    )
    if found is None:
        raise NotFound(_("订单不存在。"))
    return found


def order_url(order: SalesOrder) -> str:
    return reverse("orders:order_detail", args=[order.pk])


def stamp(field: str, actor=None, by_field: str | None = None):
    """A `before_save` for transition(): `field` = now (and `by_field` = actor)."""

    def apply(obj):
        setattr(obj, field, timezone.now())
        if by_field:
            setattr(obj, by_field, actor)

    return apply


def set_totals(order: SalesOrder, lines) -> None:
    """The order's amounts as the sum of its (already rounded) line amounts."""
    totals = sum_lines(lines)
    order.amount_incl, order.amount_excl, order.tax_amount = totals.amount_incl, totals.amount_excl, totals.tax


def lock_order_then(row) -> None:
    """The engine's locker for an emergency release or credit exception: its order, then the request row — before the
    approval request and the step (ARCHITECTURE.md rule 11)."""
    lock_order(row.order_id)
    type(row)._default_manager.select_for_update().filter(pk=row.pk).first()


def decide_request(model, request: ApprovalRequest, outcome: str):
    """Apply the engine's outcome to an ApprovedRequest row, locking the order first (the order-then-document lock order
    every writer here follows). Returns (row, locked order)."""
    order_id = model.objects.filter(pk=request.target_id).values_list("order_id", flat=True).get()
    order = lock_order(order_id)
    row = model.objects.select_for_update().get(pk=request.target_id)
    row.decided_at = timezone.now()
    row.approve() if outcome == ApprovalRequest.Status.APPROVED else row.reject()
    row.save()
    return row, order


@retry_on_lock_conflict
def withdraw_request(model, row, *, actor, kind: str, label: str, reason: str, event: tuple[str, str], params: dict):
    """撤回 a pending credit exception or emergency release (an ApprovedRequest `model` of approval `kind`, called
    `label` in messages): only whoever asked for it or a manager (permissions.may_withdraw_request: 403 naming the
    requester), only while pending (409 naming its status). Lock order: the order, then the row, then its approval
    request and steps (approvals.approval_cancel) — the order of the engine's decision (lock_order_then), so a withdrawal
    and a decision, or two withdrawals, wait on each other and the later one hears that the request is no longer pending.

    Its pending approval is cancelled (gone from 待我审批), it no longer counts against the order's room (only pending
    requests do), the order's timeline records who withdrew (`event`: the msgid without and with %(reason)s, over
    `params`), and the requester is told when someone else (a manager) withdrew it. Returns the withdrawn row."""
    reason = (reason or "").strip()[:300]
    with transaction.atomic():
        order = lock_order(row.order_id)
        locked = model.objects.select_for_update().filter(pk=row.pk, order=order).first()
        if locked is None:
            raise NotFound(_("申请不存在。"))
        if not may_withdraw_request(locked, actor):
            raise Forbidden(
                _("只有申请人（%(name)s）或经理可以撤回%(what)s。") % {"name": display_name(locked.requested_by), "what": label}
            )
        if locked.status != model.Status.PENDING:
            raise Conflict(
                _("%(what)s当前状态为“%(status)s”，不能撤回。") % {"what": label, "status": locked.get_status_display()}
            )
        pending = approvals.requests_for(locked, kind).filter(status=ApprovalRequest.Status.PENDING).first()
        by_requester = locked.requested_by_id == actor.pk
        if pending is not None:
            who = (_("申请人 %(name)s 撤回") if by_requester else _("经理 %(name)s 撤回")) % {"name": display_name(actor)}
            approvals.approval_cancel(request_id=pending.pk, actor=actor, reason=f"{who}：{reason}" if reason else who)
        locked.withdraw()
        locked.decided_at = timezone.now()
        locked.save()
        text, text_with_reason = event
        record_event(
            target=order,
            verb=Event.Verb.APPROVAL,
            actor=actor,
            text=text_with_reason if reason else text,
            params={**params, **({"reason": reason} if reason else {})},
        )
        if not by_requester:
            notify(
                recipients=[locked.requested_by],
                title=gettext_lazy("您的申请已被 %(name)s 撤回：%(title)s"),
                body=reason,
                params={"name": display_name(actor), "title": pending.title_param if pending else str(locked)},
                url=order_url(order),
            )
    return locked
