"""Celery tasks of the plans app: thin and idempotent (ARCHITECTURE.md rule 7)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(name="plans.tasks.remind_missing_plans", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=60)
def remind_missing_plans() -> int:
    """Every morning (beat, 09:20): from 下月销售计划提交日 on, next month's plans not handed in are asked for, once."""
    return services.plans_remind_missing()
