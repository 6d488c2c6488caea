"""Warnings about promised ship dates at risk (SPEC.md "Production tracking"), run every morning by a beat task."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from salesops.core.notifications import notify

from ..models import RiskAlert, SalesOrder
from ..selectors import orders_at_risk
from ._common import order_url


def orders_warn_at_risk(*, today: date | None = None) -> int:
    """Warn the clerk who placed each order and its rep about promised ship dates at risk (daily; once per order and day).
    The risk is the one the clerk's queue shows (selectors.orders_at_risk)."""
    today = today or timezone.localdate()
    warned = 0
    placed = SalesOrder.objects.filter(status__in=[SalesOrder.Status.PLACED, SalesOrder.Status.PARTIALLY_SHIPPED])
    for order, reason in orders_at_risk(placed.select_related("customer", "owner", "placed_by", "verified_by"), today):
        try:
            with transaction.atomic():
                RiskAlert.objects.create(order=order, day=today, reason=reason[:300])
                notify(
                    recipients=[order.owner, order.placed_by or order.verified_by],
                    title=gettext_lazy("交期风险：%(number)s（%(customer)s）"),
                    params={"number": order.number, "customer": order.customer.name},
                    body=reason,
                    url=order_url(order),
                )
        except IntegrityError:
            continue  # already warned today
        warned += 1
    return warned
