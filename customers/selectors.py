"""Every read of the customers app, and the one place that decides who sees which customer (ARCHITECTURE.md rule 5).

Visibility (SPEC.md "Customers": a rep sees only own customers):
  - everybody sees the customers they own;
  - a team lead also sees the customers of the teams they lead (Team.lead == user);
  - the roles in ALL_CUSTOMERS_ROLES (managers, clerks, finance, after-sales, warehouse, QC) see every customer.
Contacts, addresses, invoice titles, follow-ups, visit plans and visits are visible iff their customer is.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.models import Team
from salesops.core.names import display_name
from salesops.core.roles import ALL_CUSTOMERS_ROLES, MANAGER_ROLES, Role, has_role, is_manager
from salesops.core.search import every_word_q
from salesops.core.selectors import lookup

from . import rules
from .models import (
    Contact,
    Customer,
    FollowUp,
    InvoiceTitle,
    Opportunity,
    ShipToAddress,
    TechnicalQuestion,
    Visit,
    VisitPlan,
)

User = get_user_model()

# Roles whose members may own customers (the owner choices of the create and reassign forms).
OWNER_ROLES = (Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_MANAGER, Role.SALES_VP)
# The orderings the customer list and the API accept.
CUSTOMER_ORDERING_FIELDS = (
    "name",
    "code",
    "grade",
    "status",
    "province",
    "created_at",
    "updated_at",
    "next_contact_date",
    "credit_limit",
)

# What the customer list, its picker and the API's `search` look in: each word typed in one of them.
CUSTOMER_SEARCH_FIELDS = ("name", "short_name", "code", "uscc", "contacts__name", "contacts__mobile")
# What the visit list and the API's `search` look in.
VISIT_SEARCH_FIELDS = ("customer__name", "purpose", "outcome")

# How many follow-ups / visits a customer's page lists.
DETAIL_ROWS = 100


# --- visibility ---------------------------------------------------------------------------------------------------
def led_team_ids(user) -> frozenset[int]:
    """The ids of the teams `user` leads, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_salesops_led_team_ids", None)
    if cached is None:
        cached = frozenset(Team.objects.filter(lead=user).values_list("pk", flat=True))
        user._salesops_led_team_ids = cached
    return cached


def sees_all_customers(user) -> bool:
    return has_role(user, *ALL_CUSTOMERS_ROLES)


def works_the_field(user) -> bool:
    """Reps, their team leads and the managers plan visits and follow up intent customers (their menu and home tiles)."""
    return has_role(user, Role.SALES_REP, Role.TEAM_LEAD, *MANAGER_ROLES)


def customer_scope(user, prefix: str = "") -> Q | None:
    """The filter of the customers `user` may see, on a model reaching Customer through `prefix`; None = nothing at all.

    An empty Q() means "everything".
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if sees_all_customers(user):
        return Q()
    scope = Q(owner=user)
    teams = led_team_ids(user)
    if teams:
        scope |= Q(team__in=teams)
    if not prefix:
        return scope
    if teams:
        # a team lead's customers can be most of the table: each document's customer is tested through the join as the
        # rows are read (the list's join to its customer), so a page stops at its rows — a hashed set of them is read
        # whole first (a lead of every customer at 60,000: the order page's rows 31 -> 1 ms, the shipments' 87 -> 1 ms)
        return Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}team__in": teams})
    # a rep's document: its customer among the rep's, as EXISTS — PostgreSQL plans it both ways and picks per query: a
    # count reads the rep's customers once as a hashed set (by the owner index: a rep's order count at 60,000 orders
    # 42 -> 13 ms against a join testing every row's customer), a page walks its ordering index and tests each row's
    # customer by its key until the page is full. An IN of the ids planned a page through the order (shipments,
    # invoices) as a hash of all 60,000 (a rep's shipments API 72–78 -> 33 ms, their page before last 93–100 -> 42 ms);
    # a page in the exact middle of those walks half the list (108–125 ms at 60,000, 70–104 ms as a hash).
    return Q(Exists(Customer.objects.filter(scope, pk=OuterRef(prefix.removesuffix("__")))))


def _scoped(qs: QuerySet, user, prefix: str = "") -> QuerySet:
    scope = customer_scope(user, prefix)
    return qs.none() if scope is None else qs.filter(scope)


def customer_list_for(user) -> QuerySet[Customer]:
    """The customers `user` may see (registered with salesops.core.access for the generic timeline views)."""
    return _scoped(Customer.objects.select_related("owner", "team"), user)


def customer_lookup(user, text: str) -> list[dict]:
    """The customer picker's type-ahead: visible customers found as the customer list finds them (customer_search_q:
    name, short name, code, USCC, a contact's name or mobile — a clerk taking a call looks the caller up by number)."""
    return lookup(_scoped(Customer.objects.filter(customer_search_q(text)), user), "", (), ("name", "id"))


