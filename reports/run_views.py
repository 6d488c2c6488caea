"""Pages of the monthly reports (月度报表: request, list with live progress, detail, download, retry) and of the daily
digest (日报, any day). Access and rules come from reports.selectors / permissions / services."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesops.core.editing import call_for_form
from salesops.core.errors import DomainError
from salesops.core.navigation import may_open
from salesops.core.pages import forbidden, form_status, paginate, querystring

from . import permissions, selectors
from .filters import ReportRunFilter
from .forms import DigestDayForm, ReportRequestForm
from .models import ReportRun
from .scopes import Scope, scope_labels
from .services import runs as svc


def _list_context(request, form) -> dict:
    filterset = ReportRunFilter(request.GET, queryset=selectors.report_run_list_for(request.user), request=request)
    page = paginate(request, filterset.qs)
    labels = scope_labels(run.scope_key for run in page)
    rows = [(run, labels[run.scope_key], permissions.report_run_allowed_actions(run, request.user)) for run in page]
    return {
        "filterset": filterset,
        "page": page,
        "rows": rows,
        "querystring": querystring(request, "page"),
        "polling": any(run.status in ReportRun.ACTIVE for run in page),
        "form": form,
    }


@login_required
@require_GET
def run_list(request):
    """月度报表: the runs the user may see (filters, search, pages); the rows of runs still queued or running refresh
    themselves (htmx polling of this page's rows) until they are done or failed."""
    if not permissions.report_kinds_for(request.user):
        return forbidden(request, _("您的角色不查看销售报表。"))
    context = _list_context(request, ReportRequestForm(user=request.user, initial=_default_request()))
    template = "reports/_run_rows.html" if request.htmx else "reports/run_list.html"
    return render(request, template, context, status=context["filterset"].status_code)


def _default_request() -> dict:
    last_month = timezone.localdate().replace(day=1) - timezone.timedelta(days=1)
    return {"period": f"{last_month:%Y-%m}"}


@login_required
@require_POST
def run_request(request):
    """Queue a report (or join the one already queued or running for the same report, month and scope)."""
    if not permissions.report_kinds_for(request.user):
        return forbidden(request, _("您的角色不查看销售报表。"))
    form = ReportRequestForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        ok, result = call_for_form(
            form, lambda: svc.report_run_request(kind=d["kind"], period=d["period"], scope=d["scope"], actor=request.user)
        )
        if ok:
            run, created = result
            messages.success(request, _("报表已加入生成队列。") if created else _("同一报表正在生成中，已为您打开它。"))
            return redirect("reports:run_detail", pk=run.pk)
    context = _list_context(request, form)
    return render(request, "reports/run_list.html", context, status=form_status(form))


def _detail_context(request, run) -> dict:
    return {
        "run": run,
        "scope": Scope.parse(run.scope_key),
        "actions": permissions.report_run_allowed_actions(run, request.user),
        "history": selectors.report_run_history(request.user, run),
        "polling": run.status in ReportRun.ACTIVE,
    }


@login_required
@require_GET
def run_detail(request, pk):
    """One run: status and progress (refreshing itself while active), the allowed actions, the totals, what changed since
    the previous generation, and every generation of the same report (history)."""
    run = selectors.report_run_get_for(request.user, pk)
    template = "reports/_run_status.html" if request.htmx else "reports/run_detail.html"
    return render(request, template, _detail_context(request, run))


@login_required
@require_POST
def run_retry(request, pk):
    run = selectors.report_run_get_for(request.user, pk)
    try:
        svc.report_run_retry(run=run, actor=request.user)
    except DomainError as e:
        messages.error(request, str(e))
        return render(request, "reports/run_detail.html", _detail_context(request, run), status=e.status_code)
    messages.success(request, _("已重新加入生成队列。"))
    return redirect("reports:run_detail", pk=run.pk)


@login_required
@require_GET
def run_download(request, pk):
    """The stored workbook of a finished run, for whoever may see its scope (404 for the others, as for any document)."""
    run = selectors.report_run_get_for(request.user, pk)
    if "download" not in permissions.report_run_allowed_actions(run, request.user):
        raise Http404
    return FileResponse(run.file.open("rb"), as_attachment=True, filename=selectors.report_file_name(run))


@login_required
@require_GET
def digest(request):
    """日报 of any day (today unless another is picked): the day's sales, order intake, unshipped amount, overdue
    verifications and orders at risk, in the user's widest scope."""
    form = DigestDayForm(request.GET or None)
    day: date = timezone.localdate()
    if form.is_bound and form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    figures = selectors.digest_for(request.user, day)
    if figures is None:
        return forbidden(request, _("您的角色不查看销售报表。"))
    status = 400 if form.is_bound and not form.is_valid() else 200
    links = {
        name: url if may_open(request.user, url) else ""
        for name, url in (
            ("intake", figures["lists"]["intake"]),
            ("opportunities", figures["lists"]["opportunities"]),
            ("clerk_queue", reverse("orders:clerk_queue")),
        )
    }
    context = {"form": form, "day": day, "figures": figures, "links": links, "runs_url": reverse("reports:run_list")}
    return render(request, "reports/digest.html", context, status=status)
