"""The activity timeline of any document (ARCHITECTURE.md rule 3): events, comments, attachments, field changes old → new."""
from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import Attachment, Event

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


def _display(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The displayable values of `fields` of `obj`, taken before an edit."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if getattr(field, "choices", None) and not field.is_relation:
            value = dict(field.flatchoices).get(value, value)
        out[name] = _display(value)
    return out


def changes_between(obj: models.Model, before: dict) -> list[dict]:
    """[{field, label, old, new}] for the fields whose value changed since `snapshot`."""
    after = snapshot(obj, list(before))
    return [
        {"field": name, "label": str(obj._meta.get_field(name).verbose_name), "old": before[name], "new": after[name]}
        for name in before
        if before[name] != after[name]
    ]


def record_event(
    *, target, verb: str, actor=None, message: str = "", from_status: str = "", to_status: str = "", changes=None
) -> Event:
    """Write one timeline row. Call it inside the transaction of the action it records."""
    return Event.objects.create(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        verb=verb,
        actor=actor,
        message=str(message),
        from_status=from_status,
        to_status=to_status,
        changes=changes or [],
    )


def comment_add(*, target, actor, text: str) -> Event:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("评论内容不能为空。"))
    return record_event(target=target, verb=Event.Verb.COMMENT, actor=actor, message=text)


def max_attachment_bytes() -> int:
    from .thresholds import threshold

    return int(threshold("attachment_max_mb", default=Decimal("20")) * 1024 * 1024)


def attachment_add(*, target, actor, upload, kind: str = Attachment.Kind.GENERAL) -> Attachment:
    """Store an uploaded file on a document after checking its type (by extension) and size."""
    import os

    name = os.path.basename(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_ATTACHMENT_TYPES:
        raise DomainError(
            _("不支持的文件类型“%(ext)s”。允许：%(allowed)s")
            % {"ext": ext or "?", "allowed": " ".join(sorted(ALLOWED_ATTACHMENT_TYPES))}
        )
    limit = max_attachment_bytes()
    if upload.size > limit:
        raise DomainError(_("文件过大（%(size).1f MB），上限为 %(limit)d MB。") % {"size": upload.size / 1048576, "limit": limit // 1048576})
    if upload.size == 0:
        raise DomainError(_("文件是空的。"))
    if kind not in Attachment.Kind.values:
        raise DomainError(_("附件类型不正确。"))
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
    record_event(target=target, verb=Event.Verb.ATTACHMENT, actor=actor, message=_("上传附件：%(name)s") % {"name": name})
    return attachment


def events_for(target):
    """The timeline of one document, newest first."""
    return (
        Event.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def attachments_for(target):
    return Attachment.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk).select_related(
        "uploaded_by"
    )


__all__ = [
    "attachment_add",
    "attachments_for",
    "changes_between",
    "comment_add",
    "events_for",
    "record_event",
    "snapshot",
]
