"""The form of a market information entry: the customer and product pickers (type-ahead) and the fields; the rules
live in market.rules and market.services, which say what is wrong."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from contracts.forms import ProductChoiceField
from customers.forms import CustomerChoiceField
from customers.selectors import customer_list_for

from .models import MarketInfo


class InfoForm(forms.ModelForm):
    customer = CustomerChoiceField(required=False, label=_("相关客户"))
    product = ProductChoiceField(queryset=Product.objects.filter(is_active=True), required=False, label=_("相关产品"))

    class Meta:
        model = MarketInfo
        fields = ["kind", "source", "title", "content", "competitor", "region", "customer", "product", "important"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 6, "placeholder": _("时间、地点、对象、具体内容、对我们的影响和建议")})
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customer_list_for(user)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"field-{name}")

    def _post_clean(self):
        """No model validation here: the service checks the entry and says what is wrong."""
