"""HTML pages: access check (selectors: 404 for what you may not see; services' can_* : 403) → form → service → render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from salesops.core.charts import rows_chart
from salesops.core.editing import call_for_form
from salesops.core.names import display_name
from salesops.core.pages import Button, action_buttons, form_page, paginate
from salesops.core.pages import forbidden as _forbidden
from salesops.core.pages import post_data as _post
from salesops.core.pages import querystring as _querystring
from salesops.core.thresholds import threshold
from salesops.core.transitions import available_actions

from . import filters, forms, rules, selectors, services
from .models import Contact, Customer, InvoiceTitle, Opportunity, ShipToAddress, VisitPlan

# --- helpers ------------------------------------------------------------------------------------------------------


def _submit(request, form, call, *, message, to) -> HttpResponse | None:
    """For a posted, valid form run the service `call()`; on success flash `message` and redirect to `to` (either may be
    a function of the result). A service error goes onto the form (nothing was saved) and None is returned, so the
    caller re-renders the form — with the error's status (400/403/409) via form_page."""
    if not (form.is_bound and form.is_valid()):
        return None
    ok, result = call_for_form(form, call)
    if ok:
        messages.success(request, message(result) if callable(message) else message)
        return redirect(to(result) if callable(to) else to)
    return None


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    return url if url and url_has_allowed_host_and_scheme(url, {request.get_host()}) else default


def _detail_url(customer: Customer, tab: str = "") -> str:
    url = reverse("customers:detail", args=[customer.pk])
    return f"{url}?tab={tab}" if tab else url


def _field_form_back(request, customer: Customer | None, list_name: str) -> str:
    """Where 取消 of a visit or visit-plan form goes: where the user came from (?next=), else the customer's visits,
    else the field's list for who may open it (the clerk, finance … may not: README, no link to a 403), else home."""
    if customer is not None:
        default = _detail_url(customer, "visits")
    elif selectors.works_the_field(request.user):
        default = reverse(list_name)
    else:
        default = reverse("dashboard")
    return _next_url(request, default)


def _month_param(value: str | None, today: date) -> date:
    """ "2026-11" → date(2026, 11, 1); anything else (or a year beyond navigation) → this month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError(year)
        return date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def _day_param(value: str | None, first: date) -> date | None:
    """ "2026-11-05" → that day if it is in the month starting `first`; anything else → None (the whole month)."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if (day.year, day.month) == (first.year, first.month) else None


# The plans a calendar day shows; the rest are one link away (the day's list).
CALENDAR_PLANS_PER_DAY = 8
FIELD_WORK_ONLY = gettext_lazy("拜访计划、拜访记录和意向客户跟进由业务员、销售组长和经理使用。")


def _shift_month(first: date, delta: int) -> date:
    index = first.year * 12 + first.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


# --- customers ----------------------------------------------------------------------------------------------------
CUSTOMER_ORDERINGS = [
    ("-created_at", _("最新建档")),
    ("name", _("名称")),
    ("code", _("编号")),
    ("grade", _("等级")),
    ("next_contact_date", _("下次联系日期")),
    ("-credit_limit", _("信用额度从高到低")),
]


@login_required
@require_GET
def customer_lookup(request):
    """JSON for the customer pickers' type-ahead: {"results": [{id, name, code}]} (as GET /api/v1/customers/lookup/)."""
    return JsonResponse({"results": selectors.customer_lookup(request.user, request.GET.get("q", ""))})


@login_required
@require_GET
def customer_parties(request):
    """JSON of a visible customer's contacts, addresses, invoice titles and open opportunities (?customer=<id>), for the selects of a form
    that follow the chosen customer (static/js/forms.js); 404 for a customer the user may not see."""
    value = request.GET.get("customer", "")
    if not value.isdigit():
        raise Http404
    return JsonResponse(selectors.customer_parties(selectors.customer_get_for(request.user, value), request.user))


