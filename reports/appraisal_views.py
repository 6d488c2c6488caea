"""Pages of the performance appraisal (绩效考核): the rounds (and opening one), a round's table with its chart, progress,
the GM's approval and the submit button; the appraisals list (每个人的 "我的考核" too); one appraisal with its lines by
part, the actions this user may take and the history; the scoring form. Rules and access come from
reports.services.appraisals and reports.permissions; a refusal comes back as the message on the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from salesops.core.editing import call_for_form
from salesops.core.names import display_name
from salesops.core.pages import Button, action_buttons, forbidden, form_page, paginate, post_data, querystring

from . import appraisal_selectors, permissions
from .filters import AppraisalFilter, AppraisalRoundFilter
from .forms import AppraisalRoundForm, AppraisalScoreForm
from .services import appraisals as svc

NOT_A_READER = gettext_lazy("绩效考核由销售部经理、公司领导、财务和销售组长查看；被考核人在“我的考核”查看自己的考核。")


@login_required
@require_GET
def round_list(request):
    """绩效考核: the rounds the user may open (filters, pages) and, for the sales manager, the form to open one."""
    if not permissions.reads_rounds(request.user):
        return forbidden(request, str(NOT_A_READER))
    filterset = AppraisalRoundFilter(
        request.GET, queryset=appraisal_selectors.appraisal_rounds_for(request.user), request=request
    )
    page = paginate(request, filterset.qs)
    page.object_list = appraisal_selectors.with_submit_due(page.object_list)
    context = {
        "filterset": filterset,
        "page": page,
        "querystring": querystring(request, "page"),
        "form": AppraisalRoundForm(today=timezone.localdate()) if permissions.appraises(request.user) else None,
    }
    return render(request, "reports/appraisal_rounds.html", context, status=filterset.status_code)


@login_required
@require_POST
def round_open(request):
    """发起考核 of the period posted; back to the list with the reason when refused."""
    if not permissions.appraises(request.user):
        return forbidden(request, _("只有销售部经理可以发起绩效考核。"))
    form = AppraisalRoundForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        messages.error(request, _("请选择考核期。"))
        return redirect("reports:appraisal_rounds")
    round_ = svc.round_open(actor=request.user, period_key=form.cleaned_data["period"])
    messages.success(request, _("已发起 %(round)s，共 %(count)s 人。") % {"round": round_, "count": round_.appraisals.count()})
    return redirect(round_.get_absolute_url())


QUARTER_LABELS = (gettext_lazy("一季度"), gettext_lazy("二季度"), gettext_lazy("三季度"), gettext_lazy("四季度"))
ROUND_BUTTONS = {
    "send_scored": Button(gettext_lazy("全部发本人确认"), "outline-primary", icon="send"),
    "submit": Button(gettext_lazy("提交总经理审批"), "primary", icon="check2-square"),
}
ROUND_CONFIRM = {
    "send_scored": gettext_lazy("评分完成的草稿全部发给本人确认（量化指标按考核期数据重新计算）；还有考核项未评分的留在评分中。"),
    "submit": gettext_lazy("提交后考核表不能再改动，由总经理审批；审批通过后生效并通知财务发放薪金。"),
}


@login_required
@require_GET
def round_detail(request, pk):
    """The round: status, the timetable (考核实施程序: each step's day, done or late), the people's totals side by side
    (the table with each grade's 薪酬激励 and the grade of the round before, and the chart), how far the confirmations
    are, the GM's approval, the actions and the history."""
    round_ = appraisal_selectors.appraisal_round_get_for(request.user, pk)
    rows = appraisal_selectors.round_rows(request.user, round_)
    chart = appraisal_selectors.round_chart(rows)
    return render(
        request,
        "reports/appraisal_round.html",
        {
            "r": round_,
            "rows": rows,
            "progress": appraisal_selectors.round_progress(rows),
            "schedule": appraisal_selectors.round_schedule(round_),
            "quarter_labels": QUARTER_LABELS,
            "previous": appraisal_selectors.previous_round(round_),
            "charts": [chart],
            "buttons": action_buttons(
                ROUND_BUTTONS,
                permissions.round_allowed_actions(round_, request.user),
                round_,
                "reports:appraisal_round_action",
                ROUND_CONFIRM,
            ),
            "parts": appraisal_selectors.PARTS,
        },
    )


@login_required
@require_POST
def round_action(request, pk, action):
    """全部发本人确认 and 提交总经理审批 from the round's buttons."""
    round_ = appraisal_selectors.appraisal_round_get_for(request.user, pk)
    if action == "submit":
        svc.round_submit(round_=round_, actor=request.user)
        messages.success(request, _("考核表已提交总经理审批。"))
    elif action == "send_scored":
        sent, left = svc.round_send_scored(round_=round_, actor=request.user)
        messages.success(request, _("已发 %(count)s 人本人确认。") % {"count": len(sent)})
        if left:
            names = "、".join(display_name(a.employee) for a in left)
            messages.warning(request, _("还有考核项未评分，未发送：%(names)s") % {"names": names})
    return redirect(round_.get_absolute_url())


@login_required
@require_GET
def appraisal_list(request):
    """个人考核: the appraisals the user may read — one's own once sent (我的考核), a lead's team's, everybody's for the
    managers — with filters, search, pages and 导出 Excel (the table for finance)."""
    user = request.user
    if not (permissions.reads_rounds(user) or permissions.has_own_appraisals(user)):
        return forbidden(request, str(NOT_A_READER))
    filterset = AppraisalFilter(request.GET, queryset=appraisal_selectors.appraisals_for(user), request=request)
    return render(
        request,
        "reports/appraisal_list.html",
        {"filterset": filterset, "page": paginate(request, filterset.qs), "querystring": querystring(request, "page")},
        status=filterset.status_code,
    )


APPRAISAL_BUTTONS = {
    "score": Button(gettext_lazy("评分"), "outline-primary", page="reports:appraisal_score", icon="pencil"),
    "send": Button(gettext_lazy("发本人确认"), "primary", icon="send"),
    "confirm": Button(gettext_lazy("确认考核结果"), "success"),
    "object": Button(gettext_lazy("提出异议"), "outline-danger", reason=True),
    "settle": Button(gettext_lazy("复核确认"), "success", reason=True),
    "reopen": Button(gettext_lazy("重新评分"), "outline-secondary", reason=True),
    "exclude": Button(gettext_lazy("不参与考核"), "outline-secondary", reason=True),
    "include": Button(gettext_lazy("恢复考核"), "outline-primary"),
}
APPRAISAL_CONFIRM = {
    "send": gettext_lazy("按考核期数据重新计算量化指标后发给本人确认；本人可以确认或提出异议。"),
    "confirm": gettext_lazy("确认后考核结果随考核表提交总经理审批。"),
    "object": gettext_lazy("请写明对哪些考核项有异议及理由，销售部经理会复核确认。"),
    "settle": gettext_lazy("复核意见会通知本人；复核确认后为最终结果。"),
    "reopen": gettext_lazy("考核回到评分中，改完后需重新发本人确认。"),
    "exclude": gettext_lazy("考核期内累计不到岗超过三分之一的人员不参与考核。请写明原因。"),
}
REASONED = {
    "object": "appraisal_object",
    "settle": "appraisal_settle",
    "reopen": "appraisal_reopen",
    "exclude": "appraisal_exclude",
}
PLAIN = {"send": "appraisal_send", "confirm": "appraisal_confirm", "include": "appraisal_include"}
DONE_MESSAGES = {
    "send": gettext_lazy("已发给本人确认。"),
    "confirm": gettext_lazy("已确认考核结果。"),
    "object": gettext_lazy("异议已提交，销售部经理会复核。"),
    "settle": gettext_lazy("已复核确认，本人会收到通知。"),
    "reopen": gettext_lazy("考核已回到评分中。"),
    "exclude": gettext_lazy("已设为不参与考核。"),
    "include": gettext_lazy("已恢复考核。"),
}


@login_required
@require_GET
def appraisal_detail(request, pk):
    """One appraisal: the lines by part with the figure each measured line was scored from, the total and grade, the
    comment, the objection and the answer, what the grade means for the pay (薪酬激励), the day to confirm by while it
    waits for the person, the person's earlier totals, the actions and the history."""
    appraisal = appraisal_selectors.appraisal_get_for(request.user, pk)
    waiting = appraisal.status == appraisal.Status.SENT and appraisal.round.status == appraisal.round.Status.OPEN
    actions = permissions.appraisal_allowed_actions(appraisal, request.user)
    trend = appraisal_selectors.appraisal_trend(appraisal)
    return render(
        request,
        "reports/appraisal_detail.html",
        {
            "a": appraisal,
            "parts": appraisal_selectors.appraisal_parts(appraisal),
            "buttons": action_buttons(APPRAISAL_BUTTONS, actions, appraisal, "reports:appraisal_action", APPRAISAL_CONFIRM),
            "charts": [trend],
            "pay": appraisal_selectors.pay_of(appraisal, appraisal_selectors.pay_rules()),
            "confirm_by": appraisal_selectors.round_milestone(appraisal.round, "confirm") if waiting else None,
            "quarters": _quarters(request.user, appraisal),
            "sees_round": permissions.reads_rounds(request.user)
            and appraisal_selectors.appraisal_rounds_for(request.user).filter(pk=appraisal.round_id).exists(),
        },
    )


def _quarters(user, appraisal) -> list[tuple] | None:
    """A year's appraisal: the person's four quarters of the year, [(label, (total, grade) or None)]."""
    results = appraisal_selectors.quarter_results(user, appraisal.round, appraisal.employee_id)
    if results is None:
        return None
    return list(zip(QUARTER_LABELS, results.get(appraisal.employee_id, [None] * 4), strict=True))


@login_required
def appraisal_score(request, pk):
    """评分: the lines left to the appraiser, the notes, the comment (the appraiser; the team lead on a draft)."""
    appraisal = appraisal_selectors.appraisal_get_for(request.user, pk)
    if "score" not in permissions.appraisal_allowed_actions(appraisal, request.user):
        return forbidden(request, _("只有销售部经理（草稿也可由组长）可以为这份考核评分。"))
    form = AppraisalScoreForm(post_data(request), appraisal=appraisal)
    if form.is_bound and form.is_valid():
        ok, _done = call_for_form(
            form,
            lambda: svc.appraisal_score(
                appraisal=appraisal, actor=request.user, scores=form.scores(), comment=form.cleaned_data["comment"]
            ),
        )
        if ok:
            messages.success(request, _("评分已保存。"))
            return redirect(appraisal.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("评分：%(appraisal)s") % {"appraisal": appraisal},
        cancel_url=appraisal.get_absolute_url(),
        testid="appraisal-score-form",
        template="reports/appraisal_score.html",
        extra={"a": appraisal},
    )


@login_required
@require_POST
def appraisal_action(request, pk, action):
    """The appraisal's buttons: 发本人确认, 确认, 提出异议, 复核确认, 重新评分, 不参与考核, 恢复考核 (the reasoned ones with their text)."""
    appraisal = appraisal_selectors.appraisal_get_for(request.user, pk)
    if action in REASONED:
        field = "reply" if action == "settle" else "reason"
        getattr(svc, REASONED[action])(appraisal=appraisal, actor=request.user, **{field: request.POST.get("reason", "")})
    elif action in PLAIN:
        getattr(svc, PLAIN[action])(appraisal=appraisal, actor=request.user)
    else:
        return redirect(appraisal.get_absolute_url())
    messages.success(request, DONE_MESSAGES[action])
    return redirect(appraisal.get_absolute_url())
