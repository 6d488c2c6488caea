"""Pages of the sales plans (销售计划): the list (filters, search, pages, 导出 Excel), the plan with its lines, its
progress against the shipped sales, the actions this user may take, the approvals and the history, and the author's
form (the plan and its lines). Access and rules come from plans.permissions and plans.services; a refusal comes back as
the message on the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from salesops.core.documents import PDF, attachment, require_printable
from salesops.core.pages import Button, action_buttons, forbidden, lines_form_page, paginate, post_data, querystring

from . import documents, permissions, selectors, services
from .filters import SalesPlanFilter
from .forms import PlanForm, line_formset
from .models import SalesPlan

NOT_A_READER = gettext_lazy("销售计划由业务员、销售组长、销售内勤、销售部经理和公司领导使用。")


@login_required
@require_GET
def plan_list(request):
    """销售计划: the plans the user reads, with filters, search and pages."""
    user = request.user
    if not permissions.reads_plans(user):
        return forbidden(request, str(NOT_A_READER))
    filterset = SalesPlanFilter(request.GET, queryset=selectors.plans_for(user), request=request)
    return render(
        request,
        "plans/plan_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "querystring": querystring(request, "page"),
            "may_write": bool(permissions.writable_levels(user)),
        },
        status=filterset.status_code,
    )


def _plan_form_page(request, plan: SalesPlan | None = None):
    """The author's form: 保存 keeps a draft, 保存并提交 hands it in (the service refuses what breaks a rule); a new plan
    takes its level and period from ?level=&period= (the home page's 制定 links)."""
    user = request.user
    initial = {name: request.GET[name] for name in ("level", "period") if plan is None and request.GET.get(name)}

    def save(data, rows, hand_in):
        saved = (
            services.plan_create(actor=user, data=data, lines=rows)
            if plan is None
            else services.plan_update(plan=plan, actor=user, data=data, lines=rows)
        )
        return services.plan_submit(plan=saved, actor=user) if hand_in else saved

    return lines_form_page(
        request,
        PlanForm(post_data(request), instance=plan, user=user, initial=initial),
        line_formset(post_data(request), user, plan),
        save=save,
        template="plans/plan_form.html",
        done=(_("销售计划已保存。"), _("销售计划已提交审批。")),
        context={
            "doc": plan,
            "doc_name": "plan",
            "list_url": reverse("plans:plan_list"),
            "wide_fields": ("analysis", "strategy"),
            "title": _("制定销售计划") if plan is None else _("修改销售计划 %(number)s") % {"number": plan.number},
        },
    )


@login_required
def plan_create(request):
    if not permissions.writable_levels(request.user):
        return forbidden(request, _("销售计划由销售部经理、销售组长和业务员制定。"))
    return _plan_form_page(request)


@login_required
def plan_edit(request, pk):
    plan = selectors.plan_get_for(request.user, pk)
    if "edit" not in permissions.plan_allowed_actions(plan, request.user):
        return forbidden(request, str(services.REFUSALS["edit"]))
    return _plan_form_page(request, plan)


PLAN_BUTTONS = {
    "edit": Button(gettext_lazy("修改"), "outline-primary", page="plans:plan_edit", icon="pencil"),
    "submit": Button(gettext_lazy("提交审批"), "primary", icon="send"),
    "cancel": Button(gettext_lazy("作废"), "outline-secondary"),
}
PLAN_CONFIRM = {
    "submit": gettext_lazy(
        "提交后交审批人审批（部门计划：销售副总、总经理；组和个人计划：销售部经理）；提交后不能再修改，除非被退回。"
    ),
    "cancel": gettext_lazy("作废后不能恢复；可以为这一期间重新制定计划。"),
}
DONE_MESSAGES = {"submit": gettext_lazy("销售计划已提交审批。"), "cancel": gettext_lazy("销售计划已作废。")}


@login_required
@require_GET
def plan_detail(request, pk):
    """The plan: status, whose and for when, target and planned total, the lines, how far the shipped sales have come
    (approved plans), the actions this user may take, the approvals and the history."""
    plan = selectors.plan_get_for(request.user, pk)
    actions = permissions.plan_allowed_actions(plan, request.user)
    progress = selectors.plan_progress(plan) if plan.status == SalesPlan.Status.APPROVED else None
    return render(
        request,
        "plans/plan_detail.html",
        {
            "p": plan,
            "lines": progress.lines
            if progress
            else [selectors.LineProgress(line, None, None) for line in plan.lines.select_related("customer")],
            "progress": progress,
            "breakdown": selectors.plan_breakdown(plan, request.user),
            "document_mark": documents.plan_watermark(plan),
            "charts": [progress.chart] if progress else [],
            "buttons": action_buttons(PLAN_BUTTONS, actions, plan, "plans:plan_action", PLAN_CONFIRM),
        },
    )


@login_required
@require_GET
def plan_pdf(request, pk):
    """打印销售计划书: the A4 form the plan is filed and signed on (marked until approved; none for a withdrawn plan)."""
    plan = selectors.plan_get_for(request.user, pk)
    require_printable(documents.plan_watermark(plan), _("销售计划"))
    return attachment(documents.plan_pdf(plan), content_type=PDF, filename=documents.plan_filename(plan))


@login_required
@require_POST
def plan_action(request, pk, action):
    """提交审批 and 作废 from the plan's buttons."""
    plan = selectors.plan_get_for(request.user, pk)
    moves = {
        "submit": lambda: services.plan_submit(plan=plan, actor=request.user),
        "cancel": lambda: services.plan_cancel(plan=plan, actor=request.user),
    }
    if action in moves:
        moves[action]()
        messages.success(request, DONE_MESSAGES[action])
    return redirect(plan.get_absolute_url())
