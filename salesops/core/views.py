"""Kernel pages: timeline comments and attachments on any document, notifications, the approvals inbox and decisions.

Every view: access check → service → render/redirect. Domain errors become a message on the page the user came from.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from salesops.core.pages import paginate
from salesops.core.pages import querystring as _querystring

from . import approvals, batch, export_runs, imports, selectors, timeline
from .access import get_visible_or_404, reads_files
from .documents import XLSX
from .errors import DomainError, NotFound
from .filters import DecidedStepFilter, ExportRunFilter, NotificationFilter, WaitingStepFilter
from .models import ApprovalStep, Attachment, ExportRun, Notification
from .notifications import notification_mark_read
from .thresholds import threshold


# --- helpers ------------------------------------------------------------------------------------------------------
def _target_or_404(user, ct_id, obj_id):
    ct = get_object_or_404(ContentType, pk=ct_id)
    model = ct.model_class()
    if model is None:
        raise Http404
    return get_visible_or_404(model, user, obj_id)


def _safe_url(request, url: str) -> str | None:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return None


def _back(request, target):
    url = _safe_url(request, request.POST.get("next", "")) or _safe_url(request, request.META.get("HTTP_REFERER", ""))
    if url:
        return redirect(url)
    return redirect(target.get_absolute_url()) if hasattr(target, "get_absolute_url") else redirect("dashboard")


def _back_or(request, default: str):
    url = _safe_url(request, request.POST.get("next", "")) or _safe_url(request, request.META.get("HTTP_REFERER", ""))
    return redirect(url or default)


def _page(request, qs):
    return paginate(request, qs, default=20)


# --- timeline -----------------------------------------------------------------------------------------------------
@login_required
@require_POST
def comment_add(request, ct_id, obj_id):
    target = _target_or_404(request.user, ct_id, obj_id)
    try:
        timeline.comment_add(target=target, actor=request.user, text=request.POST.get("text", ""))
        messages.success(request, _("评论已发表。"))
    except DomainError as e:
        messages.error(request, str(e))
    return _back(request, target)


@login_required
@require_POST
def attachment_add(request, ct_id, obj_id):
    target = _target_or_404(request.user, ct_id, obj_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
        return _back(request, target)
    try:
        timeline.attachment_add(
            target=target, actor=request.user, upload=upload, kind=request.POST.get("kind") or Attachment.Kind.GENERAL
        )
        messages.success(request, _("附件已上传。"))
    except DomainError as e:
        messages.error(request, str(e))
    return _back(request, target)


def attachment_file_response(user, pk) -> FileResponse:
    """The file of an attachment as a download, if `user` may see its document and read its files (access.reads_files;
    404 otherwise). Used by the page and the API."""
    attachment = get_object_or_404(Attachment.objects.select_related("target_type"), pk=pk)
    model = attachment.target_type.model_class()
    if model is None:
        raise Http404
    get_visible_or_404(model, user, attachment.target_id)
    if not reads_files(model, user):  # sees the document, not its files (a contract's scan shows its prices)
        raise Http404
    try:
        fh = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(fh, as_attachment=True, filename=attachment.name, content_type=attachment.content_type or None)


@login_required
def attachment_download(request, pk):
    return attachment_file_response(request.user, pk)


# --- notifications ------------------------------------------------------------------------------------------------
@login_required
def notifications(request):
    """The user's notifications: unread first (or only unread / only read), 20 per page."""
    filterset = NotificationFilter(request.GET, queryset=selectors.notifications_for(request.user), request=request)
    return render(
        request,
        "core/notifications.html",
        {"filterset": filterset, "page": _page(request, filterset.qs), "querystring": _querystring(request, "page")},
        status=filterset.status_code,
    )


@login_required
@require_POST
def notifications_mark_all_read(request):
    n = notification_mark_read(user=request.user)
    messages.success(request, _("已将 %(n)d 条通知标记为已读。") % {"n": n})
    return _back_or(request, reverse("core:notifications"))


