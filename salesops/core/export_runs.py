"""导出 Excel in the background: a list export of more than EXPORT_DIRECT_ROWS rows (export_response: what the page and
the API's export/ answer) is an ExportRun — queued with the list, its filters and its reader, written by a Celery task
that saves its progress, downloaded by its reader when done (the page refreshes itself, a notification says it is
ready). Writing 60,000 rows takes longer than a request may (openpyxl writes ~100,000 cells a second; the web workers'
timeout is 30 s).

A run is one row, locked alone. The task claims it with a conditional update (queued → running), so a duplicate task, a
redelivery or the sweeper never writes it twice; writing runs outside any transaction, so its progress is visible while
it works; any failure is kept on the run as its reason, with a retry. A run is its reader's alone: anyone else gets 404.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import FileResponse, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .documents import XLSX
from .errors import Conflict, NotFound
from .exports import NOT_FILTERS, ListExport, export_file, export_named, export_rows, xlsx_response
from .models import ExportRun
from .notifications import notify
from .outbox import publish_task
from .runs import runs_sweep, save_progress, throttled

logger = logging.getLogger(__name__)

GENERATE_TASK = "salesops.core.tasks.generate_export"
Status = ExportRun.Status


def _publish(run_id: int) -> None:
    publish_task(GENERATE_TASK, run_id, eager=export_run_generate)


# --- reads ------------------------------------------------------------------------------------------------------------
def export_runs_for(user) -> QuerySet[ExportRun]:
    """The user's own export runs, newest first (nobody sees another's: the files hold what that reader may see)."""
    return ExportRun.objects.filter(requested_by=user).order_by("-created_at", "-id")


def export_run_get_for(user, pk) -> ExportRun:
    """One of the user's runs; NotFound for anyone else's, and for an id that is no number (a URL as typed)."""
    try:
        run = export_runs_for(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        run = None
    if run is None:
        raise NotFound(_("导出记录不存在，或您无权查看。"))
    return run


def export_run_allowed_actions(run: ExportRun, user) -> list[str]:
    """What the reader may do now: download a finished run (until its file expires), retry a failed one."""
    if run.requested_by_id != user.pk:
        return []
    if run.status == Status.DONE:
        return ["download"] if run.file else []
    return ["retry"] if run.status == Status.FAILED else []


def export_run_filters(run: ExportRun) -> list[tuple[str, str]]:
    """The run's filters as its list's filter bar names them — (label, value) in the bar's order —, a choice by its
    label (other values, such as a customer's id, as they were given)."""
    params = _query(run.params)
    try:
        filterset_class, visible = export_named(run.name).source(run.requested_by, params)
        fields = filterset_class(params, queryset=visible.none()).form.fields
    except NotFound:  # an export no longer declared: its parameters as they were
        fields = {}
    shown = []
    keys = [key for key in fields if key in run.params] + sorted(key for key in run.params if key not in fields)
    for key in keys:  # the bar's order (PostgreSQL keeps a JSON object's keys in an order of its own)
        values, field = run.params[key], fields.get(key)
        labels = {}
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            for value, label in field.choices:
                labels.update(dict(label) if isinstance(label, (list, tuple)) else {str(value): label})
        name = str(field.label) if field is not None and field.label else key
        shown.append((name, "、".join(str(labels.get(v, v)) for v in values)))
    return shown


def export_run_download(user, pk) -> FileResponse:
    """The finished file of one of the user's runs (page and API); NotFound while it is not done, once its file has
    expired, and for anyone else's run."""
    run = export_run_get_for(user, pk)
    if "download" not in export_run_allowed_actions(run, user):
        raise NotFound(_("导出文件尚未生成或已过期。"))
    name = f"{run.name}-{timezone.localtime(run.created_at):%Y%m%d-%H%M}.xlsx"
    return FileResponse(run.file.open("rb"), as_attachment=True, filename=name, content_type=XLSX)


# --- writes -----------------------------------------------------------------------------------------------------------
def export_run_request(*, export: ListExport, actor, params: Mapping[str, Any], total: int, ip_address=None) -> ExportRun:
    """Queue the export of `export`'s list with `params` (the list's filters, already checked) for `actor`; the task is
    published after the commit (core.outbox.publish_task: the request never waits for the broker). The same export
    still queued or running for the same reader (a second click) is that run, not a second one."""
    values = {key: params.getlist(key) if hasattr(params, "getlist") else [params[key]] for key in params}
    params = {key: vals for key, vals in values.items() if any(v not in ("", None) for v in vals)}
    same = ExportRun.objects.filter(requested_by=actor, name=export.name, params=params, status__in=ExportRun.ACTIVE)
    with transaction.atomic():
        if (active := same.order_by("-pk").first()) is not None:  # a second click while the first is being written
            return active
        run = ExportRun.objects.create(
            name=export.name,
            title=str(export.title)[:100],
            params=params,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            ip_address=ip_address,
            requested_by=actor,
            total=total,
        )
        transaction.on_commit(lambda: _publish(run.pk))
    return run


def export_response(name: str, request, params: Mapping[str, Any]) -> FileResponse | ExportRun:
    """What the page and the API answer to an export of list `name` for the request's user: the file itself when the
    filters select at most EXPORT_DIRECT_ROWS rows, else the ExportRun queued to write it in the background (the page
    opens it, the API answers 202 with it)."""
    export = export_named(name)
    params = params.copy()  # a QueryDict keeps every value of a multiple choice
    for key in NOT_FILTERS:
        params.pop(key, None)
    ip_address = request.META.get("REMOTE_ADDR") or None
    rows = export_rows(export, actor=request.user, params=params)
    total = rows.count()
    if total > settings.EXPORT_DIRECT_ROWS:
        return export_run_request(export=export, actor=request.user, params=params, total=total, ip_address=ip_address)
    out, _count = export_file(export, actor=request.user, params=params, ip_address=ip_address, rows=rows)
    return xlsx_response(out, export.name)


def export_run_retry(*, run: ExportRun, actor) -> ExportRun:
    """Queue a failed run again (the same row, its error cleared); refused for a run that did not fail."""
    with transaction.atomic():
        locked = export_runs_for(actor).select_for_update().filter(pk=run.pk).first()
        if locked is None:
            raise NotFound(_("导出记录不存在，或您无权查看。"))
        if locked.status != Status.FAILED:
            raise Conflict(_("只有失败的导出可以重试（当前状态：%(status)s）。") % {"status": locked.get_status_display()})
        locked.status, locked.progress, locked.error, locked.queued_at = Status.QUEUED, 0, "", timezone.now()
        locked.started_at = locked.finished_at = None
        locked.save(update_fields=["status", "progress", "error", "queued_at", "started_at", "finished_at"])
        transaction.on_commit(lambda: _publish(locked.pk))
    return locked


def _progress(run: ExportRun) -> Callable[[int], None]:
    """The writer's callback (rows written so far) as the run's percentage, saved at most every REPORT_PROGRESS_SECONDS
    (core.runs)."""
    return throttled(lambda written: save_progress(ExportRun, run.pk, written * 100 // max(run.total, 1)))


def export_run_generate(run_id: int) -> bool:
    """Write the file of a queued run (the Celery task); True if this call did it. The list is read as its reader sees
    it now, in the reader's language; the reader is notified when it is ready (or why it failed)."""
    claimed = ExportRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.RUNNING, progress=1, started_at=timezone.now(), error="", attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    run = ExportRun.objects.select_related("requested_by").get(pk=run_id)
    url = reverse("core:export_run_detail", args=[run.pk])
    with translation.override(run.language):
        try:
            export = export_named(run.name)
            params = _query(run.params)
            out, count = export_file(
                export, actor=run.requested_by, params=params, ip_address=run.ip_address, progress=_progress(run)
            )
            with out:
                run.file.save(f"{run.name}-{run.pk}.xlsx", File(out), save=False)
        except Exception as e:  # any failure is the run's reason, shown on its page with a retry button
            logger.exception("export run %s failed", run_id)
            with transaction.atomic():
                failed = ExportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
                    status=Status.FAILED, error=f"{type(e).__name__}: {e}"[:2000], finished_at=timezone.now()
                )
                if failed:
                    notify(
                        recipients=[run.requested_by],
                        title=gettext_lazy("导出失败：%(title)s"),
                        params={"title": run.title},
                        url=url,
                        email=False,
                    )
            return False
        with transaction.atomic():
            done = ExportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
                status=Status.DONE, progress=100, file=run.file.name, row_count=count, finished_at=timezone.now()
            )
            if done:
                notify(
                    recipients=[run.requested_by],
                    title=gettext_lazy("导出已完成：%(title)s（%(n)s 行）"),
                    params={"title": run.title, "n": count},
                    url=url,
                    email=False,
                )
    return bool(done)


def _query(params: dict) -> QueryDict:
    """The run's filters as the QueryDict its list's filter set reads."""
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, values)
    return query


def export_runs_sweep(*, now=None) -> dict[str, int]:
    """Every few minutes (beat): publish again the runs whose task was lost, fail the runs whose worker died (core.runs),
    and delete the files written more than EXPORT_KEEP_DAYS ago (the run stays, saying its file has expired)."""
    now = now or timezone.now()
    swept = runs_sweep(ExportRun, _publish, _("导出超时或处理进程已退出，请重试。"), now)
    expired = ExportRun.objects.filter(
        status=Status.DONE, finished_at__lt=now - timedelta(days=settings.EXPORT_KEEP_DAYS)
    ).exclude(file="")
    swept["expired"] = 0
    for run in expired.order_by("pk")[:500]:
        run.file.delete(save=False)  # the file first: a run cleared but its file left would never be found again
        swept["expired"] += ExportRun.objects.filter(pk=run.pk).update(file="")
    return swept
