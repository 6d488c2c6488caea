"""One django-filter set per list, shared by the HTML list page and the API: the same parameter names, the same checks.

A value that does not parse (a malformed date, an unknown status) makes the set invalid: the API answers 400
(DjangoFilterBackend raises), the page shows the error in the filter bar (templates/core/_filter_bar.html) with a 400.
The querysets they filter come from orders.selectors (already scoped to what the user may see).
"""

from __future__ import annotations

from datetime import timedelta

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.filters import offer_customers, offer_reps
from salesops.core.filters import IntegerFilter, ListFilterSet, OrderingFilter, YesNoFilter
from salesops.core.search import every_word_q

from .credit_note_list import credit_note_search_q, local_midnight
from .models import CreditNote, Inspection, InvoiceRequest, Payment, SalesOrder, Shipment
from .selectors import (
    ORDER_LIST_QUEUE_LABELS,
    ORDER_ORDERING_FIELDS,
    QUEUE_LABELS,
    SHIPMENT_QUEUES,
    order_queue,
    order_search_q,
    refused_to_receive,
    shipment_queue,
    shipment_search_q,
)

ORDER_ORDERING_LABELS = {
    "number": _("订单号"),
    "-number": _("订单号（倒序）"),
    "received_on": _("接单日期从旧到新"),
    "-received_on": _("接单日期从新到旧"),
    "promised_ship_date": _("承诺发货日期"),
    "-promised_ship_date": _("承诺发货日期（倒序）"),
    "amount_incl": _("金额从低到高"),
    "-amount_incl": _("金额从高到低"),
    "status": _("状态"),
    "-status": _("状态（倒序）"),
    "created_at": _("最早创建"),
    "-created_at": _("最新创建"),
}


class OrderFilter(ListFilterSet):
    q = filters.CharFilter(
        method="search",
        label=_("搜索"),
        help_text=_("订单号、项目名称、客户名称或客户订单号"),
    )
    status = filters.ChoiceFilter(choices=SalesOrder.Status.choices, label=_("状态"))
    production_status = filters.ChoiceFilter(choices=SalesOrder.ProductionStatus.choices, label=_("生产状态"))
    customer = IntegerFilter(field_name="customer_id", label=_("客户"))
    owner = IntegerFilter(field_name="owner_id", label=_("业务员"))
    team = IntegerFilter(field_name="owner__profile__team_id", label=_("销售组"), widget=forms.HiddenInput())
    active = YesNoFilter(method="filter_active", label=_("不含已取消"), yes=_("是"), no=_("否"))
    received_on_from = filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("接单日期从"))
    received_on_to = filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("接单日期至"))
    promised_ship_date_from = filters.DateFilter(field_name="promised_ship_date", lookup_expr="gte", label=_("承诺发货日期从"))
    promised_ship_date_to = filters.DateFilter(field_name="promised_ship_date", lookup_expr="lte", label=_("承诺发货日期至"))
    needs_reverification = YesNoFilter(label=_("变更后待重新核单"), yes=_("是"), no=_("否"))
    queue = filters.ChoiceFilter(
        choices=list(ORDER_LIST_QUEUE_LABELS.items()),
        method="filter_queue",
        label=_("工作队列"),
        help_text=_("工作台的队列（销售内勤的队列、质检的待检验）：只列出该队列中的订单（与工作台的计数一致）"),
    )
    ordering = OrderingFilter(fields=ORDER_ORDERING_FIELDS, labels=ORDER_ORDERING_LABELS, empty_label=_("默认"))

    class Meta:
        model = SalesOrder
        fields = [
            "q",
            "status",
            "production_status",
            "customer",
            "owner",
            "team",
            "active",
            "received_on_from",
            "received_on_to",
            "promised_ship_date_from",
            "promised_ship_date_to",
            "needs_reverification",
            "queue",
            "ordering",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(order_search_q(value))

    def filter_queue(self, queryset, name, value):
        return order_queue(queryset, value, timezone.localdate())

    def filter_active(self, queryset, name, value):
        return queryset.exclude(status=SalesOrder.Status.CANCELLED) if value else queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self)
        offer_reps(self)


class InspectionFilter(ListFilterSet):
    order = IntegerFilter(field_name="order_id", label=_("订单"))
    result = filters.ChoiceFilter(choices=Inspection.Result.choices, label=_("检验结果"))

    class Meta:
        model = Inspection
        fields = ["order", "result"]


class ShipmentFilter(ListFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("出货单号 / 订单号 / 客户名称"))
    status = filters.ChoiceFilter(choices=Shipment.Status.choices, label=_("状态"))
    order = IntegerFilter(field_name="order_id", label=_("订单"), widget=forms.HiddenInput())
    customer = IntegerFilter(field_name="order__customer_id", label=_("客户"), widget=forms.HiddenInput())
    shipped_from = filters.DateFilter(field_name="shipped_at__date", lookup_expr="gte", label=_("发货日期从"))
    shipped_to = filters.DateFilter(field_name="shipped_at__date", lookup_expr="lte", label=_("发货日期至"))
    owner = IntegerFilter(field_name="order__owner_id", label=_("业务员"), widget=forms.HiddenInput())
    team = IntegerFilter(field_name="order__owner__profile__team_id", label=_("销售组"), widget=forms.HiddenInput())
    queue = filters.ChoiceFilter(
        choices=[(code, QUEUE_LABELS[code]) for code in SHIPMENT_QUEUES],
        method="filter_queue",
        label=_("工作队列"),
        help_text=_("销售内勤工作台的出货单队列：待放行，或等待财务确认回款"),
    )
    refused = YesNoFilter(
        method="filter_refused",
        label=_("待收回拒收货物"),
        yes=_("是"),
        no=_("否"),
        help_text=_("true：已签收、有拒收货物尚未退回入库的出货单（仓库工作台 · 待收回拒收货物）"),
    )

    class Meta:
        model = Shipment
        fields = ["q", "status", "order", "customer", "shipped_from", "shipped_to", "owner", "team", "queue", "refused"]

    def search(self, queryset, name, value):
        return queryset.filter(shipment_search_q(value))

    def filter_queue(self, queryset, name, value):
        return shipment_queue(queryset, value)

    def filter_refused(self, queryset, name, value):
        if value is None:
            return queryset
        pending = refused_to_receive(queryset).values("pk")
        return queryset.filter(pk__in=pending) if value else queryset.exclude(pk__in=pending)


