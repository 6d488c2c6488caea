"""The orders card on the customer page (registered as a salesops.core.panels panel in OrdersConfig.ready): the
customer's recent orders and outbound notes and what the customer still owes, as far as the reader may see them."""

from __future__ import annotations

from django.template.loader import render_to_string

from . import permissions, receivables, selectors

ROWS = 8


def customer_panel(request, customer) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    orders = selectors.order_list_for(user).filter(customer=customer)
    shipments = selectors.shipment_list_for(user).filter(order__customer=customer)
    # what the customer owes, summed in the database (a customer with thousands of owing orders is read as one row)
    owed = receivables.ReceivableTable(receivables.receivable_orders_for(user).filter(customer=customer)).summary(head=0).totals
    context = {
        "customer": customer,
        "orders": orders.order_by("-received_on", "-pk")[:ROWS],
        "order_count": orders.count(),
        "shipments": shipments.order_by("-created_at", "-pk")[:ROWS],
        "shipment_count": shipments.count(),
        "open_amount": owed["open"],
        "overdue_amount": owed["overdue"],
        "oldest_days": owed["oldest_days"],
        "statement": permissions.handles_money(user),
    }
    return render_to_string("orders/_customer_panel.html", context, request=request)
