"""How a KPI figure reads on a page: yuan with the fen, a rate as a percentage, "—" when it is undefined."""

from __future__ import annotations

from decimal import Decimal

from django import template

from salesops.core.templatetags.core_tags import money

register = template.Library()


@register.filter
def kpi_value(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "money":
        return f"¥{money(value)}"
    if kind == "rate":
        return f"{(Decimal(value) * 100).quantize(Decimal('0.1'))}%"
    return str(value)
