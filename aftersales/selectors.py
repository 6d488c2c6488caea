"""Every read of the after-sales floor, scoped by role (ARCHITECTURE.md rule 5).

Visibility follows the customer (customers.selectors.customer_scope): service, QC, warehouse, clerks, finance and managers
see every customer's callbacks, tickets, complaints and returns; a rep only those of own customers (a team lead: the team's),
plus what is assigned to them (a callback, a ticket as engineer, a corrective action as owner). Anything else is a 404.
The monthly statistics at the end are the ones the reports floor uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.selectors import customer_scope, reps_for
from salesops.core.access import of_visible
from salesops.core.money import quantize
from salesops.core.roles import MANAGER_ROLES, Role, has_role

from . import permissions, rules
from .config import setting
from .models import (
    CalendarDay,
    Callback,
    Complaint,
    CorrectiveAction,
    ReturnRequest,
    ServicePlan,
    ServiceTicket,
    SlaPolicy,
    WorkingPeriod,
)


def _scoped(qs: QuerySet, user, also: Q | None = None) -> QuerySet:
    scope = customer_scope(user, "customer__")
    if scope is None:
        return qs.none()
    if not scope:  # everything
        return qs
    return qs.filter(scope | also) if also is not None else qs.filter(scope)


# --- lists and documents ----------------------------------------------------------------------------------------------
def callback_list_for(user) -> QuerySet[Callback]:
    qs = Callback.objects.select_related("order", "customer", "assignee", "shipment", "done_by")
    return _scoped(qs, user, Q(assignee=user) if getattr(user, "pk", None) else None)


def ticket_list_for(user) -> QuerySet[ServiceTicket]:
    qs = ServiceTicket.objects.select_related("customer", "engineer", "order", "product", "created_by")
    return _scoped(qs, user, Q(engineer=user) if getattr(user, "pk", None) else None)


def complaint_list_for(user) -> QuerySet[Complaint]:
    qs = Complaint.objects.select_related("customer", "order", "product", "investigator", "created_by")
    if not getattr(user, "pk", None):
        return qs.none()
    owns_action = Exists(CorrectiveAction.objects.filter(complaint=OuterRef("pk"), owner=user))
    return _scoped(qs, user, Q(owns_action))


# What a complaint's page and its API detail show besides the list's columns: who wrote the root cause and the answer
# (named on the page, and their roles route the answer's approval: permissions.complaint_answer_route_for), the callback
# it came from (named by its order), and its corrective/preventive actions with their owners and verifiers — each read
# with the complaint, so the page costs the same however many actions it has (tests/aftersales/test_complaint_page.py).
COMPLAINT_DETAIL_RELATED = ("cause_by", "answered_by", "source_callback__order")


def complaint_capa_rows() -> QuerySet[CorrectiveAction]:
    """A complaint's corrective/preventive actions as its page and API detail list them: the soonest due first, with
    their owner and verifier."""
    return CorrectiveAction.objects.select_related("owner", "verified_by").order_by("due_on", "pk")


def complaint_detail_for(user) -> QuerySet[Complaint]:
    """The complaints `user` may see (complaint_list_for), each read whole for its page or its API detail
    (COMPLAINT_DETAIL_RELATED; `actions` prefetched in complaint_capa_rows' order: complaint_capa)."""
    return (
        complaint_list_for(user)
        .select_related(*COMPLAINT_DETAIL_RELATED)
        .prefetch_related(Prefetch("actions", queryset=complaint_capa_rows()))
    )


def complaint_capa(complaint: Complaint) -> list[CorrectiveAction]:
    """The complaint's actions (complaint_capa_rows), each knowing its complaint (no query for `a.complaint`): the ones
    complaint_detail_for prefetched, or one query when the complaint was read otherwise (or read again since)."""
    if "actions" in getattr(complaint, "_prefetched_objects_cache", {}):
        return list(complaint.actions.all())
    rows = list(complaint_capa_rows().filter(complaint=complaint))
    for a in rows:
        a.complaint = complaint
    return rows


def capa_list_for(user) -> QuerySet[CorrectiveAction]:
    """The corrective/preventive actions of the complaints `user` may see."""
    return of_visible(CorrectiveAction.objects.select_related("complaint", "owner"), "complaint", complaint_list_for(user))


def my_actions_for(user) -> QuerySet[CorrectiveAction]:
    """我的整改措施: the corrective/preventive actions `user` owns that are still to be done (待完成; past their due day:
    overdue), the soonest due first. Whoever QC names as an action's owner sees its complaint (complaint_list_for), so
    this is capa_list_for(user) narrowed to their own open ones, with no semi-join over the complaints; nobody sees
    another's here (QC and managers read every action on the complaints and in /api/v1/corrective-actions/)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return CorrectiveAction.objects.none()
    return (
        CorrectiveAction.objects.select_related("complaint__customer")
        .filter(owner=user, status=CorrectiveAction.Status.OPEN)
        .order_by("due_on", "pk")
    )


def rma_list_for(user) -> QuerySet[ReturnRequest]:
    return _scoped(ReturnRequest.objects.select_related("customer", "order", "requested_by", "credit_note"), user)


def plan_list_for(user) -> QuerySet[ServicePlan]:
    """The annual service plans: the service department, QC and leadership read them."""
    if not permissions.sees_plans(user):
        return ServicePlan.objects.none()
    return ServicePlan.objects.select_related("created_by").prefetch_related("items__owner")


def callback_assignees(cb: Callback) -> QuerySet:
    """Whom a callback may be given to (permissions.may_make_callback): the active service staff and the customer's own
    rep (who owns the customer, who the order is credited to) — the reassign picker's choices."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=Role.SERVICE) | Q(pk__in=[cb.customer.owner_id, cb.order.owner_id]))
        .distinct()
        .order_by("username")
    )


