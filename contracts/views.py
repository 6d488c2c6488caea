"""HTML pages of quotations and contracts: access check (selectors: 404 for what you may not see) → form → service
→ redirect/render. Who may do what comes from contracts.permissions: the buttons of a page are its allowed actions (the
same list the API's `allowed_actions` gives); lists filter with the filter sets of contracts.filters, like the API.
Service errors (DomainError, Conflict, Forbidden) land on the form with their HTTP status (400/409/403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from catalog.selectors import can_view_cost
from customers.forms import customer_of_form
from customers.rules import bid_undecided
from customers.selectors import customer_chosen, sees_opportunities
from salesops.core.editing import call_for_form
from salesops.core.errors import DomainError
from salesops.core.money import QUANTITY_BOUNDS, parse_decimal
from salesops.core.names import display_name
from salesops.core.once import Replayed, outcome
from salesops.core.pages import Button, action_buttons, form_page, paginate
from salesops.core.pages import forbidden as _forbidden
from salesops.core.pages import form_status as _status
from salesops.core.pages import post_data as _post
from salesops.core.pages import querystring as _querystring

from . import documents, filters, forms, permissions, rules, selectors, services
from .models import Contract, ContractLine, Quotation


# --- helpers ------------------------------------------------------------------------------------------------------
def _quotation_url(q) -> str:
    return reverse("contracts:quotation_detail", args=[q.pk])


def _contract_url(c) -> str:
    return reverse("contracts:contract_detail", args=[c.pk])


@login_required
@require_GET
def line_price(request):
    """JSON of what a line of ?product= starts with for ?customer= on ?date=, for ?quantity= units in the document's
    ?currency= at its ?exchange_rate= (selectors.line_price: what the services price a line with), for the line
    tables of the quotation, contract and order forms (static/js/forms.js). A quantity or rate that is not a number, or
    another currency without a rate above 0: 400 with the reason."""
    product = request.GET.get("product", "")
    if not product.isdigit():
        raise Http404
    try:
        on_date = parse_date(request.GET.get("date", ""))
    except ValueError:  # a well-formed date that does not exist: today's price
        on_date = None
    customer = customer_chosen(request.user, request.GET.get("customer"))
    currency = request.GET.get("currency", "").strip().upper() or rules.BASE_CURRENCY
    try:
        quantity = parse_decimal(request.GET.get("quantity", "").strip(), _("数量"), allow_blank=True, bounds=QUANTITY_BOUNDS)
        rate = parse_decimal(request.GET.get("exchange_rate", "").strip(), _("汇率"), allow_blank=True)
        return JsonResponse(
            selectors.line_price(
                request.user,
                product,
                customer,
                on_date,
                quantity=quantity if quantity is not None and quantity > 0 else None,
                currency=currency,
                exchange_rate=rate,
            )
        )
    except DomainError as e:
        return JsonResponse({"detail": str(e)}, status=400)
    except ValueError:
        return JsonResponse({"detail": _("汇率必须大于 0。")}, status=400)


def _list_page(request, filterset, *, template, extra):
    """A list narrowed by its filter set; an invalid filter value is shown under its field (400) and lists nothing."""
    context = {
        "filterset": filterset,
        "page": paginate(request, filterset.qs),
        "querystring": _querystring(request, "page"),
        **extra,
    }
    return render(request, template, context, status=filterset.status_code)


# --- buttons: one per allowed action (contracts.permissions), in the order it gives them ------------------------------
QUOTATION_BUTTONS = {
    "edit": Button(gettext_lazy("修改"), "outline-primary", page="contracts:quotation_edit", icon="pencil"),
    "submit": Button(gettext_lazy("提交审核"), "primary"),
    "withdraw": Button(gettext_lazy("撤回"), "outline-secondary"),
    "send": Button(gettext_lazy("发送客户"), "primary"),
    "accept": Button(gettext_lazy("客户接受"), "success"),
    "reject": Button(gettext_lazy("客户拒绝"), "outline-danger", reason=True),
    "revise": Button(gettext_lazy("修订"), "outline-primary"),
    "cancel": Button(gettext_lazy("作废"), "outline-danger", reason=True),
    "create_contract": Button(gettext_lazy("生成合同"), "success", once=True),
}
CONTRACT_BUTTONS = {
    "edit": Button(gettext_lazy("修改"), "outline-primary", page="contracts:contract_edit", icon="pencil"),
    "submit": Button(gettext_lazy("提交评审"), "primary"),
    "withdraw": Button(gettext_lazy("撤回"), "outline-secondary"),
    "sign": Button(gettext_lazy("登记签订"), "success", page="contracts:contract_sign"),
    "activate": Button(gettext_lazy("开始执行"), "primary"),
    "complete": Button(gettext_lazy("执行完毕"), "success"),
    "terminate": Button(gettext_lazy("终止"), "outline-danger", reason=True),
    "cancel": Button(gettext_lazy("作废"), "outline-danger", reason=True),
    "request_change": Button(
        gettext_lazy("申请变更"), "outline-primary", page="contracts:contract_change", testid="action-request-change"
    ),
    "upgrade": Button(gettext_lazy("升级为特殊合同"), "outline-danger", page="contracts:contract_upgrade"),
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
# The services the action pages call (POST …/<action>/), by action name.
QUOTATION_SERVICES = {
    "submit": services.quotation_submit,
    "withdraw": services.quotation_withdraw,
    "send": services.quotation_send,
    "accept": services.quotation_accept,
    "reject": services.quotation_reject,
    "revise": services.quotation_revise,
    "cancel": services.quotation_cancel,
    "create_contract": services.contract_create_from_quotation,
}
CONTRACT_SERVICES = {
    "submit": services.contract_submit,
    "withdraw": services.contract_withdraw,
    "activate": services.contract_activate,
    "complete": services.contract_complete,
    "terminate": services.contract_terminate,
    "cancel": services.contract_cancel,
}


def _action_page(request, doc, *, action, buttons, calls, document, result_url):
    """POST runs the action (the service checks right and state); GET, or an error, shows the confirm/reason form.
    An action that creates a document (`once`: 生成合同) carries its page's hidden once_key: sent again, it goes to
    what the first one made, saying so (salesops.core.once)."""
    button = buttons[action]
    form = (forms.OnceActionForm if button.once else forms.ReasonForm)(_post(request), label=_("原因"), show=button.reason)
    if request.method == "POST" and form.is_valid():
        extra = {"reason": form.cleaned_data["reason"]} if button.reason else {}
        if button.once:
            extra["once_key"] = form.cleaned_data["once_key"]
        replayed: list[Replayed] = []

        def call():
            try:
                return calls[action](**{document: doc}, actor=request.user, **extra)
            except Replayed as e:  # the same submission again: what the first one made
                replayed.append(e)
                return e.obj

        ok, result = call_for_form(form, call)
        if ok:
            if replayed:
                messages.info(request, str(replayed[0]))
            else:
                messages.success(request, _("已完成“%(action)s”。") % {"action": button.label})
            return redirect(result_url(result))
    return form_page(
        request,
        form,
        title=f"{button.label}：{doc}",
        cancel_url=reverse(f"contracts:{document}_detail", args=[doc.pk]),
        submit_label=str(button.label),
        testid=f"action-form-{action}",
    )


def _figures_for(user) -> dict:
    """Which sensitive figures the page shows: prices (selectors.sees_prices), cost and margin (can_view_cost)."""
    return {"sees_prices": selectors.sees_prices(user), "sees_cost": can_view_cost(user)}


def _document_form_page(
    request,
    *,
    doc,
    kind,
    form_class,
    formset_class,
    create,
    update,
    new_title,
    edit_title,
    saved_message,
    replayed_message,
    list_url,
    detail_url,
):
    """Header form + line formset of a quotation or a contract; the service validates, prices and saves. A new one
    starts with the ?customer= (and, for a quotation, the ?opportunity=) of the link that opened it, and carries the
    page's hidden once_key (salesops.core.once): the same form sent again goes to the document it made, saying so."""
    user = request.user
    customer = None if doc else customer_of_form(request)
    initial = {"opportunity": request.GET["opportunity"]} if not doc and request.GET.get("opportunity", "").isdigit() else {}
    form = form_class(_post(request), instance=doc, user=user, customer=customer, initial=initial)
    formset = forms.line_formset(formset_class, _post(request), user=user, lines=list(doc.lines.all()) if doc else None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = forms.formset_rows(formset)
        if doc is None:
            call = lambda: outcome(
                lambda: create(actor=user, customer=form.cleaned_data["customer"], data=form.service_data(), lines=rows)
            )
        else:
            call = lambda: (update(**{kind: doc}, actor=user, data=form.service_data(), lines=rows), True)
        ok, result = call_for_form(form, call)
        if ok:
            saved, created = result
            if created:
                messages.success(request, saved_message % {"number": saved})
            else:  # the same form sent again (a resend, a reload of the answer): the document it made
                messages.info(request, replayed_message % {"number": saved.number})
            return redirect(detail_url(saved))
    if doc:
        title, cancel = edit_title % {"number": doc}, detail_url(doc)
    else:
        title, cancel = new_title, list_url
    return render(
        request,
        "contracts/document_form.html",
        {"form": form, "formset": formset, "title": title, "cancel_url": cancel, "kind": kind, **_figures_for(user)},
        status=_status(form, formset) if request.method == "POST" else 200,
    )


# --- quotations ---------------------------------------------------------------------------------------------------
@login_required
@require_GET
def quotation_list(request):
    visible = selectors.quotation_list_for(request.user)
    return _list_page(
        request,
        filters.QuotationFilter(request.GET, queryset=visible, request=request),
        template="contracts/quotation_list.html",
        extra={"can_quote": permissions.can_quote(request.user)},
    )


def _quotation_form_page(request, *, quotation=None):
    return _document_form_page(
        request,
        doc=quotation,
        kind="quotation",
        form_class=forms.QuotationForm if quotation else forms.QuotationCreateForm,
        formset_class=forms.QuotationLineFormSet,
        create=services.quotation_create,
        update=services.quotation_update,
        new_title=_("新建报价单"),
        edit_title=_("修改报价单：%(number)s"),
        saved_message=_("报价单 %(number)s 已保存。"),
        replayed_message=_("这份报价单已经提交过，已保存为报价单 %(number)s，没有重复新建。"),
        list_url=reverse("contracts:quotation_list"),
        detail_url=_quotation_url,
    )


@login_required
def quotation_create(request):
    if not permissions.can_quote(request.user):
        return _forbidden(request, _("您没有报价权限：只有销售内勤、经理及以上或经授权的业务员可以报价。"))
    return _quotation_form_page(request)


@login_required
def quotation_edit(request, pk):
    quotation = selectors.quotation_get_for(request.user, pk)
    if "edit" not in permissions.quotation_allowed_actions(quotation, request.user):
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
    actions = permissions.quotation_allowed_actions(quotation, user)
    route = []
    if quotation.status == Quotation.Status.DRAFT and quotation.lines.exists():
        submitter = user if "submit" in actions else quotation.owner  # the route depends on who submits
        route = [str(step.label) for step in selectors.quotation_route_for(quotation, submitter)]
    return render(
        request,
        "contracts/quotation_detail.html",
        {
            "quotation": quotation,
            "lines": selectors.document_lines(quotation),
            "actions": actions,
            "buttons": action_buttons(QUOTATION_BUTTONS, actions, quotation, "contracts:quotation_action", QUOTATION_CONFIRM),
            "document_mark": documents.quotation_watermark(quotation),
            "route": route,
            "versions": selectors.quotation_versions(quotation),
            "contracts": quotation.contracts.all(),
            "live_contract": selectors.quotation_live_contract(quotation)
            if quotation.status == Quotation.Status.ACCEPTED
            else None,
            "owner_name": display_name(quotation.owner),
            "sees_opportunities": sees_opportunities(user),
            **_figures_for(user),
        },
    )


@login_required
def quotation_action(request, pk, action):
    quotation = selectors.quotation_get_for(request.user, pk)
    if action not in QUOTATION_SERVICES:
        raise Http404
    return _action_page(
        request,
        quotation,
        action=action,
        buttons=QUOTATION_BUTTONS,
        calls=QUOTATION_SERVICES,
        document="quotation",
        result_url=lambda obj: _contract_url(obj) if isinstance(obj, Contract) else _quotation_url(obj),
    )


# --- contracts ----------------------------------------------------------------------------------------------------
@login_required
@require_GET
def contract_list(request):
    visible = selectors.contract_list_for(request.user)
    return _list_page(
        request,
        filters.ContractFilter(request.GET, queryset=visible, request=request),
        template="contracts/contract_list.html",
        extra={"can_create": permissions.can_create_contracts(request.user), "sees_prices": selectors.sees_prices(request.user)},
    )


def _contract_form_page(request, *, contract=None):
    customer = None if contract else customer_of_form(request)
    if customer is not None and not permissions.can_create_contract(request.user, customer):
        return _forbidden(request, _("您没有为该客户创建合同的权限。"))
    return _document_form_page(
        request,
        doc=contract,
        kind="contract",
        form_class=forms.ContractForm if contract else forms.ContractCreateForm,
        formset_class=forms.ContractLineFormSet,
        create=services.contract_create,
        update=services.contract_update,
        new_title=_("新建合同"),
        edit_title=_("修改合同：%(number)s"),
        saved_message=_("合同 %(number)s 已保存。"),
        replayed_message=_("这份合同已经提交过，已保存为合同 %(number)s，没有重复新建。"),
        list_url=reverse("contracts:contract_list"),
        detail_url=_contract_url,
    )


@login_required
def contract_create(request):
    return _contract_form_page(request)


@login_required
def contract_edit(request, pk):
    contract = selectors.contract_get_for(request.user, pk)
    if "edit" not in permissions.contract_allowed_actions(contract, request.user):
        if contract.is_editable:
            return _forbidden(request, _("您没有修改该合同的权限。"))
        messages.error(request, _("合同当前状态为“%(status)s”，不能修改。") % {"status": contract.get_status_display()})
        return redirect(_contract_url(contract))
    return _contract_form_page(request, contract=contract)


@login_required
@require_GET
def contract_detail(request, pk):
    user = request.user
    contract = selectors.contract_get_for(user, pk)
    actions = permissions.contract_allowed_actions(contract, user)
    reasons = _reason_rows(contract.classification_reasons)
    route = []
    if contract.is_editable and contract.lines.exists():
        submitter = user if "submit" in actions else contract.owner
        route = [str(step.label) for step in selectors.contract_route_for(contract, submitter)]
    pending_change = selectors.contract_pending_change(contract)
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "lines": selectors.document_lines(contract),
            "actions": actions,
            "buttons": action_buttons(CONTRACT_BUTTONS, actions, contract, "contracts:contract_action", CONTRACT_CONFIRM),
            "document_mark": documents.contract_watermark(contract),
            "reasons": reasons,
            "route": route,
            "pending_reviewers": selectors.contract_pending_reviewers(contract),
            "differences": selectors.contract_differences(contract),
            "review": getattr(contract, "review", None),
            # what the contract must take up while it is drafted and reviewed; signed, it is what was agreed
            "quotation_conditions": (
                selectors.quotation_conditions(contract.quotation) if contract.status in Contract.UNSIGNED_STATUSES else []
            ),
            "pending_change": pending_change,
            "change_rows": _change_rows(pending_change, user) if pending_change else [],
            "change_departments": [rules.department_label(d) for d in pending_change.departments] if pending_change else [],
            "change_reasons": _reason_rows(pending_change.classification_reasons) if pending_change else [],
            "changes": selectors.contract_changes(contract),
            "versions": selectors.contract_versions(contract),
            "owner_name": display_name(contract.owner),
            "review_missing": selectors.contract_review_missing(contract) if "submit" in actions else [],
            **_figures_for(user),
            "upgraded_by_name": display_name(contract.upgraded_by),
        },
    )


