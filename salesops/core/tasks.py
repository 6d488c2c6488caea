"""Celery tasks of the kernel: thin, idempotent, load by id and call a service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    """E-mail notifications not yet e-mailed; a second run sends nothing twice."""
    sent = 0
    for pk in notification_ids:
        with transaction.atomic():
            n = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient")
                .filter(pk=pk, emailed_at=None)
                .first()
            )
            if n is None or not n.recipient.email:
                continue
            send_mail(n.title, f"{n.body}\n\n{n.url}".strip(), settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
            n.emailed_at = timezone.now()
            n.save(update_fields=["emailed_at"])
            sent += 1
    return sent


@shared_task
def remind_overdue_approvals() -> int:
    """Remind the people who must act on approval steps waiting longer than the configured hours."""
    from .approvals import approvals_remind_overdue

    return approvals_remind_overdue()
