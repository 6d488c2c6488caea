"""Forms of the reports pages: a target, a report request, the digest's day, the weekly report, the appraisal."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.core.forms import money_field
from salesops.core.models import Team
from salesops.core.names import display_name

from .filters import MONTH
from .models import ReportRun, SalesTarget, WeeklyReport
from .periods import Period, validate_report_day, validate_started_day
from .permissions import report_kinds_for, report_scopes_for
from .scopes import Scope, scope_choices
from .services.targets import KEY_FIELDS, MAX_NEW_CUSTOMERS, TargetInput, rep_target_holders


class RepChoiceField(forms.ModelChoiceField):
    """A person by name, with the username beside it (two people may share a name): 王丽（alice）."""

    def label_from_instance(self, obj):
        name = display_name(obj)
        return name if name == obj.username else f"{name}（{obj.username}）"


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("目标周期"), choices=SalesTarget.Kind.choices)
    number = forms.IntegerField(label=_("季度/月份"), min_value=0, max_value=12, initial=0, help_text=_("年度填 0"))
    level = forms.ChoiceField(label=_("层级"), choices=SalesTarget.Level.choices)
    team = forms.ModelChoiceField(
        label=_("销售组"),
        queryset=Team.objects.order_by("name"),
        required=False,
        help_text=_("销售组目标必选；业务员目标按业务员所在的组，可不选"),
    )
    rep = RepChoiceField(label=_("业务员"), queryset=get_user_model().objects.none(), required=False)
    amount = money_field(_("销售额目标"))
    new_customers = forms.IntegerField(label=_("新客户数目标"), min_value=0, max_value=MAX_NEW_CUSTOMERS, required=False)
    collection = money_field(_("回款目标"), required=False)

    def __init__(self, *args, target=None, **kwargs):
        """`target`: the target being changed — its period and owner are shown, not edited (the service keeps them)."""
        super().__init__(*args, **kwargs)
        holders = rep_target_holders()  # who may hold a rep target: sellers of a sales team
        if target is not None and target.rep_id:  # shown as it is, even if the rep has left since
            holders = get_user_model().objects.filter(Q(pk__in=holders.values("pk")) | Q(pk=target.rep_id))
            holders = holders.order_by("first_name", "last_name", "username")
        self.fields["rep"].queryset = holders
        if target is not None:
            for name in KEY_FIELDS:
                self.fields[name].disabled = True

    def to_input(self) -> TargetInput:
        d = self.cleaned_data
        return TargetInput(
            year=d["year"],
            kind=d["kind"],
            number=d["number"] or 0,
            level=d["level"],
            team_id=d["team"].pk if d["team"] else None,
            rep_id=d["rep"].pk if d["rep"] else None,
            amount=d["amount"],
            new_customers=d["new_customers"],
            collection=d["collection"],
        )


class ReportRequestForm(forms.Form):
    """Which report, which month, whose figures (the scopes the user may see)."""

    kind = forms.ChoiceField(label=_("报表"), choices=ReportRun.Kind.choices)
    period = forms.CharField(
        label=_("月份"), validators=[MONTH], widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"})
    )
    scope = forms.ChoiceField(label=_("范围"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = report_kinds_for(user)  # service and QC: the after-sales statistics only
        self.fields["kind"].choices = [(k, label) for k, label in ReportRun.Kind.choices if k in kinds]
        self.fields["scope"].choices = scope_choices(user, report_scopes_for(user))
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control")

    def clean_period(self) -> Period:
        return Period.parse(self.cleaned_data["period"])

    def clean_scope(self) -> Scope:
        return Scope.parse(self.cleaned_data["scope"])


class DigestDayForm(forms.Form):
    day = forms.DateField(
        label=_("日期"),
        required=False,
        validators=[validate_report_day, validate_started_day],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )


class WeeklyReportForm(forms.ModelForm):
    """The rep's week: what was done, the market and the competitors, next week's plan (required when handed in)."""

    class Meta:
        model = WeeklyReport
        fields = ["summary", "market", "next_plan"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "market": forms.Textarea(attrs={"rows": 4}),
            "next_plan": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"summary": _("重点客户、拜访、报价与订单的进展，遇到的问题")}


class WeeklyReviewForm(forms.Form):
    note = forms.CharField(label=_("点评"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)


def ended_periods(today: date) -> list[tuple[str, str]]:
    """The periods an appraisal may be opened for: the last four quarters that have ended, then the last two years."""
    quarter = Period.quarter(today.year, (today.month - 1) // 3 + 1).previous()
    out = []
    for _i in range(4):
        out.append((quarter.key, quarter.label))
        quarter = quarter.previous()
    return out + [(str(year), Period.year(year).label) for year in (today.year - 1, today.year - 2)]


class AppraisalRoundForm(forms.Form):
    period = forms.ChoiceField(label=_("考核期"), help_text=_("季度考核或年度考核，在考核期结束后发起"))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = ended_periods(today)


class AppraisalScoreForm(forms.Form):
    """评分: the points and a note for each line (a measured line only its note), and the comment. The service checks
    the points again (bounds, two places, a measured line unchanged)."""

    comment = forms.CharField(label=_("评语与奖惩意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, appraisal, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for score in appraisal.scores.all():
            points = None
            if not score.measured:
                points = forms.DecimalField(
                    label=score.name, required=False, min_value=0, max_value=score.max_points, decimal_places=2
                )
                self.fields[f"points_{score.pk}"] = points
                self.initial.setdefault(f"points_{score.pk}", score.points)
            self.fields[f"note_{score.pk}"] = forms.CharField(label=_("说明"), required=False, max_length=200)
            self.initial.setdefault(f"note_{score.pk}", score.note)
            self.rows.append(score)
        self.initial.setdefault("comment", appraisal.comment)

    def score_rows(self):
        """(score, points field or None, note field) for the template's table."""
        return [(s, self[f"points_{s.pk}"] if f"points_{s.pk}" in self.fields else None, self[f"note_{s.pk}"]) for s in self.rows]

    def scores(self) -> dict[int, dict]:
        """{line id: {"points", "note"}} of the cleaned data, for reports.services.appraisals.appraisal_score."""
        out = {}
        for score in self.rows:
            line = {"note": self.cleaned_data.get(f"note_{score.pk}", "")}
            if f"points_{score.pk}" in self.fields:
                line["points"] = self.cleaned_data.get(f"points_{score.pk}")
            out[score.pk] = line
        return out
