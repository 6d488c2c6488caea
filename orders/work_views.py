"""HTML pages of the work queues (内勤 / 财务 / 仓库), shipments, payments and refunds, invoices, receivables and credit notes.

Access check (selectors: 404 for what the user may not see; a queue for the wrong role is a 403 with its reason) →
form → service → redirect/render. Service errors (DomainError, Conflict, Forbidden) are shown in Chinese with their
HTTP status (400/409/403); nothing here decides a business rule.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from customers.selectors import customer_get_for, customer_lookup
from salesops.core import batch
from salesops.core.charts import chart as make_chart
from salesops.core.charts import chart_number
from salesops.core.editing import call_for_form
from salesops.core.errors import DomainError
from salesops.core.money import money_text
from salesops.core.names import display_name
from salesops.core.once import outcome
from salesops.core.pages import (
    QUEUE_ROWS,
    choice_labels,
    form_page,
    paginate,
    querystring,
    queue_head,
    refused_page,
    requested_window,
    row_url,
)
from salesops.core.pages import forbidden as _forbidden
from salesops.core.pages import form_status as _status
from salesops.core.pages import post_data as _post

from . import documents, filters, permissions, rules, selectors, services
from . import work_forms as forms
from .balances import order_credited, order_paid, order_refundable, order_shipped_amount
from .credit_note_list import credit_note_list_for
from .models import Payment, SalesOrder
from .receivables import ReceivableTable, collection_rate, receivable_orders_for
from .services.payments import refund_record

# --- helpers ----------------------------------------------------------------------------------------------------------


def _error(request, error: DomainError) -> HttpResponse:
    return render(request, "core/error.html", {"error": str(error)}, status=error.status_code)


def _back(request, default: str):
    """Back to the page the button was on (a safe local `next`), else `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _list_page(request, template: str, filterset, context: dict) -> HttpResponse:
    """A filtered, paged list (orders.filters: the API's parameters) with the shared filter bar."""
    context = {
        "page": paginate(request, filterset.qs),
        "filterset": filterset,
        "querystring": querystring(request, "page"),
        **context,
    }
    return render(request, template, context, status=filterset.status_code)


def _shipment_url(s) -> str:
    return reverse("orders:shipment_detail", args=[s.pk])


# --- work queues ------------------------------------------------------------------------------------------------------
# (queue, table kind, shown in red when not empty), in selectors.QUEUE_LABELS' order
MONEY_ONLY = gettext_lazy("回款、开票和应收账款由业务员、销售组长、销售内勤、财务和经理查看。")
CLERK_SECTIONS = (
    ("received_today", "orders", False),
    ("to_verify", "orders", False),
    ("verify_overdue", "orders", True),
    ("to_place", "orders", False),
    ("at_risk", "risk", True),
    ("ready_to_ship", "orders", False),
    ("to_release", "shipments", False),
    ("waiting_payment", "shipments", True),
    ("to_invoice", "orders", False),
)


@login_required
@require_GET
def clerk_queue(request):
    user = request.user
    if not permissions.sees_queue(user, "clerk"):
        return _forbidden(request, str(permissions.QUEUE_REFUSALS["clerk"]))
    today = timezone.localdate()
    queue = selectors.clerk_queue(user, today)
    order_url, shipment_url = row_url("orders:order_detail"), row_url("orders:shipment_detail")
    status_labels = choice_labels(SalesOrder.Status.choices)
    sections = []
    lists = {"orders": reverse("orders:order_list"), "shipments": reverse("orders:shipment_list")}
    for key, kind, danger in CLERK_SECTIONS:
        rows = queue[key]
        # the list page filtered by the queue (?queue=, the same selectors.ORDER_QUEUES / SHIPMENT_QUEUES) has them all;
        # every queue (a queryset or selectors.Rows) is counted and sliced in the database, never loaded whole.
        items, count = queue_head(rows, QUEUE_ROWS)
        if kind == "shipments":
            items = [(s, s.gate) for s in items]
            for s, _gate in items:
                s.url, s.order_url = shipment_url(s.pk), order_url(s.order_id)
            rows = items
        else:  # the table's (order, risk reason) rows; the status label and the link computed once per status / page
            rows = items if kind == "risk" else [(o, "") for o in items]
            for o, _reason in rows:
                o.url, o.status_label = order_url(o.pk), status_labels.get(o.status, o.status)
        sections.append(
            {
                "key": key,
                "label": selectors.QUEUE_LABELS[key],
                "kind": kind,
                "danger": danger,
                "items": items,
                "rows": rows,
                "count": count,
                "list_url": f"{lists['shipments' if kind == 'shipments' else 'orders']}?queue={key}",
            }
        )
    # 已签订待下单: signed or active contracts with quantity not yet ordered, each row linking to 下订单
    contracts, count = queue_head(selectors.contracts_to_order(user), QUEUE_ROWS)
    for c in contracts:
        c.url = reverse("contracts:contract_detail", args=[c.pk])
        c.order_url = reverse("orders:order_create_from_contract", args=[c.pk])
    sections.append(
        {
            "key": "contracts_to_order",
            "label": selectors.CONTRACTS_TO_ORDER_LABEL,
            "kind": "contracts",
            "danger": False,
            "items": contracts,
            "rows": contracts,
            "count": count,
            "list_url": f"{reverse('orders:clerk_queue')}#section-contracts_to_order",  # no list holds them: here
        },
    )
    return render(request, "orders/queue_clerk.html", {"sections": sections, "today": today})


@login_required
@require_GET
def finance_queue(request):
    user = request.user
    if not permissions.sees_queue(user, "finance"):
        return _forbidden(request, str(permissions.QUEUE_REFUSALS["finance"]))
    queue = selectors.finance_queue(user)
    payments, payment_count = queue_head(queue["payments_to_confirm"], QUEUE_ROWS)
    invoices, invoice_count = queue_head(queue["invoices_to_issue"], QUEUE_ROWS)
    held, held_count = queue_head(queue["held_shipments"], QUEUE_ROWS)
    context = {"payments": payments, "payment_count": payment_count, "invoices": invoices, "invoice_count": invoice_count}
    context.update(held=[(s, s.gate) for s in held], held_count=held_count, confirms=permissions.is_finance(user))
    return render(request, "orders/queue_finance.html", context)


@login_required
@require_GET
def warehouse_queue(request):
    user = request.user
    if not permissions.sees_queue(user, "warehouse"):
        return _forbidden(request, str(permissions.QUEUE_REFUSALS["warehouse"]))
    queue = selectors.warehouse_queue(user)
    heads = {key: queue_head(rows, QUEUE_ROWS) for key, rows in queue.items()}
    context = {key: items for key, (items, _count) in heads.items()}
    context["counts"] = {key: count for key, (_items, count) in heads.items()}
    context["is_warehouse"] = permissions.is_warehouse(user)  # 拒收退回入库 is theirs; QC and managers read the queue
    return render(request, "orders/queue_warehouse.html", context)


@login_required
@require_POST
def inspection_sign(request, pk):
    visible = selectors.inspection_list_for(request.user)
    inspection = get_object_or_404(visible, pk=pk)
    try:
        services.inspection_sign(inspection=inspection, actor=request.user)
    except DomainError as e:
        return _error(request, e)
    messages.success(request, _("检验批号 %(lot)s 已签字。") % {"lot": inspection.lot_no})
    return _back(request, reverse("orders:warehouse_queue"))


# --- shipments --------------------------------------------------------------------------------------------------------
@login_required
@require_GET
def shipment_list(request):
    filterset = filters.ShipmentFilter(request.GET, queryset=selectors.shipment_list_for(request.user), request=request)
    return _list_page(request, "orders/shipment_list.html", filterset, {})


@login_required
def shipment_create(request, order_pk):
    user = request.user
    order = selectors.order_get_for(user, order_pk)
    if not permissions.may_prepare_shipment(user):
        return _forbidden(request, _("只有销售内勤、仓库和经理可以制作出货单。"))
    form = forms.ShipmentForm(_post(request), order=order, available=selectors.available_to_ship(order))
    if request.method == "POST" and form.is_valid():
        ok, result = call_for_form(
            form,
            lambda: outcome(
                lambda: services.shipment_create(order=order, actor=user, lines=form.lines(), data=form.data_for_service())
            ),
        )
        if ok:
            shipment, created = result
            if created:
                messages.success(request, _("出货单 %(number)s 已创建，待放行。") % {"number": shipment.number})
            else:  # the same form sent again (salesops.core.once): the note it made, not a second one
                messages.info(
                    request, _("这张出货单已经提交过，已创建为出货单 %(number)s，没有重复制单。") % {"number": shipment.number}
                )
            return redirect(_shipment_url(shipment))
    return render(
        request,
        "orders/shipment_form.html",
        {"form": form, "order": order, "gate": selectors.order_gate(order)},
        status=_status(form) if form.is_bound and form.errors else 200,
    )


def _shipment_page(request, shipment, *, error: str = "", status: int = 200):
    from django.conf import settings

    gate = selectors.order_gate(shipment.order)
    return render(
        request,
        "orders/shipment_detail.html",
        {
            "shipment": shipment,
            "order": shipment.order,
            "lines": shipment.lines.select_related("order_line"),
            "refusal_returns": shipment.refusal_returns.select_related("received_by").prefetch_related(
                "lines__shipment_line__order_line"
            ),
            "gate": gate,
            "unblockers": rules.GATE_UNBLOCKERS,
            "actions": permissions.shipment_allowed_actions(shipment, request.user),
            "document_mark": documents.outbound_note_watermark(shipment),
            "ship_form": forms.ShipForm(initial={"carrier": shipment.carrier, "packages": shipment.packages}),
            "error": error,
            "aftersales_contact": settings.AFTERSALES_CONTACT,
            "claims_rules": settings.CLAIMS_RULES,
        },
        status=status,
    )


@login_required
@require_GET
def shipment_detail(request, pk):
    return _shipment_page(request, get_object_or_404(selectors.shipment_list_for(request.user), pk=pk))


@login_required
@require_POST
def shipment_release(request, pk):
    shipment = get_object_or_404(selectors.shipment_list_for(request.user), pk=pk)
    try:
        services.shipment_release(shipment=shipment, actor=request.user)
    except DomainError as e:
        return _shipment_page(request, shipment, error=str(e), status=e.status_code)
    messages.success(request, _("出货单 %(number)s 已放行，仓库可以发货。") % {"number": shipment.number})
    return _back(request, _shipment_url(shipment))


@login_required
def shipment_ship(request, pk):
    shipment = get_object_or_404(selectors.shipment_list_for(request.user), pk=pk)
    form = forms.ShipForm(
        _post(request),
        initial={"tracking_no": shipment.tracking_no, "carrier": shipment.carrier, "packages": shipment.packages},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _result = call_for_form(
            form,
            lambda: services.shipment_ship(
                shipment=shipment,
                actor=request.user,
                tracking_no=data["tracking_no"],
                carrier=data["carrier"],
                packages=data["packages"],
            ),
        )
        if ok:
            messages.success(request, _("出货单 %(number)s 已确认发货。") % {"number": shipment.number})
            return _back(request, _shipment_url(shipment))
    return form_page(
        request,
        form,
        title=_("确认发货：%(number)s") % {"number": shipment.number},
        cancel_url=_shipment_url(shipment),
        submit_label=_("确认发货"),
        testid="ship-form",
    )


@login_required
def shipment_deliver(request, pk):
    shipment = get_object_or_404(selectors.shipment_list_for(request.user), pk=pk)
    form = forms.DeliverForm(_post(request), shipment=shipment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _result = call_for_form(
            form,
            lambda: services.shipment_deliver(
                shipment=shipment,
                actor=request.user,
                delivered_on=data["delivered_on"],
                signer=data["signer"],
                exceptions=data["exceptions"],
                quantities=form.quantities(),
            ),
        )
        if ok:
            messages.success(request, _("出货单 %(number)s 已登记签收。") % {"number": shipment.number})
            return redirect(_shipment_url(shipment))
    return form_page(
        request,
        form,
        title=_("登记签收：%(number)s") % {"number": shipment.number},
        cancel_url=_shipment_url(shipment),
        submit_label=_("登记签收"),
        testid="deliver-form",
    )


@login_required
def shipment_receive_refused(request, pk):
    """拒收退回入库 (the warehouse): the quantities received back per line, the date and a note."""
    shipment = get_object_or_404(selectors.shipment_list_for(request.user), pk=pk)
    if not permissions.is_warehouse(request.user):
        return _forbidden(request, _("只有仓库可以登记拒收退回入库。"))
    if request.method != "POST" and not permissions.may_receive_refused(shipment, request.user):
        messages.info(request, _("出货单 %(number)s 没有待退回入库的拒收货物。") % {"number": shipment.number})
        return redirect(_shipment_url(shipment))
    form = forms.RefusalReturnForm(_post(request), shipment=shipment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _result = call_for_form(
            form,
            lambda: services.shipment_receive_refused(
                shipment=shipment,
                actor=request.user,
                quantities=form.quantities(),
                received_on=data["received_on"],
                note=data["note"],
            ),
        )
        if ok:
            messages.success(request, _("出货单 %(number)s 的拒收货物已退回入库。") % {"number": shipment.number})
            return _back(request, _shipment_url(shipment))
    return form_page(
        request,
        form,
        title=_("拒收退回入库：%(number)s") % {"number": shipment.number},
        intro=_("签收异常：%(reason)s") % {"reason": shipment.delivery_exceptions or "—"},
        cancel_url=_shipment_url(shipment),
        submit_label=_("确认退回入库"),
        testid="receive-refused-form",
    )


@login_required
def shipment_cancel(request, pk):
    shipment = get_object_or_404(selectors.shipment_list_for(request.user), pk=pk)
    form = forms.ReasonForm(_post(request))
    if request.method == "POST" and form.is_valid():
        ok, _result = call_for_form(
            form, lambda: services.shipment_cancel(shipment=shipment, actor=request.user, reason=form.cleaned_data["reason"])
        )
        if ok:
            messages.success(request, _("出货单 %(number)s 已作废。") % {"number": shipment.number})
            return redirect(_shipment_url(shipment))
    return form_page(
        request,
        form,
        title=_("作废出货单：%(number)s") % {"number": shipment.number},
        cancel_url=_shipment_url(shipment),
        submit_label=_("作废"),
        testid="cancel-form",
    )


# --- payments ---------------------------------------------------------------------------------------------------------
@login_required
@require_GET
def payment_list(request):
    user = request.user
    if not permissions.handles_money(user):
        return _forbidden(request, str(MONEY_ONLY))
    may_record = permissions.may_record_payment(user)
    filterset = filters.PaymentFilter(
        request.GET, queryset=selectors.payment_list_for(user).prefetch_related(selectors.payment_allocations()), request=request
    )
    return _list_page(request, "orders/payment_list.html", filterset, {"can_record": may_record})


@login_required
def payment_create(request):
    user = request.user
    if not permissions.may_record_payment(user):
        return _forbidden(request, _("只有销售内勤、财务和经理可以登记回款。"))
    value = request.GET.get("customer", "")
    if not value.isdigit():
        # a search among the visible customers (the pickers' type-ahead), never a select of every customer
        q = request.GET.get("q", "")
        return render(request, "orders/payment_pick_customer.html", {"q": q, "customers": customer_lookup(user, q)})
    customer = customer_get_for(user, value)
    form = forms.PaymentForm(_post(request), orders=selectors.orders_owing(user, customer))
    if request.method == "POST" and form.is_valid():
        ok, payment = call_for_form(
            form,
            lambda: services.payment_record(
                actor=user, customer=customer, data=form.data_for_service(), allocations=form.allocations()
            ),
        )
        if ok:
            messages.success(
                request,
                _("回款 %(number)s 已登记（%(ref)s），待财务确认。") % {"number": payment.number, "ref": payment.bank_reference},
            )
            return redirect("orders:payment_detail", pk=payment.pk)
    return render(
        request,
        "orders/payment_form.html",
        {"form": form, "customer": customer},
        status=_status(form) if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def payment_detail(request, pk):
    payment = get_object_or_404(selectors.payment_list_for(request.user), pk=pk)
    return render(
        request,
        "orders/payment_detail.html",
        {
            "payment": payment,
            "allocations": payment.allocations.select_related("order"),
        },
    )


@login_required
@require_POST
def payment_confirm(request, pk):
    payment = get_object_or_404(selectors.payment_list_for(request.user), pk=pk)
    try:
        services.payment_confirm(payment=payment, actor=request.user)
    except DomainError as e:
        return _error(request, e)
    messages.success(
        request, _("回款 %(number)s（%(ref)s）已确认到账。") % {"number": payment.number, "ref": payment.bank_reference}
    )
    return _back(request, reverse("orders:payment_detail", args=[payment.pk]))


@login_required
@require_POST
def payments_confirm_many(request):
    """批量确认到账 from finance's work page (待确认到账): the ticked payments confirmed, each on its own
    (services.payments_confirm_many), then back with one message of what was confirmed and why the rest was not."""
    if not permissions.is_finance(request.user):
        return _forbidden(request, _("只有财务可以确认到账。"))
    try:
        outcomes = services.payments_confirm_many(payment_ids=request.POST.getlist("payment_ids"), actor=request.user)
    except DomainError as e:
        messages.error(request, str(e))
    else:
        messages.add_message(request, *batch.summary(outcomes, done=_("已确认到账 %(n)d 笔回款。")))
    return _back(request, reverse("orders:finance_queue"))


@login_required
def refund_create(request, order_pk):
    """办理退款 (finance): money paid back to the customer of an order out of what it holds beyond what it owes
    (services.payments.refund_record decides the room under the order's lock)."""
    order = selectors.order_get_for(request.user, order_pk)
    if not permissions.is_finance(request.user):
        return _forbidden(request, _("只有财务可以办理退款。"))
    refundable = order_refundable(order)
    if request.method != "POST" and refundable <= 0:
        messages.info(request, _("订单 %(number)s 没有可退的款项。") % {"number": order.number})
        return redirect("orders:order_detail", pk=order.pk)
    form = forms.RefundForm(_post(request), refundable=refundable)
    if request.method == "POST" and form.is_valid():
        ok, refund = call_for_form(form, lambda: refund_record(actor=request.user, order=order, data=form.data_for_service()))
        if ok:
            messages.success(
                request,
                _("退款 %(number)s 已登记：%(amount)s 元（%(ref)s）。")
                % {"number": refund.number, "amount": money_text(-refund.amount), "ref": refund.bank_reference},
            )
            return redirect("orders:payment_detail", pk=refund.pk)
    intro = _(
        "订单 %(order)s（%(customer)s）可退金额 %(room)s 元：已确认回款 %(paid)s 元、红字冲减 %(credited)s 元，"
        "已发货（扣除拒收退回）%(shipped)s 元。"
    ) % {
        "order": order.number,
        "customer": order.customer.name,
        "room": money_text(refundable),
        "paid": money_text(order_paid(order)),
        "credited": money_text(order_credited(order)),
        "shipped": money_text(order_shipped_amount(order)),
    }
    return form_page(
        request,
        form,
        title=_("办理退款：%(order)s") % {"order": order.number},
        cancel_url=reverse("orders:order_detail", args=[order.pk]),
        submit_label=_("登记退款"),
        intro=intro,
        testid="refund-form",
        grid=True,
    )


@login_required
def payment_void(request, pk):
    payment = get_object_or_404(selectors.payment_list_for(request.user), pk=pk)
    named = {"number": payment.number, "ref": payment.bank_reference}
    refund = payment.kind == Payment.Kind.REFUND
    form = forms.ReasonForm(_post(request))
    if request.method == "POST" and form.is_valid():
        ok, _result = call_for_form(
            form, lambda: services.payment_void(payment=payment, actor=request.user, reason=form.cleaned_data["reason"])
        )
        if ok:
            done = _("退款 %(number)s（%(ref)s）已作废。") if refund else _("回款 %(number)s（%(ref)s）已作废。")
            messages.success(request, done % named)
            return _back(request, reverse("orders:payment_detail", args=[payment.pk]))
    return form_page(
        request,
        form,
        title=(_("作废退款：%(number)s（%(ref)s）") if refund else _("作废回款：%(number)s（%(ref)s）")) % named,
        cancel_url=reverse("orders:payment_detail", args=[payment.pk]),
        submit_label=_("作废"),
        testid="void-form",
    )


# --- invoices ---------------------------------------------------------------------------------------------------------
@login_required
@require_GET
def invoice_list(request):
    if not permissions.handles_money(request.user):
        return _forbidden(request, str(MONEY_ONLY))
    filterset = filters.InvoiceFilter(request.GET, queryset=selectors.invoice_list_for(request.user), request=request)
    return _list_page(request, "orders/invoice_list.html", filterset, {})


@login_required
def invoice_create(request, order_pk):
    user = request.user
    order = selectors.order_get_for(user, order_pk)
    if not permissions.may_ask_for_order(order, user):
        return _forbidden(request, _("只有销售内勤、经理和订单业务员可以申请开票。"))
    delivered = selectors.order_delivered_amount(order)
    invoiced = selectors.order_invoiced_amount(order)
    credited = selectors.order_credited(order)
    room = selectors.order_invoiceable_amount(order)
    title = _("申请开票：%(number)s（%(customer)s）") % {"number": order.number, "customer": order.customer.name}
    refusal = rules.invoice_refusal(
        prices_include_tax=order.prices_include_tax, room=room, delivered=delivered, invoiced=invoiced
    )
    if refusal:  # certain to fail (services.invoice_request): say why up front instead of the form
        back = reverse("orders:order_detail", args=[order.pk])
        return refused_page(request, title=title, refusal=refusal, back_url=back, back_label=_("返回订单"))
    form = forms.InvoiceRequestForm(_post(request), order=order, room=room)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, invoice = call_for_form(
            form,
            lambda: services.invoice_request(
                order=order,
                actor=user,
                amount=data["amount"],
                invoice_type=data["invoice_type"],
                invoice_title_id=data["invoice_title"].pk,
            ),
        )
        if ok:
            messages.success(request, _("开票申请 %(number)s 已提交财务。") % {"number": invoice.number})
            return redirect("orders:order_detail", pk=order.pk)
    return form_page(
        request,
        form,
        title=title,
        cancel_url=reverse("orders:order_detail", args=[order.pk]),
        submit_label=_("提交开票申请"),
        testid="invoice-form",
        intro=(
            _("已签收金额 %(delivered)s 元，红字冲减 %(credited)s 元，已开票 %(invoiced)s 元。")
            if credited
            else _("已签收金额 %(delivered)s 元，已开票 %(invoiced)s 元。")
        )
        % {"delivered": money_text(delivered), "credited": money_text(credited), "invoiced": money_text(invoiced)},
    )


@login_required
@require_GET
def invoice_detail(request, pk):
    """One invoice request: its status, what finance may do with it now, and its history."""
    invoice = get_object_or_404(selectors.invoice_list_for(request.user).select_related("issued_by"), pk=pk)
    return render(request, "orders/invoice_detail.html", {"invoice": invoice, "order": invoice.order})


@login_required
def invoice_issue(request, pk):
    invoice = get_object_or_404(selectors.invoice_list_for(request.user), pk=pk)
    form = forms.InvoiceIssueForm(_post(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, issued = call_for_form(
            form,
            lambda: services.invoice_issue(
                invoice=invoice, actor=request.user, numbers=data["numbers"], issued_on=data["issued_on"]
            ),
        )
        if ok:  # the number as stored (spaces taken out, full-width digits made plain)
            messages.success(
                request,
                _("开票申请 %(number)s 已开票，发票号码 %(numbers)s。")
                % {"number": issued.number, "numbers": issued.invoice_numbers},
            )
            return _back(request, reverse("orders:invoice_list"))
    return form_page(
        request,
        form,
        title=_("开票：%(invoice)s") % {"invoice": invoice},
        cancel_url=reverse("orders:invoice_list"),
        submit_label=_("开票"),
        testid="issue-form",
    )


@login_required
def invoice_cancel(request, pk):
    invoice = get_object_or_404(selectors.invoice_list_for(request.user), pk=pk)
    form = forms.ReasonForm(_post(request))
    if request.method == "POST" and form.is_valid():
        ok, _result = call_for_form(
            form, lambda: services.invoice_cancel(invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"])
        )
        if ok:
            messages.success(request, _("开票申请 %(number)s 已作废。") % {"number": invoice.number})
            return _back(request, reverse("orders:invoice_list"))
    return form_page(
        request,
        form,
        title=_("作废发票：%(invoice)s") % {"invoice": invoice},
        cancel_url=reverse("orders:invoice_list"),
        submit_label=_("作废"),
        testid="invoice-cancel-form",
    )


# --- receivables ------------------------------------------------------------------------------------------------------
def _with_bucket_list(group: dict) -> dict:
    group["bucket_list"] = [group["buckets"][code] for code, *_rest in rules.AGING_BUCKETS]
    return group


@login_required
@require_GET
def receivables(request):
    """应收账款 of the receivable orders the filter bar keeps (orders.filters.ReceivableFilter: the API's parameters and
    the 导出 Excel of the same rows), paged, with the totals of all of them (orders.receivables.ReceivableTable: decided in the
    database); an invalid filter is a 400 with its reason and no rows."""
    user = request.user
    if not permissions.handles_money(user):
        return _forbidden(request, str(MONEY_ONLY))
    today = timezone.localdate()
    filterset = filters.ReceivableFilter(request.GET, queryset=receivable_orders_for(user), request=request)
    table = ReceivableTable(filterset.qs, today)
    summary = table.summary(*requested_window(request))
    page = paginate(request, table)
    items = list(page.object_list)
    for item in items:
        item.bucket_list = [item.buckets[code] for code in rules.AGING_CODES]
    by_customer = [_with_bucket_list(g) for g in summary.by_customer]
    by_owner = [_with_bucket_list(g) for g in summary.by_owner]
    for g in by_owner:
        g["name"] = display_name(g["who"])
    totals = {**summary.totals, "bucket_list": [summary.totals["buckets"][code] for code in rules.AGING_CODES]}
    # the rate of the rows listed: the filters narrow the money collected as they narrowed the receivable (the totals)
    narrow = filterset.filter_queryset if filterset.is_valid() else (lambda orders: orders.none())
    rate = collection_rate(user, date(today.year, today.month, 1), today, narrow=narrow, receivable=totals["open"])
    # one bar per rep, stacked by aging bucket; with nothing owed the card says "暂无数据" as the dashboard's charts do
    chart = make_chart(
        "aging",
        _("业务员应收账龄分布"),
        [g["name"] for g in by_owner],
        [
            {"label": str(label), "data": [chart_number(g["buckets"][code]) for g in by_owner]}
            for code, label, *_rest in rules.AGING_BUCKETS
        ],
    )
    return render(
        request,
        "orders/receivables.html",
        {
            "page": page,
            "items": items,
            "querystring": querystring(request, "page"),
            "by_customer": by_customer,
            "customer_count": summary.customer_count,
            "by_owner": by_owner,
            "bucket_labels": [label for _code, label, *_rest in rules.AGING_BUCKETS],
            "totals": totals,
            "overdue_items": summary.overdue,
            "overdue_count": summary.overdue_count,
            "held_items": summary.held,
            "held_count": summary.held_count,
            "can_refund": permissions.is_finance(user),
            "collection_rate": rate,
            "collection_percent": (rate * 100) if rate is not None else None,
            "chart": chart,
            "today": today,
            "filterset": filterset,
        },
        status=filterset.status_code,
    )


# --- credit notes -----------------------------------------------------------------------------------------------------
@login_required
@require_GET
def credit_note_list(request):
    """红字冲减单 of the orders the user sees (orders.credit_note_list), filtered, searched and paged like the API."""
    if not permissions.handles_money(request.user):
        return _forbidden(request, str(MONEY_ONLY))
    filterset = filters.CreditNoteFilter(request.GET, queryset=credit_note_list_for(request.user), request=request)
    return _list_page(request, "orders/credit_note_list.html", filterset, {})
