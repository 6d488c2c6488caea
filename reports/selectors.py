"""Reads for the dashboard: the user's to-do counts, gathered from the floors below."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from contracts.selectors import my_open_work
from customers.selectors import followups_due, visit_plans_for_day
from orders import selectors as order_selectors
from orders.services import sees_queue
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
        "work": work_counts(user, day),
        "documents": [(key, label, qs.count(), qs.order_by("-updated_at")[:5]) for key, label, qs in my_open_work(user, day)],
    }


def work_counts(user, day: date) -> list[tuple[str, str, str, list[tuple[str, int]]]]:
    """For clerks, finance and warehouse/QC: their work queue with its main counts (code, title, url name, [(label, n)])."""
    out = []
    if sees_queue(user, "clerk"):
        q = order_selectors.clerk_queue(user, day)
        counts = [
            (_("待核单"), q["to_verify"].count()),
            (_("核单超期"), q["verify_overdue"].count()),
            (_("待下单"), q["to_place"].count()),
            (_("待放行"), len(q["to_release"])),
            (_("交期风险"), len(q["at_risk"])),
        ]
        out.append(("clerk", _("内勤工作台"), "orders:clerk_queue", counts))
    if sees_queue(user, "finance"):
        q = order_selectors.finance_queue(user)
        counts = [
            (_("待确认到账"), q["payments_to_confirm"].count()),
            (_("待开票"), q["invoices_to_issue"].count()),
            (_("闸口待放行"), len(q["held_shipments"])),
        ]
        out.append(("finance", _("财务工作台"), "orders:finance_queue", counts))
    if sees_queue(user, "warehouse"):
        q = order_selectors.warehouse_queue(user)
        counts = [
            (_("待发货"), q["to_ship"].count()),
            (_("待签字检验"), q["to_sign_warehouse"].count() + q["to_sign_qc"].count()),
            (_("在途"), q["in_transit"].count()),
        ]
        out.append(("warehouse", _("仓库工作台"), "orders:warehouse_queue", counts))
    return out