@login_required
@require_POST
def notification_mark_read_view(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(user=request.user, ids=[notification.pk])
    return _back_or(request, reverse("core:notifications"))


@login_required
def notification_open(request, pk):
    """Click-through: mark the notification read and go to the page it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(user=request.user, ids=[notification.pk])
    return redirect(_safe_url(request, notification.url) or reverse("core:notifications"))


# --- approvals ----------------------------------------------------------------------------------------------------
def _annotate_steps(steps, user, now, overdue_hours):
    for step in steps:
        step.kind_label = approvals.kind_label(step.request.kind)
        if step.status == ApprovalStep.Status.PENDING and step.activated_at:
            step.waiting_hours = (now - step.activated_at).total_seconds() / 3600
            step.is_overdue = step.waiting_hours >= float(overdue_hours)
        else:
            step.waiting_hours, step.is_overdue = None, False
        step.user_can_decide = approvals.can_decide(step, user)
        step.summary = approvals.summary_for(step.request, user)


@login_required
def approvals_inbox(request):
    """待我审批 (steps waiting for the user, oldest first, overdue highlighted; the ones the user may decide ticked and
    approved together with 批量同意: approvals_approve_many) and 我已处理 (steps the user decided)."""
    user = request.user
    tab = "done" if request.GET.get("tab") == "done" else "waiting"
    waiting = approvals.steps_waiting_for(user)
    done = selectors.steps_decided_by(user)
    if tab == "waiting":
        filterset = WaitingStepFilter(request.GET, queryset=waiting, request=request)
    else:
        filterset = DecidedStepFilter(request.GET, queryset=done, request=request)
    page = _page(request, filterset.qs)
    _annotate_steps(page.object_list, user, timezone.now(), threshold("approval_overdue_hours"))
    return render(
        request,
        "core/approvals_inbox.html",
        {
            "tab": tab,
            "page": page,
            "counts": {
                "waiting": page.paginator.count if tab == "waiting" and _unfiltered(filterset) else waiting.count(),
                "done": page.paginator.count if tab == "done" and _unfiltered(filterset) else done.count(),
            },
            "filterset": filterset,
            "filter_keep": [("tab", tab)],
            "decisions": ApprovalStep.Decision.choices,
            "querystring": _querystring(request, "page"),
            # 批量同意: the rows of this page the user may decide now (a checkbox each; 全部选择 takes them all)
            "batch_ids": [step.pk for step in page.object_list if step.user_can_decide] if tab == "waiting" else [],
            "batch_max": batch.MAX,
        },
        status=filterset.status_code,
    )


def _unfiltered(filterset) -> bool:
    """True when no filter narrows the tab: its page already counted every step of it (one COUNT fewer)."""
    return filterset.is_valid() and not any(value not in (None, "") for value in filterset.form.cleaned_data.values())


@login_required
@require_POST
def approval_decide(request, pk):
    """Record the user's decision on one step; any refusal (not yours, already decided, no comment) is a message, not a 500."""
    try:
        step = approvals.approval_decide(
            step_id=pk, actor=request.user, decision=request.POST.get("decision", ""), comment=request.POST.get("comment", "")
        )
    except NotFound:
        raise Http404 from None
    except DomainError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            _("已处理“%(step)s”：%(result)s。") % {"step": step.label_text, "result": step.get_status_display()},
        )
    return _back_or(request, reverse("core:approvals_inbox"))


def _inbox_url(request) -> str:
    """The inbox with the query string the POST came with: its tab, filters, page and page size, as the user left it."""
    query = request.GET.urlencode()
    return reverse("core:approvals_inbox") + (f"?{query}" if query else "")


@login_required
@require_POST
def approvals_approve_many(request):
    """批量同意 from 待我审批: the ticked steps (or, with 全部选择, every step of the page the user could decide) approved
    with one optional comment, each on its own (approvals.approval_decide_many); then back to the inbox as it was (same
    query string) with one message of what was approved and what was not, and why. Without `confirmed` (a browser
    without JavaScript, whose 批量同意 asks nothing) the confirmation is a page listing the steps first."""
    back = _inbox_url(request)
    posted = request.POST.getlist("step_ids")
    if request.POST.get("select_all"):
        posted += request.POST.getlist("page_step_ids")
    comment = request.POST.get("comment", "").strip()
    try:
        ids = approvals.batch_step_ids(posted)
    except DomainError as e:
        messages.error(request, str(e))
        return redirect(back)
    if not request.POST.get("confirmed"):
        listed = {step.pk: step for step in approvals.steps_waiting_for(request.user).filter(pk__in=ids)}
        steps = [listed[pk] for pk in ids if pk in listed]
        for step in steps:
            step.kind_label = approvals.kind_label(step.request.kind)
        context = {"steps": steps, "ids": ids, "others": len(ids) - len(steps), "comment": comment, "back": back}
        return render(request, "core/approvals_approve_many.html", context)
    outcomes = approvals.approval_decide_many(step_ids=ids, actor=request.user, comment=comment)
    level, text = batch.summary(outcomes, done=_("已同意 %(n)d 项。"))
    messages.add_message(request, level, text)
    return redirect(back)


@csrf_exempt  # answers 404 to every method: nothing to protect, and a POST must not get the CSRF page instead
def api_address_unknown(request, rest=""):
    """Any address under /api/ no API view answers: the API's 404 also with DEBUG on (Django's own 404 page then)."""
    return page_not_found(request, None)


