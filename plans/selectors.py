"""Reads of sales plans: those a user may read, one plan, its target, how far the shipped sales have come against it,
how a department's or team's plan is broken down, one's own plans of a period (the home page), and what the approvers
are shown in 待我审批."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from customers.models import Customer
from customers.selectors import led_team_ids
from orders.figures import shipped_net_subquery
from reports import kpis
from reports.periods import Period
from reports.scopes import Scope
from salesops.core.charts import rows_chart
from salesops.core.models import Team
from salesops.core.money import ZERO, quantize
from salesops.core.names import display_name
from salesops.core.roles import Role, has_role, users_with_role

from .models import PlanLine, SalesPlan
from .permissions import SELLER_ROLES, reads_all_plans, writable_levels
from .rules import Level


def plans_for(user) -> QuerySet[SalesPlan]:
    """The plans `user` may read: their own; once handed in (a draft is its author's alone) every plan (managers, VP,
    GM, admin) or a team lead's team's; approved, the department's plan and one's own team's for every seller."""
    qs = SalesPlan.objects.select_related("author", "team")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    seen = Q(author=user)
    if reads_all_plans(user):
        seen |= Q(submitted_at__isnull=False)
    teams = led_team_ids(user)
    if teams:
        seen |= Q(team_id__in=teams, submitted_at__isnull=False)
    if has_role(user, *SELLER_ROLES):
        seen |= Q(level=Level.COMPANY, status=SalesPlan.Status.APPROVED)
        own_team = getattr(getattr(user, "profile", None), "team_id", None)
        if own_team:
            seen |= Q(level=Level.TEAM, team_id=own_team, status=SalesPlan.Status.APPROVED)
    return qs.filter(seen)


def plan_get_for(user, pk) -> SalesPlan:
    return get_object_or_404(plans_for(user), pk=pk)


@dataclass(frozen=True)
class OwnPlan:
    level: str
    label: str  # 部门销售计划 / 华东组 / 个人销售计划
    period: Period
    plan: SalesPlan | None  # the live one (not withdrawn), if written


def own_plans(user, periods: list[Period]) -> list[OwnPlan]:
    """For each period, the plans `user` writes (the department's, each team led, their own) and the live one of each
    if written — the plans of every period in one query."""
    levels = writable_levels(user)
    if not levels:
        return []
    teams = sorted(Team.objects.filter(pk__in=led_team_ids(user)), key=lambda t: t.name) if Level.TEAM in levels else []
    whose = {Level.COMPANY: Q(level=Level.COMPANY), Level.TEAM: Q(level=Level.TEAM, team__in=teams)}
    whose[Level.REP] = Q(level=Level.REP, author=user)
    mine = Q(pk__in=[])
    for level in levels:
        mine |= whose[level]
    live = SalesPlan.objects.filter(mine, period_key__in=[p.key for p in periods]).exclude(status=SalesPlan.Status.CANCELLED)
    found = {(p.level, p.team_id if p.level == Level.TEAM else None, p.period_key): p for p in live}
    labels = dict(Level.choices)
    out = []
    for period in periods:
        for level in levels:
            for team in teams if level == Level.TEAM else [None]:
                label = team.name if team else str(labels[level])
                out.append(OwnPlan(level, label, period, found.get((level, team.pk if team else None, period.key))))
    return out


def plan_scope(level: str, *, team_id: int | None, author_id: int) -> Scope:
    """Whose figures the plan is about: the company's (the department's plan), the team's or the rep's."""
    if level == Level.COMPANY:
        return Scope.company()
    return Scope.team(team_id) if level == Level.TEAM else Scope.rep(author_id)


def plan_target(level: str, period: Period, *, team_id: int | None, author_id: int) -> Decimal | None:
    """The sales target (reports.SalesTarget) of the plan's period and owner; None when none is set."""
    return kpis.target_amount(period, plan_scope(level, team_id=team_id, author_id=author_id))


def planned_amounts(level: str, period: Period) -> dict[int, Decimal]:
    """{rep id or team id: 计划额} of the approved plans of `level` ("rep": by author, "team": by team) written for
    exactly `period` — the achievement workbook's plan columns (registered with reports.kpis)."""
    owner = "author_id" if level == Level.REP else "team_id"
    approved = SalesPlan.objects.filter(level=level, period_key=period.key, status=SalesPlan.Status.APPROVED)
    return dict(approved.values_list(owner, "planned"))


@dataclass(frozen=True)
class LineProgress:
    line: PlanLine
    actual: Decimal | None  # shipped net to the line's customer in the period; None for a line without a customer
    rate: Decimal | None


