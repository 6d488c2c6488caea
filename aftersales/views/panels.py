"""The after-sales cards on the customer and order pages (registered as salesops.core.panels in AppConfig.ready)."""

from __future__ import annotations

from django.template.loader import render_to_string

from .. import permissions, selectors

ROWS = 10


def _panel(request, *, customer=None, order=None) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    docs = selectors.documents_for(user, customer=customer, order=order)
    context = {
        "customer": customer or order.customer,
        "order": order,
        **{name: qs[:ROWS] for name, qs in docs.items()},
        "counts": {name: qs.count() for name, qs in docs.items()},
        "credit_notes": order.credit_notes.all() if order is not None else None,
        "can_ticket": permissions.may_create_ticket(user),
        "can_complain": permissions.may_register_complaint(user),
        "can_rma": order is not None
        and permissions.may_request_rma(user)
        and order.lines.filter(delivered_quantity__gt=0).exists(),
    }
    return render_to_string("aftersales/_panel.html", context, request=request)


def customer_panel(request, customer) -> str:
    return _panel(request, customer=customer)


def order_panel(request, order) -> str:
    return _panel(request, order=order)