def customer_get_for(user, pk) -> Customer:
    """One visible customer, or 404 (never 403: an invisible customer does not exist for this user)."""
    return get_object_or_404(customer_list_for(user), pk=pk)


def customer_chosen(user, value) -> Customer | None:
    """The visible customer a form names (`value` as posted or in the query string), or None: a form picking the customer
    limits its contacts, addresses and invoice titles to this one's and refuses any other customer itself."""
    return customer_list_for(user).filter(pk=value).first() if str(value or "").isdigit() else None


def customer_parties(customer: Customer, user) -> dict[str, list[dict]]:
    """The customer's contacts, ship-to addresses, invoice titles and the open opportunities `user` sees, as
    {"contacts": [{id, label}], "addresses": […], "invoice_titles": […], "opportunities": […]}, the primary / default
    one first: what a form's selects offer once the customer is chosen."""
    opportunities = opportunity_list_for(user).filter(customer=customer, status__in=Opportunity.OPEN_STAGES)
    return {
        key: [{"id": obj.pk, "label": str(obj)} for obj in qs]
        for key, qs in (
            ("contacts", customer.contacts.all()),
            ("addresses", customer.addresses.all()),
            ("invoice_titles", customer.invoice_titles.all()),
            ("opportunities", opportunities.order_by("-created_at", "-id")),
        )
    }


def contact_list_for(user) -> QuerySet[Contact]:
    return _scoped(Contact.objects.select_related("customer"), user, "customer__")


def address_list_for(user) -> QuerySet[ShipToAddress]:
    return _scoped(ShipToAddress.objects.select_related("customer"), user, "customer__")


def invoice_title_list_for(user) -> QuerySet[InvoiceTitle]:
    return _scoped(InvoiceTitle.objects.select_related("customer"), user, "customer__")


def _field_work(qs: QuerySet, user) -> QuerySet:
    """Follow-ups, visit plans and visits are the field's work: read by who works the field (their menu) among the
    customers they see; the warehouse, QC, service, finance and the clerk read a customer's on its page."""
    return _scoped(qs, user, "customer__") if works_the_field(user) else qs.none()


def followup_list_for(user) -> QuerySet[FollowUp]:
    return _field_work(FollowUp.objects.select_related("customer", "contact", "created_by"), user)


def visit_plan_list_for(user) -> QuerySet[VisitPlan]:
    return _field_work(VisitPlan.objects.select_related("customer", "contact", "rep__profile", "reviewed_by"), user)


def visit_list_for(user) -> QuerySet[Visit]:
    return _field_work(Visit.objects.select_related("customer", "contact", "rep", "plan"), user)


def visit_search_q(text: str) -> Q:
    """Visits whose customer's name, purpose or outcome contain every word of `text` (the list's search box and the
    API's `search`)."""
    return every_word_q(Visit, text, *VISIT_SEARCH_FIELDS)


# --- sales opportunities (销售机会) -----------------------------------------------------------------------------------
# Who works the pipeline and reads it: the sales side. Finance, the warehouse, QC and service see customers, not deals.
OPPORTUNITY_ROLES = (Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK, *MANAGER_ROLES)
OPPORTUNITY_ORDERING_FIELDS = ("created_at", "expected_close", "bid_deadline", "amount", "status", "number", "id")


def sees_opportunities(user) -> bool:
    return has_role(user, *OPPORTUNITY_ROLES)


def opportunity_list_for(user) -> QuerySet[Opportunity]:
    """The opportunities `user` may see: those of the customers they see, and their own (the sales roles only)."""
    qs = Opportunity.objects.select_related("customer", "owner", "contact")
    if not sees_opportunities(user):
        return qs.none()
    scope = customer_scope(user, "customer__")
    if scope is None:
        return qs.none()
    return qs.filter(scope | Q(owner=user)) if scope else qs


