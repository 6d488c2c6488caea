"""The filter set of the targets list, shared by the page and the API (same parameters, invalid values refused)."""

from __future__ import annotations

import django_filters as filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from salesops.core.filters import ListFilterSet
from salesops.core.models import Team

from .models import SalesTarget
from .periods import Period


def validate_target_period(value: str) -> None:
    try:
        period = Period.parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if period.kind == "day":
        raise ValidationError(_("目标期间应为年、季度或月份。"))


class TargetFilter(ListFilterSet):
    period = filters.CharFilter(
        method="filter_period", label=_("期间"), help_text=_("2026、2026-Q4 或 2026-11"), validators=[validate_target_period]
    )
    year = filters.NumberFilter(field_name="year", label=_("年份"))
    kind = filters.ChoiceFilter(choices=SalesTarget.Kind.choices, label=_("目标周期"))
    level = filters.ChoiceFilter(choices=SalesTarget.Level.choices, label=_("层级"))
    team = filters.NumberFilter(field_name="team_id", label=_("销售组"))

    class Meta:
        model = SalesTarget
        fields = ["period", "year", "kind", "level", "team"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer("team", lambda: [(t.pk, t.name) for t in Team.objects.order_by("name")])

    def filter_period(self, queryset, name, value):
        period = Period.parse(value)
        return queryset.filter(year=period.start.year, kind=period.kind, number=period.number)
