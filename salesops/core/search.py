"""The search box of every list: each word typed must be found in one of the searched fields."""

from __future__ import annotations

from django.db.models import Q


def every_word_q(text: str, *fields: str) -> Q:
    """Rows where every word of `text` is contained (case-insensitively) in at least one of `fields`."""
    q = Q()
    for word in (text or "").split():
        part = Q()
        for name in fields:
            part |= Q(**{f"{name}__icontains": word})
        q &= part
    return q