@login_required
@require_GET
def customer_list(request):
    customer_filter = filters.CustomerFilter(request.GET, queryset=selectors.customer_list_for(request.user), request=request)
    ordering = request.GET.get("ordering", "")
    page = paginate(request, selectors.customer_ordered(customer_filter.qs, ordering))
    return render(
        request,
        "customers/customer_list.html",
        {
            "filterset": customer_filter,
            "page": page,
            "ordering": ordering,
            "ordering_choices": CUSTOMER_ORDERINGS,
            "can_create": services.can_create_customer(request.user),
            "querystring": _querystring(request, "page"),
        },
        status=customer_filter.status_code,
    )


@login_required
def customer_create(request):
    if not services.can_create_customer(request.user):
        return _forbidden(request, _("您没有新建客户的权限。"))
    form = forms.CustomerForm(_post(request), user=request.user)
    if response := _submit(
        request,
        form,
        lambda: forms.at_fields(
            lambda: services.customer_create(actor=request.user, data=form.cleaned_data, owner=form.cleaned_data.get("owner"))
        ),
        message=lambda c: _("客户 %(name)s 已建档，编号 %(code)s。") % {"name": c.name, "code": c.code},
        to=lambda c: c,
    ):
        return response
    return form_page(request, form, title=_("新建客户"), cancel_url=reverse("customers:list"))


@login_required
def customer_update(request, pk):
    customer = selectors.customer_get_for(request.user, pk)
    if not services.may_update_customer(request.user, customer):
        return _forbidden(request, _("您可以查看该客户，但没有修改权限（只有负责业务员、本组组长、销售内勤和经理可以修改）。"))
    form = forms.CustomerForm(_post(request), instance=customer, user=request.user)
    if response := _submit(
        request,
        form,
        lambda: forms.at_fields(lambda: services.customer_update(customer=customer, actor=request.user, data=form.cleaned_data)),
        message=_("客户资料已保存。"),
        to=customer,
    ):
        return response
    return form_page(request, form, title=_("修改客户：%(name)s") % {"name": customer.name}, cancel_url=_detail_url(customer))


@dataclass
class Tab:
    key: str
    label: str
    count: int | None = None


@login_required
@require_GET
def customer_detail(request, pk):
    user = request.user
    customer = selectors.customer_detail_for(user, pk)
    can_edit = services.can_edit_customer(user, customer)
    followups = list(selectors.customer_followups(customer))
    visits = list(selectors.customer_visits(customer))
    plans = list(selectors.customer_open_plans(customer))
    field_work = selectors.works_the_field(user)
    for plan in plans:  # 记录拜访 of a plan only for who may complete it (visit_create: 404/403 for the others)
        plan.can_record = field_work and services.can_manage_visit_plan(user, plan)
    contacts, addresses, titles = customer.contacts.all(), customer.addresses.all(), customer.invoice_titles.all()
    tabs = [
        Tab("info", _("基本信息")),
        Tab("contacts", _("联系人"), len(contacts)),
        Tab("addresses", _("收货地址"), len(addresses)),
        Tab("invoice", _("开票信息"), len(titles)),
        Tab("followups", _("跟进记录"), len(followups)),
        Tab("visits", _("拜访"), len(visits)),
    ]
    opportunities = None
    if selectors.sees_opportunities(user):
        opportunities = list(selectors.customer_opportunities(customer)[: selectors.DETAIL_ROWS])
        tabs.append(Tab("opportunities", _("销售机会"), len(opportunities)))
    tabs.append(Tab("timeline", _("动态")))
    active = request.GET.get("tab", "info")
    if active not in {t.key for t in tabs}:
        active = "info"
    status_actions = [
        {"name": name, "label": label, "confirm": name == "deactivate"}
        for name, label in available_actions(customer, user)
        if services.can_change_customer_status(user, customer, name)
    ]
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "tabs": tabs,
            "active_tab": active,
            "can_edit": can_edit,
            "can_set_credit": not can_edit and services.may_update_customer(user, customer),
            "can_reassign": services.can_reassign_customer(user, customer),
            "can_follow_up": customer.status != Customer.Status.INACTIVE and can_edit,
            # 安排拜访: for the customer's rep, by the rep, their lead or a manager (services.visit_plan_create)
            "can_plan_visit": customer.status != Customer.Status.INACTIVE
            and can_edit
            and services.can_plan_visits_for(user, customer.owner),
            "status_actions": status_actions,
            "contacts": contacts,
            "addresses": addresses,
            "invoice_titles": titles,
            "followups": followups,
            "visits": visits,
            "plans": plans,
            "opportunities": opportunities,
            "can_open_opportunity": customer.status != Customer.Status.INACTIVE
            and services.can_create_opportunity(user, customer),
            "owner_name": display_name(customer.owner),
        },
    )


