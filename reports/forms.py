"""Forms of the reports pages: a target, a report request and the digest's day."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from customers.selectors import OWNER_ROLES
from salesops.core.forms import money_field
from salesops.core.models import Team

from .filters import MONTH
from .models import ReportRun, SalesTarget, WeeklyReport
from .periods import Period
from .scopes import Scope, scope_choices
from .services.targets import TargetInput


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("目标周期"), choices=SalesTarget.Kind.choices)
    number = forms.IntegerField(label=_("季度/月份"), min_value=0, max_value=12, initial=0, help_text=_("年度填 0"))
    level = forms.ChoiceField(label=_("层级"), choices=SalesTarget.Level.choices)
    team = forms.ModelChoiceField(label=_("销售组"), queryset=Team.objects.order_by("name"), required=False)
    rep = forms.ModelChoiceField(label=_("业务员"), queryset=get_user_model().objects.none(), required=False)
    amount = money_field(_("销售额目标"))
    new_customers = forms.IntegerField(label=_("新客户数目标"), min_value=0, required=False)
    collection = money_field(_("回款目标"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True, groups__name__in=OWNER_ROLES).distinct()
        self.fields["rep"].queryset = users.order_by("username")

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
        self.fields["scope"].choices = scope_choices(user)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control")

    def clean_period(self) -> Period:
        return Period.parse(self.cleaned_data["period"])

    def clean_scope(self) -> Scope:
        return Scope.parse(self.cleaned_data["scope"])


class DigestDayForm(forms.Form):
    day = forms.DateField(
        label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
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
