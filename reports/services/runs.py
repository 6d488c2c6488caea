"""Every write of report runs: request (deduplicated), generate (by the Celery task), retry a failed one, the monthly
schedule (beat, the 1st) and the sweep of runs a lost task left behind.

Lock order (salesops/core/locking.py): a run is one row, locked alone. Two requests for the same report, period and
scope while one is queued or running give one run: the active run is re-read under its row lock, and the partial unique
constraint `report_run_one_active` catches two inserts racing past each other (the loser returns the winner's run).
Generation runs outside any transaction, so its progress is visible to the page while it works; it claims the run
with a conditional update (queued → running), so a duplicate task, a redelivery or the sweeper never generates twice.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import date, timedelta

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import Team
from salesops.core.outbox import publish_task
from salesops.core.runs import runs_sweep, save_progress, throttled

from .. import permissions
from ..models import ReportRun
from ..periods import Period
from ..scopes import Scope, scope_error
from ..workbooks import generate_workbook

logger = logging.getLogger(__name__)

GENERATE_TASK = "reports.tasks.generate_report"
Status = ReportRun.Status


def _publish(run_id: int) -> None:
    publish_task(GENERATE_TASK, run_id, eager=report_run_generate)


def check_period(period: Period, today: date | None = None) -> None:
    """A month report covers a month that has begun (the running month gives the figures so far)."""
    today = today or timezone.localdate()
    if period.kind != "month":
        raise DomainError(_("月度报表只能按月生成。"), code="invalid_period")
    if error := period.not_started_error(today):
        raise DomainError(error, code="invalid_period")


def _active(kind: str, period: Period, scope: Scope):
    return ReportRun.objects.filter(kind=kind, period=period.key, scope_key=scope.key, status__in=ReportRun.ACTIVE)


def report_run_request(*, kind: str, period: Period, scope: Scope, actor=None) -> tuple[ReportRun, bool]:
    """Queue the generation of report `kind` for `period` and `scope`; (run, created). While the same report is queued
    or running, that run is returned and nothing new is queued. `actor` None is the monthly schedule (beat). Refused:
    a scope naming no sales team or active seller (400), a report or scope the actor may not request (403,
    permissions.may_request)."""
    if kind not in ReportRun.Kind.values:
        raise DomainError(_("未知的报表类型：%(kind)s") % {"kind": kind}, code="invalid_kind")
    check_period(period)
    if error := scope_error(scope):  # a team or rep that does not exist (or no longer sells) has no figures to report
        raise DomainError(error, code="invalid_scope")
    if actor is not None and not permissions.may_request(actor, scope, kind):
        if permissions.report_kinds_for(actor) and kind not in permissions.report_kinds_for(actor):
            raise Forbidden(
                _("您可以生成的报表只有：%(kinds)s。")
                % {"kinds": "、".join(str(ReportRun.Kind(k).label) for k in permissions.report_kinds_for(actor))}
            )
        raise Forbidden(_("您无权生成该范围（%(scope)s）的报表。") % {"scope": scope.label})
    with transaction.atomic():
        found = _active(kind, period, scope).select_for_update().first()
        if found is not None:
            return found, False
        try:
            with transaction.atomic():  # a savepoint: losing the race must not break the caller's transaction
                run = ReportRun.objects.create(kind=kind, period=period.key, scope_key=scope.key, requested_by=actor)
        except IntegrityError:
            return _active(kind, period, scope).get(), False
        transaction.on_commit(lambda: _publish(run.pk))
    return run, True


def report_run_retry(*, run: ReportRun, actor) -> ReportRun:
    """Queue a failed run again (the same row: its error is cleared). Refused while another run of the same report is
    active, and for a run that did not fail."""
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().filter(pk=run.pk).first()
        if locked is None:
            raise NotFound(_("报表生成记录不存在。"))
        if "retry" not in permissions.report_run_allowed_actions(locked, actor):
            if locked.status != Status.FAILED:
                raise Conflict(_("只有失败的报表可以重试（当前状态：%(status)s）。") % {"status": locked.get_status_display()})
            raise Forbidden(_("您无权重试该报表。"))
        locked.status, locked.progress, locked.error, locked.queued_at = Status.QUEUED, 0, "", timezone.now()
        locked.started_at = locked.finished_at = None
        try:
            with transaction.atomic():
                locked.save(update_fields=["status", "progress", "error", "queued_at", "started_at", "finished_at"])
        except IntegrityError as e:
            raise Conflict(_("该报表已有一次生成在排队或进行中，请等待其完成。")) from e
        transaction.on_commit(lambda: _publish(locked.pk))
    return locked


def _set_progress(run_id: int, percent: int) -> None:
    save_progress(ReportRun, run_id, percent)


def _progress(run_id: int) -> Callable[[int], None]:
    """The generator's progress callback (a percentage), saved at most every REPORT_PROGRESS_SECONDS (core.runs)."""
    return throttled(lambda percent: _set_progress(run_id, percent))