@login_required
def customer_reassign(request, pk):
    customer = selectors.customer_get_for(request.user, pk)
    if not services.can_reassign_customer(request.user, customer):
        return _forbidden(request, _("只有本组组长或销售经理可以转移客户负责人。"))
    form = forms.ReassignForm(_post(request), user=request.user, customer=customer)
    if response := _submit(
        request,
        form,
        lambda: services.customer_reassign(
            customer=customer, actor=request.user, new_owner=form.cleaned_data["owner"], reason=form.cleaned_data["reason"]
        ),
        message=lambda c: _("已转给 %(name)s 负责。") % {"name": display_name(c.owner)},
        # a lead who handed the customer out of their team no longer sees it
        to=lambda c: c if selectors.customer_list_for(request.user).filter(pk=c.pk).exists() else reverse("customers:list"),
    ):
        return response
    return form_page(
        request,
        form,
        title=_("转移负责人：%(name)s") % {"name": customer.name},
        cancel_url=_detail_url(customer),
        intro=_("当前负责业务员：%(owner)s") % {"owner": display_name(customer.owner)},
        submit_label=_("确认转移"),
    )


@login_required
def customer_change_status(request, pk, action):
    """Activate / reactivate post straight from the detail page; deactivate asks for a reason first."""
    customer = selectors.customer_get_for(request.user, pk)
    if action not in services.CUSTOMER_STATUS_ACTIONS:
        return redirect(customer)
    if not services.can_change_customer_status(request.user, customer, action):
        return _forbidden(request, _("您没有修改该客户状态的权限。"))
    needs_reason = action == "deactivate"
    form = forms.ReasonForm(_post(request), required=needs_reason, label=_("停用原因") if needs_reason else _("备注"))
    if response := _submit(
        request,
        form,
        lambda: services.customer_change_status(
            customer=customer, actor=request.user, action=action, reason=form.cleaned_data["reason"]
        ),
        message=lambda c: _("客户状态已变更为“%(status)s”。") % {"status": c.get_status_display()},
        to=customer,
    ):
        return response
    label = dict(available_actions(customer, request.user)).get(action, action)
    return form_page(request, form, title=f"{label}：{customer.name}", cancel_url=_detail_url(customer), submit_label=label)


# --- contacts, addresses, invoice titles --------------------------------------------------------------------------
@dataclass(frozen=True)
class ChildKind:
    """A row type of a customer with its form, its create/update services, its detail tab and its visibility selector."""

    model: type
    form: type
    create: object
    update: object
    kwarg: str
    tab: str
    selector: object


CHILDREN = {
    "contact": ChildKind(
        model=Contact,
        form=forms.ContactForm,
        create=services.contact_create,
        update=services.contact_update,
        kwarg="contact",
        tab="contacts",
        selector=selectors.contact_list_for,
    ),
    "address": ChildKind(
        model=ShipToAddress,
        form=forms.ShipToAddressForm,
        create=services.address_create,
        update=services.address_update,
        kwarg="address",
        tab="addresses",
        selector=selectors.address_list_for,
    ),
    "invoice_title": ChildKind(
        model=InvoiceTitle,
        form=forms.InvoiceTitleForm,
        create=services.invoice_title_create,
        update=services.invoice_title_update,
        kwarg="invoice_title",
        tab="invoice",
        selector=selectors.invoice_title_list_for,
    ),
}


