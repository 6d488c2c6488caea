"""Reads of expense claims: those a user may see, one claim, what the approvers are shown, the day the clerk or finance
should have acted by, the 工作台 counts, the figures the reports read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.rules import WorkCalendar, nth_working_day
from aftersales.selectors import working_calendar
from customers.selectors import led_team_ids
from salesops.core.money import quantize
from salesops.core.names import display_name
from salesops.core.thresholds import threshold

from . import rules
from .models import ExpenseClaim, ExpenseLine
from .permissions import checks_claims, claims, pays_claims, reads_all_claims


def setting(code: str) -> Decimal:
    """This app's admin-editable number (core.Threshold, seeded by migrations; rules.THRESHOLDS the defaults)."""
    return threshold(code, default=rules.THRESHOLD_DEFAULTS[code])


def claim_due(claim: ExpenseClaim, calendar: WorkCalendar | None = None) -> date | None:
    """The day the clerk should have checked the claim by (submitted) or finance paid it by (approved): so many working
    days (rules.WAITING's threshold) after the day it came to them; None in any other state."""
    waiting = rules.WAITING.get(claim.status)
    since = getattr(claim, waiting.since) if waiting else None
    if since is None:
        return None
    day = timezone.localdate(since)
    return nth_working_day(calendar or working_calendar(around=day), day, int(setting(waiting.days)))


class Wait(NamedTuple):
    label: str  # 审核期限 / 付款期限
    due: date
    overdue: bool


def claim_wait(claim: ExpenseClaim, *, today: date | None = None) -> Wait | None:
    """What the claim waits for now and by when (the claim's page, the API); None when nobody owes it anything."""
    due = claim_due(claim)
    if due is None:
        return None
    return Wait(str(rules.WAITING[claim.status].label), due, (today or timezone.localdate()) > due)


def claims_for(user) -> QuerySet[ExpenseClaim]:
    """The claims `user` may read: their own, and once submitted (a draft is its claimant's alone) everybody's
    (clerks, finance, managers, VP, GM, admin) or a team lead's team's."""
    qs = ExpenseClaim.objects.select_related("claimant", "team", "customer")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    seen = Q(claimant=user)
    if reads_all_claims(user):
        seen |= Q(submitted_at__isnull=False)
    else:
        teams = led_team_ids(user)
        if teams:
            seen |= Q(team_id__in=teams, submitted_at__isnull=False)
    return qs.filter(seen)


def claim_get_for(user, pk) -> ExpenseClaim:
    return get_object_or_404(claims_for(user), pk=pk)


def category_totals(claim: ExpenseClaim) -> list[tuple[str, object]]:
    """(category label, amount) of the claim's lines, the largest first."""
    labels = dict(claim.lines.model._meta.get_field("category").flatchoices)
    rows = claim.lines.values("category").annotate(amount=Sum("amount")).order_by("-amount")
    return [(str(labels.get(row["category"], row["category"])), row["amount"]) for row in rows]


def claim_summary(claim: ExpenseClaim, user) -> list[tuple[str, str]]:
    """What the approvers see in 待我审批: who claims what for, the amount by category and the customer."""
    rows = [
        (_("报销人"), display_name(claim.claimant)),
        (_("报销事由"), claim.title),
        (_("报销金额"), f"{claim.total:,.2f}"),
        (_("费用构成"), "，".join(f"{label} {amount:,.2f}" for label, amount in category_totals(claim))),
    ]
    if claim.customer_id:
        rows.append((_("相关客户"), claim.customer.name))
    return rows


def expense_todo(user) -> list[tuple[str, str, int, str]]:
    """The 工作台 tiles: claims to check (a clerk), to pay (finance), one's own sent back — (key, label, count, list
    url), those with nothing left out."""
    base = reverse("expenses:claim_list")
    S = ExpenseClaim.Status
    tiles = []
    if checks_claims(user):
        count = ExpenseClaim.objects.filter(status=S.SUBMITTED).exclude(claimant=user).count()
        tiles.append(("verify", _("待审核报销"), count, f"{base}?status=submitted"))
    if pays_claims(user):
        tiles.append(("pay", _("待付款报销"), ExpenseClaim.objects.filter(status=S.APPROVED).count(), f"{base}?status=approved"))
    if claims(user):
        returned = ExpenseClaim.objects.filter(claimant=user, status=S.RETURNED).count()
        tiles.append(("returned", _("被退回的报销"), returned, f"{base}?status=returned&claimant={user.pk}"))
    return [tile for tile in tiles if tile[2]]


# --- the figures the reports floor reads (reports.kpis) -----------------------------------------------------------------
COUNTED = (ExpenseClaim.Status.APPROVED, ExpenseClaim.Status.PAID)  # what the company has agreed to pay


def _counted_lines(start: date, end: date, owner_id: int | None, team_id: int | None) -> QuerySet[ExpenseLine]:
    lines = ExpenseLine.objects.filter(claim__status__in=COUNTED, spent_on__range=(start, end))
    if owner_id is not None:
        lines = lines.filter(claim__claimant_id=owner_id)
    if team_id is not None:
        lines = lines.filter(claim__team_id=team_id)
    return lines


def expense_total(start: date, end: date, *, owner_id: int | None = None, team_id: int | None = None) -> Decimal:
    """销售费用: the lines spent in [start, end] of the claims approved or paid — a rep's (owner_id: the claimant's) or a
    team's (the claim's team: the claimant's when it was written) or everybody's."""
    return quantize(_counted_lines(start, end, owner_id, team_id).aggregate(total=Sum("amount"))["total"] or 0)


def expense_by(field: str, start: date, end: date, *, owner_id: int | None = None, team_id: int | None = None) -> dict:
    """{claimant id or team id (field "claimant" or "team"): 销售费用} over [start, end], as expense_total counts it."""
    key = f"claim__{field}_id"
    rows = _counted_lines(start, end, owner_id, team_id).order_by().values(key).annotate(total=Sum("amount"))
    return {row[key]: quantize(row["total"]) for row in rows}  # SQLite sums decimals as floats: 0.1 + 0.2 = 0.3000…