def opportunity_get_for(user, pk) -> Opportunity:
    """One visible opportunity, or 404."""
    return get_object_or_404(opportunity_list_for(user), pk=pk)


def sees_questions(user) -> bool:
    """技术咨询: the sales side (of the opportunities it sees) and the technical department (all of them)."""
    return sees_opportunities(user) or has_role(user, Role.REVIEWER_TECHNICAL)


def question_list_for(user) -> QuerySet[TechnicalQuestion]:
    """The technical questions `user` may see: all for the technical department, else those of the opportunities the
    user sees (opportunity_list_for's filter, through the question's opportunity)."""
    qs = TechnicalQuestion.objects.select_related("opportunity", "opportunity__customer", "asked_by", "answered_by")
    if has_role(user, Role.REVIEWER_TECHNICAL):
        return qs
    if not sees_opportunities(user):
        return qs.none()
    scope = customer_scope(user, "opportunity__customer__")
    if scope is None:
        return qs.none()
    return qs.filter(scope | Q(opportunity__owner=user)) if scope else qs


def question_get_for(user, pk) -> TechnicalQuestion:
    return get_object_or_404(question_list_for(user), pk=pk)


def questions_to_answer() -> QuerySet[TechnicalQuestion]:
    """The questions waiting for the technical department: the answer wanted soonest first (none wanted by a date
    last), then the oldest (its home page)."""
    return (
        TechnicalQuestion.objects.filter(status=TechnicalQuestion.Status.OPEN)
        .select_related("opportunity__customer")
        .order_by(F("needed_by").asc(nulls_last=True), "created_at", "id")
    )


def question_search_q(text: str) -> Q:
    """Questions whose number, subject, opportunity's name or customer's name contain every word of `text`."""
    return every_word_q(TechnicalQuestion, text, "number", "subject", "opportunity__title", "opportunity__customer__name")


def opportunity_search_q(text: str) -> Q:
    """Opportunities whose number, name, or customer's name or code contain every word of `text`."""
    return every_word_q(Opportunity, text, "number", "title", "customer__name", "customer__code")


def bid_summary(opportunity: Opportunity, user) -> list[tuple[str, str]]:
    """What the leaders decide on in the approvals inbox (salesops.core.approvals.summary_for): the customer, the kind of
    比价/投标 and its deadline, the estimated amount, the rep and the stage."""
    return [
        (_("客户"), opportunity.customer.name),
        (_("比价/投标"), opportunity.get_bidding_display()),
        (_("报价/投标截止日期"), opportunity.bid_deadline.isoformat() if opportunity.bid_deadline else "—"),
        (_("预计金额"), f"{opportunity.amount:,.2f}"),
        (_("负责业务员"), display_name(opportunity.owner)),
        (_("阶段"), opportunity.get_status_display()),
    ]


# The two figures of every funnel and forecast row, as their charts and sheets name them.
OPPORTUNITY_SERIES = [("amount", gettext_lazy("预计金额")), ("weighted", gettext_lazy("加权金额"))]


def _no_sums() -> dict:
    return {"count": 0, "amount": Decimal("0.00"), "weighted": Decimal("0.00")}


def _weighted_sums(qs: QuerySet[Opportunity], bucket: str, **annotations) -> dict:
    """{bucket value: {count, amount, weighted}} of `qs` grouped by `bucket` (a field, or one of `annotations`); the
    weighted amount is each opportunity's amount times its own chance (rules.chance), summed: one grouped query."""
    grouped = (
        qs.order_by()
        .annotate(**annotations)
        .values(bucket, "status", "probability")
        .annotate(count=Count("pk"), amount=Sum("amount"))
    )
    sums: dict = {}
    for group in grouped:
        out = sums.setdefault(group[bucket], _no_sums())
        out["count"] += group["count"]
        out["amount"] += group["amount"]
        out["weighted"] += rules.weighted_amount(group["amount"], group["status"], group["probability"])
    return sums


def opportunity_pipeline(qs: QuerySet[Opportunity]) -> list[dict]:
    """Per stage of `qs`, in the pipeline's order: {stage, label, count, amount, weighted, probability} — the funnel of
    the list page and GET /api/v1/opportunities/pipeline/; `weighted` is each amount times its chance (the rep's
    estimate or the stage's: rules.chance), `probability` the stage's chance."""
    sums = _weighted_sums(qs, "status")
    return [
        {
            "stage": stage,
            "label": str(label),
            **sums.get(stage, _no_sums()),
            "probability": rules.STAGE_PROBABILITY[stage],
        }
        for stage, label in Opportunity.Stage.choices
    ]


