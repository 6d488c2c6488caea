"""HTML forms: input validation and choices limited to what the user may pick; the rules themselves live in services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.core.forms import DateInput, FieldsetsMixin
from salesops.core.names import display_name

from . import selectors, services
from .models import Contact, Customer, FollowUp, InvoiceTitle, ShipToAddress, Visit, VisitPlan


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class CustomerForm(FieldsetsMixin, forms.ModelForm):
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
        help_texts = {"deposit_rate": _("如 0.3 表示 30%"), "uscc": _("18位，含校验位；个人客户可不填")}

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

    def clean_uscc(self):
        return (self.cleaned_data.get("uscc") or "").strip().upper()


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

    def clean_tax_id(self):
        return (self.cleaned_data.get("tax_id") or "").strip().upper()


class _ContactChoiceMixin:
    """Offer the customer's own contacts only (a plain select when the customer is known)."""

    def _limit_contacts(self, customer):
        if customer is None:
            self.fields.pop("contact", None)
        else:
            self.fields["contact"].queryset = customer.contacts.all()


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
        reps = selectors.visit_plan_reps_for(user)
        if reps.exclude(pk=user.pk).exists():
            self.fields["rep"] = UserChoiceField(queryset=reps, label=_("业务员"), initial=user.pk)
        else:
            del self.fields["rep"]
        self.fields["customer"].queryset = selectors.customer_list_for(user).exclude(status=Customer.Status.INACTIVE)
        if customer is not None:
            self.fields["customer"].initial = customer.pk
        self.fields["planned_date"].initial = timezone.localdate
        self._limit_contacts(customer)


class VisitForm(_ContactChoiceMixin, forms.ModelForm):
    """A visit record; from a plan the customer is the plan's, otherwise any customer the user may see."""

    class Meta:
        model = Visit
        fields = ["customer", "contact", "visited_on", "purpose", "outcome", "next_step", "next_contact_date"]
        widgets = {"visited_on": DateInput(), "next_contact_date": DateInput(), "outcome": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, customer=None, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:
            customer = plan.customer
            del self.fields["customer"]
            self.fields["purpose"].initial = plan.purpose
            self.fields["purpose"].required = False
        else:
            self.fields["customer"].queryset = selectors.customer_list_for(user).exclude(status=Customer.Status.INACTIVE)
            if customer is not None:
                self.fields["customer"].initial = customer.pk
        self.fields["visited_on"].initial = timezone.localdate
        self._limit_contacts(customer)


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("周会点评"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
