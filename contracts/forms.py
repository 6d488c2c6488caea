"""HTML forms of quotations and contracts: input parsing and choices limited to what the user may pick.

The rules (who may quote, prices, line checks, classification) live in permissions.py, rules.py and the services; these
forms only turn the posted fields into the `data` / `lines` the services take. The list filters are in filters.py.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.forms import formset_factory
from django.forms.models import fields_for_model, model_to_dict
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.selectors import can_view_cost, product_list_for
from customers.forms import CustomerChoiceField, deposit_rate_field, limit_parties
from customers.selectors import customer_list_for
from salesops.core.forms import (
    DateInput,
    FieldsetsMixin,
    LookupSelect,
    PercentField,
    UploadField,
    money_field,
    quantity_field,
)
from salesops.core.money import PRICE_BOUNDS, percent_to_rate
from salesops.core.once import OnceFormMixin

from . import rules, services
from .models import Contract, ContractReview, Quotation


class _HeaderForm(FieldsetsMixin, forms.ModelForm):
    """Header of a quotation or contract. On create the customer is picked among the visible ones; on edit it is fixed."""

    customer = CustomerChoiceField()

    def __init__(self, *args, user, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["customer"]
            customer = self.instance.customer
        else:
            self.fields["customer"].queryset = customer_list_for(user)
            if customer is not None:
                self.fields["customer"].initial = customer.pk
        limit_parties(self, customer)
        if not self.instance.pk:
            for name, value in self.new_document_initial().items():
                if name in self.fields:
                    self.fields[name].initial = value

    def new_document_initial(self) -> dict:
        """Dates a new document starts with (the services apply the same defaults when called without them)."""
        today = timezone.localdate()
        return {"quote_date": today, "valid_until": today + timedelta(days=30), "contract_date": today}

    def service_data(self) -> dict:
        """The header values for the service (the customer is passed on its own)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "customer"}


