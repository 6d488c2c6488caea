"""The annual after-sales service plan: list, create, edit (draft or rejected), detail with the approval rounds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesops.core.once import outcome
from salesops.core.pages import forbidden, lines_form_page, post_data

from .. import forms, permissions, selectors
from ..filters import PlanFilter
from ..services import plans as svc
from .common import paginate


@login_required
@require_GET
def plan_list(request):
    if not permissions.sees_plans(request.user):
        return forbidden(request, _("年度售后服务计划只对客服/售后部门、质检和领导开放。"))
    filterset = PlanFilter(request.GET, queryset=selectors.plan_list_for(request.user), request=request)
    page, querystring = paginate(request, filterset.qs)
    return render(
        request,
        "aftersales/plan_list.html",
        {"filterset": filterset, "page": page, "querystring": querystring, "can_create": permissions.may_edit_plan(request.user)},
        status=filterset.status_code,
    )


class _Resent(Exception):  # not an error: the page's way out of lines_form_page for a resent form
    """A new plan's form sent again (its once_key used): `plan` is what the first one wrote; nothing new was made."""

    def __init__(self, plan):
        super().__init__(plan)
        self.plan = plan


def _save(request, plan=None):
    """The plan and its month lines (a row each, 负责人 picked among the service staff) on one page (core/lines_form.html):
    保存 keeps it, 保存并提交 also submits it — both or neither (a refused submission keeps nothing of this post).
    A new plan's form sent again (a resend, a reload of the answer) writes nothing and is neither saved nor submitted
    again: _Resent takes the page to the plan the first one wrote."""
    user = request.user

    def save(data, rows, hand_in):
        fields = {k: data[k] for k in ("year", "title", "goals", "content")}
        with transaction.atomic():
            if plan:
                saved = svc.plan_update(plan=plan, actor=user, data=fields, items=rows)
            else:
                fields["once_key"] = data.get("once_key")
                saved, created = outcome(lambda: svc.plan_create(actor=user, data=fields, items=rows))
                if not created:
                    raise _Resent(saved)
            return svc.plan_submit(plan=saved, actor=user) if hand_in else saved

    return lines_form_page(
        request,
        (forms.PlanForm if plan else forms.PlanCreateForm)(post_data(request), instance=plan),
        forms.plan_item_formset(post_data(request), plan),
        save=save,
        template="aftersales/plan_form.html",
        done=(_("服务计划已保存。"), _("服务计划已保存并提交销售副总和总经理审批。")),
        context={
            "doc": plan,
            "doc_name": "plan",
            "list_url": reverse("aftersales:plan_list"),
            "wide_fields": ("goals", "content"),
            "title": _("修改年度售后服务计划") if plan else _("编制年度售后服务计划"),
        },
    )


@login_required
def plan_create(request):
    if not permissions.may_edit_plan(request.user):
        return forbidden(request, _("只有客服/售后部门和经理可以编制服务计划。"))
    try:
        return _save(request)
    except _Resent as resent:
        messages.info(request, _("这份服务计划已经提交过（“%(plan)s”），没有重复编制。") % {"plan": str(resent.plan)})
        return redirect(resent.plan.get_absolute_url())


@login_required
def plan_edit(request, pk):
    plan = selectors.plan_get_for(request.user, pk)
    if "edit" not in permissions.plan_allowed_actions(plan, request.user):
        return forbidden(request, _("只有草稿或被驳回的计划可以修改。"))
    return _save(request, plan)


@login_required
@require_GET
def plan_detail(request, pk):
    plan = selectors.plan_get_for(request.user, pk)
    return render(
        request, "aftersales/plan_detail.html", {"plan": plan, "actions": permissions.plan_allowed_actions(plan, request.user)}
    )


@login_required
@require_POST
def plan_cancel(request, pk):
    """作废 a draft or rejected plan with a reason; a refusal comes back as the message on the page."""
    plan = selectors.plan_get_for(request.user, pk)
    svc.plan_cancel(plan=plan, actor=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("服务计划已作废。"))
    return redirect(plan.get_absolute_url())


@login_required
@require_POST
def plan_submit(request, pk):
    """Submit for approval; a refusal comes back as the message on the page (salesops.core.middleware)."""
    plan = selectors.plan_get_for(request.user, pk)
    svc.plan_submit(plan=plan, actor=request.user)
    messages.success(request, _("已提交销售副总和总经理审批。"))
    return redirect(plan.get_absolute_url())
