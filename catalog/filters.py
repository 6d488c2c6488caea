"""django-filter FilterSets shared by the HTML lists and the API (the querysets they filter come from selectors).

Rates are fractions here as in the API (tax_rate=0.13); the product list offers the rates in use as percentages.
"""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from salesops.core.filters import IntegerFilter, ListFilterSet, YesNoFilter
from salesops.core.forms import format_percent

from . import rules, selectors
from .models import PriceList, PriceListItem, Product


class ProductFilter(ListFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("产品编码、名称、型号或规格"))
    kind = filters.ChoiceFilter(choices=Product.Kind.choices, label=_("产品类别"))
    is_active = YesNoFilter(yes=_("在售"), no=_("停售"), label=_("状态"))
    tax_rate = filters.NumberFilter(label=_("税率"), help_text=_("0.13 表示 13%"))
    min_price = filters.NumberFilter(field_name="list_price", lookup_expr="gte", label=_("标准含税单价不低于"))
    max_price = filters.NumberFilter(field_name="list_price", lookup_expr="lte", label=_("标准含税单价不高于"))

    class Meta:
        model = Product
        fields = ["q", "kind", "is_active", "tax_rate", "min_price", "max_price"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer(
            "tax_rate", lambda: [(format(rate, "f"), f"{format_percent(rate)}%") for rate in selectors.product_tax_rates()]
        )

    def search(self, queryset, name, value):
        return queryset.filter(selectors.product_search_q(value))


class PriceListFilter(ListFilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"), help_text=_("价格表名称的一部分"))
    valid_on = filters.DateFilter(
        method="filter_valid_on", label=_("在该日期有效"), help_text=_("生效日期 ≤ 该日 ≤ 失效日期（含）")
    )
    customer_type = filters.ChoiceFilter(
        choices=rules.CUSTOMER_TYPES, method="filter_type", label=_("适用客户类型"), help_text=_("含不限客户类型的通用价格表")
    )
    customer_grade = filters.ChoiceFilter(
        choices=rules.CUSTOMER_GRADES, method="filter_grade", label=_("适用客户等级"), help_text=_("含不限客户等级的通用价格表")
    )
    is_active = YesNoFilter(yes=_("启用"), no=_("停用"), label=_("状态"))
    currency = filters.CharFilter(label=_("币种"))
    product = IntegerFilter(field_name="items__product", label=_("包含产品"), distinct=True)

    class Meta:
        model = PriceList
        fields = ["q", "valid_on", "customer_type", "customer_grade", "is_active", "currency", "product"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conceal("product")  # a product's page links here with it

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(selectors.valid_on_q(value))

    def filter_type(self, queryset, name, value):
        return queryset.filter(selectors.applies_to_q(customer_type=value))

    def filter_grade(self, queryset, name, value):
        return queryset.filter(selectors.applies_to_q(customer_grade=value))


class PriceListItemFilter(ListFilterSet):
    price_list = IntegerFilter(field_name="price_list_id", label=_("价格表"))
    product = IntegerFilter(field_name="product_id", label=_("产品"))

    class Meta:
        model = PriceListItem
        fields = ["price_list", "product"]
