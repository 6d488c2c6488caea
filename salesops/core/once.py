"""One document for one submission (ARCHITECTURE.md rule 1: two clicks give one effect) — for create forms and POSTs.

A double-click is stopped in the browser; a form sent again (the browser's "resend", a reload of the answer to a POST, a
retry after a network error) is stopped here: the create page's form carries a hidden `once_key` (a fresh UUID each time
the empty form is drawn), an API client may send the header `Idempotency-Key: <uuid>`, and the service stores the key on
the document it creates, in a unique column (`once_key_field()`). The same key again finds that document instead of
making a second one — also when both submissions arrive at once: the second INSERT waits on the unique index and fails,
and `create_once` then finds the first.

The same key must also mean the same request (as Stripe's and the IETF Idempotency-Key draft's): next to the key the
document keeps a fingerprint of what was submitted (`once_fingerprint_field()`: the sha256 of `once_fingerprint(…)`, a
canonical JSON of the validated input the service received — the same helper for the page's form and the API, so a
resent form and a retried call replay). The key again with another fingerprint (another customer, other lines) is
refused (409, 「该提交编号已用于另一份不同的内容…」) and creates nothing: never the first document for a second request.
A document made before fingerprints were kept (an empty one) still replays.

    # the model                         once_key = once_key_field()
    #                                   once_fingerprint = once_fingerprint_field()
    # the form                          class TicketForm(OnceFormMixin, forms.Form): …
    # the service                       return create_once(ServiceTicket, key=key, actor=actor, by="created_by",
    #                                                      fingerprint=once_fingerprint(customer=customer, data=data),
    #                                                      create=lambda: ServiceTicket.objects.create(once_key=key, …),
    #                                                      replayed=lambda t: _("…已登记为 %(number)s…") % …)
    # the page (a resent form)          ok, result = call_for_form(form, lambda: outcome(lambda: svc.…(…)))
    #                                   doc, created = result  → created False: go to it with "没有重复登记"
    # the API (a repeated key)          doc, created = outcome(lambda: svc.…(…, once_key=header_key(request)))
    #                                   → 201 when created, 200 with the existing document when replayed,
    #                                     409 when the same key comes with another body

The key belongs to who submitted it: someone else's key is refused (400), never a way to reach their document.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import Conflict, DomainError

FIELD = "once_key"
FINGERPRINT = "once_fingerprint"
HEADER = "Idempotency-Key"
# a UUID, or empty: an empty header is as good as none (header_key), so it is no error either
UUID_OR_EMPTY = r"^(|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
T = TypeVar("T", bound=models.Model)
# what the schema says of every Idempotency-Key header (once_key_parameter), after the operation's own sentence
REUSED_NOTE = "；同一编号配不同的请求内容（另一客户、其他明细）返回 409，不创建任何内容；他人用过的编号返回 400"


def once_key_field() -> models.UUIDField:
    """The column a created document keeps its submission's key in (null for documents made otherwise)."""
    return models.UUIDField(gettext_lazy("提交编号"), null=True, blank=True, unique=True, editable=False)


def once_fingerprint_field() -> models.CharField:
    """The fingerprint of the submission whose key the document keeps (`once_fingerprint`, sha256 hex); empty for
    documents made otherwise or before fingerprints were kept."""
    return models.CharField(gettext_lazy("提交内容指纹"), max_length=64, blank=True, default="", editable=False)


def once_fingerprint(**inputs) -> str:
    """The fingerprint of a create service's validated input (e.g. `customer=…, data=…, lines=…`): the sha256 hex of its
    canonical JSON — keys sorted, Decimals and dates as strings, model instances as their pks, lists (lines) in order,
    an uploaded file as its name and content digest; the `once_key` itself is left out. The same input from the page's
    form or from the API gives the same fingerprint every time it is sent."""
    text = json.dumps(_canonical(inputs), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return str(value)  # a TextChoices member as its value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):  # 10, 10.0 and 10.00 are one amount
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items() if k != FIELD}
    if isinstance(value, File):
        return {"file": value.name, "sha256": _file_digest(value)}
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, Iterable):  # lines, a queryset of choices
        return [_canonical(v) for v in value]
    return str(value)  # a UUID, a lazy text


def _file_digest(upload: File) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():  # from the start
        digest.update(chunk)
    upload.seek(0)  # for the service that stores it
    return digest.hexdigest()


def submitted_before(model: type[models.Model], key, actor, *, by: str) -> bool:
    """Did `actor` already make a `model` document with the submission key `key` (a form's `once_key`, maybe malformed)?
    For a page that refuses up front what is certain to fail (nothing left to order, say): the resend of the form that
    succeeded is no such failure, it goes on to the service, which answers with the document it made."""
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return False
    return model._default_manager.filter(**{FIELD: key, f"{by}_id": actor.pk}).exists()


class Replayed(Conflict):
    """The same submission came again: `obj` is what the first one created; nothing new was made."""

    code = "already_submitted"

    def __init__(self, message, *, obj):
        super().__init__(message)
        self.obj = obj


def create_once(
    model: type[T], *, key, actor, by: str, fingerprint: str, create: Callable[[], T], replayed: Callable[[T], str]
) -> T:
    """`create()` (which writes `key` into the document's `once_key`; the `fingerprint` of the input, once_fingerprint,
    is written next to it here, in the same savepoint), unless `key` was used already: then `Replayed` with the document
    it made (`replayed(doc)` says so) when the fingerprints agree (or the document kept none), a refusal (409) when the
    key came with another input, or a refusal (400) when it was someone else's (`by`: the document's field naming who
    created it). `key` None: no guard, `create()` as it is."""
    if key is None:
        return create()

    def refuse_if_used() -> None:
        found = model._default_manager.filter(**{FIELD: key}).first()
        if found is None:
            return
        if getattr(found, f"{by}_id") != actor.pk:
            raise DomainError(_("提交编号已被使用，请刷新页面后重新填写。"), code="once_key_taken")
        kept = getattr(found, FINGERPRINT)
        if kept and fingerprint and kept != fingerprint:
            raise Conflict(_("该提交编号已用于另一份不同的内容，请刷新页面后重新提交。"), code="once_key_reused")
        raise Replayed(replayed(found), obj=found)

    refuse_if_used()
    try:
        with transaction.atomic():  # a savepoint: the unique key of a concurrent twin fails only this insert
            made = create()
            if fingerprint:
                model._default_manager.filter(pk=made.pk).update(**{FINGERPRINT: fingerprint})
                setattr(made, FINGERPRINT, fingerprint)
            return made
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
    OpenApiParameter; imported here, not at the top, as the models import this module for `once_key_field`).
    `description` says what the same request again gives; the rules every such header shares are added to it."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=False,
        pattern=UUID_OR_EMPTY,
        description=f"{description}{REUSED_NOTE}",
    )


class OnceFormMixin:
    """A create form's hidden `once_key`: a fresh UUID each time the empty form is drawn; a posted form keeps the one its
    page was given (so the page re-drawn after an error and posted again is still the same submission)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.UUIDField(required=False, widget=forms.HiddenInput())
        if not self.is_bound:
            self.initial[FIELD] = uuid.uuid4()
