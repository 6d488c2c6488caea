"""Read the admin-editable thresholds (core.models.Threshold)."""

from __future__ import annotations

from decimal import Decimal

from .models import DEFAULT_THRESHOLDS, Threshold

_DEFAULTS = {code: value for code, _name, value, _desc in DEFAULT_THRESHOLDS}


def threshold(code: str, *, default: Decimal | None = None) -> Decimal:
    """The current value of a threshold; the built-in default if nobody configured it."""
    value = Threshold.objects.filter(code=code).values_list("value", flat=True).first()
    if value is not None:
        return value
    if default is not None:
        return default
    if code in _DEFAULTS:
        return _DEFAULTS[code]
    raise KeyError(code)