class QuotationForm(_HeaderForm):
    fieldsets = [
        (_("基本信息"), ["customer", "contact", "opportunity", "project_name", "quote_date", "valid_until"]),
        (_("币种与条款"), ["currency", "exchange_rate", "payment_terms", "payment_terms_text", "delivery_terms", "other_terms"]),
        (_("备注"), ["notes"]),
    ]

    class Meta:
        model = Quotation
        fields = [name for name in services.QUOTATION_FIELDS if name != "owner"]
        widgets = {
            "quote_date": DateInput(),
            "valid_until": DateInput(),
            "other_terms": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class ContractForm(_HeaderForm):
    deposit_rate = deposit_rate_field()

    fieldsets = [
        (_("基本信息"), ["customer", "contact", "customer_contract_no", "project_name", "contract_date", "delivery_date"]),
        (
            _("币种与付款"),
            ["currency", "exchange_rate", "payment_terms", "deposit_rate", "credit_days", "payment_terms_text"],
        ),
        (_("交货与质量"), ["delivery_terms", "quality_terms", "other_terms"]),
        (_("评审相关"), ["customer_supplied_materials", "beyond_technical_capability"]),
    ]

    class Meta:
        model = Contract
        fields = [name for name in services.CONTRACT_FIELDS if name != "owner"]
        widgets = {
            "contract_date": DateInput(),
            "delivery_date": DateInput(),
            "other_terms": forms.Textarea(attrs={"rows": 2}),
        }


class QuotationCreateForm(OnceFormMixin, QuotationForm):
    """A new quotation's header with the page's hidden `once_key` (salesops.core.once): the same form sent again makes no
    second quotation (service_data passes the key on to services.quotation_create)."""


class ContractCreateForm(OnceFormMixin, ContractForm):
    """A new contract's header with the page's hidden `once_key` (salesops.core.once): the same form sent again makes no
    second contract (service_data passes the key on to services.contract_create)."""


class ProductChoiceField(forms.ModelChoiceField):
    """A catalog product of a line: a type-ahead over the products on sale (catalog:product_lookup)."""

    def __init__(self, **kwargs):
        super().__init__(widget=LookupSelect(reverse_lazy("catalog:product_lookup")), **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name} {obj.model}".strip()


def check_line_cells(form, data: dict, *, name_field: str | None = None) -> None:
    """The checks of a filled-in line that belong on its cells, so every row's mistakes show at once (the service still
    checks the whole document): a product (or, with `name_field`, a name) and a quantity above 0."""
    if not data.get("product") and not (name_field and data.get(name_field)) and "product" not in form.errors:
        form.add_error("product", _("请选择产品或填写品名。") if name_field else _("请选择产品。"))
    quantity = data.get("quantity")
    if "quantity" not in form.errors and (quantity is None or quantity <= 0):
        form.add_error("quantity", _("数量必须大于 0。"))


class LineForm(forms.Form):
    """One document line. Every field is optional here: the service checks the line and names it in its message;
    a blank unit price takes the price list price of a catalog product; the discount goes to the service as the
    percentage typed (services.discount_rate_of); `id` is the stored line the row edits (its cost is kept)."""

    id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())
    product = ProductChoiceField(queryset=None, label=_("产品"), required=False)
    name = forms.CharField(label=_("品名"), max_length=200, required=False)
    model = forms.CharField(label=_("型号"), max_length=100, required=False)
    spec = forms.CharField(label=_("规格"), max_length=200, required=False)
    unit = forms.CharField(label=_("单位"), max_length=10, required=False)
    quantity = quantity_field(_("数量"), required=False)
    unit_price = money_field(_("含税单价"), bounds=PRICE_BOUNDS, required=False)
    discount_percent = PercentField(_("折扣(%)"), required=False)
    tax_percent = PercentField(_("税率(%)"), required=False)  # typed as the discount is: 13 = 13 %
    unit_cost = money_field(_("单位成本"), bounds=PRICE_BOUNDS, required=False)
    lead_time_days = forms.IntegerField(label=_("交货期(天)"), min_value=0, max_value=32767, required=False)
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)
    is_service = forms.BooleanField(
        label=_("服务/费用项"), required=False, help_text=_("非目录的服务或费用（如安装调试、运费），不涉及生产")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_list_for(user).filter(is_active=True).order_by("code")
        if not can_view_cost(user):  # costs are entered and read by managers and finance only
            del self.fields["unit_cost"]
        _small_widgets(self)

    def clean(self):
        data = super().clean()
        check_line_cells(self, data, name_field="name")
        return data

    def row(self) -> dict:
        """The line as the service takes it: the product as its id, blank values left out."""
        row = {}
        for name, value in self.cleaned_data.items():
            if name == "DELETE" or value in (None, ""):
                continue
            if name == "tax_percent":  # the rate the documents keep (the API takes tax_rate as that rate)
                row["tax_rate"] = percent_to_rate(value)
                continue
            row[name] = value.pk if name == "product" else value
        return row


class ContractLineForm(LineForm):
    delivery_date = forms.DateField(label=_("交货日期"), required=False, widget=DateInput())
    quotation_line = forms.IntegerField(required=False, widget=forms.HiddenInput())


QuotationLineFormSet = formset_factory(LineForm, extra=1, can_delete=True)
ContractLineFormSet = formset_factory(ContractLineForm, extra=1, can_delete=True)

LINE_INITIAL_FIELDS = tuple(name for name in services.LINE_FIELDS if name not in ("product", "discount_rate", "tax_rate"))


def _small_widgets(form) -> None:
    for name, field in form.fields.items():
        if field.widget.is_hidden:
            continue
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs["class"] = "form-check-input"
        elif isinstance(field.widget, forms.Select):
            field.widget.attrs["class"] = "form-select form-select-sm"
        else:
            field.widget.attrs["class"] = "form-control form-control-sm"
        field.widget.attrs.setdefault("aria-label", str(field.label or name))
        field.widget.attrs["data-testid"] = f"line-{name}"


def line_initial(line) -> dict:
    initial = {name: getattr(line, name) for name in LINE_INITIAL_FIELDS}
    initial["id"], initial["product"] = line.pk, line.product_id
    initial["discount_percent"] = line.discount_rate * 100
    initial["tax_percent"] = line.tax_rate * 100
    if hasattr(line, "delivery_date"):
        initial["delivery_date"] = line.delivery_date
        initial["quotation_line"] = line.quotation_line_id
    return initial


def line_formset(formset_class, data, *, user, lines=None):
    initial = [line_initial(ln) for ln in lines] if lines is not None else None
    return formset_class(data, initial=initial, prefix="lines", form_kwargs={"user": user})


def formset_rows(formset) -> list[dict]:
    """The kept lines of a valid formset: the initial ones (even unchanged) and the added ones that were filled in."""
    rows = []
    for index, form in enumerate(formset.forms):
        if formset.can_delete and formset._should_delete_form(form):
            continue
        if index >= formset.initial_form_count() and not form.has_changed():
            continue
        rows.append(form.row())
    return rows


# --- small forms --------------------------------------------------------------------------------------------------
class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=300, required=False)

    def __init__(self, *args, label=None, show=True, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        if not show:
            self.fields["reason"].widget = forms.HiddenInput()


class OnceActionForm(OnceFormMixin, ReasonForm):
    """An action that creates a document (生成合同) with its page's hidden `once_key` (salesops.core.once): the same
    button sent again goes to the contract it made."""


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("签订日期"), required=False, widget=DateInput(), help_text=_("不填则为今天"))
    scan = UploadField(  # required (marked *): the service refuses a signing without it with the same words
        label=_("签字盖章的合同扫描件"), error_messages={"required": _("请上传签字盖章的合同扫描件。")}
    )


