"""django-filter sets of the reports lists (targets, report runs, weekly reports, appraisals), used by the pages and the API with the same parameter
names (invalid values refused; the querysets they filter come from reports.selectors, scoped to what the user may see)."""

from __future__ import annotations

import django_filters as filters
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.core.filters import IntegerFilter, ListFilterSet
from salesops.core.models import Team
from salesops.core.search import every_word_q

from .models import Appraisal, AppraisalCriterion, AppraisalRound, ReportRun, SalesTarget, WeeklyReport
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
    year = IntegerFilter(field_name="year", label=_("年份"))
    kind = filters.ChoiceFilter(choices=SalesTarget.Kind.choices, label=_("目标周期"))
    level = filters.ChoiceFilter(choices=SalesTarget.Level.choices, label=_("层级"))
    team = IntegerFilter(field_name="team_id", label=_("销售组"))

    class Meta:
        model = SalesTarget
        fields = ["period", "year", "kind", "level", "team"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer("team", lambda: [(t.pk, t.name) for t in Team.objects.order_by("name")])

    def filter_period(self, queryset, name, value):
        period = Period.parse(value)
        return queryset.filter(year=period.start.year, kind=period.kind, number=period.number)


MONTH = RegexValidator(r"^20\d{2}-(0[1-9]|1[0-2])$", _("月份格式应为 YYYY-MM（2000–2099 年），例如 2026-11。"))
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


def validate_week(value: str) -> None:
    try:
        period = Period.parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if period.kind != "week":
        raise ValidationError(_("周应写作 2026-W49（年份和第几周）。"))


def recent_weeks(n: int = 12) -> list[tuple[str, str]]:
    """This week and the `n` - 1 before it, newest first, as (key, label) for the list's 周 select."""
    week = Period.week(timezone.localdate())
    out = []
    for _i in range(n):
        out.append((week.key, week.label))
        week = week.previous()
    return out


class WeeklyReportFilter(ListFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("总结、市场信息、下周计划或业务员姓名"))
    week = filters.CharFilter(method="filter_week", label=_("周"), help_text=_("例如 2026-W49"), validators=[validate_week])
    status = filters.ChoiceFilter(choices=WeeklyReport.Status.choices, label=_("状态"))
    rep = IntegerFilter(field_name="rep_id", label=_("业务员"))
    team = IntegerFilter(field_name="team_id", label=_("销售组"))

    class Meta:
        model = WeeklyReport
        fields = ["q", "week", "status", "rep", "team"]

    def __init__(self, *args, **kwargs):
        from customers.filters import offer_reps

        super().__init__(*args, **kwargs)
        offer_reps(self, "rep")
        self.offer("team", lambda: [(t.pk, t.name) for t in Team.objects.order_by("name")])
        self.offer("week", recent_weeks)

    def filter_week(self, queryset, name, value):
        return queryset.filter(week=Period.parse(value).start)

    def search(self, queryset, name, value):
        return queryset.filter(
            every_word_q(WeeklyReport, value, "summary", "market", "next_plan", "rep__first_name", "rep__username")
        )


class AppraisalRoundFilter(ListFilterSet):
    year = IntegerFilter(label=_("年份"))
    kind = filters.ChoiceFilter(choices=AppraisalRound.Kind.choices, label=_("考核周期"))
    status = filters.ChoiceFilter(choices=AppraisalRound.Status.choices, label=_("状态"))

    class Meta:
        model = AppraisalRound
        fields = ["year", "kind", "status"]


class AppraisalFilter(ListFilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("被考核人姓名、评语"))
    round = IntegerFilter(field_name="round_id", label=_("考核"))
    status = filters.ChoiceFilter(choices=Appraisal.Status.choices, label=_("状态"))
    post = filters.ChoiceFilter(choices=AppraisalCriterion.Post.choices, label=_("岗位"))
    grade = filters.ChoiceFilter(choices=Appraisal.Grade.choices, label=_("等级"))
    team = IntegerFilter(field_name="team_id", label=_("销售组"))
    ordering = filters.OrderingFilter(
        fields=(("total", "total"), ("employee__username", "employee")),
        field_labels={"total": _("总分"), "employee__username": _("被考核人")},
        label=_("排序"),
    )

    class Meta:
        model = Appraisal
        fields = ["q", "round", "status", "post", "grade", "team"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer("round", lambda: [(r.pk, str(r)) for r in AppraisalRound.objects.order_by("-year", "-number")[:20]])
        self.offer("team", lambda: [(t.pk, t.name) for t in Team.objects.order_by("name")])

    def search(self, queryset, name, value):
        return queryset.filter(
            every_word_q(Appraisal, value, "employee__first_name", "employee__last_name", "employee__username", "comment")
        )
