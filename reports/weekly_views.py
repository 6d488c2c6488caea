"""Pages of the weekly reports (销售周报): the list (the week's missing ones for whoever reads others'), the report with
its figures, the rep's form (save, or save and hand in), comment and return. Access and rules come from
reports.permissions and reports.services.weekly; a refusal comes back as the message on the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from salesops.core.editing import call_for_form
from salesops.core.pages import Button, action_buttons, forbidden, form_page, paginate, post_data, querystring

from . import permissions, selectors
from .filters import WeeklyReportFilter
from .forms import WeeklyReportForm, WeeklyReviewForm
from .models import WeeklyReport
from .periods import Period
from .services import weekly as svc

LIST_DEFERRED = ("summary", "market", "next_plan", "figures", "review_note")  # the list shows none of the texts
NOT_A_READER = gettext_lazy("销售周报由业务员、销售组长和销售经理使用。")


def _week_asked(filterset) -> Period:
    """The week the list's filter names, else this week."""
    value = filterset.form.cleaned_data.get("week") if filterset.is_valid() else ""
    return Period.parse(value) if value else Period.week(timezone.localdate())


@login_required
@require_GET
def weekly_list(request):
    """销售周报: the reports the user reads (filters, search, pages), the user's own of this week, and — for a lead or a
    manager — who has not handed in the chosen week's and the week's figures of those who have, side by side."""
    user = request.user
    if not permissions.reads_weekly(user):
        return forbidden(request, str(NOT_A_READER))
    filterset = WeeklyReportFilter(request.GET, queryset=selectors.weekly_reports_for(user), request=request)
    week = _week_asked(filterset)
    this_week = Period.week(timezone.localdate())
    reads_others = permissions.reads_others_weekly(user)
    context = {
        "filterset": filterset,
        "page": paginate(request, filterset.qs.defer(*LIST_DEFERRED)),
        "querystring": querystring(request, "page"),
        "week": week,
        "this_week": this_week,
        "last_week": this_week.previous(),
        "writes": permissions.writes_weekly(user),
        "mine": WeeklyReport.objects.filter(rep=user, week=this_week.start).first(),
        "missing": selectors.weekly_missing(user, week) if reads_others else None,
        "summary": selectors.weekly_summary(user, week) if reads_others else None,
    }
    return render(request, "reports/weekly_list.html", context, status=filterset.status_code)


@login_required
@require_POST
def weekly_open(request):
    """写周报: open (or find) the user's report of the week posted (this week unless a Monday is given) and edit it."""
    day = request.POST.get("week") or ""
    try:
        week = Period.parse(day) if day else Period.week(timezone.localdate())
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("reports:weekly_list")
    report = svc.weekly_open(actor=request.user, day=week.start)
    return redirect("reports:weekly_edit", pk=report.pk)


WEEKLY_BUTTONS = {
    "edit": Button(gettext_lazy("填写"), "outline-primary", page="reports:weekly_edit", icon="pencil"),
    "submit": Button(gettext_lazy("提交"), "primary"),
    "review": Button(gettext_lazy("点评"), "success", page="reports:weekly_review", icon="chat-left-text"),
    "send_back": Button(gettext_lazy("退回"), "outline-danger", reason=True),
}
WEEKLY_CONFIRM = {
    "submit": gettext_lazy("提交后本周数据按现在的单据保存，由组长或销售经理点评；提交后不能再修改，除非被退回。"),
    "send_back": gettext_lazy("周报退回业务员补充后重新提交；原因会通知业务员并记入历史记录。"),
}


@login_required
@require_GET
def weekly_detail(request, pk):
    """The report: its week's figures (as handed in; live while a draft) beside the rep's last weeks charted, what the
    rep wrote, the comment, the actions this user may take and the history."""
    report = selectors.weekly_get_for(request.user, pk)
    figures = report.figures if report.figures else selectors.week_figures(report.rep_id, report.period)
    actions = permissions.weekly_allowed_actions(report, request.user)
    charts = selectors.weekly_trend_charts(report, figures)
    return render(
        request,
        "reports/weekly_detail.html",
        {
            "r": report,
            "figures": selectors.week_figure_rows(figures, selectors.week_figure_links(report.rep_id, report.period)),
            "live": not report.figures,
            "buttons": action_buttons(WEEKLY_BUTTONS, actions, report, "reports:weekly_action", WEEKLY_CONFIRM),
            "charts": charts,
        },
    )


@login_required
def weekly_edit(request, pk):
    """The rep's form: 保存 keeps a draft, 保存并提交 hands it in (the service refuses an incomplete one)."""
    report = selectors.weekly_get_for(request.user, pk)
    if "edit" not in permissions.weekly_allowed_actions(report, request.user):
        return forbidden(request, _("只有业务员本人可以填写草稿或被退回的周报。"))
    form = WeeklyReportForm(post_data(request), instance=report)

    def save():
        saved = svc.weekly_update(report=report, actor=request.user, data=form.cleaned_data)
        return svc.weekly_submit(report=saved, actor=request.user) if "hand_in" in request.POST else saved

    if form.is_bound and form.is_valid():
        ok, saved = call_for_form(form, save)
        if ok:
            messages.success(request, _("周报已提交。") if "hand_in" in request.POST else _("周报已保存。"))
            return redirect(saved.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("%(week)s 周报") % {"week": report.period.label},
        intro=_("退回原因：%(reason)s") % {"reason": report.return_reason}
        if report.status == WeeklyReport.Status.RETURNED
        else "",
        cancel_url=report.get_absolute_url(),
        testid="weekly-form",
        template="reports/weekly_form.html",
        extra={
            "figures": selectors.week_figure_rows(
                selectors.week_figures(report.rep_id, report.period),
                selectors.week_figure_links(report.rep_id, report.period),
            )
        },
    )


@login_required
def weekly_review(request, pk):
    """点评 a report handed in (the rep's lead or a sales manager)."""
    report = selectors.weekly_get_for(request.user, pk)
    if not permissions.may_review_weekly(request.user, report):
        return forbidden(request, _("只有该业务员的组长和销售经理可以点评周报（不能点评自己的周报）。"))
    form = WeeklyReviewForm(post_data(request))
    if form.is_bound and form.is_valid():
        ok, _done = call_for_form(
            form, lambda: svc.weekly_review(report=report, actor=request.user, note=form.cleaned_data["note"])
        )
        if ok:
            messages.success(request, _("点评已保存，业务员会收到通知。"))
            return redirect(report.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("点评：%(report)s") % {"report": report},
        cancel_url=report.get_absolute_url(),
        submit_label=_("点评"),
        testid="weekly-review-form",
    )


@login_required
@require_POST
def weekly_action(request, pk, action):
    """提交 and 退回 from the report's buttons (退回 with its reason)."""
    report = selectors.weekly_get_for(request.user, pk)
    if action == "submit":
        svc.weekly_submit(report=report, actor=request.user)
        messages.success(request, _("周报已提交。"))
    elif action == "send_back":
        svc.weekly_send_back(report=report, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("周报已退回业务员。"))
    else:
        return redirect(report.get_absolute_url())
    return redirect(reverse("reports:weekly_detail", args=[report.pk]))