def report_run_generate(run_id: int) -> bool:
    """Generate the workbook of a queued run (the Celery task); True if this call did it. Progress is saved as it goes;
    any failure is kept on the run as its reason (failed, retry possible) and never raised."""
    now = timezone.now()
    claimed = ReportRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.RUNNING, progress=1, started_at=now, error="", attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    run = ReportRun.objects.select_related("requested_by").get(pk=run_id)
    try:
        with tempfile.TemporaryFile() as tmp:
            figures = generate_workbook(
                kind=run.kind,
                period=Period.parse(run.period),
                scope=Scope.parse(run.scope_key),
                requested_by=run.requested_by,
                generated_at=timezone.now(),
                target=tmp,
                progress=_progress(run_id),
            )
            tmp.seek(0)
            name = f"{run.kind}-{run.period}-{run.scope_key.replace(':', '-')}-{run.pk}.xlsx"
            run.file.save(name, File(tmp), save=False)
    except Exception as e:  # any failure is the run's reason, shown on the page with a retry button
        logger.exception("report run %s failed", run_id)
        ReportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
            status=Status.FAILED, error=f"{type(e).__name__}: {e}"[:2000], finished_at=timezone.now()
        )
        return False
    totals = {key: {"label": str(label), "value": None if value is None else str(value)} for key, label, value in figures}
    previous = (
        ReportRun.objects.filter(kind=run.kind, period=run.period, scope_key=run.scope_key, status=Status.DONE)
        .exclude(pk=run.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )
    ReportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
        status=Status.DONE,
        progress=100,
        file=run.file.name,
        totals=totals,
        previous=previous,
        changes=changes_between(previous.totals, totals) if previous else [],
        finished_at=timezone.now(),
    )
    return True


def changes_between(old: dict, new: dict) -> list[dict]:
    """What differs between two runs' totals: [{"key", "label", "old", "new"}] (empty: the same figures)."""
    keys = list(new) + [k for k in old if k not in new]
    out = []
    for key in keys:
        before, after = old.get(key, {}).get("value"), new.get(key, {}).get("value")
        if before != after:
            out.append({"key": key, "label": (new.get(key) or old.get(key))["label"], "old": before, "new": after})
    return out


def reports_schedule_month(*, today: date | None = None) -> int:
    """The 1st of the month (beat): every report of the previous month for the company and each team; returns how many
    were queued. Idempotent per report, month and scope: what already has a run (queued, running, done or failed) is
    left alone, so a second beat, a redelivery or a worker restart adds nothing."""
    today = today or timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    period = Period.month(last_month.year, last_month.month)
    teams = Team.objects.filter(department__code="sales").order_by("pk").values_list("pk", flat=True)
    scopes = [Scope.company(), *(Scope.team(pk) for pk in teams)]
    existing = set(ReportRun.objects.filter(period=period.key).values_list("kind", "scope_key").distinct())
    queued = 0
    for scope in scopes:
        for kind in ReportRun.Kind.values:
            if (kind, scope.key) in existing:
                continue
            _run, created = report_run_request(kind=kind, period=period, scope=scope)
            queued += created
    return queued


def report_runs_sweep(*, now=None) -> dict[str, int]:
    """Every few minutes (beat): publish again the runs whose task was lost, fail the runs whose worker died (core.runs)."""
    return runs_sweep(ReportRun, _publish, _("生成超时或处理进程已退出，请重试。"), now)