class ReviewForm(forms.ModelForm):
    class Meta:
        model = ContractReview
        fields = list(services.REVIEW_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "explicit_requirements",
                "implicit_requirements",
                "legal_requirements",
                "additional_commitments",
                "notes",
            )
        }


class ChangeHeaderForm(forms.Form):
    """The changeable header fields of a signed contract, prefilled with the current values; `changed()` gives what differs."""

    reason = forms.CharField(label=_("变更原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, contract: Contract, **kwargs):
        kwargs["initial"] = model_to_dict(contract, fields=rules.CHANGEABLE_HEADER_FIELDS)
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Contract, fields=rules.CHANGEABLE_HEADER_FIELDS))
        self.fields["deposit_rate"] = deposit_rate_field()
        for name in rules.CHANGEABLE_HEADER_FIELDS:  # a form field built from a model field leaves out its validators
            field = self.fields[name]
            field.validators += [v for v in Contract._meta.get_field(name).validators if v not in field.validators]
        self.fields["delivery_date"].widget = DateInput()
        self.fields["other_terms"].widget = forms.Textarea(attrs={"rows": 2})

    def changed(self) -> dict:
        return {name: self.cleaned_data[name] for name in rules.CHANGEABLE_HEADER_FIELDS if name in self.changed_data}


class ChangeLineForm(forms.Form):
    """A line's proposed values; the discount is typed as a percentage and goes to the service so (discount_percent)."""

    line_id = forms.IntegerField(widget=forms.HiddenInput())
    quantity = quantity_field(_("数量"), required=False)
    unit_price = money_field(_("含税单价"), bounds=PRICE_BOUNDS, required=False)
    discount_percent = PercentField(_("折扣(%)"), required=False)
    delivery_date = forms.DateField(label=_("交货日期"), required=False, widget=DateInput())

    INPUTS = ("quantity", "unit_price", "discount_percent", "delivery_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small_widgets(self)

    def changed(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.INPUTS if name in self.changed_data}


ChangeLineFormSet = formset_factory(ChangeLineForm, extra=0)


def change_line_formset(data, *, contract: Contract):
    lines = list(contract.lines.all())
    initial = [
        {
            "line_id": ln.pk,
            "quantity": ln.quantity,
            "unit_price": ln.unit_price,
            "discount_percent": ln.discount_rate * 100,
            "delivery_date": ln.delivery_date,
        }
        for ln in lines
    ]
    formset = ChangeLineFormSet(data, initial=initial, prefix="lines")
    for form, line in zip(formset.forms, lines, strict=False):
        form.line = line
    return formset
