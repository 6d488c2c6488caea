"""The orders card on the customer page (registered as a salesops.core.panels panel in OrdersConfig.ready): the
customer's recent orders and outbound notes and what the customer still owes, as far as the reader may see them."""

from __future__ import annotations

from django.template.loader import render_to_string

from salesops.core.money import ZERO

from . import receivables, selectors

ROWS = 8


def customer_panel(request, customer) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    orders = selectors.order_list_for(user).filter(customer=customer)
    shipments = selectors.shipment_list_for(user).filter(order__customer=customer)
    owed = receivables.receivables(user, customer=customer)
    context = {
        "customer": customer,
        "orders": orders.order_by("-received_on", "-pk")[:ROWS],
        "order_count": orders.count(),
        "shipments": shipments.order_by("-created_at", "-pk")[:ROWS],
        "shipment_count": shipments.count(),
        "open_amount": sum((r.open for r in owed), ZERO),
        "overdue_amount": sum((r.overdue for r in owed), ZERO),
        "oldest_days": max((r.oldest_days for r in owed), default=0),
    }
    return render_to_string("orders/_customer_panel.html", context, request=request)
