"""HTML forms of the expense pages: input parsing and the customers the claimant may pick. The rules of a line and a
claim live in expenses.rules and expenses.services, which say what is wrong."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from customers.selectors import customer_list_for
from salesops.core.forms import DateInput, LookupSelect, money_field

from .models import ExpenseClaim
from .rules import Category


class ClaimForm(forms.ModelForm):
    """The claim's header: what for, and the customer (required for 业务招待, checked on submit)."""

    customer = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("相关客户"),
        help_text=_("业务招待费必填：招待的客户"),
        widget=LookupSelect(reverse_lazy("customers:lookup")),
    )

    class Meta:
        model = ExpenseClaim
        fields = ["title", "customer"]
        widgets = {"title": forms.TextInput(attrs={"placeholder": _("例如：11 月华东客户拜访差旅")})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customer_list_for(user)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")
            field.widget.attrs.setdefault("data-testid", f"field-{name}")

    def _post_clean(self):
        """No model validation here: the service checks the claim and says what is wrong."""


class ExpenseLineForm(forms.Form):
    spent_on = forms.DateField(label=_("发生日期"), required=False, widget=DateInput())
    category = forms.ChoiceField(label=_("费用类别"), choices=[("", "—"), *Category.choices], required=False)
    amount = money_field(_("金额"), required=False)
    description = forms.CharField(label=_("用途说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            widget.attrs["class"] = (
                "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            )
            widget.attrs["data-testid"] = f"line-{name}"
            widget.attrs.setdefault("aria-label", str(field.label))
        self.fields["amount"].widget.attrs["class"] += " text-end"

    def row(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "DELETE"}


def line_formset(data, claim: ExpenseClaim | None = None):
    """The lines of `claim` (three empty ones for a new claim), posted or to edit."""
    initial = [line.values() for line in claim.lines.all()] if claim is not None else []
    formset_class = formset_factory(ExpenseLineForm, extra=0 if initial else 3, can_delete=True)
    return formset_class(data, initial=initial, prefix="lines")


class PayForm(forms.Form):
    reference = forms.CharField(label=_("付款凭证号"), max_length=60)
    paid_on = forms.DateField(label=_("付款日期"), required=False, widget=DateInput(), help_text=_("不填为今天"))
