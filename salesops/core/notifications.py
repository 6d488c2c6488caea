"""In-app notifications with an e-mail copy sent by Celery after the transaction commits (ARCHITECTURE.md rule 7)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Notification


def notify(*, recipients: Iterable, title: str, body: str = "", url: str = "", email: bool = True) -> list[Notification]:
    """Create one notification per distinct active recipient; e-mail them once the caller's transaction commits."""
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, title=str(title)[:200], body=str(body), url=url))
    created = Notification.objects.bulk_create(rows)
    if email and created:
        ids = [n.pk for n in created if n.pk is not None]
        if not ids:  # backends that do not return ids from bulk_create
            ids = list(
                Notification.objects.filter(recipient_id__in=seen, title=str(title)[:200], emailed_at=None).values_list(
                    "pk", flat=True
                )
            )
        from .tasks import send_notification_emails

        # robust: a broker that is down must not turn the user's committed action into an error page; the e-mail is a copy.
        transaction.on_commit(lambda: send_notification_emails.delay(ids), robust=True)
    return created


def notification_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all unread ones when ids is None) as read; returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