def service_engineers() -> QuerySet:
    """The active service staff: who may be a ticket's engineer or a service plan line's 负责人."""
    return get_user_model().objects.filter(is_active=True, groups__name=Role.SERVICE).distinct().order_by("username")


def engineers_to_filter() -> QuerySet:
    """The ticket list's 服务工程师 filter: the service staff, those no longer active too (their tickets stay findable),
    the active first."""
    return get_user_model().objects.filter(groups__name=Role.SERVICE).distinct().order_by("-is_active", "username")


def assignees_to_filter(user) -> QuerySet:
    """The callback list's 回访人 filter: whom callbacks are given to (callback_assignees) — the service staff and the
    reps `user` looks at (customers.selectors.reps_for), former ones too, the active first."""
    reps = reps_for(user, former=True).order_by().values("pk")
    return (
        get_user_model()
        .objects.filter(Q(groups__name=Role.SERVICE) | Q(pk__in=reps))
        .distinct()
        .order_by("-is_active", "username")
    )


def complaints_of(actions: QuerySet[CorrectiveAction]) -> QuerySet[Complaint]:
    """The complaints of `actions` (我的整改措施's 投诉 filter: the few complaints of one's own open actions), newest first."""
    return Complaint.objects.filter(pk__in=actions.order_by().values("complaint_id")).order_by("-number")


def callback_get_for(user, pk) -> Callback:
    return get_object_or_404(callback_list_for(user), pk=pk)


def ticket_get_for(user, pk) -> ServiceTicket:
    return get_object_or_404(ticket_list_for(user), pk=pk)


def complaint_get_for(user, pk) -> Complaint:
    """The complaint for its page (and the page's actions): complaint_detail_for."""
    return get_object_or_404(complaint_detail_for(user), pk=pk)


def rma_get_for(user, pk) -> ReturnRequest:
    return get_object_or_404(rma_list_for(user), pk=pk)


def plan_get_for(user, pk) -> ServicePlan:
    return get_object_or_404(plan_list_for(user), pk=pk)


# --- the working calendar and SLA policies ---------------------------------------------------------------------------
def working_calendar(*, around: date | None = None) -> rules.WorkCalendar:
    """The company's working calendar: weekly periods and the exceptions from a month before `around` on."""
    around = around or timezone.localdate()
    days = CalendarDay.objects.filter(day__gte=around - timedelta(days=31)).values_list("day", "is_working")
    return rules.make_calendar(
        WorkingPeriod.objects.values_list("weekday", "start", "end"), timezone.get_current_timezone(), days
    )


def sla_hours(ticket_type: str, priority: str) -> tuple[Decimal, Decimal]:
    rows = SlaPolicy.objects.filter(priority=priority, ticket_type__in=[ticket_type, ""]).values_list(
        "ticket_type", "priority", "response_hours", "resolution_hours"
    )
    return rules.pick_sla(rows, ticket_type, priority)


