"""Complaint pages: list, register, detail with investigation, corrective/preventive actions, the answer and its approval
by the leadership (submit; the VP decides on the page through the approvals engine's form), and close."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesops.core.editing import call_for_form
from salesops.core.once import outcome
from salesops.core.pages import forbidden, form_page, post_data

from .. import forms, permissions, rules, selectors
from ..filters import ComplaintFilter, MyActionFilter
from ..models import CorrectiveAction
from ..services import complaints as svc
from .common import NO_INPUT, Action, build_forms, paginate, plain_form, post_action


@login_required
@require_GET
def complaint_list(request):
    filterset = ComplaintFilter(
        request.GET, queryset=selectors.complaint_list_for(request.user).order_by("-created_at", "-pk"), request=request
    )
    page, querystring = paginate(request, filterset.qs)
    return render(
        request,
        "aftersales/complaint_list.html",
        {
            "filterset": filterset,
            "page": page,
            "querystring": querystring,
            "can_create": permissions.may_register_complaint(request.user),
        },
        status=filterset.status_code,
    )


@login_required
@require_GET
def my_actions(request):
    """我的整改措施: the corrective/preventive actions the user owns that are still to be done (overdue ones marked), the
    soonest due first, each leading to its complaint (where 完成 is)."""
    filterset = MyActionFilter(request.GET, queryset=selectors.my_actions_for(request.user), request=request)
    page, querystring = paginate(request, filterset.qs)
    context = {"filterset": filterset, "page": page, "querystring": querystring, "today": timezone.localdate()}
    return render(request, "aftersales/my_actions.html", context, status=filterset.status_code)


@login_required
def complaint_create(request):
    user = request.user
    if not permissions.may_register_complaint(user):
        return forbidden(request, _("您不能登记投诉。"))
    initial = {k: request.GET[k] for k in ("customer", "order") if request.GET.get(k)}
    form = forms.ComplaintForm(post_data(request), user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        customer = data.pop("customer")
        ok, result = call_for_form(form, lambda: outcome(lambda: svc.complaint_create(actor=user, customer=customer, data=data)))
        if ok:
            complaint, created = result
            if created:
                messages.success(request, _("投诉 %(number)s 已登记，已通知质检。") % {"number": complaint.number})
            else:  # the same form sent again (a resend, a reload of the answer): the complaint it registered
                messages.info(
                    request, _("这份投诉已经提交过，已登记为投诉 %(number)s，没有重复登记。") % {"number": complaint.number}
                )
            return redirect(complaint.get_absolute_url())
    return form_page(
        request, form, title=_("登记客户投诉"), cancel_url=reverse("aftersales:complaint_list"), testid="complaint-form"
    )


COMPLAINT_ACTIONS = {
    "investigate": Action(NO_INPUT, lambda c, d, u: svc.complaint_investigate(complaint=c, actor=u), _("已开始调查。")),
    "record_cause": Action(
        plain_form(forms.RootCauseForm),
        lambda c, d, u: svc.complaint_record_cause(complaint=c, actor=u, **d),
        _("原因分析已保存。"),
    ),
    "add_action": Action(
        plain_form(forms.ActionForm), lambda c, d, u: svc.action_add(complaint=c, actor=u, **d), _("措施已添加。")
    ),
    "answer": Action(
        plain_form(forms.AnswerForm), lambda c, d, u: svc.complaint_answer(complaint=c, actor=u, **d), _("答复已保存。")
    ),
    "submit_answer": Action(
        NO_INPUT, lambda c, d, u: svc.complaint_submit_answer(complaint=c, actor=u), _("答复已提交主管领导审批。")
    ),
    "close": Action(NO_INPUT, lambda c, d, u: svc.complaint_close(complaint=c, actor=u), _("投诉已关闭。")),
    "cancel": Action(
        plain_form(forms.ReasonForm), lambda c, d, u: svc.complaint_cancel(complaint=c, actor=u, **d), _("投诉已撤销。")
    ),
}
ACTION_ACTIONS = {
    "finish": Action(
        plain_form(forms.ResultForm), lambda a, d, u: svc.action_finish(action=a, actor=u, **d), _("措施已完成，待验证。")
    ),
    "verify": Action(
        plain_form(forms.VerifyForm), lambda a, d, u: svc.action_verify(action=a, actor=u, **d), _("验证结果已保存。")
    ),
}


def _render_complaint(request, complaint, bound=None, status=200):
    user = request.user
    allowed = permissions.complaint_allowed_actions(complaint, user)
    actions = selectors.complaint_capa(complaint)
    for a in actions:
        a.allowed = permissions.action_allowed_actions(a, user)
        failed = (bound or {}).get(f"action-{a.pk}")
        a.forms = build_forms(ACTION_ACTIONS, ["verify" if x == "send_back" else x for x in a.allowed], a, failed)
    # who approves the answer (the GM when the VP wrote its root cause or the answer, or submitted it): the page's hint
    approver = permissions.complaint_answer_approver(complaint) if complaint.answer else None
    context = {
        "c": complaint,
        "actions": allowed,
        "forms": build_forms(
            COMPLAINT_ACTIONS, allowed, complaint, {k: v for k, v in (bound or {}).items() if not k.startswith("action-")}
        ),
        "capa": actions,
        "capa_actions": any(a.allowed for a in actions),  # a CAPA owner's 完成 is an action on this complaint too
        "blockers": rules.complaint_close_blockers(
            root_cause=complaint.root_cause,
            answer=complaint.answer,
            actions=[(a.kind, a.status) for a in actions],
            answer_approved=complaint.answer_approved,
        ),
        "answer_kind": rules.COMPLAINT_ANSWER_KIND,
        "answer_approver": approver,
        "answer_hint": rules.complaint_answer_close_hint(approver) if complaint.answer else "",
        "returns": selectors.rma_list_for(user).filter(complaint=complaint),
    }
    return render(request, "aftersales/complaint_detail.html", context, status=status)


@login_required
@require_GET
def complaint_detail(request, pk):
    return _render_complaint(request, selectors.complaint_get_for(request.user, pk))


@login_required
@require_POST
def complaint_action(request, pk, action):
    complaint = selectors.complaint_get_for(request.user, pk)
    return post_action(
        request,
        complaint,
        actions=COMPLAINT_ACTIONS,
        action=action,
        render_detail=_render_complaint,
        back=complaint.get_absolute_url(),
        allowed=permissions.complaint_allowed_actions,
    )


@login_required
@require_POST
def capa_action(request, pk, action):
    """finish / verify one corrective or preventive action (its complaint must be visible)."""
    item = get_object_or_404(CorrectiveAction.objects.filter(complaint__in=selectors.complaint_list_for(request.user)), pk=pk)

    def render_detail(req, doc, bound=None, status=200):
        complaint = selectors.complaint_get_for(req.user, item.complaint_id)  # read as its page reads it, people and actions
        return _render_complaint(req, complaint, bound={f"action-{item.pk}": bound} if bound else None, status=status)

    return post_action(
        request,
        item,
        actions=ACTION_ACTIONS,
        action=action,
        render_detail=render_detail,
        back=item.complaint.get_absolute_url(),
        allowed=permissions.action_allowed_actions,
    )
