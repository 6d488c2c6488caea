"""The activity timeline of any document (ARCHITECTURE.md rule 3): events, comments, attachments, field changes old → new."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Value
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from .errors import DomainError
from .eventtext import (
    HIDDEN_ANNOTATION,
    T,
    choice,
    msgid_of,
    render_changes,
    render_event,
    source_text,
    store_param,
)
from .models import Attachment, Event
from .money import plain

ALLOWED_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".zip": "application/zip",
}


def _display(value, field=None):
    """A value as the timeline shows it: the same string before and after an edit when nothing really changed."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, Decimal):
        places = getattr(field, "decimal_places", None)
        if places is not None:
            try:
                value = value.quantize(Decimal(1).scaleb(-places))
            except InvalidOperation:
                pass
        return format(value, "f")
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The displayable values of `fields` of `obj`, taken before an edit — in the source language (a choice's label, 是/否),
    so a change recorded by someone using the English pages reads in each reader's language (eventtext.render_changes)."""
    with override(settings.LANGUAGE_CODE):
        return _snapshot(obj, fields)


def _snapshot(obj: models.Model, fields: list[str]) -> dict:
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if getattr(field, "choices", None) and not field.is_relation:
            value = dict(field.flatchoices).get(value, value)
        out[name] = _display(value, field)
    return out


LINE_ADDED, LINE_REMOVED = gettext_noop("新增明细"), gettext_noop("删除明细")


def line_changes(old_lines: Iterable[models.Model], new_lines: Iterable[models.Model], fields: Iterable[str]) -> list[dict]:
    """A document's lines replaced whole (a draft's edit) as timeline changes, each naming its line (`line`): the
    `fields` of a kept line that changed old → new (a new line's `kept_pk` names the stored line it keeps), a line added
    or removed with its quantity — never its price: a reader who may not see prices sees the rows that carry them left
    out by field (`register_hidden_fields`)."""
    fields = list(fields)
    old = {line.pk: line for line in old_lines}
    out, kept = [], set()
    for line in new_lines:
        before = old.get(getattr(line, "kept_pk", None))
        if before is None:
            out.append({"line": line.name, "field": "line_added", "label": LINE_ADDED, "old": "", "new": _amount_of(line)})
            continue
        kept.add(before.pk)
        was, now = snapshot(before, fields), snapshot(line, fields)
        out += [
            {
                "line": line.name,
                "field": name,
                "label": msgid_of(line._meta.get_field(name).verbose_name),
                "old": was[name],
                "new": now[name],
            }
            for name in fields
            if was[name] != now[name]
        ]
    out += [
        {"line": line.name, "field": "line_removed", "label": LINE_REMOVED, "old": _amount_of(line), "new": ""}
        for pk, line in old.items()
        if pk not in kept
    ]
    return out


def _amount_of(line) -> str:
    """A line's quantity and unit as the history shows it (“3 台”)."""
    return f"{plain(line.quantity)} {getattr(line, 'unit', '')}".strip()


def changes_between(obj: models.Model, before: dict) -> list[dict]:
    """[{field, label, old, new}] for the fields whose value changed since `snapshot`."""
    after = snapshot(obj, list(before))
    return [
        {"field": name, "label": msgid_of(obj._meta.get_field(name).verbose_name), "old": before[name], "new": after[name]}
        for name in before
        if before[name] != after[name]
    ]


def record_event(
    *,
    target,
    verb: str,
    actor=None,
    text=None,
    params: dict | None = None,
    message: str = "",
    from_status: str = "",
    to_status: str = "",
    changes=None,
) -> Event:
    """Write one timeline row. Call it inside the transaction of the action it records.

    `text` is the untranslated sentence (gettext_noop/gettext_lazy msgid) and `params` its parameters, rendered when shown so each
    reader sees the history in their own language (ARCHITECTURE.md rule 12). `message` alone is text typed by a user, shown as is
    (also accepted from callers not converted yet).
    """
    msgid = msgid_of(text) if text else ""
    stored = {k: store_param(v) for k, v in (params or {}).items()}
    return Event.objects.create(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        verb=verb,
        actor=actor,
        msgid=msgid,
        params=stored,
        message=source_text(msgid, stored) if msgid else str(message),
        from_status=from_status,
        to_status=to_status,
        changes=changes or [],
    )


def record_revision(locked, *, actor, tracked: list[str], change, lines_text, texts: tuple[str, str]) -> None:
    """Revise a locked document with lines (an expense claim, a sales plan): `change()` sets its fields and rewrites its
    lines, the document is saved, and one UPDATED event records the fields that changed (`tracked`) and, when the lines
    did, their new text (`lines_text(doc)`) — `texts`: the msgids with and without the lines (%(lines)s)."""
    before, before_lines = snapshot(locked, tracked), lines_text(locked)
    change()
    locked.save()
    changes, after_lines = changes_between(locked, before), lines_text(locked)
    if changes or after_lines != before_lines:
        with_lines, without_lines = texts
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=with_lines if after_lines != before_lines else without_lines,
            params={"lines": after_lines},
            changes=changes,
        )


