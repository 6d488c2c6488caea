"""Celery tasks of the expenses app: thin and idempotent (ARCHITECTURE.md rule 7)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(name="expenses.tasks.remind_waiting_claims", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=60)
def remind_waiting_claims() -> int:
    """Every morning (beat, 09:10): claims past their day to be checked or paid are reported once per stage."""
    return services.claims_remind_overdue()
