"""HTML forms: input validation and choices limited to what the user may pick; the rules themselves live in services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.core.errors import DomainError
from salesops.core.forms import DateInput, FieldsetsMixin, LookupSelect, RatePercentField
from salesops.core.names import display_name

from . import selectors, services
from .models import (
    Contact,
    Customer,
    FollowUp,
    InvoiceTitle,
    Opportunity,
    ShipToAddress,
    TechnicalQuestion,
    Visit,
    VisitPlan,
)
from .validators import compact_uscc

# A service's refusal that concerns one field of a customer (its code → the field): shown at that field on the form and
# named by its column in an import.
CUSTOMER_ERROR_FIELDS = {
    "duplicate_name": "name",
    "next_contact_in_past": "next_contact_date",
    "owner_required": "owner",
}


def at_fields(call: Callable[[], Any], fields: Mapping[str, str] = CUSTOMER_ERROR_FIELDS) -> Any:
    """Run the service `call()`; a DomainError whose code is in `fields` (or that names its `field`) becomes a
    ValidationError of that field (the form shows it under the field, core.editing.call_for_form; an import names its
    column), any other error goes on as it is."""
    try:
        return call()
    except DomainError as e:
        field = getattr(e, "field", None) or fields.get(e.code)
        if field is None:
            raise
        raise ValidationError({field: [str(e)]}) from e


class UsccField(forms.CharField):
    """统一社会信用代码 / 税号: whitespace anywhere in a pasted code is removed before the length and check digit are checked."""

    def to_python(self, value):
        return compact_uscc(super().to_python(value))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


def deposit_rate_field() -> RatePercentField:
    """定金比例 on a customer's, a contract's or a contract change's page: typed as a percentage (30 = 30 %), kept as the
    rate (0.3000); blank is none. The API takes the rate."""
    return RatePercentField(
        label=_("定金比例(%)"), required=False, empty_value=Decimal(0), help_text=_("按百分比填写，如 30 表示 30%")
    )


class CustomerForm(FieldsetsMixin, forms.ModelForm):
    deposit_rate = deposit_rate_field()

    fieldsets = [
        (_("基本信息"), ["name", "short_name", "uscc", "type", "grade", "source", "industry", "owner"]),
        (_("地区与联系方式"), ["province", "city", "address", "phone", "website"]),
        (_("信用与付款"), ["credit_limit", "payment_terms", "credit_days", "deposit_rate", "currency"]),
        (_("跟进与备注"), ["next_contact_date", "due_diligence", "notes"]),
    ]

    class Meta:
        model = Customer
        fields = list(services.CUSTOMER_FIELDS)
        widgets = {
            "next_contact_date": DateInput(),
            "due_diligence": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"uscc": _("18位，含校验位；个人客户可不填")}
        field_classes = {"uscc": UsccField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not services.can_set_credit(user):  # shown, not editable: managers and finance set credit and terms
            for name in services.CREDIT_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("由经理或财务设定")
        elif self.instance.pk and not services.can_edit_customer(user, self.instance):
            for name in services.CUSTOMER_FIELDS:  # finance edits the credit terms only
                if name not in services.CREDIT_FIELDS:
                    self.fields[name].disabled = True
        if self.instance.pk is None:
            candidates = selectors.owner_candidates_for(user)
            # A rep always owns what they create: no choice to offer.
            if candidates.exclude(pk=user.pk).exists():
                self.fields["owner"] = UserChoiceField(
                    queryset=candidates,
                    label=_("负责业务员"),
                    initial=user.pk if candidates.filter(pk=user.pk).exists() else None,
                )


class ReassignForm(forms.Form):
    owner = UserChoiceField(queryset=None, label=_("新负责业务员"))
    reason = forms.CharField(label=_("转移原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500)

    def __init__(self, *args, user, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.owner_candidates_for(user).exclude(pk=customer.owner_id)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500)

    def __init__(self, *args, required=True, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if label:
            self.fields["reason"].label = label


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = list(services.CONTACT_FIELDS)


class ShipToAddressForm(forms.ModelForm):
    class Meta:
        model = ShipToAddress
        fields = list(services.ADDRESS_FIELDS)


class InvoiceTitleForm(forms.ModelForm):
    class Meta:
        model = InvoiceTitle
        fields = list(services.INVOICE_TITLE_FIELDS)
        help_texts = {"tax_id": _("即统一社会信用代码，18位"), "invoice_type": _("专票须填写开户行、账号和地址电话")}
        field_classes = {"tax_id": UsccField}


class CustomerChoiceField(forms.ModelChoiceField):
    """The customer of a new document or record: a type-ahead over the visible customers (pass their queryset) whose
    choice reloads the form's contact, address and invoice title selects (see limit_parties)."""

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("label", _("客户"))
        widget = LookupSelect(reverse_lazy("customers:lookup"), attrs={"data-parties-url": reverse_lazy("customers:parties")})
        super().__init__(queryset=queryset, widget=widget, **kwargs)


def customer_of_form(request):
    """The customer a new document's form is for: the posted one (its contacts, addresses and invoice titles then
    validate; None if not visible, which the customer field refuses) or ?customer= of the link that opened the form
    (404 if not visible)."""
    if request.method == "POST":
        return selectors.customer_chosen(request.user, request.POST.get("customer"))
    value = request.GET.get("customer", "")
    return selectors.customer_get_for(request.user, value) if value.isdigit() else None


