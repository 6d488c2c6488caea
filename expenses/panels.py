"""The expenses card on the customer page (registered as a salesops.core.panels panel in ExpensesConfig.ready): the
claims naming the customer (业务招待 and visits), as far as the reader may see them, and what of them the company
agreed to pay. Shown only where there are some."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.template.loader import render_to_string

from .permissions import reads_claims
from .selectors import COUNTED, claims_for

ROWS = 5


def customer_panel(request, customer) -> str:
    user = getattr(request, "user", None)
    if user is None or not reads_claims(user):
        return ""
    claims = claims_for(user).filter(customer=customer)
    rows = list(claims.order_by("-id")[:ROWS])
    if not rows:
        return ""
    context = {
        "customer": customer,
        "claims": rows,
        "count": claims.count(),
        "agreed": claims.filter(status__in=COUNTED).aggregate(total=Sum("total"))["total"] or Decimal("0.00"),
    }
    return render_to_string("expenses/_customer_panel.html", context, request=request)