def page_not_found(request, exception):
    """handler404: under /api/ the API's error shape ({"code", "detail"}, as salesops.core.api renders it), else the page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "detail": _("未找到，或您无权查看。")}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)


# --- 导出 Excel of any list -----------------------------------------------------------------------------------------
@login_required
@require_GET
def list_export(request, name):
    """The .xlsx of list `name` (core.exports): the rows of the filters in the query string that the user may see — the
    file itself, or for a long list the page of its export run, written in the background."""
    answer = export_runs.export_response(name, request, request.GET)
    if isinstance(answer, ExportRun):
        messages.info(request, _("共 %(n)s 行，正在后台生成，完成后可在此下载，并会通知您。") % {"n": answer.total})
        return redirect("core:export_run_detail", pk=answer.pk)
    return answer


@login_required
@require_GET
def export_run_list(request):
    """我的导出: the user's export runs (filters, search, pages); rows still queued or running refresh themselves."""
    filterset = ExportRunFilter(request.GET, queryset=export_runs.export_runs_for(request.user), request=request)
    page = paginate(request, filterset.qs)
    context = {
        "filterset": filterset,
        "page": page,
        "rows": [(run, export_runs.export_run_allowed_actions(run, request.user)) for run in page],
        "querystring": _querystring(request, "page"),
        "polling": any(run.status in ExportRun.ACTIVE for run in page),
        "direct_rows": settings.EXPORT_DIRECT_ROWS,
    }
    template = "core/_export_run_rows.html" if request.htmx else "core/export_run_list.html"
    return render(request, template, context, status=filterset.status_code)


def _export_run_context(request, run) -> dict:
    actions = export_runs.export_run_allowed_actions(run, request.user)
    filters = export_runs.export_run_filters(run)
    return {
        "run": run,
        "actions": actions,
        "polling": run.status in ExportRun.ACTIVE,
        "keep_days": settings.EXPORT_KEEP_DAYS,
        "filters": filters,
    }


@login_required
@require_GET
def export_run_detail(request, pk):
    """One export run: its list and filters, status and progress (refreshing itself while active), download or retry."""
    run = export_runs.export_run_get_for(request.user, pk)
    template = "core/_export_run_status.html" if request.htmx else "core/export_run_detail.html"
    return render(request, template, _export_run_context(request, run))


@login_required
@require_GET
def export_run_download(request, pk):
    return export_runs.export_run_download(request.user, pk)


@login_required
@require_POST
def export_run_retry(request, pk):
    run = export_runs.export_run_get_for(request.user, pk)
    try:
        export_runs.export_run_retry(run=run, actor=request.user)
    except DomainError as e:
        messages.error(request, str(e))
        return render(request, "core/export_run_detail.html", _export_run_context(request, run), status=e.status_code)
    messages.success(request, _("已重新加入导出队列。"))
    return redirect("core:export_run_detail", pk=run.pk)


# --- 导入 Excel (core.imports): template, upload → preview, accept → commit -----------------------------------------
def _importer_for(request, name):
    importer = imports.importer_named(name)
    imports.require_allowed(importer, request.user)  # Forbidden: the 403 page with the app's reason
    return importer


def _import_page(request, importer, *, result=None, error="", status=200):
    sheets = []
    if result is not None:
        by_sheet = {str(spec.title): spec for spec in importer.sheets}
        for title, spec in by_sheet.items():
            rows = [r for r in result.rows if r.sheet == title]
            if rows:
                sheets.append(
                    {
                        "title": title,
                        "fields": spec.fields,
                        "rows": [(r, [f.shown(r.values.get(f.key)) for f in spec.fields]) for r in rows],
                    }
                )
    context = {
        "importer": importer,
        "result": result,
        "sheets": sheets,
        "error": error,
        "failure": imports.failure_text(result) if result is not None and result.errors else "",
        "list_url": reverse(importer.list_view),
    }
    return render(request, "core/import.html", context, status=status)


@login_required
def import_upload(request, name):
    """GET: the upload form and the template link; POST: the preview of the uploaded file (nothing is saved)."""
    importer = _importer_for(request, name)
    if request.method != "POST":
        return _import_page(request, importer)
    upload = request.FILES.get("file")
    try:
        result = imports.preview(importer, actor=request.user, content=upload.read() if upload else b"")
    except DomainError as e:
        return _import_page(request, importer, error=str(e), status=400)
    return _import_page(request, importer, result=result)


@login_required
@require_POST
def import_commit(request, name):
    """Import the previewed file: every row, or — if any fails now — nothing, and the preview again with the errors."""
    importer = _importer_for(request, name)
    result = imports.commit(importer, actor=request.user, token=request.POST.get("token", ""))
    if not result.committed:
        return _import_page(request, importer, result=result, status=400)
    counts = "，".join(_("%(sheet)s %(n)s 行") % {"sheet": sheet, "n": n} for sheet, n in result.counts().items())
    messages.success(request, _("导入完成：%(counts)s。") % {"counts": counts})
    return redirect(importer.list_view)


@login_required
@require_GET
def import_template(request, name):
    importer = _importer_for(request, name)
    response = HttpResponse(imports.template_file(importer), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-template.xlsx"'
    return response
