"""Human document numbers `PREFIX-YYYYMM-NNNN` (SPEC.md "The document chain")."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from .models import DocumentSequence


def _period(when) -> str:
    if when is None:
        when = timezone.now()
    if isinstance(when, datetime):
        if timezone.is_aware(when):
            when = timezone.localtime(when)
    elif not isinstance(when, date):
        raise TypeError("when must be a date or datetime")
    return when.strftime("%Y%m")


def next_number(prefix: str, *, when=None) -> str:
    """Draw the next number for `prefix` in the month of `when` (a date or datetime; now by default, Asia/Shanghai).

    Call it inside the transaction that creates the document. The counter row is locked with SELECT ... FOR UPDATE and stays
    locked until that transaction ends, so concurrent callers queue on it and a rolled-back document gives its number back:
    numbers never repeat and have no gaps.
    """
    period = _period(when)
    with transaction.atomic():
        # Create the month's counter if missing without racing: a conflicting insert is ignored, then everyone locks the one row.
        DocumentSequence.objects.bulk_create([DocumentSequence(prefix=prefix, period=period)], ignore_conflicts=True)
        seq = DocumentSequence.objects.select_for_update().get(prefix=prefix, period=period)
        seq.last_number += 1
        seq.save(update_fields=["last_number"])
    return f"{prefix}-{period}-{seq.last_number:04d}"
