"""Reads of the reports floor: the dashboard's to-do counts (gathered from the floors below), the report runs a user may
see, and the daily digest."""

from __future__ import annotations

import re
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from contracts.selectors import my_open_work
from customers.selectors import followups_due, visit_plans_for_day
from orders import selectors as order_selectors
from orders.services import sees_queue
from salesops.core.approvals import steps_waiting_for
from salesops.core.models import Team
from salesops.core.names import display_name
from salesops.core.notifications import unread_count

from . import kpis
from .models import ReportRun
from .periods import Period
from .scopes import Scope, scope_for, scopes_visible_to


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


# --- monthly report runs ----------------------------------------------------------------------------------------------
def report_run_list_for(user) -> QuerySet[ReportRun]:
    """The report runs of the scopes `user` may see: all for the company's viewers, a team lead the team's and the
    team's reps', a rep own."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ReportRun.objects.none()
    qs = ReportRun.objects.select_related("requested_by")
    widest = scope_for(user)
    if widest is None:
        return ReportRun.objects.none()
    if widest.kind == "company":
        return qs
    return qs.filter(scope_key__in=[scope.key for scope in scopes_visible_to(user)])


def report_run_get_for(user, pk) -> ReportRun:
    return get_object_or_404(report_run_list_for(user), pk=pk)


def scope_labels(keys) -> dict[str, str]:
    """The labels of many scope keys with two queries (teams, users) instead of one per key."""
    scopes = [Scope.parse(key) for key in set(keys)]
    teams = dict(Team.objects.filter(pk__in=[s.team_id for s in scopes if s.kind == "team"]).values_list("pk", "name"))
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[s.user_id for s in scopes if s.kind == "rep"])}
    out = {}
    for s in scopes:
        if s.kind == "team" and s.team_id in teams:
            out[s.key] = teams[s.team_id]
        elif s.kind == "rep" and s.user_id in users:
            out[s.key] = display_name(users[s.user_id])
        else:
            out[s.key] = s.label
    return out


def report_run_history(user, run: ReportRun) -> QuerySet[ReportRun]:
    """Every generation of the same report, month and scope, newest first."""
    return report_run_list_for(user).filter(kind=run.kind, period=run.period, scope_key=run.scope_key)


def report_file_name(run: ReportRun) -> str:
    """The download's name: report, month and scope, e.g. "门店-经销商销售月报-2026-11-全公司.xlsx"."""
    name = f"{run.get_kind_display()}-{run.period}-{Scope.parse(run.scope_key).label}"
    return re.sub(r'[\\/:*?"<>|\s]+', "-", name) + ".xlsx"


# --- the daily digest (日报) ----------------------------------------------------------------------------------------------
AT_RISK_SHOWN = 10


def digest_for(user, day: date) -> dict | None:
    """The digest of `day` as `user` may see it (None for who sees no sales figures): sales (by shipment), order intake, unshipped amount at the day's end
    (all from reports.kpis, in the user's widest scope), and from the clerk's queue the orders whose verification is
    overdue and the orders whose promised ship date is at risk."""
    scope = scope_for(user)
    if scope is None:
        return None
    period = Period.day(day)
    queue = order_selectors.clerk_queue(user, day)
    at_risk = queue["at_risk"]
    return {
        "day": day,
        "scope": scope,
        "sales": kpis.sales_shipped(period, scope),
        "intake": kpis.order_intake(period, scope),
        "unshipped": kpis.unshipped_amount(day, scope),
        "verify_overdue_count": queue["verify_overdue"].count(),
        "at_risk_count": len(at_risk),
        "at_risk": at_risk[:AT_RISK_SHOWN],
    }
