"""One document for one submission (ARCHITECTURE.md rule 1: two clicks give one effect) — for create forms and POSTs.

A double-click is stopped in the browser; a form sent again (the browser's "resend", a reload of the answer to a POST, a
retry after a network error) is stopped here: the create page's form carries a hidden `once_key` (a fresh UUID each time
the empty form is drawn), an API client may send the header `Idempotency-Key: <uuid>`, and the service stores the key on
the document it creates, in a unique column (`once_key_field()`). The same key again finds that document instead of
making a second one — also when both submissions arrive at once: the second INSERT waits on the unique index and fails,
and `create_once` then finds the first.

    # the model                         once_key = once_key_field()
    # the form                          class TicketForm(OnceFormMixin, forms.Form): …
    # the service                       return create_once(ServiceTicket, key=key, actor=actor, by="created_by",
    #                                                      create=lambda: ServiceTicket.objects.create(once_key=key, …),
    #                                                      replayed=lambda t: _("…已登记为 %(number)s…") % …)
    # the page (a resent form)          ok, result = call_for_form(form, lambda: outcome(lambda: svc.…(…)))
    #                                   doc, created = result  → created False: go to it with "没有重复登记"
    # the API (a repeated key)          doc, created = outcome(lambda: svc.…(…, once_key=header_key(request)))
    #                                   → 201 when created, 200 with the existing document when replayed

The key belongs to who submitted it: someone else's key is refused (400), never a way to reach their document.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import Conflict, DomainError

FIELD = "once_key"
HEADER = "Idempotency-Key"
# a UUID, or empty: an empty header is as good as none (header_key), so it is no error either
UUID_OR_EMPTY = r"^(|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
T = TypeVar("T", bound=models.Model)


def once_key_field() -> models.UUIDField:
    """The column a created document keeps its submission's key in (null for documents made otherwise)."""
    return models.UUIDField(gettext_lazy("提交编号"), null=True, blank=True, unique=True, editable=False)


class Replayed(Conflict):
    """The same submission came again: `obj` is what the first one created; nothing new was made."""

    code = "already_submitted"

    def __init__(self, message, *, obj):
        super().__init__(message)
        self.obj = obj


def create_once(model: type[T], *, key, actor, by: str, create: Callable[[], T], replayed: Callable[[T], str]) -> T:
    """`create()` (which writes `key` into the document's `once_key`), unless `key` was used already: then `Replayed`
    with the document it made (`replayed(doc)` says so), or a refusal when it was someone else's (`by`: the document's
    field naming who created it). `key` None: no guard, `create()` as it is."""
    if key is None:
        return create()

    def refuse_if_used() -> None:
        found = model._default_manager.filter(**{FIELD: key}).first()
        if found is None:
            return
        if getattr(found, f"{by}_id") != actor.pk:
            raise DomainError(_("提交编号已被使用，请刷新页面后重新填写。"), code="once_key_taken")
        raise Replayed(replayed(found), obj=found)

    refuse_if_used()
    try:
        with transaction.atomic():  # a savepoint: the unique key of a concurrent twin fails only this insert
            return create()
    except IntegrityError:
        refuse_if_used()  # the twin committed first: its document is the answer
        raise


def outcome(call: Callable[[], Any]) -> tuple[Any, bool]:
    """(document, True) when `call()` created it, (the earlier document, False) when it was a resent submission."""
    try:
        return call(), True
    except Replayed as e:
        return e.obj, False


def header_key(request) -> uuid.UUID | None:
    """The `Idempotency-Key` header of an API request as a UUID (None when not sent); anything else is refused."""
    raw = (request.headers.get(HEADER) or "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise DomainError(_("Idempotency-Key 应为 UUID，例如 %(example)s。") % {"example": uuid.uuid4()}) from None


def once_key_parameter(description: str):
    """The optional `Idempotency-Key` header of a POST that makes something, for the API schema (drf-spectacular's
    OpenApiParameter; imported here, not at the top, as the models import this module for `once_key_field`)."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, pattern=UUID_OR_EMPTY, description=description
    )


class OnceFormMixin:
    """A create form's hidden `once_key`: a fresh UUID each time the empty form is drawn; a posted form keeps the one its
    page was given (so the page re-drawn after an error and posted again is still the same submission)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.UUIDField(required=False, widget=forms.HiddenInput())
        if not self.is_bound:
            self.initial[FIELD] = uuid.uuid4()
