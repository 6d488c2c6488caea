"""Celery tasks of the contracts app: thin and idempotent (ARCHITECTURE.md rule 7)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(name="contracts.tasks.expire_quotations", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=60)
def expire_quotations() -> int:
    """Every night (beat, 00:10): approved or sent quotations past their validity date become expired and their owner is told.

    Each quotation is moved under its own row lock and only from approved/sent, so a second run (or a retry) changes nothing.
    Returns how many quotations expired.
    """
    return services.quotations_expire()
