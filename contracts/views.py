"""HTML pages of quotations and contracts: access check (selectors: 404 for what you may not see) → form → service
→ redirect/render. Who may do what comes from services.*_allowed_actions / can_quote; service errors (DomainError,
Conflict, Forbidden) land on the form with their HTTP status (400/409/403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from customers.selectors import customer_get_for, customer_list_for
from salesops.core.approvals import requests_for
from salesops.core.editing import call_for_form
from salesops.core.models import ApprovalRequest, ApprovalStep
from salesops.core.pages import forbidden as _forbidden
from salesops.core.pages import form_status as _status
from salesops.core.pages import post_data as _post
from salesops.core.pages import querystring as _querystring

from . import documents, forms, rules, selectors, services
from .models import Contract, ContractLine, Quotation

User = get_user_model()
PAGE_SIZE = 25


# --- helpers ------------------------------------------------------------------------------------------------------


def _quotation_url(q) -> str:
    return reverse("contracts:quotation_detail", args=[q.pk])


def _contract_url(c) -> str:
    return reverse("contracts:contract_detail", args=[c.pk])


def _customer_param(request):
    value = request.GET.get("customer", "")
    return customer_get_for(request.user, value) if value.isdigit() else None


def _simple_page(request, form, *, title, cancel_url, submit_label, intro="", multipart=False, testid="entity-form"):
    return render(
        request,
        "contracts/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
            "submit_label": submit_label,
            "intro": intro,
            "multipart": multipart,
            "testid": testid,
        },
        status=_status(form) if form.is_bound else 200,
    )


def _list_page(request, qs, *, template, date_field, ordering_choices, ordering_fields, extra):
    visible = qs
    filter_form = forms.ListFilterForm(request.GET, date_field=date_field, search_q=selectors.search_q)
    ordering = request.GET.get("ordering", "")
    page = Paginator(selectors.ordered(filter_form.apply(visible), ordering, ordering_fields), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    owners = User.objects.filter(pk__in=visible.values("owner")).order_by("username")
    context = {
        "page": page,
        "ordering": ordering,
        "ordering_choices": ordering_choices,
        "owner_options": [(u.pk, services.display_name(u)) for u in owners] if len(owners) > 1 else [],
        "querystring": _querystring(request, "page"),
        **extra,
    }
    return render(request, template, context)


# --- quotations ---------------------------------------------------------------------------------------------------
@login_required
@require_GET
def quotation_list(request):
    return _list_page(
        request,
        selectors.quotation_list_for(request.user),
        template="contracts/quotation_list.html",
        date_field="quote_date",
        ordering_fields=selectors.QUOTATION_ORDERING_FIELDS,
        ordering_choices=[
            ("-created_at", _("最新创建")),
            ("-quote_date", _("报价日期从新到旧")),
            ("valid_until", _("有效期")),
            ("-amount_incl", _("金额从高到低")),
            ("number", _("报价单号")),
            ("status", _("状态")),
        ],
        extra={"status_options": Quotation.Status.choices, "can_quote": services.can_quote(request.user)},
    )


def _quotation_form_page(request, *, quotation=None):
    return _document_form_page(
        request,
        doc=quotation,
        kind="quotation",
        form_class=forms.QuotationForm,
        formset_class=forms.QuotationLineFormSet,
        create=services.quotation_create,
        update=lambda doc, **kw: services.quotation_update(quotation=doc, **kw),
        new_title=_("新建报价单"),
        edit_title=_("修改报价单：%(number)s"),
        saved_message=_("报价单 %(number)s 已保存。"),
        list_url=reverse("contracts:quotation_list"),
        detail_url=_quotation_url,
    )


def _document_form_page(
    request, *, doc, kind, form_class, formset_class, create, update, new_title, edit_title, saved_message, list_url, detail_url
):
    """Header form + line formset of a quotation or a contract; the service validates, prices and saves."""
    user = request.user
    customer = None if doc else _customer_param(request)
    form = form_class(_post(request), instance=doc, user=user, customer=customer)
    formset = forms.line_formset(formset_class, _post(request), user=user, lines=list(doc.lines.all()) if doc else None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = forms.formset_rows(formset)
        if doc is None:
            call = lambda: create(actor=user, customer=form.cleaned_data["customer"], data=form.service_data(), lines=rows)
        else:
            call = lambda: update(doc, actor=user, data=form.service_data(), lines=rows)
        ok, saved = call_for_form(form, call)
        if ok:
            messages.success(request, saved_message % {"number": saved})
            return redirect(detail_url(saved))
    if doc:
        title, cancel = edit_title % {"number": doc}, detail_url(doc)
    else:
        title, cancel = new_title, list_url
    return render(
        request,
        "contracts/document_form.html",
        {"form": form, "formset": formset, "title": title, "cancel_url": cancel, "kind": kind},
        status=_status(form, formset) if request.method == "POST" else 200,
    )


@login_required
def quotation_create(request):
    if not services.can_quote(request.user):
        return _forbidden(request, _("您没有报价权限：只有销售内勤、经理及以上或经授权的业务员可以报价。"))
    return _quotation_form_page(request)


@login_required
def quotation_edit(request, pk):
    quotation = selectors.quotation_get_for(request.user, pk)
    if "edit" not in services.quotation_allowed_actions(quotation, request.user):
        if quotation.is_editable:
            return _forbidden(request, _("您没有修改该报价单的权限。"))
        messages.error(
            request,
            _("报价单当前状态为“%(status)s”，不能直接修改；已审核或已发送的报价单请“修订”生成新版本。")
            % {"status": quotation.get_status_display()},
        )
        return redirect(_quotation_url(quotation))
    return _quotation_form_page(request, quotation=quotation)


@login_required
@require_GET
def quotation_detail(request, pk):
    user = request.user
    quotation = selectors.quotation_get_for(user, pk)
    actions = services.quotation_allowed_actions(quotation, user)
    route = []
    if quotation.status == Quotation.Status.DRAFT and quotation.lines.exists():
        submitter = user if "submit" in actions else quotation.owner  # the route depends on who submits
        route = [str(step.label) for step in services.quotation_route_for(quotation, submitter)]
    return render(
        request,
        "contracts/quotation_detail.html",
        {
            "quotation": quotation,
            "lines": quotation.lines.select_related("product"),
            "actions": actions,
            "buttons": _buttons(QUOTATION_BUTTONS, actions, QUOTATION_CONFIRM),
            "document_mark": documents.quotation_watermark(quotation),
            "route": route,
            "versions": selectors.quotation_versions(quotation),
            "contracts": quotation.contracts.all(),
            "owner_name": services.display_name(quotation.owner),
        },
    )


# name → (label, needs a reason, button style)
QUOTATION_BUTTONS = {
    "submit": (gettext_lazy("提交审核"), False, "primary"),
    "withdraw": (gettext_lazy("撤回"), False, "outline-secondary"),
    "send": (gettext_lazy("发送客户"), False, "primary"),
    "accept": (gettext_lazy("客户接受"), False, "success"),
    "reject": (gettext_lazy("客户拒绝"), True, "outline-danger"),
    "revise": (gettext_lazy("修订"), False, "outline-primary"),
    "cancel": (gettext_lazy("作废"), True, "outline-danger"),
    "create_contract": (gettext_lazy("生成合同"), False, "success"),
}
CONTRACT_BUTTONS = {
    "submit": (gettext_lazy("提交评审"), False, "primary"),
    "withdraw": (gettext_lazy("撤回"), False, "outline-secondary"),
    "activate": (gettext_lazy("开始执行"), False, "primary"),
    "complete": (gettext_lazy("执行完毕"), False, "success"),
    "terminate": (gettext_lazy("终止"), True, "outline-danger"),
    "cancel": (gettext_lazy("作废"), True, "outline-danger"),
}
# name → the consequence the confirmation dialog states (templates/core/_confirm_reason.html); these actions ask first.
QUOTATION_CONFIRM = {
    "withdraw": gettext_lazy("撤回后本轮审批取消，报价单回到草稿，修改后可重新提交。"),
    "reject": gettext_lazy("报价单将结束为“客户已拒绝”，不能再发送或接受；原因会记入历史记录。"),
    "cancel": gettext_lazy("报价单将作废且不能恢复，也不再提供正式文件下载；原因会记入历史记录。"),
}
CONTRACT_CONFIRM = {
    "withdraw": gettext_lazy("撤回后本轮评审取消，合同回到草稿，修改后可重新提交评审。"),
    "terminate": gettext_lazy("合同将提前终止且不能恢复；原因会记入历史记录。"),
    "cancel": gettext_lazy("合同将作废且不能恢复，也不再提供正式文件下载；原因会记入历史记录。"),
}


def _buttons(spec, actions, confirm) -> list[dict]:
    return [
        {"name": name, "label": spec[name][0], "reason": spec[name][1], "style": spec[name][2], "confirm": confirm.get(name, "")}
        for name in actions
        if name in spec
    ]


QUOTATION_CALLS = {
    "submit": lambda q, u, r: services.quotation_submit(quotation=q, actor=u),
    "withdraw": lambda q, u, r: services.quotation_withdraw(quotation=q, actor=u),
    "send": lambda q, u, r: services.quotation_send(quotation=q, actor=u),
    "accept": lambda q, u, r: services.quotation_accept(quotation=q, actor=u),
    "reject": lambda q, u, r: services.quotation_reject(quotation=q, actor=u, reason=r),
    "cancel": lambda q, u, r: services.quotation_cancel(quotation=q, actor=u, reason=r),
    "revise": lambda q, u, r: services.quotation_revise(quotation=q, actor=u),
    "create_contract": lambda q, u, r: services.contract_create_from_quotation(quotation=q, actor=u),
}


def _action_page(request, doc, *, action, spec, call, doc_url, result_url, done_message):
    """POST runs the action (the service checks right and state); GET, or an error, shows the confirm/reason form."""
    label, needs_reason, _style = spec[action]
    form = forms.ReasonForm(_post(request), label=_("原因"), show=needs_reason)
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(form, lambda: call(doc, request.user, form.cleaned_data["reason"]))
        if ok:
            messages.success(request, done_message % {"action": label})
            return redirect(result_url(result))
    return _simple_page(
        request,
        form,
        title=f"{label}：{doc}",
        cancel_url=doc_url,
        submit_label=str(label),
        testid=f"action-form-{action}",
    )


@login_required
def quotation_action(request, pk, action):
    quotation = selectors.quotation_get_for(request.user, pk)
    if action not in QUOTATION_CALLS:
        raise Http404
    return _action_page(
        request,
        quotation,
        action=action,
        spec=QUOTATION_BUTTONS,
        call=QUOTATION_CALLS[action],
        doc_url=_quotation_url(quotation),
        result_url=lambda obj: _contract_url(obj) if isinstance(obj, Contract) else _quotation_url(obj),
        done_message=_("已完成“%(action)s”。"),
    )


# --- contracts ----------------------------------------------------------------------------------------------------
@login_required
@require_GET
def contract_list(request):
    return _list_page(
        request,
        selectors.contract_list_for(request.user),
        template="contracts/contract_list.html",
        date_field="contract_date",
        ordering_fields=selectors.CONTRACT_ORDERING_FIELDS,
        ordering_choices=[
            ("-created_at", _("最新创建")),
            ("-contract_date", _("合同日期从新到旧")),
            ("delivery_date", _("交货日期")),
            ("-amount_incl", _("金额从高到低")),
            ("number", _("合同编号")),
            ("status", _("状态")),
            ("classification", _("合同类别")),
        ],
        extra={
            "status_options": Contract.Status.choices,
            "classification_options": Contract.Classification.choices,
            "can_create": _may_create_contracts(request.user),
        },
    )


def _may_create_contracts(user) -> bool:
    """Show "新建合同" to those who have at least one customer they may create a contract for (the service decides)."""
    customer = customer_list_for(user).filter(owner=user).first() or customer_list_for(user).first()
    return customer is not None and services.can_create_contract(user, customer)


def _contract_form_page(request, *, contract=None):
    customer = None if contract else _customer_param(request)
    if customer is not None and not services.can_create_contract(request.user, customer):
        return _forbidden(request, _("您没有为该客户创建合同的权限。"))
    return _document_form_page(
        request,
        doc=contract,
        kind="contract",
        form_class=forms.ContractForm,
        formset_class=forms.ContractLineFormSet,
        create=services.contract_create,
        update=lambda doc, **kw: services.contract_update(contract=doc, **kw),
        new_title=_("新建合同"),
        edit_title=_("修改合同：%(number)s"),
        saved_message=_("合同 %(number)s 已保存。"),
        list_url=reverse("contracts:contract_list"),
        detail_url=_contract_url,
    )


@login_required
def contract_create(request):
    return _contract_form_page(request)


def _editable_contract(request, pk):
    """The contract if the user may edit it now, else a response (403 without the right, back to the page otherwise)."""
    contract = selectors.contract_get_for(request.user, pk)
    if "edit" in services.contract_allowed_actions(contract, request.user):
        return contract, None
    if contract.is_editable:
        return contract, _forbidden(request, _("您没有修改该合同的权限。"))
    messages.error(request, _("合同当前状态为“%(status)s”，不能修改。") % {"status": contract.get_status_display()})
    return contract, redirect(_contract_url(contract))


@login_required
def contract_edit(request, pk):
    contract, refused = _editable_contract(request, pk)
    return refused or _contract_form_page(request, contract=contract)


def _pending_reviewers(contract) -> list[dict]:
    out = []
    for r in requests_for(contract):
        if r.status != ApprovalRequest.Status.PENDING:
            continue
        for step in r.steps.all():
            if step.status == ApprovalStep.Status.PENDING:
                out.append({"label": step.label, "assignee": step.assignee_label, "kind": r.kind})
    return out


@login_required
@require_GET
def contract_detail(request, pk):
    user = request.user
    contract = selectors.contract_get_for(user, pk)
    actions = services.contract_allowed_actions(contract, user)
    reasons = [
        {"code": r["code"], "label": rules.reason_label(r["code"]), "detail": r.get("detail", "")}
        for r in contract.classification_reasons
    ]
    route = []
    if contract.is_editable and contract.lines.exists():
        submitter = user if "submit" in actions else contract.owner
        route = [str(step.label) for step in services.contract_route_for(contract, submitter)]
    pending_change = services.contract_pending_change(contract)
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "lines": contract.lines.select_related("product"),
            "actions": actions,
            "buttons": _buttons(CONTRACT_BUTTONS, actions, CONTRACT_CONFIRM),
            "document_mark": documents.contract_watermark(contract),
            "reasons": reasons,
            "route": route,
            "pending_reviewers": _pending_reviewers(contract),
            "differences": services.contract_differences(contract),
            "review": getattr(contract, "review", None),
            "pending_change": pending_change,
            "change_rows": _change_rows(pending_change) if pending_change else [],
            "change_departments": [rules.department_label(d) for d in pending_change.departments] if pending_change else [],
            "can_withdraw_change": "withdraw_change" in actions,
            "changes": contract.changes.select_related("requested_by"),
            "versions": contract.versions.all(),
            "owner_name": services.display_name(contract.owner),
            "upgraded_by_name": services.display_name(contract.upgraded_by) if contract.upgraded_by_id else "",
        },
    )


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - an unknown key in stored JSON is shown as is
        return name


def _change_rows(change) -> list[dict]:
    """The proposed values of a change request as rows 项目/字段/原值/新值 for the page."""
    rows = [
        {"where": _("合同条款"), "field": _field_label(Contract, name), "old": old, "new": new}
        for name, (old, new) in change.header_changes.items()
    ]
    for line in change.line_changes:
        for name, values in line.items():
            if name not in ("line_id", "name"):
                rows.append(
                    {"where": line["name"], "field": _field_label(ContractLine, name), "old": values[0], "new": values[1]}
                )
    return rows


CONTRACT_CALLS = {
    "submit": lambda c, u, r: services.contract_submit(contract=c, actor=u),
    "withdraw": lambda c, u, r: services.contract_withdraw(contract=c, actor=u),
    "activate": lambda c, u, r: services.contract_activate(contract=c, actor=u),
    "complete": lambda c, u, r: services.contract_complete(contract=c, actor=u),
    "terminate": lambda c, u, r: services.contract_terminate(contract=c, actor=u, reason=r),
    "cancel": lambda c, u, r: services.contract_cancel(contract=c, actor=u, reason=r),
}


@login_required
def contract_action(request, pk, action):
    contract = selectors.contract_get_for(request.user, pk)
    if action not in CONTRACT_CALLS:
        raise Http404
    return _action_page(
        request,
        contract,
        action=action,
        spec=CONTRACT_BUTTONS,
        call=CONTRACT_CALLS[action],
        doc_url=_contract_url(contract),
        result_url=_contract_url,
        done_message=_("已完成“%(action)s”。"),
    )


@login_required
def contract_upgrade(request, pk):
    contract = selectors.contract_get_for(request.user, pk)
    form = forms.ReasonForm(_post(request), label=_("升级原因"))
    if request.method == "POST" and form.is_valid():
        ok, _result = call_for_form(
            form,
            lambda: services.contract_upgrade(contract=contract, actor=request.user, reason=form.cleaned_data["reason"]),
        )
        if ok:
            messages.success(request, _("合同已升级为特殊合同。"))
            return redirect(_contract_url(contract))
    return _simple_page(
        request,
        form,
        title=_("升级为特殊合同：%(number)s") % {"number": contract.number},
        cancel_url=_contract_url(contract),
        submit_label=_("确认升级"),
        testid="upgrade-form",
    )


@login_required
def contract_sign(request, pk):
    contract = selectors.contract_get_for(request.user, pk)
    form = forms.SignForm(_post(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ok, _result = call_for_form(
            form,
            lambda: services.contract_sign(
                contract=contract,
                actor=request.user,
                signed_on=form.cleaned_data["signed_on"],
                scan=form.cleaned_data["scan"],
            ),
        )
        if ok:
            messages.success(request, _("已登记合同签订。"))
            return redirect(_contract_url(contract))
    return _simple_page(
        request,
        form,
        title=_("登记签订：%(number)s") % {"number": contract.number},
        cancel_url=_contract_url(contract),
        submit_label=_("登记签订"),
        multipart=True,
        testid="sign-form",
    )


@login_required
def contract_review(request, pk):
    contract = selectors.contract_get_for(request.user, pk)
    review = getattr(contract, "review", None)
    form = forms.ReviewForm(_post(request), instance=review)
    if request.method == "POST" and form.is_valid():
        ok, _result = call_for_form(
            form, lambda: services.contract_review_update(contract=contract, actor=request.user, data=form.cleaned_data)
        )
        if ok:
            messages.success(request, _("合同评审单已保存。"))
            return redirect(_contract_url(contract))
    return _simple_page(
        request,
        form,
        title=_("合同评审单：%(number)s") % {"number": contract.number},
        cancel_url=_contract_url(contract),
        submit_label=_("保存"),
        testid="review-form",
    )


@login_required
def contract_change(request, pk):
    contract = selectors.contract_get_for(request.user, pk)
    form = forms.ChangeHeaderForm(_post(request), contract=contract)
    formset = forms.change_line_formset(_post(request), contract=contract)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        lines = {f.cleaned_data["line_id"]: f.changed() for f in formset.forms if f.changed()}
        ok, _result = call_for_form(
            form,
            lambda: services.contract_change_request(
                contract=contract,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                header=form.changed(),
                lines=lines,
            ),
        )
        if ok:
            messages.success(request, _("变更申请已提交评审。"))
            return redirect(_contract_url(contract))
    return render(
        request,
        "contracts/change_form.html",
        {"contract": contract, "form": form, "formset": formset},
        status=_status(form, formset) if request.method == "POST" else 200,
    )


@login_required
@require_POST
def contract_change_withdraw(request, pk):
    contract = selectors.contract_get_for(request.user, pk)
    change = services.contract_pending_change(contract)
    if change is None:
        messages.error(request, _("没有进行中的变更申请。"))
        return redirect(_contract_url(contract))
    form = forms.ReasonForm(request.POST, show=False)
    form.is_valid()
    ok, _result = call_for_form(form, lambda: services.contract_change_withdraw(change=change, actor=request.user))
    if ok:
        messages.success(request, _("变更申请已撤回。"))
        return redirect(_contract_url(contract))
    return _simple_page(
        request,
        form,
        title=_("撤回变更申请：%(number)s") % {"number": contract.number},
        cancel_url=_contract_url(contract),
        submit_label=_("撤回变更申请"),
    )


@login_required
@require_GET
def contract_version(request, pk, version):
    contract = selectors.contract_get_for(request.user, pk)
    stored = get_object_or_404(contract.versions.select_related("change"), version=version)
    return render(
        request,
        "contracts/contract_version.html",
        {
            "contract": contract,
            "stored": stored,
            "header": stored.snapshot.get("header", {}),
            "lines": stored.snapshot.get("lines", []),
        },
    )


def customer_documents_panel(request, customer) -> str:
    """The "报价与合同" card on the customer page (registered as a salesops.core.panels panel in AppConfig.ready)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    quotations = selectors.quotation_list_for(user).filter(customer=customer)
    contracts = selectors.contract_list_for(user).filter(customer=customer)
    context = {
        "customer": customer,
        "quotations": quotations[:10],
        "quotation_count": quotations.count(),
        "contracts": contracts[:10],
        "contract_count": contracts.count(),
        "can_quote": services.can_quote(user),
        "can_create_contract": services.can_create_contract(user, customer),
    }
    return render_to_string("contracts/_customer_documents.html", context, request=request)