def sla_warn() -> timedelta:
    return rules.hours(setting("sla_warn_hours"))


def with_sla(tickets, now: datetime | None = None, warn: timedelta | None = None) -> list[ServiceTicket]:
    """Tickets with `.response_sla` and `.resolution_sla` ("ok", "warning", "breached", "met", "missed"; "paused")."""
    now, warn = now or timezone.now(), sla_warn() if warn is None else warn
    out = []
    for t in tickets:
        paused = t.paused_since is not None
        t.response_sla = (
            "paused"
            if paused and not t.first_response_at
            else rules.sla_state(deadline=t.respond_by, done_at=t.first_response_at, now=now, warn=warn)
        )
        t.resolution_sla = (
            "paused" if paused else rules.sla_state(deadline=t.resolve_by, done_at=t.resolved_at, now=now, warn=warn)
        )
        out.append(t)
    return out


ACTIVE_TICKET = (
    ServiceTicket.Status.OPEN,
    ServiceTicket.Status.ASSIGNED,
    ServiceTicket.Status.IN_PROGRESS,
    ServiceTicket.Status.WAITING,
)


def breaching_q(now: datetime, warn: timedelta) -> Q:
    """Running (not paused) tickets past or within `warn` of their open deadline."""
    soon = now + warn
    return Q(status__in=ACTIVE_TICKET, paused_since__isnull=True) & (
        Q(first_response_at__isnull=True, respond_by__lte=soon) | Q(resolved_at__isnull=True, resolve_by__lte=soon)
    )


# --- the service desk ---------------------------------------------------------------------------------------------------
def _due_callbacks(callbacks: QuerySet[Callback], user) -> QuerySet[Callback]:
    """Callbacks of `callbacks` in `user`'s queue (their day came: the morning task opened them): assigned to them, plus
    the team's unassigned ones for service users and managers."""
    mine = Q(assignee=user)
    if has_role(user, Role.SERVICE, *MANAGER_ROLES):
        mine |= Q(assignee__isnull=True)
    return callbacks.filter(mine, status=Callback.Status.OPEN)


# The desk's queues over the reader's visible tickets or callbacks, the user and the time: the desk's sections (page and
# API) and the ticket and callback lists' `queue` filter (filters.TicketFilter, CallbackFilter) are these, so a
# section's "all of them" link lists exactly its rows.
TICKET_QUEUES = {
    "mine": lambda tickets, user, now: tickets.filter(engineer=user, status__in=ACTIVE_TICKET),
    "team": lambda tickets, user, now: tickets.filter(status=ServiceTicket.Status.OPEN),
    "breaching": lambda tickets, user, now: tickets.filter(breaching_q(now, sla_warn())),
}
CALLBACK_QUEUES = {
    "callbacks": lambda callbacks, user, now: _due_callbacks(callbacks, user),
    "escalated": lambda callbacks, user, now: callbacks.filter(
        status__in=[Callback.Status.SCHEDULED, Callback.Status.OPEN], escalated_at__isnull=False
    ),
}
DESK_LABELS = {
    "mine": _("我的工单"),
    "team": _("待分派"),
    "breaching": _("SLA 超时/即将超时"),
    "callbacks": _("今日待回访"),
    "escalated": _("逾期回访(已上报)"),
}
_DESK_ORDER = {
    "mine": ("resolve_by", "pk"),
    "team": ("respond_by", "pk"),
    "breaching": ("resolve_by", "pk"),
    "callbacks": ("due_on", "pk"),
    "escalated": ("due_on", "pk"),
}


def desk_for(user, *, now: datetime | None = None) -> dict[str, QuerySet]:
    """The service desk (DESK_LABELS' order): my tickets, the team's unassigned tickets, those breaching their SLA,
    callbacks due today and escalated callbacks, each a queryset in the order the desk shows it (the most urgent first;
    the page and the API show its first rows and its exact count, core.pages.queue_head)."""
    now = now or timezone.now()
    tickets, callbacks = ticket_list_for(user), callback_list_for(user)
    queues = {code: queue(tickets, user, now) for code, queue in TICKET_QUEUES.items()}
    queues.update({code: queue(callbacks, user, now) for code, queue in CALLBACK_QUEUES.items()})
    return {code: queues[code].order_by(*_DESK_ORDER[code]) for code in DESK_LABELS}