def _child_page(request, kind: ChildKind, customer: Customer, instance=None):
    if not services.can_edit_customer(request.user, customer):
        return _forbidden(request, _("您可以查看该客户，但没有修改权限。"))
    form = kind.form(_post(request), instance=instance)
    if instance is None:
        save = partial(kind.create, actor=request.user, customer=customer)
    else:
        save = partial(kind.update, actor=request.user, **{kind.kwarg: instance})
    message = _("%(what)s已保存。") % {"what": kind.model._meta.verbose_name}
    if response := _submit(
        request, form, lambda: save(data=form.cleaned_data), message=message, to=_detail_url(customer, kind.tab)
    ):
        return response
    verb = _("新增") if instance is None else _("修改")
    title = f"{verb}{kind.model._meta.verbose_name}：{customer.name}"
    return form_page(request, form, title=title, cancel_url=_detail_url(customer, kind.tab))


@login_required
def child_add(request, pk, kind):
    return _child_page(request, CHILDREN[kind], selectors.customer_get_for(request.user, pk))


@login_required
def child_edit(request, pk, kind):
    spec = CHILDREN[kind]
    instance = get_object_or_404(spec.selector(request.user), pk=pk)
    return _child_page(request, spec, instance.customer, instance)


# --- intent follow-ups --------------------------------------------------------------------------------------------
@login_required
def followup_add(request, pk):
    customer = selectors.customer_get_for(request.user, pk)
    if not services.can_edit_customer(request.user, customer):
        return _forbidden(request, _("您没有跟进该客户的权限。"))
    form = forms.FollowUpForm(_post(request), customer=customer)
    if response := _submit(
        request,
        form,
        lambda: services.followup_create(actor=request.user, customer=customer, **form.cleaned_data),
        message=_("跟进记录已保存。"),
        to=_next_url(request, _detail_url(customer, "followups")),
    ):
        return response
    return form_page(
        request,
        form,
        title=_("记录跟进：%(name)s") % {"name": customer.name},
        cancel_url=_next_url(request, _detail_url(customer, "followups")),
        extra={"next": request.GET.get("next", "")},
    )


@login_required
@require_GET
def followups_due(request):
    if not selectors.works_the_field(request.user):
        return _forbidden(request, FIELD_WORK_ONLY)
    today = timezone.localdate()
    customers = selectors.followups_due(request.user, today).prefetch_related("contacts")
    rows = [{"customer": c, "overdue_days": (today - c.next_contact_date).days} for c in customers]
    return render(request, "customers/followups_due.html", {"rows": rows, "today": today})


# --- visit plans and visits ---------------------------------------------------------------------------------------
@login_required
@require_GET
def visit_plans(request):
    """A month's visit plans: a calendar (each day its first CALENDAR_PLANS_PER_DAY plans and a link to the rest) or a
    paged list (of one day with `day`); a manager's month of every rep's plans is thousands of them."""
    user, today = request.user, timezone.localdate()
    if not selectors.works_the_field(user):
        return _forbidden(request, FIELD_WORK_ONLY)
    first = _month_param(request.GET.get("month"), today)
    reps = selectors.reps_for(user)
    rep = reps.filter(pk=request.GET.get("rep")).first() if request.GET.get("rep", "").isdigit() else None
    month_plans = selectors.visit_plans_in_month(user, first.year, first.month, rep)
    view = "list" if request.GET.get("view") == "list" else "calendar"
    day = _day_param(request.GET.get("day"), first) if view == "list" else None
    if view == "list":
        page = paginate(request, month_plans.filter(planned_date=day) if day else month_plans)
        plans, weeks = list(page.object_list), []
        for plan in plans:
            plan.can_manage = plan.status == VisitPlan.Status.PLANNED and services.can_manage_visit_plan(user, plan)
            plan.can_review = services.can_review_visit_plan(user, plan)
    else:
        page, (plans, counts) = None, selectors.first_plans_per_day(month_plans, CALENDAR_PLANS_PER_DAY)
        weeks = selectors.visit_plan_calendar(plans, first.year, first.month, today, counts)
    return render(
        request,
        "customers/visit_plans.html",
        {
            "view": view,
            "month": first,
            "prev_month": f"{_shift_month(first, -1):%Y-%m}",
            "next_month": f"{_shift_month(first, 1):%Y-%m}",
            "this_month": f"{today:%Y-%m}",
            "plans": plans,
            "page": page,
            "day": day,
            "querystring": _querystring(request, "page"),
            "weeks": weeks,
            "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
            "reps": reps if reps.exclude(pk=user.pk).exists() else [],
            "rep": rep,
        },
    )


