"""The annual after-sales service plan: list, create, edit (draft or rejected), detail with the approval rounds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesops.core.editing import call_for_form
from salesops.core.pages import forbidden, form_page, post_data

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


def _save(request, plan=None):
    user = request.user
    form = forms.PlanForm(post_data(request), instance=plan)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("year", "title", "goals", "content")}
        items = form.cleaned_data["items_text"]
        call = (
            (lambda: svc.plan_update(plan=plan, actor=user, data=data, items=items))
            if plan
            else (lambda: svc.plan_create(actor=user, data=data, items=items))
        )
        ok, saved = call_for_form(form, call)
        if ok:
            messages.success(request, _("服务计划已保存。"))
            return redirect(saved.get_absolute_url())
    title = _("修改年度售后服务计划") if plan else _("编制年度售后服务计划")
    cancel = plan.get_absolute_url() if plan else reverse("aftersales:plan_list")
    return form_page(request, form, title=title, cancel_url=cancel, testid="plan-form")


@login_required
def plan_create(request):
    if not permissions.may_edit_plan(request.user):
        return forbidden(request, _("只有客服/售后部门和经理可以编制服务计划。"))
    return _save(request)


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
def plan_submit(request, pk):
    """Submit for approval; a refusal comes back as the message on the page (salesops.core.middleware)."""
    plan = selectors.plan_get_for(request.user, pk)
    svc.plan_submit(plan=plan, actor=request.user)
    messages.success(request, _("已提交销售副总和总经理审批。"))
    return redirect(plan.get_absolute_url())