def my_due_callbacks(user) -> QuerySet[Callback]:
    """The callbacks assigned to `user` whose day has come (the morning task put them in the queue: due today, overdue,
    or back after a day the customer was not reached), the longest due first — the home page's card for whoever makes
    callbacks, a rep included (the service desk is not theirs). The callback list's `status=open&assignee=<user>`.
    A callback assigned to someone is one they see (callback_list_for: `also` their own), so no customer scope is asked:
    no role lookup, one query on the assignee's index."""
    if not getattr(user, "pk", None) or not user.is_active:
        return Callback.objects.none()
    return (
        Callback.objects.select_related("order", "customer")
        .filter(assignee=user, status=Callback.Status.OPEN)
        .order_by("due_on", "pk")
    )


# --- QC's complaints and the warehouse's returns (the home page and the warehouse's work page show their first rows) ---
# Each queue is also the `queue` filter of its list (filters.ComplaintFilter), so the "all of them" link lists its rows.
def _actions_to_verify() -> Exists:
    return Exists(CorrectiveAction.objects.filter(complaint=OuterRef("pk"), status=CorrectiveAction.Status.DONE).values("pk"))


COMPLAINT_QUEUES = {
    # registered and not yet investigated, or under investigation without its root cause
    "to_investigate": lambda complaints, user: complaints.filter(
        status__in=[Complaint.Status.REGISTERED, Complaint.Status.INVESTIGATING]
    ),
    # an action its owner finished, waiting for QC to verify its effect
    "to_verify": lambda complaints, user: complaints.filter(_actions_to_verify(), status=Complaint.Status.ACTIONS),
}
COMPLAINT_QUEUE_LABELS = {"to_investigate": _("待调查投诉"), "to_verify": _("整改措施待验证")}


def qc_work_for(user) -> dict[str, QuerySet]:
    """QC's complaints (COMPLAINT_QUEUE_LABELS' order), each oldest reported first."""
    complaints = complaint_list_for(user)
    return {code: COMPLAINT_QUEUES[code](complaints, user).order_by("reported_on", "pk") for code in COMPLAINT_QUEUE_LABELS}


def returns_to_receive(user) -> QuerySet[ReturnRequest]:
    """Approved returns/exchanges/repairs whose goods the warehouse has still to receive and count (the returns list's
    status=approved), the longest approved first."""
    return rma_list_for(user).filter(status=ReturnRequest.Status.APPROVED).order_by("decided_at", "pk")


# --- panels on the customer and order pages --------------------------------------------------------------------------
def documents_for(user, *, customer=None, order=None) -> dict[str, QuerySet]:
    """The tickets, complaints, returns and callbacks of one customer or one order (an order's returns include those
    whose replacement order it is)."""
    if order is not None:
        by, rma_by = Q(order=order), Q(order=order) | Q(replacement_order=order)
    else:
        by = rma_by = Q(customer=customer)
    return {
        "tickets": ticket_list_for(user).filter(by),
        "complaints": complaint_list_for(user).filter(by),
        "returns": rma_list_for(user).filter(rma_by),
        "callbacks": callback_list_for(user).filter(by),
    }


# --- monthly service statistics per engineer ---------------------------------------------------------------------------
SCORES = ("score_product", "score_delivery", "score_service")
# a ticket met its SLA: first answered by `respond_by` and resolved by `resolve_by` (the SLA hit rate counts these)
SLA_HIT = Q(first_response_at__isnull=False, first_response_at__lte=F("respond_by"), resolved_at__lte=F("resolve_by"))
HOUR = timedelta(hours=1)


