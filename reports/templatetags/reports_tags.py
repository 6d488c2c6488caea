"""How a KPI figure reads on a page: yuan with the fen, a rate as a percentage, "—" when it is undefined.

A negative amount reads as the money filter writes it after the yuan sign (¥-2,100.10), everywhere; nothing reads as a
negative zero (-0.0%, ¥-0.00): what rounds to zero is zero.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from salesops.core.money import money_text, quantize

from ..workbooks import figure_kind

register = template.Library()

PERCENT_PLACES = {"rate": Decimal("0.1"), "run": Decimal("0.01")}


def _number(value) -> Decimal | None:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _unsigned_zero(number: Decimal) -> Decimal:
    return number.copy_abs() if number.is_zero() else number


def _money(number: Decimal) -> str:
    return money_text(_unsigned_zero(quantize(number)))


def _percent(number: Decimal, places: Decimal) -> str:
    """A rate as a percentage to `places`, half up as every figure of the house (salesops.core.money.quantize): 0.0625
    reads 6.3%, never 6.2% (the decimal context's default, half to even)."""
    return f"{_unsigned_zero(quantize(number * 100, places))}%"


@register.filter
def kpi_value(value, kind: str) -> str:
    if value is None:
        return "—"
    number = _number(value)
    if number is None:
        return str(value)
    if kind == "money":
        return f"¥{_money(number)}"
    if kind == "rate":
        return _percent(number, PERCENT_PLACES["rate"])
    return str(value)


@register.filter
def run_figure(value, key: str) -> str:
    """A stored total of a report run (text, as ReportRun.totals and .changes keep it) as the workbook's cover shows it:
    money with thousands separators and the fen (180,000.00), a rate as a percentage with two decimals (2.29%), a count
    or a score as it is; "—" for none (reports.workbooks.figure_kind says which figure is which)."""
    if value in (None, ""):
        return "—"
    number = _number(value)
    if number is None:
        return str(value)
    kind = figure_kind(key)
    if kind == "money":
        return _money(number)
    if kind == "rate":
        return _percent(number, PERCENT_PLACES["run"])
    return str(value)
