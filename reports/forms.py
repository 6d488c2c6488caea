"""Forms of the reports pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .filters import MONTH
from .models import ReportRun
from .periods import Period
from .scopes import Scope, scopes_visible_to


class ReportRequestForm(forms.Form):
    """Which report, which month, whose figures (the scopes the user may see)."""

    kind = forms.ChoiceField(label=_("报表"), choices=ReportRun.Kind.choices)
    period = forms.CharField(
        label=_("月份"), validators=[MONTH], widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"})
    )
    scope = forms.ChoiceField(label=_("范围"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(s.key, s.label) for s in scopes_visible_to(user)]
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
