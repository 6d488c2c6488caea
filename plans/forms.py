"""HTML forms of the plan pages: input parsing and the customers and teams the author may pick. The rules of a line and
a plan live in plans.rules and plans.services, which say what is wrong."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.forms import formset_factory
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.selectors import customer_list_for, led_team_ids
from reports.periods import Period
from salesops.core.forms import LookupSelect, money_field
from salesops.core.models import Team

from .models import SalesPlan
from .permissions import writable_levels
from .rules import Level


def _this_month() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month


def _style(form: forms.BaseForm, small: bool = False) -> None:
    size = "-sm" if small else ""
    for name, field in form.fields.items():
        widget = field.widget
        widget.attrs.setdefault(
            "class", f"form-select form-select{size}" if isinstance(widget, forms.Select) else f"form-control form-control{size}"
        )
        widget.attrs.setdefault("data-testid", f"{'line' if small else 'field'}-{name}")
        widget.attrs.setdefault("aria-label", str(field.label))


class PlanForm(forms.ModelForm):
    """The plan: its level, period and team when new (fixed afterwards), the analysis, the measures and why it falls
    short of its target."""

    period = forms.CharField(label=_("计划期间"), max_length=10, help_text=_("月度 2027-01，季度 2027-Q1，年度 2027"))
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label=_("销售组"), help_text=_("销售组计划：您带领的组")
    )

    class Meta:
        model = SalesPlan
        fields = ["level", "period", "team", "analysis", "strategy", "gap_reason"]
        widgets = {
            "analysis": forms.Textarea(attrs={"rows": 4, "placeholder": _("市场形势、客户需求、竞争对手、上期完成情况")}),
            "strategy": forms.Textarea(attrs={"rows": 4, "placeholder": _("重点市场与客户、产品策略、价格与促销、人员安排")}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        levels = writable_levels(user)
        self.fields["level"].choices = [(code, label) for code, label in Level.choices if code in levels]
        self.fields["team"].queryset = Team.objects.filter(pk__in=led_team_ids(user)).order_by("name")
        if self.instance.pk:  # the level, period and team are the plan's identity: fixed once written
            for name in ("level", "period", "team"):
                del self.fields[name]
        else:  # plans are written ahead: next month by default
            after = Period.month(*_this_month()).end + timedelta(days=1)
            self.fields["period"].initial = Period.month(after.year, after.month).key
        _style(self)

    def _post_clean(self):
        """No model validation here: the service checks the plan and says what is wrong."""


class PlanLineForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=None, required=False, label=_("重点客户"), widget=LookupSelect(reverse_lazy("customers:lookup"))
    )
    item = forms.CharField(label=_("计划项目"), max_length=120, required=False)
    amount = money_field(_("计划金额"), required=False)
    measures = forms.CharField(label=_("措施"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customer_list_for(user)
        _style(self, small=True)
        self.fields["amount"].widget.attrs["class"] += " text-end"

    def row(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "DELETE"}


def line_formset(data, user, plan: SalesPlan | None = None):
    """The lines of `plan` (three empty ones for a new plan), posted or to edit."""
    initial = (
        [
            {"customer": line.customer_id, "item": line.item, "amount": line.amount, "measures": line.measures}
            for line in plan.lines.all()
        ]
        if plan is not None
        else []
    )
    formset_class = formset_factory(PlanLineForm, extra=0 if initial else 3, can_delete=True)
    return formset_class(data, initial=initial, prefix="lines", form_kwargs={"user": user})