@login_required
def visit_plan_create(request):
    customer = forms.customer_of_form(request)
    form = forms.VisitPlanForm(_post(request), user=request.user, customer=customer)
    if request.method == "GET" and request.GET.get("date"):
        form.fields["planned_date"].initial = request.GET["date"]
    if response := _submit(
        request,
        form,
        lambda: services.visit_plan_create(actor=request.user, **form.cleaned_data),
        message=_("拜访计划已添加。"),
        to=lambda plan: plan.get_absolute_url(),
    ):
        return response
    back = _field_form_back(request, customer, "customers:visit_plans")
    return form_page(request, form, title=_("新建拜访计划"), cancel_url=back)


@login_required
def visit_plan_review(request, pk):
    plan = get_object_or_404(selectors.visit_plan_list_for(request.user), pk=pk)
    if not services.can_review_visit_plan(request.user, plan):
        return _forbidden(request, _("只有该业务员的组长或销售经理可以点评拜访计划。"))
    form = forms.ReviewForm(_post(request), initial={"note": plan.review_note})
    if response := _submit(
        request,
        form,
        lambda: services.visit_plan_review(actor=request.user, plan=plan, note=form.cleaned_data["note"]),
        message=_("点评已保存。"),
        to=plan.get_absolute_url(),
    ):
        return response
    intro = _("%(rep)s · %(date)s · %(customer)s — %(purpose)s") % {
        "rep": display_name(plan.rep),
        "date": f"{plan.planned_date:%Y-%m-%d}",
        "customer": plan.customer,
        "purpose": plan.purpose,
    }
    return form_page(request, form, title=_("点评拜访计划"), intro=intro, cancel_url=plan.get_absolute_url())


@login_required
def visit_plan_cancel(request, pk):
    plan = get_object_or_404(selectors.visit_plan_list_for(request.user), pk=pk)
    if not services.can_manage_visit_plan(request.user, plan):
        return _forbidden(request, _("您不能取消别人的拜访计划。"))
    form = forms.ReasonForm(_post(request), label=_("取消原因"))
    if response := _submit(
        request,
        form,
        lambda: services.visit_plan_cancel(actor=request.user, plan=plan, reason=form.cleaned_data["reason"]),
        message=_("拜访计划已取消。"),
        to=plan.get_absolute_url(),
    ):
        return response
    intro = f"{plan.planned_date:%Y-%m-%d} · {plan.customer} — {plan.purpose}"
    return form_page(
        request, form, title=_("取消拜访计划"), intro=intro, cancel_url=plan.get_absolute_url(), submit_label=_("确认取消")
    )


@login_required
def visit_create(request):
    plan = customer = None
    if request.GET.get("plan", "").isdigit():
        plan = get_object_or_404(selectors.visit_plan_list_for(request.user), pk=request.GET["plan"])
        if not services.can_manage_visit_plan(request.user, plan):
            return _forbidden(request, _("您不能替别人完成拜访计划。"))
    else:
        customer = forms.customer_of_form(request)
    initial = {"opportunity": request.GET["opportunity"]} if request.GET.get("opportunity", "").isdigit() else {}
    form = forms.VisitForm(_post(request), user=request.user, customer=customer, plan=plan, initial=initial)
    if response := _submit(
        request,
        form,
        lambda: services.visit_create(actor=request.user, plan=plan, **form.cleaned_data),
        message=_("拜访记录已保存。"),
        to=lambda visit: _next_url(request, visit.get_absolute_url()),
    ):
        return response
    title = _("记录拜访：%(customer)s") % {"customer": plan.customer} if plan else _("记录拜访")
    intro = _("完成 %(date)s 的拜访计划") % {"date": f"{plan.planned_date:%Y-%m-%d}"} if plan else ""
    back = _field_form_back(request, plan.customer if plan else customer, "customers:visits")
    return form_page(request, form, title=title, intro=intro, cancel_url=back)


