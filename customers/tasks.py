"""Celery tasks of the customers app: thin and idempotent (ARCHITECTURE.md rule 7)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="customers.tasks.remind_intent_followups_due", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=60
)
def remind_intent_followups_due() -> int:
    """Every morning (beat, 08:00): each rep gets one notification listing the intent customers due today or overdue.

    Running it twice on the same day notifies nobody twice (services.followups_remind_due records each rep and day),
    so a retry after a database hiccup only reaches the reps not yet reminded. Returns how many reps were notified.
    """
    return services.followups_remind_due()
