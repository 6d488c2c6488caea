"""Celery tasks of the kernel: thin, idempotent, load by id and call a service. Services never import this module
(the outbox publishes by task name), so the import graph has no cycle."""

from __future__ import annotations

from celery import shared_task

from .approvals import approvals_remind_overdue
from .export_runs import export_run_generate, export_runs_sweep
from .imports import previews_purge
from .outbox import outbox_deliver, outbox_sweep


@shared_task(name="salesops.core.tasks.deliver_outbox")
def deliver_outbox(message_id: int) -> bool:
    """Send one outgoing message after the commit that queued it; a second run, or a sent row, sends nothing."""
    return outbox_deliver(message_id)


@shared_task(name="salesops.core.tasks.sweep_outbox")
def sweep_outbox() -> int:
    """Every minute (beat): deliver the pending messages that are due (not published while the broker was down, retries)."""
    return outbox_sweep()


@shared_task(name="salesops.core.tasks.remind_overdue_approvals")
def remind_overdue_approvals() -> int:
    """Remind the people who must act on approval steps waiting longer than the configured hours."""
    return approvals_remind_overdue()


@shared_task(name="salesops.core.tasks.generate_export")
def generate_export(run_id: int) -> bool:
    """Write one queued export run (published after the request's commit, or by the sweep); a run no longer queued is
    left alone. Failures are kept on the run, never retried here: its reader retries from the page."""
    return export_run_generate(run_id)


@shared_task(name="salesops.core.tasks.sweep_export_runs")
def sweep_export_runs() -> dict[str, int]:
    """Every 5 minutes (beat): publish again export runs whose task was lost, fail runs whose worker died."""
    return export_runs_sweep()


@shared_task(name="salesops.core.tasks.purge_import_previews")
def purge_import_previews() -> int:
    """Every hour (beat): delete the kept uploads of 导入 Excel previews older than 24 hours (never committed)."""
    return previews_purge()
