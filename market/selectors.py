"""Reads of 市场信息: the entries a user may read (with whether they have read each), one entry, the unread, who has
read an entry, who may read it (the ones an important entry is sent to), and the competitors' summary (竞争对手分析)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from customers.models import Opportunity
from customers.rules import win_rate
from customers.selectors import customer_scope, opportunity_list_for
from salesops.core.money import ZERO
from salesops.core.roles import has_role, users_with_role

from .models import MarketInfo, MarketInfoRead
from .permissions import reads_market
from .rules import READER_ROLES, WITHDRAWER_ROLES, Kind


def _visible(user) -> Q | None:
    """An entry naming a customer is read by those who may see the customer (and its author); a withdrawn one only by its
    author and the sales managers. None: nothing."""
    if not reads_market(user):
        return None
    scope = customer_scope(user, "customer__")
    if scope is None:
        return None
    visible = Q(reported_by=user) | Q(customer__isnull=True) | scope if scope else Q()  # Q(): every customer
    if not has_role(user, *WITHDRAWER_ROLES):
        visible &= Q(status=MarketInfo.Status.PUBLISHED) | Q(reported_by=user)
    return visible


def infos_for(user) -> QuerySet[MarketInfo]:
    """The entries `user` may read, each with `is_read` (whether they have opened it)."""
    visible = _visible(user)
    read = MarketInfoRead.objects.filter(info=OuterRef("pk"), user_id=getattr(user, "pk", None))
    qs = MarketInfo.objects.select_related("reported_by", "customer", "product", "team").annotate(is_read=Exists(read))
    if visible is None:
        return qs.none()
    return qs.filter(visible) if visible else qs


def info_get_for(user, pk) -> MarketInfo:
    """One entry `user` may read, or 404."""
    return get_object_or_404(infos_for(user), pk=pk)


def unread_for(user) -> QuerySet[MarketInfo]:
    """The published entries `user` may read and has not opened (theirs are read)."""
    return infos_for(user).filter(status=MarketInfo.Status.PUBLISHED, is_read=False)


UNREAD_SHOWN = 99  # beyond it, "99+": an exact count of tens of thousands unread would read them all on every page


def unread_count(user) -> int:
    """How many entries `user` has not opened, counted up to UNREAD_SHOWN + 1 (shown as "99+")."""
    return unread_for(user)[: UNREAD_SHOWN + 1].count()


def readers_of(info: MarketInfo) -> list:
    """Who may read a published entry, besides its author: every reader of an entry naming no customer, else those who
    may see the customer (one check per reader)."""
    candidates = users_with_role(*READER_ROLES).exclude(pk=info.reported_by_id)
    if info.customer_id is None:
        return list(candidates)
    return [user for user in candidates if infos_for(user).filter(pk=info.pk).exists()]


def read_count(info: MarketInfo) -> int:
    """How many besides its author have opened the entry (已阅)."""
    return info.reads.exclude(user_id=info.reported_by_id).count()


COMPETITOR_MONTHS = ("3", "6", "12")  # the periods of the competitors' summary


def months_ago(months: int) -> datetime:
    return timezone.now() - timedelta(days=round(months * 30.4))


@dataclass
class Competitor:
    name: str
    entries: int = 0  # market information about them, reported in the period
    last_reported: datetime | None = None
    open_count: int = 0  # open sales opportunities they are named on
    open_amount: Decimal = ZERO
    won_count: int = 0  # opportunities won against them in the period
    won_amount: Decimal = ZERO
    lost_count: int = 0  # lost to them in the period
    lost_amount: Decimal = ZERO

    @property
    def win_rate(self) -> Decimal | None:
        """Won ÷ (won + lost) against them; None when nothing was decided."""
        return win_rate(self.won_count, self.lost_count)


def competitor_summary(user, since: datetime) -> list[Competitor]:
    """竞争对手分析, as far as `user` may see: per competitor named, the market information about them reported since
    `since`, the open sales opportunities naming them, and those won against them and lost to them since then (count and
    amount) — the biggest losses first. Two grouped queries."""
    found: dict[str, Competitor] = {}

    def of(name: str) -> Competitor:
        key = name.strip()
        return found.setdefault(key, Competitor(key))

    entries = (
        infos_for(user)
        .filter(kind=Kind.COMPETITOR, status=MarketInfo.Status.PUBLISHED, created_at__gte=since)
        .exclude(competitor="")
        .order_by()
        .values("competitor")
        .annotate(n=Count("pk"), last=Max("created_at"))
    )
    for row in entries:
        competitor = of(row["competitor"])
        competitor.entries += row["n"]
        competitor.last_reported = max(filter(None, (competitor.last_reported, row["last"])))
    Stage = Opportunity.Stage
    deals = (
        opportunity_list_for(user)
        .exclude(competitor="")
        .filter(Q(status__in=Opportunity.OPEN_STAGES) | Q(status__in=(Stage.WON, Stage.LOST), closed_at__gte=since))
        .order_by()
        .values("competitor", "status")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    for row in deals:
        competitor = of(row["competitor"])
        kind = {Stage.WON: "won", Stage.LOST: "lost"}.get(row["status"], "open")
        setattr(competitor, f"{kind}_count", getattr(competitor, f"{kind}_count") + row["n"])
        setattr(competitor, f"{kind}_amount", getattr(competitor, f"{kind}_amount") + (row["amount"] or ZERO))
    return sorted(found.values(), key=lambda c: (-c.lost_amount, -c.entries, c.name))
