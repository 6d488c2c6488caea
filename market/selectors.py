"""Reads of 市场信息: the entries a user may read (with whether they have read each), one entry, the unread, who has
read an entry, and who may read it (the ones an important entry is sent to)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from customers.selectors import customer_scope
from salesops.core.roles import has_role, users_with_role

from .models import MarketInfo, MarketInfoRead
from .permissions import reads_market
from .rules import READER_ROLES, WITHDRAWER_ROLES


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
