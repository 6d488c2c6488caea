"""The market information list's filters (the page and GET /api/v1/market-info/ alike)."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from salesops.core.filters import IntegerFilter, ListFilterSet, YesNoFilter
from salesops.core.search import every_word_q

from .models import MarketInfo
from .rules import Kind, Source

SEARCH_FIELDS = ("number", "title", "content", "competitor", "region", "customer__name")  # the reporter: its own filter


class MarketInfoFilter(ListFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("编号、标题、内容、竞争对手、地区或客户"))
    kind = filters.ChoiceFilter(choices=Kind.choices, label=_("信息类别"))
    source = filters.ChoiceFilter(choices=Source.choices, label=_("信息来源"))
    competitor = filters.CharFilter(lookup_expr="icontains", label=_("竞争对手"))
    important = YesNoFilter(yes=_("重要"), no=_("一般"), label=_("重要程度"))
    unread = YesNoFilter(method="filter_unread", yes=_("未读"), no=_("已读"), label=_("阅读"))
    status = filters.ChoiceFilter(choices=MarketInfo.Status.choices, label=_("状态"))
    reported_by = IntegerFilter(field_name="reported_by_id", label=_("报告人"))
    customer = IntegerFilter(field_name="customer_id", label=_("客户"))
    created_from = filters.DateFilter(field_name="created_at__date", lookup_expr="gte", label=_("报告日期从"))
    created_to = filters.DateFilter(field_name="created_at__date", lookup_expr="lte", label=_("报告日期至"))

    class Meta:
        model = MarketInfo
        fields = [
            "q",
            "kind",
            "source",
            "competitor",
            "important",
            "unread",
            "status",
            "reported_by",
            "customer",
            "created_from",
            "created_to",
        ]

    def __init__(self, *args, **kwargs):
        from customers.filters import offer_customers, offer_reps

        super().__init__(*args, **kwargs)
        offer_reps(self, "reported_by")
        offer_customers(self)

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=MarketInfo.objects.filter(every_word_q(MarketInfo, value, *SEARCH_FIELDS)).values("pk"))

    def filter_unread(self, queryset, name, value):
        return queryset.filter(is_read=not value)
