"""Celery tasks of the after-sales floor: thin and idempotent (ARCHITECTURE.md rule 7). Each calls one service whose
conditional updates and unique constraints make a second run, a second worker or a redelivered task harmless."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .services import callbacks, complaints, tickets


@shared_task(name="aftersales.tasks.callbacks_morning", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=60)
def callbacks_morning() -> dict[str, int]:
    """Every morning (beat, 07:00): schedule missing callbacks, queue today's with a notification, escalate overdue ones."""
    return callbacks.callbacks_morning()


@shared_task(name="aftersales.tasks.check_ticket_sla", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=30)
def check_ticket_sla() -> dict[str, int]:
    """Every 15 minutes (beat): warn before an SLA deadline, escalate after it — once per ticket and deadline."""
    return tickets.tickets_check_sla()


@shared_task(name="aftersales.tasks.remind_overdue_actions", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=60)
def remind_overdue_actions() -> int:
    """Every morning (beat, 08:10): remind owners of corrective/preventive actions past their due day, once a day."""
    return complaints.actions_remind_overdue()