@dataclass(frozen=True)
class Progress:
    actual: Decimal  # the scope's shipped sales in the period (net of credit notes)
    of_target: Decimal | None
    of_planned: Decimal | None
    lines: list[LineProgress]
    chart: dict


def plan_progress(plan: SalesPlan) -> Progress:
    """The shipped sales of the plan's owner in its period against the target and the plan, and the owner's sales to
    each key customer against its line (one query for the customers), charted."""
    period = plan.period
    scope = plan_scope(plan.level, team_id=plan.team_id, author_id=plan.author_id)
    actual = kpis.sales_shipped(period, scope)
    lines = list(plan.lines.select_related("customer"))
    ids = {line.customer_id for line in lines if line.customer_id}
    shipped = dict(
        Customer.objects.filter(pk__in=ids)
        .annotate(actual=shipped_net_subquery(*period.bounds(), "customer", **scope.filters()))
        .values_list("pk", "actual")
    )
    rows = []
    for line in lines:
        done = quantize(shipped.get(line.customer_id, ZERO)) if line.customer_id else None
        rows.append(LineProgress(line, done, kpis.rate_of(done, line.amount) if done is not None else None))
    points = [{"label": row.line.label, "planned": row.line.amount, "actual": row.actual} for row in rows]
    chart = rows_chart(
        "plan_lines", _("计划与实际（按发货）"), points, "label", [("planned", _("计划金额")), ("actual", _("实际发货额"))]
    )
    return Progress(actual, kpis.rate_of(actual, plan.target), kpis.rate_of(actual, plan.planned), rows, chart)


@dataclass(frozen=True)
class Part:
    level: str  # team / rep
    label: str  # the team's name, the rep's name
    team: str
    plan: SalesPlan | None  # the live plan of that team or rep for the period, if written


@dataclass(frozen=True)
class Breakdown:
    parts: list[Part]
    written: int  # how many parts have a plan handed in (submitted or approved)
    planned: Decimal  # the reps' plans handed in, summed
    cover: Decimal | None  # that sum ÷ this plan's total


def plan_breakdown(plan: SalesPlan, user) -> Breakdown | None:
    """How the department's plan is broken down (分解到各销售团队) — each team's plan and each seller's own for the same
    period, as handed in (a draft is its author's alone) — or a team's into its sellers' own, for those who read every
    such plan (the managers, VP, GM; a team's lead for the team's); None for a rep's plan. The sellers' plans handed in
    are summed against this plan's total. Three queries."""
    if plan.level == Level.REP or not (
        reads_all_plans(user) or (plan.level == Level.TEAM and plan.team_id in led_team_ids(user))
    ):
        return None
    sellers = users_with_role(Role.SALES_REP, Role.TEAM_LEAD).select_related("profile__team")
    teams = Team.objects.order_by("name")
    if plan.level == Level.TEAM:
        sellers, teams = sellers.filter(profile__team=plan.team_id), teams.none()
    live = SalesPlan.objects.filter(
        period_key=plan.period_key, level__in=(Level.TEAM, Level.REP), submitted_at__isnull=False
    ).exclude(status=SalesPlan.Status.CANCELLED)
    by_owner = {(p.level, p.team_id if p.level == Level.TEAM else p.author_id): p for p in live}
    parts = [Part(Level.TEAM, team.name, team.name, by_owner.get((Level.TEAM, team.pk))) for team in teams]

    def team_name(seller) -> str:
        team = getattr(getattr(seller, "profile", None), "team", None)
        return team.name if team else "—"

    for seller in sorted(sellers, key=lambda u: (team_name(u), display_name(u))):
        parts.append(Part(Level.REP, display_name(seller), team_name(seller), by_owner.get((Level.REP, seller.pk))))
    handed_in = [part.plan for part in parts if part.plan and part.plan.status != SalesPlan.Status.RETURNED]
    summed = sum((p.planned for p in handed_in if p.level == Level.REP), ZERO)
    return Breakdown(parts, len(handed_in), summed, kpis.rate_of(summed, plan.planned))


def plan_summary(plan: SalesPlan, user) -> list[tuple[str, str]]:
    """What the approvers see in 待我审批: whose plan for when, the target and the plan's total, the key lines."""
    rows = [
        (_("计划层级"), plan.get_level_display()),
        (_("计划期间"), plan.period.label),
        (_("制定人"), display_name(plan.author)),
        (_("目标额"), f"{plan.target:,.2f}" if plan.target is not None else _("未设定")),
        (_("计划合计"), f"{plan.planned:,.2f}"),
    ]
    if plan.gap_reason:
        rows.append((_("差距说明"), plan.gap_reason))
    top = plan.lines.select_related("customer").order_by("-amount")[:5]
    rows.append((_("重点"), "，".join(f"{line.label} {line.amount:,.2f}" for line in top)))
    return rows