@login_required
@require_GET
def visits(request):
    if not selectors.works_the_field(request.user):
        return _forbidden(request, FIELD_WORK_ONLY)
    visit_filter = filters.VisitFilter(request.GET, queryset=selectors.visit_list_for(request.user), request=request)
    page = paginate(request, visit_filter.qs)
    return render(
        request,
        "customers/visits.html",
        {"filterset": visit_filter, "page": page, "querystring": _querystring(request, "page")},
        status=visit_filter.status_code,
    )


# --- sales opportunities (销售机会) -----------------------------------------------------------------------------------
def _opportunity_chart(pipeline: list[dict]) -> list[dict]:
    """The list's funnel (static/js/kpi_charts.js): the amount and the weighted amount of each open stage."""
    shown = [row for row in pipeline if row["stage"] in Opportunity.OPEN_STAGES]
    return [rows_chart("pipeline", _("销售漏斗（跟进中）"), shown, "label", selectors.OPPORTUNITY_SERIES)]


@login_required
@require_GET
def opportunity_list(request):
    user = request.user
    if not selectors.sees_opportunities(user):
        return _forbidden(request, _("销售机会由销售人员、销售内勤和经理查看。"))
    filterset = filters.OpportunityFilter(request.GET, queryset=selectors.opportunity_list_for(user), request=request)
    pipeline = selectors.opportunity_pipeline(filterset.qs) if filterset.is_valid() else []
    return render(
        request,
        "customers/opportunity_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "querystring": _querystring(request, "page"),
            "pipeline": pipeline,
            "charts": _opportunity_chart(pipeline),
            "can_create": services.can_create_customer(user),
        },
        status=filterset.status_code,
    )


OPPORTUNITY_BUTTONS = {
    "request_bid": Button(gettext_lazy("报请参与决策"), "warning", page="customers:opportunity_request_bid", icon="flag"),
    "edit": Button(gettext_lazy("修改"), "outline-primary", page="customers:opportunity_edit", icon="pencil"),
    "move": Button(gettext_lazy("调整阶段"), "primary", page="customers:opportunity_move"),
    "win": Button(gettext_lazy("赢单"), "success", page="customers:opportunity_win"),
    "lose": Button(gettext_lazy("输单"), "outline-danger", page="customers:opportunity_lose"),
    "reopen": Button(gettext_lazy("重新打开"), "outline-secondary", reason=True),
}
OPPORTUNITY_CONFIRM = {"reopen": gettext_lazy("销售机会将回到“初步接洽”阶段继续跟进；原因会记入历史记录。")}


@login_required
@require_GET
def opportunity_detail(request, pk):
    user = request.user
    opportunity = selectors.opportunity_get_for(user, pk)
    actions = services.opportunity_allowed_actions(opportunity, user)
    days_left = (
        (opportunity.bid_deadline - timezone.localdate()).days if opportunity.bid_deadline and opportunity.is_open else None
    )
    return render(
        request,
        "customers/opportunity_detail.html",
        {
            "o": opportunity,
            "bid_days_left": days_left,
            "bid_days_over": -days_left if days_left is not None else None,
            "buttons": action_buttons(
                OPPORTUNITY_BUTTONS, actions, opportunity, "customers:opportunity_action", OPPORTUNITY_CONFIRM
            ),
            "weighted": rules.weighted_amount(opportunity.amount, opportunity.status, opportunity.probability),
            "chance": rules.chance(opportunity.status, opportunity.probability),
            "estimated": rules.estimated(opportunity.status, opportunity.probability),
            "can_follow_up": services.can_follow_up_opportunity(user, opportunity),
            "visits": opportunity.visits.select_related("rep").order_by("-visited_on", "-id"),
            "questions": opportunity.questions.order_by("-created_at", "-id"),
            "can_ask": services.can_ask_question(user, opportunity),
        },
    )


@login_required
def opportunity_create(request):
    user = request.user
    customer = forms.customer_of_form(request)
    form = forms.OpportunityForm(_post(request), user=user, customer=customer)
    if response := _submit(
        request,
        form,
        lambda: services.opportunity_create(actor=user, customer=form.cleaned_data["customer"], data=form.service_data()),
        message=lambda o: _("销售机会 %(number)s 已建立。") % {"number": o.number},
        to=lambda o: o.get_absolute_url(),
    ):
        return response
    cancel = _detail_url(customer, "opportunities") if customer else reverse("customers:opportunity_list")
    return form_page(request, form, title=_("新建销售机会"), cancel_url=cancel, testid="opportunity-form")