# A form's fields that belong to its customer: (key of selectors.customer_parties, message for another customer's record,
# the rows of the customer it offers).
PARTY_FIELDS = {
    "contact": ("contacts", _("所选联系人不属于该客户，请重新选择。"), {}),
    "ship_to": ("addresses", _("所选收货地址不属于该客户，请重新选择。"), {}),
    "invoice_title": ("invoice_titles", _("所选发票抬头不属于该客户，请重新选择。"), {}),
    "opportunity": (
        "opportunities",
        _("所选销售机会不属于该客户或已结束，请重新选择。"),
        {"status__in": Opportunity.OPEN_STAGES},
    ),
}


def limit_parties(form, customer) -> None:
    """Offer only `customer`'s contacts, addresses, invoice titles and open opportunities in the form's fields of those
    (nothing before a customer is chosen); another customer's record posted is refused with a message naming it. The page
    reloads these selects from customers:parties when the customer changes (data-party)."""
    for name, (key, message, rows) in PARTY_FIELDS.items():
        field = form.fields.get(name)
        if field is None:
            continue
        model = field.queryset.model
        field.queryset = model.objects.filter(customer=customer, **rows) if customer is not None else model.objects.none()
        field.error_messages["invalid_choice"] = message
        field.widget.attrs["data-party"] = key


class _ContactChoiceMixin:
    """Offer the customer's own contacts only (reloaded on the page when the customer picker changes)."""

    def _limit_contacts(self, customer):
        limit_parties(self, customer)


class FollowUpForm(_ContactChoiceMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["channel", "happened_on", "contact", "summary", "next_contact_date"]
        widgets = {"happened_on": DateInput(), "next_contact_date": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = timezone.localdate
        self._limit_contacts(customer)


class VisitPlanForm(_ContactChoiceMixin, forms.ModelForm):
    """A plan for a customer the user may see; leads and managers may plan for their reps."""

    class Meta:
        model = VisitPlan
        fields = ["rep", "customer", "contact", "period", "planned_date", "purpose"]
        widgets = {"planned_date": DateInput()}

    def __init__(self, *args, user, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        reps = selectors.reps_for(user)
        if reps.exclude(pk=user.pk).exists():
            self.fields["rep"] = UserChoiceField(queryset=reps, label=_("业务员"), initial=user.pk)
        else:
            del self.fields["rep"]
        self.fields["customer"] = CustomerChoiceField(
            selectors.customer_list_for(user).exclude(status=Customer.Status.INACTIVE), initial=customer
        )
        self.fields["planned_date"].initial = timezone.localdate
        self._limit_contacts(customer)


class VisitForm(_ContactChoiceMixin, forms.ModelForm):
    """A visit record; from a plan the customer is the plan's, otherwise any customer the user may see."""

    class Meta:
        model = Visit
        fields = ["customer", "contact", "opportunity", "visited_on", "purpose", "outcome", "next_step", "next_contact_date"]
        widgets = {"visited_on": DateInput(), "next_contact_date": DateInput(), "outcome": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, customer=None, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:
            customer = plan.customer
            del self.fields["customer"]
            self.fields["purpose"].initial = plan.purpose
            self.fields["purpose"].required = False
        else:
            self.fields["customer"] = CustomerChoiceField(
                selectors.customer_list_for(user).exclude(status=Customer.Status.INACTIVE), initial=customer
            )
        self.fields["visited_on"].initial = timezone.localdate
        self._limit_contacts(customer)


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("周会点评"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


class OpportunityForm(_ContactChoiceMixin, forms.ModelForm):
    """Open an opportunity on a customer the user may edit (chosen on create, fixed afterwards), or edit an open one."""

    class Meta:
        model = Opportunity
        fields = ["customer", *services.OPPORTUNITY_FIELDS]
        widgets = {
            "expected_close": DateInput(),
            "bid_deadline": DateInput(),
            "needs": forms.Textarea(attrs={"rows": 3}),
            "plan": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "plan": _("下一步怎么推进：拜访、方案、报价、谈判的安排"),
            "amount": _("含税，元"),
            "bidding": _("客户向多家询价或招标时选择；须报请领导决定参加后才能报价"),
            "bid_deadline": _("招标投标必填"),
        }

    def __init__(self, *args, user, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["customer"]
            customer = self.instance.customer
        else:
            self.fields["customer"] = CustomerChoiceField(
                selectors.customer_list_for(user).exclude(status=Customer.Status.INACTIVE), initial=customer
            )
        self._limit_contacts(customer)
        self.fields["bidding"].required = False

    def clean_bidding(self):
        """Left out (a form of before 比价/投标), it is none."""
        return self.cleaned_data.get("bidding") or Opportunity.Bidding.NONE

    def service_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "customer"}


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("新阶段"), choices=[(s.value, s.label) for s in Opportunity.OPEN_STAGES])

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.value, s.label) for s in Opportunity.OPEN_STAGES if s != current]


class LoseForm(forms.Form):
    reason = forms.CharField(label=_("输单原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=300)
    competitor = forms.CharField(label=_("竞争对手"), required=False, max_length=100)


class QuestionForm(forms.ModelForm):
    """向技术部咨询: the subject, the question (models, parameters, what the customer asked) and when the answer is needed."""

    class Meta:
        model = TechnicalQuestion
        fields = ["subject", "question", "needed_by"]
        widgets = {"question": forms.Textarea(attrs={"rows": 6}), "needed_by": DateInput()}
