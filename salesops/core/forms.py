"""Form pieces every app's pages share: an HTML5 date input, bounded number fields and sectioned layout of long forms."""

from __future__ import annotations

from django import forms

from .money import MONEY_BOUNDS, QUANTITY_BOUNDS, RATE_BOUNDS, BoundedDecimalField, Bounds


def _bounded(bounds: Bounds, label, kwargs) -> BoundedDecimalField:
    kwargs.setdefault("min_value", bounds.minimum)
    kwargs.setdefault("max_value", bounds.maximum)
    return BoundedDecimalField(label=label, max_digits=bounds.max_digits, decimal_places=bounds.decimal_places, **kwargs)


def money_field(label, *, bounds: Bounds = MONEY_BOUNDS, **kwargs) -> BoundedDecimalField:
    """An amount or price input with the bounds of core.money (pass bounds=PRICE_BOUNDS for a unit price)."""
    return _bounded(bounds, label, kwargs)


def quantity_field(label, **kwargs) -> BoundedDecimalField:
    """A quantity input: three decimals, 0 to core.money.MAX_QUANTITY."""
    return _bounded(QUANTITY_BOUNDS, label, kwargs)


def rate_field(label, **kwargs) -> BoundedDecimalField:
    """A rate input (0.13 = 13 %): four decimals, 0 to 1."""
    return _bounded(RATE_BOUNDS, label, kwargs)


class DateInput(forms.DateInput):
    """<input type="date"> with the ISO value browsers expect."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FieldsetsMixin:
    """`fieldsets = [(title, [field names])]` lets the form template lay a long form out in sections."""

    fieldsets: list[tuple[str, list[str]]] = []

    def sections(self):
        if not self.fieldsets:
            return [("", [self[name] for name in self.fields if not self.fields[name].widget.is_hidden])]
        placed = {name for _title, names in self.fieldsets for name in names}
        out = [(title, [self[n] for n in names if n in self.fields]) for title, names in self.fieldsets]
        rest = [self[n] for n in self.fields if n not in placed and not self.fields[n].widget.is_hidden]
        if rest:
            out.append(("", rest))
        return [(title, fields) for title, fields in out if fields]
