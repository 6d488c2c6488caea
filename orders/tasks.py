"""Celery tasks of the orders app: thin and idempotent (ARCHITECTURE.md rule 7)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(name="orders.tasks.warn_orders_at_risk", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=60)
def warn_orders_at_risk() -> int:
    """Every morning (beat, 07:30): warn clerk and rep of promised ship dates at risk; once per order and day (RiskAlert)."""
    return services.orders_warn_at_risk()
