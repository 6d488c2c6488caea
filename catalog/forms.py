"""HTML forms of the catalog: input parsing and field-level messages; the rules themselves are in services/rules.

Rates are typed as percentages on the pages (13 = 13 %) and stored as fractions (0.1300); the API uses fractions.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from salesops.core.forms import DateInput, RatePercentField, money_field, quantity_field
from salesops.core.money import DEFAULT_TAX_RATE, PRICE_BOUNDS

from . import rules, services
from .models import PriceList, Product
from .selectors import DiscountRow


class ProductForm(forms.ModelForm):
    tax_rate = RatePercentField(
        label=_("税率"),
        max_percent=rules.MAX_TAX_RATE * 100,
        initial=DEFAULT_TAX_RATE,
        help_text=_("按百分比填写，默认 13%；常用 13、9、6、3、0"),
    )

    class Meta:
        model = Product
        fields = list(services.PRODUCT_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["list_price"].help_text = _("含税单价，元")

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip()


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("原因"), required=False, max_length=500)


def _blank_choice(label):
    return [("", label)]


class PriceListForm(forms.ModelForm):
    customer_type = forms.ChoiceField(
        label=_("适用客户类型"), required=False, choices=_blank_choice(_("通用（不限客户类型）")) + list(rules.CUSTOMER_TYPES)
    )
    customer_grade = forms.ChoiceField(
        label=_("适用客户等级"), required=False, choices=_blank_choice(_("通用（不限客户等级）")) + list(rules.CUSTOMER_GRADES)
    )

    class Meta:
        model = PriceList
        fields = list(services.PRICE_LIST_FIELDS)
        widgets = {"valid_from": DateInput(), "valid_to": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"valid_to": _("含当天；留空表示长期有效"), "currency": _("人民币为 CNY；只有 CNY 价格表参与自动定价")}

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "CNY").strip().upper()

    def clean(self):
        data = super().clean()
        message = rules.validity_error(valid_from=data.get("valid_from"), valid_to=data.get("valid_to"))
        if message and data.get("valid_from") is not None:
            self.add_error("valid_to", message)
        return data


class ProductCodeField(forms.CharField):
    """A product by its code (typed, or chosen in the product picker, which gives the code); cleans to the Product."""

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        code = code.strip().split()[0]
        product = Product.objects.filter(code__iexact=code).first()
        if product is None:
            raise ValidationError(_("没有编码为“%(code)s”的产品。") % {"code": code}, code="unknown_product")
        return product


class PriceListItemForm(forms.Form):
    product = ProductCodeField(label=_("产品编码"), max_length=40)
    unit_price = money_field(_("含税单价"), bounds=PRICE_BOUNDS, min_value=Decimal("0.01"))
    min_quantity = quantity_field(_("起订量"), min_value=Decimal(0), initial=Decimal(0), required=False)

    def clean_min_quantity(self):
        value = self.cleaned_data.get("min_quantity")
        return Decimal(0) if value is None else value


class PriceListItemEditForm(forms.Form):
    unit_price = money_field(_("含税单价"), bounds=PRICE_BOUNDS, min_value=Decimal("0.01"))
    min_quantity = quantity_field(_("起订量"), min_value=Decimal(0), required=False)

    def clean_min_quantity(self):
        value = self.cleaned_data.get("min_quantity")
        return Decimal(0) if value is None else value


class DiscountLimitsForm(forms.Form):
    """One percentage per role (`rate_<role>`); a role that has a limit must keep one."""

    def __init__(self, *args, rows: list[DiscountRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[self.field_name(row.role)] = RatePercentField(
                label=row.label, required=row.limit is not None, initial=row.rate, help_text=""
            )

    @staticmethod
    def field_name(role: str) -> str:
        return f"rate_{role}"

    def changed_rates(self) -> list[tuple[str, Decimal]]:
        """[(role, new rate)] for the roles whose limit was changed or newly set."""
        out = []
        for row in self.rows:
            value = self.cleaned_data.get(self.field_name(row.role))
            if value is not None and value != row.rate:
                out.append((row.role, value))
        return out