def _of_scope(owner_id: int | None, team_id: int | None) -> QuerySet[Opportunity]:
    """The opportunities of the company, of one rep (owned) or of one team (owned by the reps of the team in 员工档案),
    as the KPI scopes count a rep's work (reports.scopes.Scope.filters)."""
    qs = Opportunity.objects.all()
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if team_id is not None:
        qs = qs.filter(owner__profile__team_id=team_id)
    return qs


def opportunity_funnel(*, owner_id: int | None = None, team_id: int | None = None) -> list[dict]:
    """The scope's pipeline by stage now (opportunity_pipeline)."""
    return opportunity_pipeline(_of_scope(owner_id, team_id))


# How many months the forecast of expected closings shows one by one (the ones after are summed in one row).
FORECAST_MONTHS = 6


def _month_after(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def opportunity_forecast(qs: QuerySet[Opportunity], first_month: date, months: int = FORECAST_MONTHS) -> list[dict]:
    """The open opportunities of `qs` by the month they are expected to close (预计成交): a row of those expected before
    `first_month`'s month and still open (overdue), one row per month from it for `months` months, one row of the
    later ones; each {key, label, close_from, close_to (the list's filter, None = open-ended), count, amount, weighted},
    weighted by each one's own chance (rules.chance). One grouped query."""
    start = first_month.replace(day=1)
    starts = [start]
    for _i in range(months):
        starts.append(_month_after(starts[-1]))
    later = starts[-1]
    rows = [{"key": "earlier", "label": _("更早（已逾期）"), "close_from": None, "close_to": start - timedelta(days=1)}]
    for month, following in pairwise(starts):
        to = following - timedelta(days=1)
        rows.append({"key": f"{month:%Y-%m}", "label": f"{month:%Y-%m}", "close_from": month, "close_to": to})
    rows.append(
        {"key": "later", "label": _("%(month)s 及以后") % {"month": f"{later:%Y-%m}"}, "close_from": later, "close_to": None}
    )
    for row in rows:
        row.update(_no_sums())
    by_key = {row["key"]: row for row in rows}
    open_ones = qs.filter(status__in=Opportunity.OPEN_STAGES)
    for month, sums in _weighted_sums(open_ones, "month", month=TruncMonth("expected_close")).items():
        row = by_key["earlier" if month < start else "later" if month >= later else f"{month:%Y-%m}"]
        for name, value in sums.items():
            row[name] += value
    return rows


def opportunity_close_forecast(first_month: date, *, owner_id: int | None = None, team_id: int | None = None) -> list[dict]:
    """The scope's open opportunities by expected close month (opportunity_forecast)."""
    return opportunity_forecast(_of_scope(owner_id, team_id), first_month)


def opportunity_rep_rows(start, end, *, owner_id: int | None = None, team_id: int | None = None) -> list[dict]:
    """Per rep of the scope with an opportunity open now or closed in [start, end) (aware datetimes), by username: open
    count, amount and weighted amount; won (count, amount) and lost (count) in the period; win rate = won ÷ (won + lost)
    in the period (None without either). Two grouped queries."""
    Stage = Opportunity.Stage
    qs = _of_scope(owner_id, team_id)
    rows: dict[int, dict] = {}

    def row(owner_id):
        return rows.setdefault(
            owner_id,
            {
                "open_count": 0,
                "open_amount": Decimal("0.00"),
                "weighted": Decimal("0.00"),
                "won_count": 0,
                "won_amount": Decimal("0.00"),
                "lost_count": 0,
            },
        )

    for owner, sums in _weighted_sums(qs.filter(status__in=Opportunity.OPEN_STAGES), "owner").items():
        out = row(owner)
        out["open_count"], out["open_amount"], out["weighted"] = sums["count"], sums["amount"], sums["weighted"]
    closed = qs.filter(status__in=[Stage.WON, Stage.LOST], closed_at__gte=start, closed_at__lt=end)
    for r in closed.values("owner", "status").annotate(n=Count("pk"), amount=Sum("amount")):
        out = row(r["owner"])
        if r["status"] == Stage.WON:
            out["won_count"], out["won_amount"] = r["n"], r["amount"]
        else:
            out["lost_count"] = r["n"]
    users = User.objects.filter(pk__in=rows).order_by("username")
    result = []
    for user in users:
        out = rows[user.pk]
        result.append({"rep_name": display_name(user), **out, "rate": rules.win_rate(out["won_count"], out["lost_count"])})
    return result


def opportunity_decided(start, end, *, owner_id: int | None = None, team_id: int | None = None) -> dict:
    """The scope's opportunities won (count, amount) and lost (count) in [start, end) (aware datetimes): one query."""
    Stage = Opportunity.Stage
    closed = _of_scope(owner_id, team_id).filter(closed_at__gte=start, closed_at__lt=end)
    row = closed.aggregate(
        won_count=Count("pk", filter=Q(status=Stage.WON)),
        won_amount=Sum("amount", filter=Q(status=Stage.WON)),
        lost_count=Count("pk", filter=Q(status=Stage.LOST)),
    )
    return {**row, "won_amount": row["won_amount"] or Decimal("0.00")}


def field_counts(owner_id: int, first: date, last: date, start, end) -> dict[str, int]:
    """A rep's field work over the days [first, last] ([start, end) as aware datetimes): visits made, customers opened
    for them and opportunities opened (a weekly report's figures, reports.selectors.week_figures)."""
    return {
        "visits": Visit.objects.filter(rep_id=owner_id, visited_on__gte=first, visited_on__lte=last).count(),
        "new_customers": Customer.objects.filter(owner_id=owner_id, created_at__gte=start, created_at__lt=end).count(),
        "opportunities_opened": Opportunity.objects.filter(owner_id=owner_id, created_at__gte=start, created_at__lt=end).count(),
    }


def opportunities_closed(start, end, *, owner_id: int | None = None, team_id: int | None = None) -> QuerySet[Opportunity]:
    """The scope's opportunities won or lost in [start, end) (aware datetimes), in the order they closed."""
    return (
        _of_scope(owner_id, team_id)
        .filter(status__in=[Opportunity.Stage.WON, Opportunity.Stage.LOST], closed_at__gte=start, closed_at__lt=end)
        .select_related("customer", "owner")
        .order_by("closed_at", "id")
    )


def opportunities_closing(user, day: date) -> QuerySet[Opportunity]:
    """The open opportunities expected to close by the end of `day`'s month — a rep's or a lead's own, a manager's
    department's (every one they see) — the overdue ones (past their expected close, still open) first: the home page's
    reminder to push them on or move the date. Its link lists the same (opportunities_closing_params)."""
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    mine = opportunity_list_for(user) if is_manager(user) else Opportunity.objects.filter(owner=user)
    return (
        mine.filter(status__in=Opportunity.OPEN_STAGES, expected_close__lte=last)
        .select_related("customer")
        .order_by("expected_close", "id")
    )


def opportunities_closing_params(user, day: date) -> dict[str, str]:
    """The opportunity list's parameters (customers.filters.OpportunityFilter) that list opportunities_closing."""
    last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    params = {"is_open": "true", "close_to": last.isoformat(), "ordering": "expected_close"}
    return params if is_manager(user) else {"owner": str(user.pk), **params}


BID_SOON_DAYS = 7  # a 比价/投标 whose deadline is this near is on the rep's home page


def bids_to_act_on(user, day: date) -> QuerySet[Opportunity]:
    """`user`'s own open 比价/投标 that need them: not yet decided to take part (to report, or waiting for the leaders),
    or due within BID_SOON_DAYS of `day` (past ones included); the nearest deadline first."""
    return (
        Opportunity.objects.filter(owner=user, status__in=Opportunity.OPEN_STAGES)
        .exclude(bidding=Opportunity.Bidding.NONE)
        .filter(
            Q(bid_decision__in=(Opportunity.BidDecision.UNASKED, Opportunity.BidDecision.PENDING))
            | Q(bid_deadline__lte=day + timedelta(days=BID_SOON_DAYS))
        )
        .select_related("customer")
        .order_by(F("bid_deadline").asc(nulls_last=True), "id")
    )


def customer_opportunities(customer: Customer) -> QuerySet[Opportunity]:
    """The opportunities of one (already visible) customer, open ones first, latest first."""
    return customer.opportunities.select_related("owner").order_by(F("closed_at").asc(nulls_first=True), "-created_at", "-id")


# --- customer list, search and detail -----------------------------------------------------------------------------
def customer_search_q(text: str) -> Q:
    """Match a customer by name, short name, code, USCC, or a contact's name or mobile (no duplicate rows): every word
    typed ("苏州 恒通") in one of them, like the other lists, the customer picker and the API's `search`."""
    # per word one IN of a UNION: a semi-join PostgreSQL plans from the trigram indexes' few matches (an OR with the
    # contacts' IN walked every customer: 33 ms -> 2 ms at 60,000; salesops.core.search)
    return every_word_q(Customer, text, *CUSTOMER_SEARCH_FIELDS)


def customer_ordered(qs: QuerySet[Customer], ordering: str | None) -> QuerySet[Customer]:
    """Apply `ordering` ("name", "-created_at", …) if it is one of CUSTOMER_ORDERING_FIELDS; otherwise keep the default."""
    if ordering and ordering.lstrip("-") in CUSTOMER_ORDERING_FIELDS:
        return qs.order_by(ordering, "-id")
    return qs


def customer_detail_for(user, pk) -> Customer:
    """A visible customer with everything its detail page shows."""
    return get_object_or_404(
        customer_list_for(user).select_related("created_by").prefetch_related("contacts", "addresses", "invoice_titles"),
        pk=pk,
    )


def customer_followups(customer: Customer) -> QuerySet[FollowUp]:
    """The latest follow-ups of one (already visible) customer (its page shows DETAIL_ROWS)."""
    return customer.followups.select_related("contact", "created_by")[:DETAIL_ROWS]


def customer_visits(customer: Customer) -> QuerySet[Visit]:
    """The latest visits of one (already visible) customer (its page shows DETAIL_ROWS)."""
    return customer.visits.select_related("rep", "contact")[:DETAIL_ROWS]


def customer_open_plans(customer: Customer) -> QuerySet[VisitPlan]:
    """Visits planned for one customer that have not happened yet, soonest first."""
    return customer.visit_plans.filter(status=VisitPlan.Status.PLANNED).select_related("rep").order_by("planned_date", "id")


def customer_provinces(qs: QuerySet[Customer]) -> list[str]:
    """The provinces of the customers of `qs`, in order (the customer list's province choices). When `qs` is every
    customer (a manager's list) the province index is walked one province at a time (a few dozen index probes)
    instead of a DISTINCT over every customer (~25 ms at 60,000)."""
    if qs.query.where.children:  # a scoped list: its own customers only
        return list(qs.exclude(province="").order_by("province").values_list("province", flat=True).distinct())
    connection = connections[qs.db]
    table, column = connection.ops.quote_name(Customer._meta.db_table), connection.ops.quote_name("province")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE p(v) AS (SELECT MIN({column}) FROM {table} WHERE {column} > %s"
            f" UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > p.v) FROM p WHERE p.v IS NOT NULL)"
            " SELECT v FROM p WHERE v IS NOT NULL",
            [""],
        )
        return [row[0] for row in cursor.fetchall()]


def teams_of(qs: QuerySet[Customer]) -> QuerySet[Team]:
    return Team.objects.filter(pk__in=qs.order_by().values("team_id")).order_by("name")


def owner_candidates_for(user) -> QuerySet:
    """Who `user` may make the owner of a customer: managers and clerks pick any sales person; a team lead picks
    themselves or a member of a team they lead; everybody else only themselves."""
    sales_people = User.objects.filter(is_active=True, groups__name__in=OWNER_ROLES).distinct().order_by("username")
    if is_manager(user) or has_role(user, Role.SALES_CLERK):
        return sales_people
    teams = led_team_ids(user)
    if teams:
        return sales_people.filter(Q(pk=user.pk) | Q(profile__team__in=teams))
    return sales_people.filter(pk=user.pk)


# --- intent follow-ups --------------------------------------------------------------------------------------------
def _sees_team_work(user) -> bool:
    """Managers and team leads look at the follow-ups and plans of everyone they can see, not just their own."""
    return is_manager(user) or bool(led_team_ids(user))


def followups_due(user, day: date) -> QuerySet[Customer]:
    """Visible intent customers whose next contact date is `day` or earlier (overdue first).

    Owned by `user`; managers and team leads get all the intent customers they can see.
    """
    qs = customer_list_for(user).filter(status=Customer.Status.INTENT, next_contact_date__lte=day)
    if not _sees_team_work(user):
        qs = qs.filter(owner=user)
    return qs.annotate(last_followup_on=Max("followups__happened_on")).order_by("next_contact_date", "name", "id")


def intent_followups_due_by_owner(day: date) -> dict[int, list[Customer]]:
    """{owner id: [due intent customers]} over every active owner — what the daily reminder sends."""
    due: dict[int, list[Customer]] = {}
    qs = Customer.objects.filter(status=Customer.Status.INTENT, next_contact_date__lte=day, owner__is_active=True).order_by(
        "owner_id", "next_contact_date", "name"
    )
    for customer in qs:
        due.setdefault(customer.owner_id, []).append(customer)
    return due


# --- visit plans and visits ---------------------------------------------------------------------------------------
def visit_plans_for_day(user, day: date) -> QuerySet[VisitPlan]:
    """`user`'s own visits planned for `day` that have not happened yet (the dashboard's "today's visits")."""
    return visit_plan_list_for(user).filter(rep=user, planned_date=day, status=VisitPlan.Status.PLANNED)


def visit_plans_in_month(user, year: int, month: int, rep=None) -> QuerySet[VisitPlan]:
    """Visible plans of a month; reps see their own plans, leads and managers everyone's (or one `rep`'s)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    qs = visit_plan_list_for(user).filter(planned_date__range=(first, last))
    if rep is not None:
        qs = qs.filter(rep=rep)
    elif not _sees_team_work(user):
        qs = qs.filter(rep=user)
    return qs.order_by("planned_date", "rep__username", "id")


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    plans: list = field(default_factory=list)
    more: int = 0  # the day's plans beyond `plans`


def visit_plan_calendar(plans, year: int, month: int, today: date, counts: dict | None = None) -> list[list[CalendarDay]]:
    """The month as weeks (Monday first) of days, each with its plans; with `counts` ({day: plans that day}), `plans`
    may be the first few of each day (first_plans_per_day) and each day says how many more there are."""
    by_day: dict[date, list] = {}
    for plan in plans:
        by_day.setdefault(plan.planned_date, []).append(plan)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)

    def cell(d: date) -> CalendarDay:
        shown = by_day.get(d, [])
        return CalendarDay(d, d.month == month, d == today, shown, (counts or {}).get(d, len(shown)) - len(shown))

    return [[cell(d) for d in week] for week in weeks]


def first_plans_per_day(plans: QuerySet[VisitPlan], per_day: int) -> tuple[list[VisitPlan], dict[date, int]]:
    """The first `per_day` plans of each day of `plans` (in their order: rep, then id) and {day: how many plans} —
    a calendar of a manager's month without loading its thousands of plans."""
    nth = Window(RowNumber(), partition_by=[F("planned_date")], order_by=[F("rep__username").asc(), F("pk").asc()])
    first = list(plans.annotate(nth=nth).filter(nth__lte=per_day))
    counts = dict(plans.order_by().values_list("planned_date").annotate(n=Count("pk")).values_list("planned_date", "n"))
    return first, counts


def sees_other_reps(user) -> bool:
    """Does `user` look at other reps' work (a lead their teams', managers and whoever sees every customer everyone's)?
    A rep reads only their own customers: a list's 业务员 filter has nobody to offer them."""
    return is_manager(user) or sees_all_customers(user) or bool(led_team_ids(user))


def reps_for(user, *, former: bool = False) -> QuerySet:
    """The reps whose work `user` looks at (leads: themselves and their teams; managers and whoever sees every customer:
    every sales person; a rep: themselves), the active ones first — the 业务员 filter of the lists, the reps of the visit
    plans. `former`: with those no longer active (a list's filter finds a departed rep's documents; a new plan is for
    the active). Read from the users, not from a list's rows: the owners of a lead's 60,000 visible orders took a pass
    over all of them on every page (58 ms)."""
    if is_manager(user) or sees_all_customers(user):
        people = User.objects.filter(groups__name__in=OWNER_ROLES)
    else:
        people = User.objects.filter(Q(pk=user.pk) | Q(profile__team__in=led_team_ids(user)))
    if not former:
        people = people.filter(is_active=True)
    return people.distinct().order_by("-is_active", "username")
