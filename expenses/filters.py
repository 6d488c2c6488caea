"""The expense claims list's filters (the page and GET /api/v1/expense-claims/ alike)."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from salesops.core.filters import IntegerFilter, ListFilterSet
from salesops.core.models import Team
from salesops.core.search import every_word_q

from .models import ExpenseClaim
from .rules import Category


class ExpenseClaimFilter(ListFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("单号、事由、报销人或客户"))
    status = filters.ChoiceFilter(choices=ExpenseClaim.Status.choices, label=_("状态"))
    claimant = IntegerFilter(field_name="claimant_id", label=_("报销人"))
    team = IntegerFilter(field_name="team_id", label=_("销售组"))
    customer = IntegerFilter(field_name="customer_id", label=_("相关客户"))
    category = filters.ChoiceFilter(choices=Category.choices, method="filter_category", label=_("费用类别"))
    submitted_from = filters.DateFilter(field_name="submitted_at__date", lookup_expr="gte", label=_("提交日期从"))
    submitted_to = filters.DateFilter(field_name="submitted_at__date", lookup_expr="lte", label=_("提交日期到"))

    class Meta:
        model = ExpenseClaim
        fields = ["q", "status", "claimant", "team", "customer", "category", "submitted_from", "submitted_to"]

    def __init__(self, *args, **kwargs):
        from customers.filters import offer_customers, offer_reps

        super().__init__(*args, **kwargs)
        offer_reps(self, "claimant")
        self.offer("team", lambda: [(t.pk, t.name) for t in Team.objects.order_by("name")])
        offer_customers(self)

    def filter_category(self, queryset, name, value):
        return queryset.filter(lines__category=value).distinct()

    def search(self, queryset, name, value):
        return queryset.filter(
            every_word_q(ExpenseClaim, value, "number", "title", "claimant__first_name", "claimant__username", "customer__name")
        )