def comment_add(*, target, actor, text: str) -> Event:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("评论内容不能为空。"))
    return record_event(target=target, verb=Event.Verb.COMMENT, actor=actor, message=text)


def max_attachment_mb() -> Decimal:
    from .thresholds import threshold

    return threshold("attachment_max_mb", default=Decimal(20))


# The first bytes of the binary types we accept: a renamed .exe is not a PDF. (.docx/.xlsx are zip files.)
_MAGIC = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".zip": (b"PK\x03\x04", b"PK\x05\x06"),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}


def _content_matches(upload, ext: str) -> bool:
    """Does the file start like a file of its extension? (.txt: no NUL bytes in the first block.)"""
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if isinstance(head, str):  # a text-mode file object
        head = head.encode()
    if ext == ".txt":
        return b"\x00" not in head
    return any(head.startswith(magic) for magic in _MAGIC.get(ext, (b"",)))


def _mb(value: Decimal) -> str:
    return format(value.normalize(), "f")


def attachment_add(*, target, actor, upload, kind: str = Attachment.Kind.GENERAL) -> Attachment:
    """Store an uploaded file on a document after checking its type (extension and first bytes) and size.

    The size limit is the admin-editable threshold `attachment_max_mb`. The file row and its timeline event are written together.
    """
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip()
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_ATTACHMENT_TYPES:
        raise DomainError(
            _("不支持的文件类型“%(ext)s”。允许：%(allowed)s")
            % {"ext": ext or "?", "allowed": " ".join(sorted(ALLOWED_ATTACHMENT_TYPES))}
        )
    if kind not in Attachment.Kind.values:
        raise DomainError(_("附件类型不正确。"))
    if not upload.size:
        raise DomainError(_("文件是空的。"))
    limit_mb = max_attachment_mb()
    if upload.size > int(limit_mb * 1024 * 1024):
        raise DomainError(
            _("文件过大（%(size)s），上限为 %(limit)s MB。")
            % {"size": filesizeformat(upload.size).replace("\xa0", " "), "limit": _mb(limit_mb)}
        )
    if not _content_matches(upload, ext):
        raise DomainError(_("文件内容与扩展名“%(ext)s”不符，请上传真实的文件。") % {"ext": ext})
    upload.name = name
    with transaction.atomic():
        attachment = Attachment.objects.create(
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            kind=kind,
            file=upload,
            name=name[:255],
            size=upload.size,
            content_type=ALLOWED_ATTACHMENT_TYPES[ext],
            uploaded_by=actor,
        )
        record_event(
            target=target, verb=Event.Verb.ATTACHMENT, actor=actor, text=gettext_noop("上传附件：%(name)s"), params={"name": name}
        )
    return attachment


# --- who reads which figure of a history (ARCHITECTURE.md rule 5) ----------------------------------------------------
# The app owning a document decides, per model, which of its fields a reader may not see (a contract's prices and amounts
# for the reviewers who judge the goods, a product's standard cost for all but the cost readers): their changes old → new
# and the event parameters of the same name are kept from that reader wherever the history is shown (page, API).
_HIDDEN: dict[type[models.Model], Callable[[object], Iterable[str]]] = {}


def register_hidden_fields(model: type[models.Model], hidden: Callable[[object], Iterable[str]]) -> None:
    """`hidden(reader)`: the names of `model`'s fields (and event parameters) `reader` may not see in its history."""
    _HIDDEN[model] = hidden


def hidden_fields(model: type[models.Model], reader) -> frozenset[str]:
    """What `reader` may not see in the history of a `model` document (nothing when its app registered no rule)."""
    rule = _HIDDEN.get(model)
    return frozenset(rule(reader)) if rule is not None else frozenset()


def events_for(target, reader=None):
    """The timeline of one document, newest first, as `reader` may read it: each event without the changes and
    parameters of the fields the document's app hides from them (`register_hidden_fields`; an event whose every change
    is hidden still shows its own sentence, e.g. "修改合同"). `reader=None`: every figure (the services' own reads).

    What is hidden rides on each row as an annotation (eventtext.HIDDEN_ANNOTATION), so it survives the API's paging and
    the page's slice and every renderer of the rows (Event.text, Event.rendered_changes) leaves it out."""
    events = (
        Event.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    hidden = hidden_fields(type(target), reader) if reader is not None else frozenset()
    if hidden:
        events = events.annotate(**{HIDDEN_ANNOTATION: Value(",".join(sorted(hidden)), output_field=models.CharField())})
    return events


def attachments_for(target):
    return Attachment.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk).select_related(
        "uploaded_by"
    )


__all__ = [
    "T",
    "attachment_add",
    "attachments_for",
    "changes_between",
    "choice",
    "comment_add",
    "events_for",
    "hidden_fields",
    "record_event",
    "register_hidden_fields",
    "render_changes",
    "render_event",
    "snapshot",
]
