"""红字冲减单 list: the credit notes of the orders a user may see (orders.selectors.order_list_for), for who handles
money — the page (/orders/credit-notes/), the API (/api/v1/credit-notes/) and the export read this, filtered by
orders.filters.CreditNoteFilter. Reads only; credit notes are written by orders.services.credit_note_create."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from salesops.core.access import of_visible
from salesops.core.search import every_word_q

from .models import CreditNote
from .permissions import handles_money
from .selectors import order_list_for


def credit_note_list_for(user) -> QuerySet[CreditNote]:
    """The credit notes of the orders `user` sees (the order's visibility), newest first; none for a role that does
    not handle money (the warehouse, QC and service)."""
    if not getattr(user, "is_authenticated", False) or not handles_money(user):
        return CreditNote.objects.none()
    qs = CreditNote.objects.select_related("order__customer", "created_by").order_by("-created_at", "-id")
    return of_visible(qs, "order", order_list_for(user))


def credit_note_search_q(text: str) -> Q:
    """Every word in the note's number, its order's number, the customer's name or the source document."""
    return every_word_q(CreditNote, text, "number", "reference", "order__number", "order__customer__name")


def local_midnight(day: date) -> datetime:
    """The start of `day` in the local time zone (Asia/Shanghai): a date filter on a timestamp column."""
    return timezone.make_aware(datetime.combine(day, time.min))
