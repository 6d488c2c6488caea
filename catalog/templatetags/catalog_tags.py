"""Display helpers of the catalog pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from catalog import rules
from salesops.core.forms import format_percent
from salesops.core.money import quantize

register = template.Library()


@register.filter
def percent(rate):
    """Decimal("0.1300") -> "13%", Decimal("0.0525") -> "5.25%"; blank for None."""
    if rate in (None, ""):
        return ""
    return f"{format_percent(rate)}%"


@register.filter
def customer_type_label(code):
    return rules.customer_type_label(code or "")


@register.filter
def customer_grade_label(code):
    return rules.customer_grade_label(code or "")


@register.filter
def qty(value):
    """Decimal("100.000") -> "100", Decimal("2.500") -> "2.5" (never exponent notation)."""
    if value in (None, ""):
        return ""
    return format(Decimal(str(value)).normalize(), "f")


@register.filter
def lowest_of_thousand(rate):
    """The lowest price a role with `rate` may quote on a 1,000.00 list price, e.g. 0.05 -> "950.00"."""
    value = quantize(rules.lowest_price_within(list_price=Decimal("1000"), limit_rate=rate))
    return f"{value:,.2f}"