def _reason_rows(stored) -> list[dict]:
    """Stored classification reasons ({code, detail}) with their labels in the reader's language."""
    return [{"code": r["code"], "label": rules.reason_label(r["code"]), "detail": r.get("detail", "")} for r in stored or []]


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - an unknown key in stored JSON is shown as is
        return name


def _change_rows(change, user) -> list[dict]:
    """The proposed values of a change request as rows 项目/字段/原值/新值 for the page (prices for who sees them)."""
    shown = selectors.shown_value  # labels, not codes; both sides' numbers alike (60 → 80, not 60.000 → 80)
    rows = [
        {
            "where": _("合同条款"),
            "field": _field_label(Contract, name),
            "old": shown(Contract, name, old),
            "new": shown(Contract, name, new),
        }
        for name, (old, new) in change.header_changes.items()
    ]
    for line in selectors.change_lines_for(change, user):
        for name, values in line.items():
            if name not in ("line_id", "name"):
                old, new = (shown(ContractLine, name, v) for v in values)
                rows.append({"where": line["name"], "field": _field_label(ContractLine, name), "old": old, "new": new})
    return rows


@login_required
def contract_action(request, pk, action):
    contract = selectors.contract_get_for(request.user, pk)
    if action not in CONTRACT_SERVICES:
        raise Http404
    missing = selectors.contract_review_missing(contract) if action == "submit" else []
    if missing and "submit" in permissions.contract_allowed_actions(contract, request.user):
        # not a dead end: the review sheet is what is missing, so that is where the user goes
        messages.warning(request, _("提交前请先完成合同评审单：%(fields)s。") % {"fields": "、".join(missing)})
        return redirect("contracts:contract_review", pk=contract.pk)
    return _action_page(
        request,
        contract,
        action=action,
        buttons=CONTRACT_BUTTONS,
        calls=CONTRACT_SERVICES,
        document="contract",
        result_url=_contract_url,
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
    return form_page(
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
    return form_page(
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
    return form_page(
        request,
        form,
        title=_("合同评审单：%(number)s") % {"number": contract.number},
        cancel_url=_contract_url(contract),
        submit_label=_("保存"),
        testid="review-form",
    )


@login_required
def contract_change(request, pk):
    """The change request form; 预览 shows the new version's class, reasons and route before it is asked for (as a draft
    contract's page shows its own), 提交变更申请 asks for it."""
    contract = selectors.contract_get_for(request.user, pk)
    form = forms.ChangeHeaderForm(_post(request), contract=contract)
    formset = forms.change_line_formset(_post(request), contract=contract)
    previewing = request.method == "POST" and "preview" in request.POST
    if previewing:
        form.fields["reason"].required = False
    outcome = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        lines = {f.cleaned_data["line_id"]: f.changed() for f in formset.forms if f.changed()}
        values = {"contract": contract, "actor": request.user, "header": form.changed(), "lines": lines}
        if previewing:
            _ok, outcome = call_for_form(form, lambda: services.contract_change_preview(**values))
        else:
            ok, _result = call_for_form(
                form, lambda: services.contract_change_request(reason=form.cleaned_data["reason"], **values)
            )
            if ok:
                messages.success(request, _("变更申请已提交评审。"))
                return redirect(_contract_url(contract))
    failed = request.method == "POST" and outcome is None
    return render(
        request,
        "contracts/change_form.html",
        {
            "contract": contract,
            "form": form,
            "formset": formset,
            "outcome": outcome,
            "sees_cost": can_view_cost(request.user),
        },
        status=_status(form, formset) if failed else 200,
    )


@login_required
@require_POST
def contract_change_withdraw(request, pk):
    contract = selectors.contract_get_for(request.user, pk)
    change = selectors.contract_pending_change(contract)
    if change is None:
        messages.error(request, _("没有进行中的变更申请。"))
        return redirect(_contract_url(contract))
    form = forms.ReasonForm(request.POST, show=False)
    form.is_valid()
    ok, _result = call_for_form(form, lambda: services.contract_change_withdraw(change=change, actor=request.user))
    if ok:
        messages.success(request, _("变更申请已撤回。"))
        return redirect(_contract_url(contract))
    return form_page(
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
    stored = selectors.contract_version_get(contract, version)
    snapshot = selectors.snapshot_for(stored, request.user)
    return render(
        request,
        "contracts/contract_version.html",
        {
            "contract": contract,
            "stored": stored,
            "header": snapshot["header"],
            "payment_terms": selectors.shown_value(Contract, "payment_terms", snapshot["header"].get("payment_terms")),
            "lines": snapshot["lines"],
            "sees_prices": selectors.sees_prices(request.user),
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
        "can_quote": permissions.can_quote(user),
        "can_create_contract": permissions.can_create_contract(user, customer),
    }
    return render_to_string("contracts/_customer_documents.html", context, request=request)


def opportunity_quotations_panel(request, opportunity) -> str:
    """The quotations made for a sales opportunity, and 为此机会报价 while it is open, on its page (a panel)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    context = {
        "opportunity": opportunity,
        "quotations": selectors.quotation_list_for(user).filter(opportunity=opportunity).order_by("-created_at", "-id"),
        "can_quote": permissions.can_quote_for(user, opportunity),
        "awaits_bid_decision": opportunity.is_open and bid_undecided(opportunity.bidding, opportunity.bid_decision),
        "sees_prices": selectors.sees_prices(user),
    }
    return render_to_string("contracts/_opportunity_quotations.html", context, request=request)
