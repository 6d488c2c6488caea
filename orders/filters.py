"""One django-filter set per list, shared by the HTML list page and the API: the same parameter names, the same checks.

A value that does not parse (a malformed date, an unknown status) makes the set invalid: the API answers 400
(DjangoFilterBackend raises), the page shows the error in the filter bar (templates/core/_filter_bar.html) with a 400.
The querysets they filter come from orders.selectors (already scoped to what the user may see).
"""

from __future__ import annotations

import functools

import django_filters as filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from salesops.core.forms import DateInput
from salesops.core.names import display_name

from .models import Inspection, InvoiceRequest, Payment, SalesOrder, Shipment
from .selectors import ORDER_ORDERING_FIELDS, order_search_q, shipment_search_q

ALL = _("全部")


class YesNoSelect(forms.NullBooleanSelect):
    """全部 / 是 / 否 for a yes-no filter (values "", "true", "false", as the API takes them)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", ALL), ("true", _("是")), ("false", _("否"))]


def _search(placeholder) -> forms.TextInput:
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder, "data-testid": "list-search"})


def _choices_of(rows, label):
    """Select choices from the (lazy) queryset `rows`, queried once when the page renders the select (never for the API)."""

    @functools.cache
    def choices() -> list:
        return [("", ALL), *((row.pk, label(row)) for row in rows)]

    return choices


class PageFilterSet(filters.FilterSet):
    """Bootstrap classes and `filter-<name>` test ids on every field (the API never renders them); `adapt_form` fills
    the choices a page needs from the visible rows, lazily, so the API does not pay for them."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            self.adapt_form(form)
            for name, field in form.fields.items():
                widget = field.widget
                small = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
                widget.attrs.setdefault("class", small)
                widget.attrs.setdefault("data-testid", f"filter-{name}")
        return self._form

    def adapt_form(self, form) -> None:
        """Subclasses set select choices here."""


class OrderingFilter(filters.OrderingFilter):
    """Ordering by one of the list's columns, ties broken by the newest first (stable pages)."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "-id") if value else qs


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


class OrderFilter(PageFilterSet):
    q = filters.CharFilter(
        method="search",
        label=_("搜索"),
        help_text=_("订单号、项目名称、客户名称或客户订单号"),
        widget=_search(_("订单号 / 项目 / 客户 / 客户订单号")),
    )
    status = filters.ChoiceFilter(choices=SalesOrder.Status.choices, label=_("状态"), empty_label=ALL)
    production_status = filters.ChoiceFilter(choices=SalesOrder.ProductionStatus.choices, label=_("生产状态"), empty_label=ALL)
    customer = filters.NumberFilter(field_name="customer_id", label=_("客户"))
    owner = filters.NumberFilter(field_name="owner_id", label=_("业务员"))
    received_on_from = filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("接单日期从"), widget=DateInput())
    received_on_to = filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("接单日期至"), widget=DateInput())
    promised_ship_date_from = filters.DateFilter(
        field_name="promised_ship_date", lookup_expr="gte", label=_("承诺发货日期从"), widget=DateInput()
    )
    promised_ship_date_to = filters.DateFilter(
        field_name="promised_ship_date", lookup_expr="lte", label=_("承诺发货日期至"), widget=DateInput()
    )
    needs_reverification = filters.BooleanFilter(label=_("变更后待重新核单"), widget=YesNoSelect())
    ordering = OrderingFilter(
        fields=ORDER_ORDERING_FIELDS, field_labels=ORDER_ORDERING_LABELS, label=_("排序"), empty_label=_("默认")
    )

    class Meta:
        model = SalesOrder
        fields = [
            "q",
            "status",
            "production_status",
            "customer",
            "owner",
            "received_on_from",
            "received_on_to",
            "promised_ship_date_from",
            "promised_ship_date_to",
            "needs_reverification",
            "ordering",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(order_search_q(value))

    def adapt_form(self, form) -> None:
        visible = self.queryset
        customers = Customer.objects.filter(pk__in=visible.values("customer")).order_by("name")
        owners = get_user_model().objects.filter(pk__in=visible.values("owner")).order_by("username")
        form.fields["customer"].widget = forms.Select(choices=_choices_of(customers, str))
        form.fields["owner"].widget = forms.Select(choices=_choices_of(owners, display_name))


class InspectionFilter(filters.FilterSet):
    order = filters.NumberFilter(field_name="order_id", label=_("订单"))
    result = filters.ChoiceFilter(choices=Inspection.Result.choices, label=_("检验结果"))

    class Meta:
        model = Inspection
        fields = ["order", "result"]


class ShipmentFilter(PageFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), widget=_search(_("出货单号 / 订单号 / 客户名称")))
    status = filters.ChoiceFilter(choices=Shipment.Status.choices, label=_("状态"), empty_label=ALL)
    order = filters.NumberFilter(field_name="order_id", label=_("订单"), widget=forms.HiddenInput())
    customer = filters.NumberFilter(field_name="order__customer_id", label=_("客户"), widget=forms.HiddenInput())

    class Meta:
        model = Shipment
        fields = ["q", "status", "order", "customer"]

    def search(self, queryset, name, value):
        return queryset.filter(shipment_search_q(value))


class InvoiceFilter(PageFilterSet):
    status = filters.ChoiceFilter(choices=InvoiceRequest.Status.choices, label=_("状态"), empty_label=ALL)
    order = filters.NumberFilter(field_name="order_id", label=_("订单"), widget=forms.HiddenInput())

    class Meta:
        model = InvoiceRequest
        fields = ["status", "order"]


class PaymentFilter(PageFilterSet):
    q = filters.CharFilter(method="search", label=_("银行流水号/票据号"), widget=_search(_("银行流水号/票据号")))
    status = filters.ChoiceFilter(choices=Payment.Status.choices, label=_("状态"), empty_label=ALL)
    customer = filters.NumberFilter(field_name="customer_id", label=_("客户"))
    received_on_from = filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("到账日期从"), widget=DateInput())
    received_on_to = filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("到账日期至"), widget=DateInput())

    class Meta:
        model = Payment
        fields = ["q", "status", "customer", "received_on_from", "received_on_to"]

    def search(self, queryset, name, value):
        """References are stored without spaces: "ICBC 001" finds ICBC001."""
        return queryset.filter(bank_reference__icontains="".join(value.split()))

    def adapt_form(self, form) -> None:
        visible = self.queryset
        customers = Customer.objects.filter(pk__in=visible.values("customer")).order_by("name")
        form.fields["customer"].widget = forms.Select(choices=_choices_of(customers, str))
