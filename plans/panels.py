"""The 销售计划 card of the home page (registered as a salesops.core.panels panel for "dashboard" in PlansConfig.ready):
this month's and next month's plans of whoever writes plans — each written one's status, this month's approved ones'
shipped sales against the plan, and a link to write the ones still missing."""

from __future__ import annotations

from datetime import timedelta

from django.template.loader import render_to_string
from django.utils import timezone

from reports.periods import Period

from .models import SalesPlan
from .selectors import own_plans, plan_progress


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
