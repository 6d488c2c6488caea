"""Reads of the kernel for lists: a user's notifications and the approval steps they decided.

("Waiting for me" lives next to the engine: approvals.steps_waiting_for.)
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from .models import ApprovalStep, Notification

# The type-ahead of the pickers (customers, products): this many matches at most, whatever the table's size.
LOOKUP_LIMIT = 20


def lookup(qs: QuerySet, text: str, fields: tuple[str, ...], order: tuple[str, ...]) -> list[dict]:
    """Type-ahead: the first LOOKUP_LIMIT rows of `qs` (in `order`) where each word of `text` is in one of `fields`,
    as {id, name, code}. The substring match uses the trigram indexes on PostgreSQL (core.trigram)."""
    for word in (text or "").split()[:5]:
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        qs = qs.filter(match)
    return list(qs.order_by(*order).values("id", "name", "code")[:LOOKUP_LIMIT])


def notifications_for(user, *, show: str = "all") -> QuerySet[Notification]:
    """The user's own notifications; `show` = all (unread first, then newest), unread or read."""
    qs = Notification.objects.filter(recipient=user)
    if show == "unread":
        return qs.filter(read_at__isnull=True).order_by("-created_at", "-id")
    if show == "read":
        return qs.filter(read_at__isnull=False).order_by("-created_at", "-id")
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.order_by(unread_first, "-created_at", "-id")


def steps_decided_by(user) -> QuerySet[ApprovalStep]:
    """The approval steps `user` has decided ("我已处理"), newest decision first."""
    return (
        ApprovalStep.objects.filter(decided_by=user)
        .select_related("request", "request__requested_by", "assignee_department", "assignee_user", "decided_by")
        .order_by("-decided_at", "-id")
    )
