"""HTML pages of sales orders: access check (selectors: 404 for orders you may not see) → form → service → redirect.

Who may do what comes only from orders.permissions; service errors (DomainError, Conflict, Forbidden) land on the form
with their HTTP status (400/409/403), and the detail page is shown again with the failed form. Lists are filtered by the
filter sets the API uses (orders.filters).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from contracts.selectors import contract_get_for, contract_list_for, contract_pending_change, quotation_list_for
from customers.forms import customer_of_form
from salesops.core.editing import call_for_form
from salesops.core.names import display_name
from salesops.core.once import outcome, submitted_before
from salesops.core.pages import Button, action_buttons, paginate, querystring, refused_page
from salesops.core.pages import forbidden as _forbidden
from salesops.core.pages import form_status as _status
from salesops.core.pages import post_data as _post

from . import filters, forms, permissions, rules, selectors, services
from .balances import order_refundable
from .models import SHIPPING_STATUSES, Inspection, SalesOrder

# --- helpers ------------------------------------------------------------------------------------------------------


def _order_url(order) -> str:
    return reverse("orders:order_detail", args=[order.pk])


# --- list ---------------------------------------------------------------------------------------------------------
@login_required
@require_GET
def order_list(request):
    user = request.user
    visible = selectors.order_list_for(user)
    filterset = filters.OrderFilter(request.GET, queryset=visible, request=request)
    page = paginate(request, filterset.qs)
    today = timezone.localdate()
    # the shown orders being shipped, the only ones that can be at risk: no query when there is none
    risk = selectors.risk_reasons([o.pk for o in page if o.status in SHIPPING_STATUSES], today)
    for o in page:
        o.risk_reason = risk.get(o.pk, "")
        o.ship_late = bool(
            o.promised_ship_date and o.status in selectors.OPEN_ORDER and (o.promised_ship_date < today or o.risk_reason)
        )
    return render(
        request,
        "orders/order_list.html",
        {
            "page": page,
            "filterset": filterset,
            "querystring": querystring(request, "page"),
            "can_create": permissions.is_clerk(user),
        },
        status=filterset.status_code,
    )


# --- create -------------------------------------------------------------------------------------------------------
def _created(request, order: SalesOrder, created: bool) -> HttpResponse:
    """To the order a create form made — or, the same form sent again (a resend, a reload of the answer), to the order
    it made the first time, saying so (salesops.core.once)."""
    if created:
        messages.success(request, _("订单 %(number)s 已创建。") % {"number": order})
    else:
        messages.info(request, _("这份订单已经提交过，已创建为订单 %(number)s，没有重复下单。") % {"number": order.number})
    return redirect(_order_url(order))


@login_required
def order_create(request):
    """A direct order of catalog (standard) products."""
    user = request.user
    if not permissions.is_clerk(user):
        return _forbidden(request, _("只有销售内勤和经理可以处理订单。"))
    form = forms.OrderHeaderForm(_post(request), user=user, customer=customer_of_form(request))
    formset = forms.line_formset(_post(request), user=user)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = forms.formset_rows(formset)
        ok, result = call_for_form(
            form,
            lambda: outcome(
                lambda: services.order_create(
                    actor=user, customer=form.cleaned_data["customer"], data=form.service_data(), lines=rows
                )
            ),
        )
        if ok:
            return _created(request, *result)
    return render(
        request,
        "orders/order_create.html",
        {"form": form, "formset": formset, "title": _("新建订单（标准品）")},
        status=_status(form, formset) if request.method == "POST" else 200,
    )


@login_required
def order_create_from_contract(request, contract_pk):
    user = request.user
    contract = contract_get_for(user, contract_pk)
    if not permissions.is_clerk(user):
        return _forbidden(request, _("只有销售内勤和经理可以处理订单。"))
    title = _("由合同 %(number)s 下订单") % {"number": contract}
    refusal = permissions.contract_order_refusal(contract)
    resent = request.method == "POST" and submitted_before(SalesOrder, request.POST.get("once_key"), user, by="created_by")
    if refusal and not resent:  # certain to fail: say why up front instead of the form (a resend goes to its order)
        back = reverse("contracts:contract_detail", args=[contract.pk])
        return refused_page(request, title=title, refusal=refusal, back_url=back, back_label=_("返回合同"), conflict=True)
    form = forms.ContractOrderForm(_post(request), user=user, contract=contract)
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(
            form,
            lambda: outcome(
                lambda: services.order_create_from_contract(
                    contract=contract, actor=user, data=form.service_data(), lines=form.quantities()
                )
            ),
        )
        if ok:
            return _created(request, *result)
    return render(
        request,
        "orders/order_from_contract.html",
        {"form": form, "contract": contract, "title": title, "pending_change": contract_pending_change(contract)},
        status=_status(form) if request.method == "POST" else 200,
    )


# --- detail -------------------------------------------------------------------------------------------------------
ORDER_BUTTONS = {
    "acknowledge_contract": Button(gettext_lazy("已核对合同变更"), "outline-warning"),
    "close": Button(gettext_lazy("关闭订单"), "outline-success"),
    "close_short": Button(gettext_lazy("短交关闭"), "outline-warning", reason=True),
    "cancel": Button(gettext_lazy("取消订单"), "outline-danger", reason=True),
}
# name → the consequence the confirmation dialog states (templates/core/_confirm_reason.html); these actions ask first.
ORDER_CONFIRM = {
    "cancel": gettext_lazy("订单将取消且不能恢复；原因会显示在订单上并记入历史记录。"),
    "close_short": gettext_lazy(
        "未发货的数量将不再发货：各明细数量改为已发货数量，订单金额随之调整为已发货金额，订单转为已全部发货；原因记入历史记录。"
    ),
}
ORDER_CALLS = {
    "acknowledge_contract": lambda o, u, r: services.order_acknowledge_contract(order=o, actor=u),
    "close": lambda o, u, r: services.order_close(order=o, actor=u),
    "close_short": lambda o, u, r: services.order_close_short(order=o, actor=u, reason=r),
    "cancel": lambda o, u, r: services.order_cancel(order=o, actor=u, reason=r),
}


# The order page's toolbar: (allowed action, form key, label, icon). Each button opens its form on the page; the form
# that failed is open, otherwise the user's next step (下单生产 for the clerk, 记录检验 for QC/warehouse).
FORM_TOOLS = (
    ("place", "place", gettext_lazy("下单生产"), "bi-gear"),
    ("production_update", "production", gettext_lazy("记录进度"), "bi-clock-history"),
    ("inspect", "inspection", gettext_lazy("记录检验"), "bi-clipboard-check"),
    ("emergency_release", "release", gettext_lazy("申请紧急放行"), "bi-lightning"),
    ("credit_exception", "credit", gettext_lazy("申请信用放行"), "bi-shield-check"),
)
NEXT_STEP_FORMS = ("place", "inspection")


def _toolbar(actions: list[str], bound: dict) -> tuple[list[dict], str]:
    tools = [{"key": key, "label": label, "icon": icon} for action, key, label, icon in FORM_TOOLS if action in actions]
    keys = [t["key"] for t in tools]
    open_form = next((k for k in keys if k in bound), None) or next((k for k in NEXT_STEP_FORMS if k in keys), "")
    return tools, open_form


def _chain(order: SalesOrder, user) -> list[dict]:
    """The documents before and after the order: quotation → contract → (this order) → shipments → invoices → payments.
    The quotation and contract are links for those who may open them."""
    contract = order.contract
    quotation = contract.quotation if contract is not None else None
    links = []
    if quotation is not None:
        seen = quotation_list_for(user).filter(pk=quotation.pk).exists()
        url = reverse("contracts:quotation_detail", args=[quotation.pk]) if seen else ""
        links.append({"label": _("报价单"), "text": quotation.number, "url": url})
    if contract is not None:
        seen = contract_list_for(user).filter(pk=contract.pk).exists()
        url = reverse("contracts:contract_detail", args=[contract.pk]) if seen else ""
        links.append({"label": _("合同"), "text": str(contract), "url": url})
    links.append({"label": _("订单"), "text": order.number, "url": ""})
    for label, anchor, count in (
        (_("出货单"), "order-shipments", order.shipments.count()),
        (_("开票"), "order-invoices", order.invoices.count()),
        (_("回款"), "order-payments", order.allocations.count()),
    ):
        links.append({"label": label, "text": str(count), "url": f"#{anchor}"})
    return links


def _allocations(order: SalesOrder, user) -> list:
    """The payments allocated to the order, each named by its number and `payment_seen` when `user` may open the
    payment's page (selectors.payment_list_for: who handles money and sees its customer) — one query more, only when
    the order has any."""
    allocations = list(order.allocations.select_related("payment").order_by("payment__received_on", "pk"))
    ids = {a.payment_id for a in allocations}
    seen = set(selectors.payment_list_for(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for a in allocations:
        a.payment_seen = a.payment_id in seen
    return allocations


def _detail_page(request, order: SalesOrder, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    """The order page; `bound` holds the form that was posted and failed (shown again, open, with its error)."""
    user = request.user
    bound = bound or {}
    actions = permissions.order_allowed_actions(order, user)
    tools, open_form = _toolbar(actions, bound)
    inspections = list(order.inspections.select_related("line", "qc_signed_by", "warehouse_signed_by", "emergency_release"))
    for i in inspections:
        i.actions = permissions.inspection_allowed_actions(i, user)
    checklist = bound.get("checklist") or forms.ChecklistForm(order=order)
    today = timezone.localdate()
    context = {
        "order": order,
        "lines": order.lines.select_related("product", "contract_line").order_by("line_no", "id"),
        "actions": actions,
        "tools": tools,
        "open_form": open_form,
        "stages": selectors.order_stages(order),
        "chain": _chain(order, user),
        "buttons": action_buttons(ORDER_BUTTONS, actions, order, "orders:order_action", ORDER_CONFIRM),
        "action_form": bound.get("action"),
        "gate": selectors.order_gate(order),
        "gate_unblockers": rules.GATE_UNBLOCKERS,
        "checklist": checklist,
        "checklist_errors": [f for f in (bound.get("checklist"), bound.get("verify")) if f is not None],
        "missing": selectors.order_missing_checks(order),
        "credit_warning": selectors.order_credit_warning(order),
        "place_form": bound.get("place") or forms.PlaceForm(order=order),
        "production_form": bound.get("production") or forms.ProductionForm(),
        "production_updates": order.production_updates.select_related("reported_by"),
        "inspection_form": bound.get("inspection") or forms.InspectionForm(order=order),
        "sign_form": bound.get("sign"),
        "inspections": inspections,
        "release_form": bound.get("release") or forms.EmergencyReleaseForm(order=order),
        "releases": order.emergency_releases.select_related("line", "requested_by"),
        "credit_form": bound.get("credit") or forms.CreditExceptionForm(),
        "credit_exceptions": order.credit_exceptions.select_related("requested_by"),
        "shipments": order.shipments.all(),
        "invoices": order.invoices.all(),
        "opens_invoices": permissions.handles_money(user),  # an invoice request's page (selectors.invoice_list_for)
        "allocations": _allocations(order, user),
        # 办理退款 (finance): what the order holds beyond what it owes
        "refundable": order_refundable(order) if permissions.is_finance(user) else None,
        "changes": _changes(order),
        "owner_name": display_name(order.owner),
        "overdue_verify": rules.verification_overdue(
            received_on=order.received_on, verified=order.status != SalesOrder.Status.RECEIVED, today=today
        ),
        "today": today,
    }
    return render(request, "orders/order_detail.html", context, status=status)


LINE_FIELD_LABELS = {
    "quantity": gettext_lazy("数量"),
    "unit_price": gettext_lazy("含税单价"),
    "discount_rate": gettext_lazy("折扣率"),
}


def _changes(order) -> list:
    """OrderChange rows with readable field names for the line changes (header changes carry their label)."""
    out = list(order.changes.select_related("changed_by", "reverified_by"))
    for ch in out:
        for c in ch.changes:
            c.setdefault("label", LINE_FIELD_LABELS.get(c.get("field"), c.get("field")))
    return out


@login_required
@require_GET
def order_detail(request, pk):
    return _detail_page(request, selectors.order_get_for(request.user, pk))


def _detail_post(request, pk, *, key: str, form, call, done: str):
    """Run `call(order, form)` for a valid posted form; success → back to the page, failure → the page with the error."""
    order = selectors.order_get_for(request.user, pk)
    form = form(order)
    if form.is_valid():
        ok, _result = call_for_form(form, lambda: call(order, form.cleaned_data))
        if ok:
            messages.success(request, done)
            return redirect(_order_url(order))
    order.refresh_from_db()
    return _detail_page(request, order, bound={key: form}, status=_status(form))


def _save_checks(order, user, changed, then_verify: bool):
    with transaction.atomic():  # one POST: every changed row (and the verification) or nothing
        for code, parties, note in changed:
            services.order_check(order=order, actor=user, item=code, parties=parties, note=note)
        if then_verify:
            services.order_verify(order=order, actor=user)


@login_required
@require_POST
def order_checks(request, pk):
    """Save the changed checklist rows ("全部确认": every row, with the parties each needs); with the "核单完成" button,
    then finish verification."""
    user = request.user
    then_verify, confirm_all = "verify" in request.POST, "confirm_all" in request.POST
    if then_verify:
        done = _("核单完成。")
    else:
        done = _("已确认全部核对项目，请核对后点“核单完成”。") if confirm_all else _("核单记录已保存。")
    return _detail_post(
        request,
        pk,
        key="checklist",
        form=lambda o: forms.ChecklistForm(request.POST, order=o, confirm_all=confirm_all),
        call=lambda o, data: _save_checks(o, user, data["changed_items"], then_verify),
        done=done,
    )


@login_required
@require_POST
def order_verify(request, pk):
    return _detail_post(
        request,
        pk,
        key="verify",
        form=lambda o: forms.PlainForm(request.POST),
        call=lambda o, data: services.order_verify(order=o, actor=request.user),
        done=_("核单完成。"),
    )


@login_required
@require_POST
def order_place(request, pk):
    return _detail_post(
        request,
        pk,
        key="place",
        form=lambda o: forms.PlaceForm(request.POST, order=o),
        call=lambda o, d: services.order_place(
            order=o, actor=request.user, requested_date=d["requested_date"], from_stock=d["from_stock"]
        ),
        done=_("已下单生产。"),
    )


@login_required
@require_POST
def order_production(request, pk):
    return _detail_post(
        request,
        pk,
        key="production",
        form=lambda o: forms.ProductionForm(request.POST),
        call=lambda o, d: services.production_update(
            order=o, actor=request.user, status=d["status"], expected_date=d["expected_date"], reason=d["reason"]
        ),
        done=_("生产进度已记录。"),
    )


@login_required
@require_POST
def order_inspection(request, pk):
    return _detail_post(
        request,
        pk,
        key="inspection",
        form=lambda o: forms.InspectionForm(request.POST, order=o),
        call=lambda o, d: services.inspection_record(
            order=o,
            actor=request.user,
            line_id=d["line"].pk,
            lot_no=d["lot_no"],
            quantity=d["quantity"],
            result=d["result"],
            note=d["note"],
            emergency_release_id=d["emergency_release"].pk if d["emergency_release"] else None,
        ),
        done=_("检验记录已保存。"),
    )


@login_required
@require_POST
def order_inspection_sign(request, pk, inspection_pk):
    order = selectors.order_get_for(request.user, pk)
    inspection = get_object_or_404(Inspection, pk=inspection_pk, order=order)
    return _detail_post(
        request,
        pk,
        key="sign",
        form=lambda o: forms.PlainForm(request.POST),
        call=lambda o, d: services.inspection_sign(inspection=inspection, actor=request.user),
        done=_("已签字。"),
    )


@login_required
@require_POST
def order_emergency_release(request, pk):
    return _detail_post(
        request,
        pk,
        key="release",
        form=lambda o: forms.EmergencyReleaseForm(request.POST, order=o),
        call=lambda o, d: services.emergency_release_request(
            order=o, actor=request.user, line_id=d["line"].pk, quantity=d["quantity"], reason=d["reason"], lot_no=d["lot_no"]
        ),
        done=_("紧急放行申请已提交，等待经理批准。"),
    )


@login_required
@require_POST
def order_credit_exception(request, pk):
    return _detail_post(
        request,
        pk,
        key="credit",
        form=lambda o: forms.CreditExceptionForm(request.POST),
        call=lambda o, d: services.credit_exception_request(order=o, actor=request.user, amount=d["amount"], reason=d["reason"]),
        done=_("信用放行申请已提交审批。"),
    )


# 撤回 a pending request of the order, by the URL's kind: (the order's requests, the service, the page's message)
REQUEST_WITHDRAWALS = {
    "credit-exceptions": (
        lambda o: o.credit_exceptions.all(),
        lambda row, user, reason: services.credit_exception_withdraw(exception=row, actor=user, reason=reason),
        gettext_lazy("信用放行申请已撤回，审批随之撤销。"),
    ),
    "emergency-releases": (
        lambda o: o.emergency_releases.select_related("line"),
        lambda row, user, reason: services.emergency_release_withdraw(release=row, actor=user, reason=reason),
        gettext_lazy("紧急放行申请已撤回，审批随之撤销。"),
    ),
}


@login_required
@require_POST
def order_request_withdraw(request, pk, kind, request_pk):
    """The 撤回 button of a pending credit exception or emergency release: done → back to the order with a message;
    refused (403 not the requester nor a manager, 409 no longer pending) → the order page with the refusal as a message."""
    order = selectors.order_get_for(request.user, pk)
    rows, call, done = REQUEST_WITHDRAWALS[kind]
    row = get_object_or_404(rows(order), pk=request_pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        ok, _result = call_for_form(form, lambda: call(row, request.user, form.cleaned_data["reason"]))
        if ok:
            messages.success(request, str(done))
            return redirect(_order_url(order))
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    order.refresh_from_db()
    return _detail_page(request, order, status=_status(form))


@login_required
@require_POST
def order_action(request, pk, action):
    if action not in ORDER_CALLS:
        raise Http404
    label = ORDER_BUTTONS[action].label
    return _detail_post(
        request,
        pk,
        key="action",
        form=lambda o: forms.ReasonForm(request.POST),
        call=lambda o, d: ORDER_CALLS[action](o, request.user, d["reason"]),
        done=_("已完成“%(action)s”。") % {"action": label},
    )


# --- change -------------------------------------------------------------------------------------------------------
@login_required
def order_edit(request, pk):
    user = request.user
    order = selectors.order_get_for(user, pk)
    if "edit" not in permissions.order_allowed_actions(order, user):
        if permissions.is_clerk(user):
            messages.error(request, _("订单当前状态为“%(status)s”，不能修改。") % {"status": order.get_status_display()})
            return redirect(_order_url(order))
        return _forbidden(request, _("只有销售内勤和经理可以处理订单。"))
    form = forms.OrderChangeForm(_post(request), instance=order, user=user)
    formset = forms.change_line_formset(_post(request), order=order)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        lines = {f.cleaned_data["line_id"]: f.changed() for f in formset.forms if f.changed()}
        ok, _result = call_for_form(
            form,
            lambda: services.order_update(
                order=order, actor=user, data=form.changed(), lines=lines or None, reason=form.cleaned_data["reason"]
            ),
        )
        if ok:
            messages.success(request, _("订单 %(number)s 已修改。") % {"number": order})
            return redirect(_order_url(order))
    return render(
        request,
        "orders/order_edit.html",
        {
            "order": order,
            "form": form,
            "formset": formset,
            "verified": order.status != SalesOrder.Status.RECEIVED,
            "title": _("修改订单：%(number)s") % {"number": order},
        },
        status=_status(form, formset) if request.method == "POST" else 200,
    )
