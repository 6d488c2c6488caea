"""One django-filter set per list, used by the HTML list page and the API with the same parameter names; the querysets
they narrow come from contracts.selectors (what the user may see). An invalid value — a malformed date, an unknown
status or ordering — is an error: a 400 in the API, a message under the field on the page, never silently ignored.

The widgets are Bootstrap's, so the page renders the form as is in the shared bar (core/_filter_bar.html).
"""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ChoiceField

from salesops.core.forms import DateInput
from salesops.core.names import display_name

from .models import Contract, ContractChange, Quotation
from .selectors import search_q

User = get_user_model()

ALL = _("全部")


def _select(name: str, choices=()) -> forms.Select:
    return forms.Select(choices=choices, attrs={"class": "form-select", "data-testid": f"filter-{name}"})


def _date(name: str) -> DateInput:
    return DateInput(attrs={"class": "form-control", "data-testid": f"filter-{name}"})


class _OrderingField(ChoiceField):
    """Accepts every allowed ordering; its select offers only `shown` (the orderings people use on the page)."""

    def __init__(self, *args, shown=(), **kwargs):
        super().__init__(*args, **kwargs)
        if shown:
            self.widget.choices = shown


class OrderingFilter(filters.ChoiceFilter):
    """`?ordering=<field>` or `-<field>` for each of `fields`, ties broken by the newest first."""

    field_class = _OrderingField

    def __init__(self, *, fields: tuple[str, ...], shown=(), **kwargs):
        choices = [(f"{sign}{name}", f"{sign}{name}") for name in fields for sign in ("", "-")]
        kwargs.setdefault("label", _("排序"))
        super().__init__(choices=choices, shown=shown, empty_label=None, widget=_select("ordering"), **kwargs)

    def filter(self, qs, value):
        return qs.order_by(value, "-id") if value else qs


class _DocumentFilter(filters.FilterSet):
    """What the quotation and contract lists share: search, customer, owner (a select of the owners of the visible
    documents on the page, their id in the API)."""

    q = filters.CharFilter(
        method="search",
        label=_("搜索"),
        help_text=_("单号、项目名称、客户名称或编号"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "placeholder": _("单号 / 项目 / 客户名称或编号"),
                "data-testid": "list-search",
            }
        ),
    )
    customer = filters.NumberFilter(field_name="customer_id", label=_("客户"), widget=forms.HiddenInput)
    owner = filters.NumberFilter(field_name="owner_id", label=_("业务员"), widget=_select("owner"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated only when the page renders the select (once: the widget iterates its choices twice); the API never pays.
        self.filters["owner"].extra["widget"] = _select("owner", lambda: self._owner_choices)

    @cached_property
    def _owner_choices(self) -> list[tuple]:
        owners = User.objects.filter(pk__in=self.queryset.values("owner_id")).order_by("username")
        return [("", ALL)] + [(u.pk, display_name(u)) for u in owners]

    def search(self, queryset, name, value):
        return queryset.filter(search_q(value))


class QuotationFilter(_DocumentFilter):
    status = filters.ChoiceFilter(choices=Quotation.Status.choices, label=_("状态"), empty_label=ALL, widget=_select("status"))
    quote_date_from = filters.DateFilter(
        field_name="quote_date", lookup_expr="gte", label=_("报价日期从"), widget=_date("quote_date_from")
    )
    quote_date_to = filters.DateFilter(
        field_name="quote_date", lookup_expr="lte", label=_("报价日期至"), widget=_date("quote_date_to")
    )
    valid_until_from = filters.DateFilter(
        field_name="valid_until", lookup_expr="gte", label=_("有效期从"), widget=_date("valid_until_from")
    )
    valid_until_to = filters.DateFilter(
        field_name="valid_until", lookup_expr="lte", label=_("有效期至"), widget=_date("valid_until_to")
    )
    ordering = OrderingFilter(
        fields=("number", "quote_date", "valid_until", "amount_incl", "status", "created_at", "updated_at"),
        shown=[
            ("-created_at", _("最新创建")),
            ("-quote_date", _("报价日期从新到旧")),
            ("valid_until", _("有效期")),
            ("-amount_incl", _("金额从高到低")),
            ("number", _("报价单号")),
            ("status", _("状态")),
        ],
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
    status = filters.ChoiceFilter(choices=Contract.Status.choices, label=_("状态"), empty_label=ALL, widget=_select("status"))
    classification = filters.ChoiceFilter(
        choices=Contract.Classification.choices, label=_("合同类别"), empty_label=ALL, widget=_select("classification")
    )
    contract_date_from = filters.DateFilter(
        field_name="contract_date", lookup_expr="gte", label=_("合同日期从"), widget=_date("contract_date_from")
    )
    contract_date_to = filters.DateFilter(
        field_name="contract_date", lookup_expr="lte", label=_("合同日期至"), widget=_date("contract_date_to")
    )
    ordering = OrderingFilter(
        fields=("number", "contract_date", "delivery_date", "amount_incl", "status", "classification", "created_at"),
        shown=[
            ("-created_at", _("最新创建")),
            ("-contract_date", _("合同日期从新到旧")),
            ("delivery_date", _("交货日期")),
            ("-amount_incl", _("金额从高到低")),
            ("number", _("合同编号")),
            ("status", _("状态")),
            ("classification", _("合同类别")),
        ],
    )

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


class ContractChangeFilter(filters.FilterSet):
    contract = filters.NumberFilter(field_name="contract_id", label=_("合同"))
    status = filters.ChoiceFilter(choices=ContractChange.Status.choices, label=_("状态"))
    ordering = OrderingFilter(fields=("created_at", "id"))

    class Meta:
        model = ContractChange
        fields = ["contract", "status", "ordering"]