@dataclass
class EngineerStats:
    """One engineer's month (服务人员完成的各项服务数据，按月进行收集、整理和统计): tickets by their engineer, callbacks by who
    did them. `user` None: the work of the month nobody was assigned to (the reports' per-engineer sheet shows it)."""

    user: object
    tickets_assigned: int = 0
    tickets_resolved: int = 0
    sla_hits: int = 0
    responses: int = 0  # resolved tickets with a first response
    response_time: timedelta = timedelta(0)  # opening → first response, summed over those
    resolution_time: timedelta = timedelta(0)  # opening → resolution, summed over the resolved tickets
    callbacks_done: int = 0
    score_sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORES, 0))
    score_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORES, 0))

    @staticmethod
    def _hours(total: timedelta, n: int) -> Decimal | None:
        return quantize(Decimal(total // timedelta(microseconds=1)) / (HOUR // timedelta(microseconds=1)) / n) if n else None

    @property
    def avg_first_response_hours(self) -> Decimal | None:
        return self._hours(self.response_time, self.responses)

    @property
    def avg_resolution_hours(self) -> Decimal | None:
        return self._hours(self.resolution_time, self.tickets_resolved)

    @property
    def sla_hit_rate(self) -> Decimal | None:
        return quantize(Decimal(self.sla_hits) / self.tickets_resolved, Decimal("0.0001")) if self.tickets_resolved else None

    def avg_score(self, key: str) -> Decimal | None:
        """The mean of the scores given for `key` ("product", "delivery", "service"); a callback without it does not count."""
        n = self.score_counts[f"score_{key}"]
        return quantize(Decimal(self.score_sums[f"score_{key}"]) / n) if n else None

    @property
    def avg_product(self):
        return self.avg_score("product")

    @property
    def avg_delivery(self):
        return self.avg_score("delivery")

    @property
    def avg_service(self):
        return self.avg_score("service")

    @property
    def avg_satisfaction(self) -> Decimal | None:
        """平均满意度: the mean of every score given (as reports.kpis.satisfaction_avg)."""
        n = sum(self.score_counts.values())
        return quantize(Decimal(sum(self.score_sums.values())) / n) if n else None


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def _since_opened(stamp: str):
    return ExpressionWrapper(F(stamp) - F("created_at"), output_field=DurationField())


RESOLVED_FIGURES = {
    "resolved": Count("pk"),
    "hits": Count("pk", filter=SLA_HIT),
    "responses": Count("first_response_at"),
    "response_time": Sum(_since_opened("first_response_at")),
    "resolution_time": Sum(_since_opened("resolved_at")),
}
CALLBACK_FIGURES = {"done": Count("pk")} | {f"s_{f}": Sum(f) for f in SCORES} | {f"n_{f}": Count(f) for f in SCORES}


def _figures(qs: QuerySet, group: str | None, figures: dict) -> list[tuple[int | None, dict]]:
    """`figures` of `qs` per value of the field `group` (one grouped query), or over all of it (group None: key None)."""
    if group is None:
        return [(None, qs.aggregate(**figures))]
    return [(row.pop(group), row) for row in qs.order_by().values(group).annotate(**figures)]


def _engineer_stats(tickets: QuerySet, callbacks: QuerySet, start: datetime, end: datetime, *, group: bool) -> dict:
    """{engineer pk (None: not assigned): EngineerStats} of [start, end) over the given tickets and callbacks: tickets
    opened, resolved (SLA hits, response and resolution times), callbacks done and their scores. Three grouped queries
    whatever the volume; with `group` False the same figures in all, under the key None."""
    ticket_group, callback_group = ("engineer", "done_by") if group else (None, None)
    stats: dict[int | None, EngineerStats] = {}

    def row(pk) -> EngineerStats:
        return stats.setdefault(pk, EngineerStats(user=pk))

    opened = tickets.filter(created_at__gte=start, created_at__lt=end)
    for pk, f in _figures(opened, ticket_group, {"n": Count("pk")}):
        row(pk).tickets_assigned = f["n"]
    resolved = tickets.filter(resolved_at__gte=start, resolved_at__lt=end)
    for pk, f in _figures(resolved, ticket_group, RESOLVED_FIGURES):
        s = row(pk)
        s.tickets_resolved, s.sla_hits, s.responses = f["resolved"], f["hits"], f["responses"]
        s.response_time, s.resolution_time = f["response_time"] or timedelta(0), f["resolution_time"] or timedelta(0)
    done = callbacks.filter(status=Callback.Status.DONE, done_at__gte=start, done_at__lt=end)
    for pk, f in _figures(done, callback_group, CALLBACK_FIGURES):
        s = row(pk)
        s.callbacks_done = f["done"]
        s.score_sums = {name: f[f"s_{name}"] or 0 for name in SCORES}
        s.score_counts = {name: f[f"n_{name}"] for name in SCORES}
    return stats


def _named(stats: dict) -> list[EngineerStats]:
    """The stats with their users (one query); the work nobody was assigned to stays under user None."""
    users = get_user_model().objects.in_bulk([pk for pk in stats if pk is not None])
    for s in stats.values():
        s.user = users.get(s.user) if s.user is not None else None
    return list(stats.values())


def service_stats(user, *, year: int, month: int) -> list[EngineerStats]:
    """Per engineer for one month: tickets assigned (opened that month), resolved, average first-response and resolution
    hours (wall clock, from opening), SLA hits (responded and resolved in time), callbacks done and their average scores.
    Scoped like the lists: a rep sees the figures of own customers only. Four queries whatever the volume."""
    start, end = month_bounds(year, month)
    tickets = ticket_list_for(user).filter(engineer__isnull=False)
    callbacks = callback_list_for(user).filter(done_by__isnull=False)
    stats = _named(_engineer_stats(tickets, callbacks, start, end, group=True))
    return sorted(stats, key=lambda s: (-(s.tickets_resolved + s.callbacks_done), s.user.username))


# --- KPI aggregates (reports.kpis composes them) ------------------------------------------------------------------------
# For the company or one team / one rep: a document counts for the rep its order is credited to, or without an order
# for the customer's rep (负责业务员); `team_id` = that rep's team. Timestamps take an aware [start, end) pair.
def _kpi_q(*, owner_id: int | None = None, team_id: int | None = None) -> Q:
    if owner_id is not None:
        return Q(order__owner_id=owner_id) | Q(order__isnull=True, customer__owner_id=owner_id)
    if team_id is not None:
        return Q(order__owner__profile__team_id=team_id) | Q(order__isnull=True, customer__owner__profile__team_id=team_id)
    return Q()


def satisfaction_totals(start: datetime, end: datetime, **scope) -> tuple[int, int]:
    """(sum, count) of every score (product, delivery, service) given in callbacks done in [start, end)."""
    fields = ("score_product", "score_delivery", "score_service")
    figures = {f"s_{f}": Sum(f) for f in fields} | {f"n_{f}": Count(f) for f in fields}
    row = Callback.objects.filter(_kpi_q(**scope), status=Callback.Status.DONE, done_at__gte=start, done_at__lt=end).aggregate(
        **figures
    )
    return sum(row[f"s_{f}"] or 0 for f in fields), sum(row[f"n_{f}"] for f in fields)


def complaint_total(start: date, end: date, **scope) -> int:
    """Complaints reported in [start, end] (withdrawn ones do not count)."""
    return (
        Complaint.objects.filter(_kpi_q(**scope), reported_on__range=(start, end))
        .exclude(status=Complaint.Status.CANCELLED)
        .count()
    )


def sla_counts(start: datetime, end: datetime, **scope) -> tuple[int, int]:
    """(tickets resolved in [start, end), those first answered by `respond_by` and resolved by `resolve_by`)."""
    row = ServiceTicket.objects.filter(_kpi_q(**scope), resolved_at__gte=start, resolved_at__lt=end).aggregate(
        resolved=Count("pk"), hit=Count("pk", filter=SLA_HIT)
    )
    return row["resolved"], row["hit"]


def engineer_figures(start: datetime, end: datetime, **scope) -> list[EngineerStats]:
    """Per engineer of the scope's tickets and callbacks in [start, end) (EngineerStats, tickets by their engineer,
    callbacks by who did them), by username, the work nobody was assigned to last (user None): together they make up
    service_figures. Four queries whatever the volume."""
    tickets, callbacks = ServiceTicket.objects.filter(_kpi_q(**scope)), Callback.objects.filter(_kpi_q(**scope))
    stats = _named(_engineer_stats(tickets, callbacks, start, end, group=True))
    return sorted(stats, key=lambda s: (s.user is None, s.user.username if s.user is not None else ""))


def service_figures(start: datetime, end: datetime, **scope) -> EngineerStats:
    """The figures of engineer_figures over the whole scope (user None): its resolved tickets and SLA hits are those of
    sla_counts, its scores those of satisfaction_totals."""
    tickets, callbacks = ServiceTicket.objects.filter(_kpi_q(**scope)), Callback.objects.filter(_kpi_q(**scope))
    return _engineer_stats(tickets, callbacks, start, end, group=False)[None]
