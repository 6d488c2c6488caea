"""What the background runs share — the monthly report runs (reports.services.runs) and the list export runs
(core.export_runs): each is one row (models.RunStatus: queued → running n% → done / failed) written by a Celery task
that claims it once. Here: saving its progress while it works, and the sweep of runs whose task was lost or whose
worker died."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .models import RunStatus
from .transient import transient


def save_progress(model: type[models.Model], run_id: int, percent: int) -> None:
    """A running run's percentage (1–99: the end writes 100), outside any transaction so the page polling it sees it;
    a lost step costs nothing, the next one or the end overwrites it."""
    with transient():
        model.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(progress=max(1, min(int(percent), 99)))


def throttled(save: Callable[[int], None]) -> Callable[[int], None]:
    """`save` called at most once every REPORT_PROGRESS_SECONDS (the pages poll every 2 seconds): a run done in a moment
    writes no step at all (its claim wrote 1 %)."""
    last = time.monotonic()

    def step(value: int) -> None:
        nonlocal last
        if time.monotonic() - last >= settings.REPORT_PROGRESS_SECONDS:
            save(value)
            last = time.monotonic()

    return step


def runs_sweep(model: type[models.Model], publish: Callable[[int], None], dead_reason: str, now=None) -> dict[str, int]:
    """Every few minutes (beat): publish again the runs still queued after REPORT_REQUEUE_SECONDS (their task was never
    published or was lost), and fail with `dead_reason` the runs running longer than the task time limit (the worker
    died)."""
    now = now or timezone.now()
    stale = list(
        model.objects.filter(status=RunStatus.QUEUED, queued_at__lt=now - timedelta(seconds=settings.REPORT_REQUEUE_SECONDS))
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
    for pk in stale:
        publish(pk)
    dead = model.objects.filter(
        status=RunStatus.RUNNING, started_at__lt=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    ).update(status=RunStatus.FAILED, error=dead_reason, finished_at=now)
    return {"requeued": len(stale), "failed": dead}
