"""One django-filter set per list, used by the HTML list page and the API with the same parameter names; the querysets
they narrow come from contracts.selectors (what the user may see). An invalid value — a malformed date, an unknown
status or ordering — is an error: a 400 in the API, a message under the field on the page, never silently ignored.

The widgets are Bootstrap's, so the page renders the form as is in the shared bar (core/_filter_bar.html).
"""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

from customers.filters import offer_reps
from salesops.core.filters import IntegerFilter, ListFilterSet, OrderingFilter

from .models import Contract, ContractChange, Quotation
from .selectors import PRICE_KEYS, search_q, sees_prices


class _DocumentFilter(ListFilterSet):
    """What the quotation and contract lists share: search, customer, owner (a select of the reps the reader looks at,
    their id in the API)."""

    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("单号、项目名称、客户名称或编号"))
    customer = IntegerFilter(field_name="customer_id", label=_("客户"), widget=forms.HiddenInput)
    owner = IntegerFilter(field_name="owner_id", label=_("业务员"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_reps(self)

    def search(self, queryset, name, value):
        return queryset.filter(search_q(queryset.model, value))


class QuotationFilter(_DocumentFilter):
    status = filters.ChoiceFilter(choices=Quotation.Status.choices, label=_("状态"))
    quote_date_from = filters.DateFilter(field_name="quote_date", lookup_expr="gte", label=_("报价日期从"))
    quote_date_to = filters.DateFilter(field_name="quote_date", lookup_expr="lte", label=_("报价日期至"))
    valid_until_from = filters.DateFilter(field_name="valid_until", lookup_expr="gte", label=_("有效期从"))
    valid_until_to = filters.DateFilter(field_name="valid_until", lookup_expr="lte", label=_("有效期至"))
    ordering = OrderingFilter(
        fields=("number", "quote_date", "valid_until", "amount_incl", "status", "created_at", "updated_at"),
        labels={
            "-created_at": _("最新创建"),
            "-quote_date": _("报价日期从新到旧"),
            "valid_until": _("有效期"),
            "-amount_incl": _("金额从高到低"),
            "number": _("报价单号"),
            "status": _("状态"),
        },
    )

    class Meta:
        model = Quotation
        fields = [
            "q",
            "status",
            "customer",
            "owner",
            "quote_date_from",
            "quote_date_to",
            "valid_until_from",
            "valid_until_to",
            "ordering",
        ]


class ContractFilter(_DocumentFilter):
    status = filters.ChoiceFilter(choices=Contract.Status.choices, label=_("状态"))
    classification = filters.ChoiceFilter(choices=Contract.Classification.choices, label=_("合同类别"))
    contract_date_from = filters.DateFilter(field_name="contract_date", lookup_expr="gte", label=_("合同日期从"))
    contract_date_to = filters.DateFilter(field_name="contract_date", lookup_expr="lte", label=_("合同日期至"))
    ordering = OrderingFilter(
        fields=("number", "contract_date", "delivery_date", "amount_incl", "status", "classification", "created_at"),
        labels={
            "-created_at": _("最新创建"),
            "-contract_date": _("合同日期从新到旧"),
            "delivery_date": _("交货日期"),
            "-amount_incl": _("金额从高到低"),
            "number": _("合同编号"),
            "status": _("状态"),
            "classification": _("合同类别"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not sees_prices(getattr(self.request, "user", None)):  # no ranking by an amount the reader may not see
            self.refuse_ordering(PRICE_KEYS, _("您看不到合同金额，不能按金额排序。"))

    class Meta:
        model = Contract
        fields = [
            "q",
            "status",
            "classification",
            "customer",
            "owner",
            "contract_date_from",
            "contract_date_to",
            "ordering",
        ]


class ContractChangeFilter(ListFilterSet):
    contract = IntegerFilter(field_name="contract_id", label=_("合同"))
    status = filters.ChoiceFilter(choices=ContractChange.Status.choices, label=_("状态"))
    ordering = OrderingFilter(fields=("created_at", "id"))

    class Meta:
        model = ContractChange
        fields = ["contract", "status", "ordering"]