def invoice_search_q(text: str) -> Q:
    """Every word in the request's number (KP-…), the invoice number, the title, the order number or the customer name;
    a bare number ("12" or "#12") also finds the invoice request of that id (开票申请 #12)."""
    q = every_word_q(InvoiceRequest, text, "number", "invoice_numbers", "title", "order__number", "order__customer__name")
    ident = (text or "").strip().removeprefix("#")
    if ident.isascii() and ident.isdigit() and len(ident) <= 9:
        q |= Q(pk=int(ident))
    return q


class InvoiceFilter(ListFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("开票申请编号、发票号码、订单号、客户名称或发票抬头"))
    status = filters.ChoiceFilter(choices=InvoiceRequest.Status.choices, label=_("状态"))
    customer = IntegerFilter(field_name="order__customer_id", label=_("客户"))
    order = IntegerFilter(field_name="order_id", label=_("订单"), widget=forms.HiddenInput())
    # 经营指标's 销售额（按开票） links here with its period and scope (reports.selectors)
    issued_from = filters.DateFilter(field_name="issued_on", lookup_expr="gte", label=_("开票日期从"))
    issued_to = filters.DateFilter(field_name="issued_on", lookup_expr="lte", label=_("开票日期至"))
    owner = IntegerFilter(field_name="order__owner_id", label=_("业务员"), widget=forms.HiddenInput())
    team = IntegerFilter(field_name="order__owner__profile__team_id", label=_("销售组"), widget=forms.HiddenInput())

    class Meta:
        model = InvoiceRequest
        fields = ["q", "status", "customer", "order", "issued_from", "issued_to", "owner", "team"]

    def search(self, queryset, name, value):
        return queryset.filter(invoice_search_q(value))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self)


RECEIPTS = "receipt"  # PaymentFilter.kind: every kind but refunds (the 回款额 of 经营指标)


class PaymentFilter(ListFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("回款单号、银行流水号/票据号"))
    status = filters.ChoiceFilter(choices=Payment.Status.choices, label=_("状态"))
    kind = filters.ChoiceFilter(
        choices=[(RECEIPTS, _("收款（不含退款）")), *Payment.Kind.choices],
        method="filter_kind",
        label=_("款项类型"),
        help_text=_("refund：退款（负数金额）；receipt：除退款外的收款（与经营指标的回款额一致）"),
    )
    customer = IntegerFilter(field_name="customer_id", label=_("客户"))
    received_on_from = filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("到账日期从"))
    received_on_to = filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("到账日期至"))

    class Meta:
        model = Payment
        fields = ["q", "status", "kind", "customer", "received_on_from", "received_on_to"]

    def search(self, queryset, name, value):
        """Part of the payment's number (HK-… / TK-…) or of its bank reference; references are stored without spaces:
        "ICBC 001" finds ICBC001."""
        text = "".join(value.split())
        return queryset.filter(Q(number__icontains=text) | Q(bank_reference__icontains=text))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self)

    def filter_kind(self, queryset, name, value):
        return queryset.exclude(kind=Payment.Kind.REFUND) if value == RECEIPTS else queryset.filter(kind=value)


class ReceivableFilter(ListFilterSet):
    """应收账款: the receivable orders (orders.receivables.receivable_orders_for) of a customer, a rep or a search; the page, the
    API and the export take the same parameters."""

    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("订单号、项目名称、客户名称或客户订单号"))
    customer = IntegerFilter(field_name="customer_id", label=_("客户"))
    owner = IntegerFilter(field_name="owner_id", label=_("业务员"))
    team = IntegerFilter(field_name="owner__profile__team_id", label=_("销售组"), widget=forms.HiddenInput())

    class Meta:
        model = SalesOrder
        fields = ["q", "customer", "owner", "team"]

    def search(self, queryset, name, value):
        return queryset.filter(order_search_q(value))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self)
        offer_reps(self)


class CreditNoteFilter(ListFilterSet):
    """红字冲减单 (orders.credit_note_list.credit_note_list_for): by date issued, customer and order number, searched by
    the note's or the order's number, the customer's name or the source document; the page, the API and the export."""

    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("冲减单号、订单号、客户名称或来源单据"))
    customer = IntegerFilter(field_name="order__customer_id", label=_("客户"))
    order_number = filters.CharFilter(field_name="order__number", lookup_expr="icontains", label=_("订单号"))
    created_from = filters.DateFilter(method="filter_from", label=_("开具日期从"))
    created_to = filters.DateFilter(method="filter_to", label=_("开具日期至"))

    class Meta:
        model = CreditNote
        fields = ["q", "customer", "order_number", "created_from", "created_to"]

    def search(self, queryset, name, value):
        return queryset.filter(credit_note_search_q(value))

    def filter_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=local_midnight(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=local_midnight(value + timedelta(days=1)))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self)
