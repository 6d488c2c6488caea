"""What the order services share: the order's row lock (taken first by every writer), links, stamps and totals."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.errors import NotFound
from salesops.core.models import ApprovalRequest
from salesops.core.money import sum_lines

from ..models import SalesOrder


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
