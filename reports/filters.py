"""django-filter sets of the reports lists, used by the pages and the API with the same parameter names (the querysets
they filter come from reports.selectors, already scoped to what the user may see)."""

from __future__ import annotations

import django_filters as filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.core.filters import ListFilterSet

from .models import ReportRun

MONTH = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", _("月份格式应为 YYYY-MM，例如 2026-11。"))
SCOPE = RegexValidator(r"^(company|team:\d+|rep:\d+)$", _("范围应为 company、team:<组编号> 或 rep:<用户编号>。"))


class ReportRunFilter(ListFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("月份、申请人"))
    kind = filters.ChoiceFilter(choices=ReportRun.Kind.choices, label=_("报表"))
    status = filters.ChoiceFilter(choices=ReportRun.Status.choices, label=_("状态"))
    period = filters.CharFilter(field_name="period", label=_("月份"), validators=[MONTH])
    scope = filters.CharFilter(field_name="scope_key", label=_("范围"), validators=[SCOPE])

    class Meta:
        model = ReportRun
        fields = ["q", "kind", "status", "period", "scope"]

    def search(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(
            Q(period__icontains=text)
            | Q(requested_by__username__icontains=text)
            | Q(requested_by__first_name__icontains=text)
            | Q(requested_by__last_name__icontains=text)
        )
