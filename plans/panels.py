"""The 销售计划 cards other pages show (salesops.core.panels, registered in PlansConfig.ready):

- the home page ("dashboard"): this month's and next month's plans of whoever writes plans — each written one's status,
  this month's approved ones' shipped sales against the plan, and a link to write the ones still missing;
- the customer page ("customer_detail"): the plans that name the customer as a key customer, as far as the reader may
  read them, with the amount planned for it. Shown only where there are some."""

from __future__ import annotations

from datetime import timedelta

from django.template.loader import render_to_string
from django.utils import timezone

from reports.periods import Period

from .models import PlanLine, SalesPlan
from .permissions import reads_plans
from .selectors import own_plans, plan_progress, plans_for

ROWS = 5


def dashboard_panel(request, user) -> str:
    today = timezone.localdate()
    this = Period.month(today.year, today.month)
    after = this.end + timedelta(days=1)
    rows = own_plans(user, [this, Period.month(after.year, after.month)])
    if not rows:
        return ""
    shown = []
    for row in rows:
        done = (
            plan_progress(row.plan) if row.period == this and row.plan and row.plan.status == SalesPlan.Status.APPROVED else None
        )
        bar = min(100, int((done.of_planned or 0) * 100)) if done else 0
        shown.append((row, done, bar))
    return render_to_string("plans/_dashboard_panel.html", {"rows": shown}, request=request)


def customer_panel(request, customer) -> str:
    user = getattr(request, "user", None)
    if user is None or not reads_plans(user):
        return ""
    lines = (
        PlanLine.objects.filter(customer=customer, plan__in=plans_for(user).exclude(status=SalesPlan.Status.CANCELLED))
        .select_related("plan__author", "plan__team")
        .order_by("-plan__period_key", "-plan_id")
    )
    rows = list(lines[:ROWS])
    if not rows:
        return ""
    context = {"customer": customer, "lines": rows, "count": lines.count()}
    return render_to_string("plans/_customer_panel.html", context, request=request)
