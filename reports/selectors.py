"""Reads for the dashboard: the user's to-do counts, gathered from the floors below."""

from __future__ import annotations

from datetime import date

from contracts.selectors import my_open_work
from customers.selectors import followups_due, visit_plans_for_day
from salesops.core.approvals import steps_waiting_for
from salesops.core.notifications import unread_count


def todo_for(user, day: date) -> dict:
    """What `user` has to do today: intent follow-ups due, visits planned today, approvals waiting, unread notifications,
    and their own quotations and contracts waiting for them (to send, expiring, returned, to sign)."""
    due = followups_due(user, day)
    visits = visit_plans_for_day(user, day)
    waiting = steps_waiting_for(user)
    return {
        "followups_due": due[:10],
        "followups_due_count": due.count(),
        "visits_today": visits.select_related("customer")[:10],
        "visits_today_count": visits.count(),
        "approvals": waiting[:10],
        "approvals_count": waiting.count(),
        "unread_count": unread_count(user),
        "documents": [(key, label, qs.count(), qs.order_by("-updated_at")[:5]) for key, label, qs in my_open_work(user, day)],
    }