@dataclass(frozen=True)
class OpportunityAction:
    """A page of one action: its form (given the opportunity), the service call, the title and the done message."""

    form: object
    call: object
    title: str
    done: str
    intro: object = None  # what the page says of the action after the name, customer and stage, given the opportunity


OPPORTUNITY_ACTIONS = {
    "edit": OpportunityAction(
        lambda data, o, user: forms.OpportunityForm(data, instance=o, user=user),
        lambda o, form, user: services.opportunity_update(opportunity=o, actor=user, data=form.service_data()),
        gettext_lazy("修改销售机会"),
        gettext_lazy("销售机会已保存。"),
    ),
    "move": OpportunityAction(
        lambda data, o, user: forms.StageForm(data, current=o.status),
        lambda o, form, user: services.opportunity_move(opportunity=o, actor=user, **form.cleaned_data),
        gettext_lazy("调整阶段"),
        gettext_lazy("阶段已调整。"),
    ),
    "win": OpportunityAction(
        lambda data, o, user: forms.ReasonForm(data, required=False, label=_("赢单说明")),
        lambda o, form, user: services.opportunity_win(opportunity=o, actor=user, note=form.cleaned_data["reason"]),
        gettext_lazy("赢单"),
        gettext_lazy("已登记赢单。"),
    ),
    "lose": OpportunityAction(
        lambda data, o, user: forms.LoseForm(data),
        lambda o, form, user: services.opportunity_lose(opportunity=o, actor=user, **form.cleaned_data),
        gettext_lazy("输单"),
        gettext_lazy("已登记输单。"),
    ),
    "request_bid": OpportunityAction(
        lambda data, o, user: forms.ReasonForm(data, required=False, label=_("报请说明")),
        lambda o, form, user: services.opportunity_request_bid(opportunity=o, actor=user, note=form.cleaned_data["reason"]),
        gettext_lazy("报请参与决策"),
        gettext_lazy("已报请参与决策。"),
        lambda o: (
            _(
                "%(bidding)s由销售部经理决定是否参加；预计金额超过 %(limit)s 元的还需销售副总决定。"
                "领导不同意即不参加，销售机会记为输单。"
            )
            % {"bidding": o.get_bidding_display(), "limit": f"{threshold('bid_major_amount'):,.2f}"}
        ),
    ),
    "reopen": OpportunityAction(
        lambda data, o, user: forms.ReasonForm(data, label=_("重新打开的原因")),
        lambda o, form, user: services.opportunity_reopen(opportunity=o, actor=user, reason=form.cleaned_data["reason"]),
        gettext_lazy("重新打开"),
        gettext_lazy("销售机会已重新打开。"),
    ),
}


@login_required
def opportunity_action(request, pk, action):
    """GET the action's form, POST it: the service checks the right and the stage (403 / 409 / 400 on the form)."""
    spec = OPPORTUNITY_ACTIONS.get(action)
    if spec is None:
        raise Http404
    user = request.user
    opportunity = selectors.opportunity_get_for(user, pk)
    if not services.can_work_opportunity(user, opportunity):
        return _forbidden(request, str(services.OPPORTUNITY_NOT_YOURS))
    form = spec.form(_post(request), opportunity, user)
    if response := _submit(
        request, form, lambda: spec.call(opportunity, form, user), message=str(spec.done), to=opportunity.get_absolute_url()
    ):
        return response
    return form_page(
        request,
        form,
        title=f"{spec.title}：{opportunity.number}",
        intro=" — ".join(
            filter(
                None,
                [
                    f"{opportunity.title} · {opportunity.customer.name} · {opportunity.get_status_display()}",
                    spec.intro(opportunity) if spec.intro else "",
                ],
            )
        ),
        cancel_url=opportunity.get_absolute_url(),
        submit_label=str(spec.title) if action != "edit" else "",
        testid=f"opportunity-{action}-form",
    )
