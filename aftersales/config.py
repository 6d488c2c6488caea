"""This app's admin-editable numbers (core.Threshold rows seeded by migration 0002; rules.THRESHOLDS the defaults)."""

from __future__ import annotations

from decimal import Decimal

from salesops.core.thresholds import threshold

from .rules import THRESHOLD_DEFAULTS


def setting(code: str) -> Decimal:
    return threshold(code, default=THRESHOLD_DEFAULTS[code])
