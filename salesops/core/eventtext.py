"""Event sentences stored as a msgid and parameters, rendered in the reader's language (ARCHITECTURE.md rule 12).

Kept apart from timeline.py so the Event model can render itself without an import cycle (models ← timeline).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override


def msgid_of(text) -> str:
    """The untranslated source string of a gettext_lazy/gettext_noop value (a plain str is its own msgid)."""
    if isinstance(text, Promise) and getattr(text, "_args", None):
        return str(text._args[0])
    return str(text)


def T(text) -> dict:
    """A parameter translated when the event is shown (a label inside a sentence): `T(gettext_noop("含税金额"))`."""
    return {"_t": msgid_of(text)}


def sentence(msgid: str, params) -> dict:
    """A parameter that is itself a stored sentence (an approval's title inside a notification), rendered in the reader's
    language with its own parameters."""
    return {"_s": msgid, "p": params or {}}


def choice(obj, field: str = "status", value=None) -> dict:
    """A parameter holding a choice code of `obj`'s `field`, shown as that choice's label in the reader's language."""
    return {"_c": f"{obj._meta.label}.{field}", "v": getattr(obj, field) if value is None else value}


def _choice_label(ref: dict) -> str:
    try:
        app_label, model_name, field_name = ref["_c"].split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        return str(dict(field.flatchoices).get(ref["v"], ref["v"]))
    except (LookupError, ValueError, KeyError, AttributeError, TypeError):
        return str(ref.get("v", ""))


def _param(value, translate) -> str | int | float:
    """One stored parameter as text: `{"_t": msgid}` through gettext, `{"_c": label path, "v": code}` through the field's choices."""
    if isinstance(value, dict):
        if "_t" in value:
            return translate(str(value["_t"])) if value["_t"] else ""
        if "_c" in value:
            return _choice_label(value)
        if "_s" in value:
            return format_event_text(str(value["_s"]), value.get("p"), translate)
        return str(value)
    if isinstance(value, list):
        return translate("、").join(str(_param(v, translate)) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return "" if value is None else str(value)


def format_event_text(msgid: str, params, translate=_) -> str:
    """`translate(msgid) % params`, never raising: a missing, extra or badly typed parameter falls back to the source string."""
    if not msgid:
        return ""
    try:
        rendered = {k: _param(v, translate) for k, v in (params or {}).items()} if isinstance(params, dict) else {}
    except Exception:  # noqa: BLE001 — a page never breaks on a stored row
        rendered = {}
    for template in (translate(msgid), msgid):
        try:
            return template % rendered if "%" in template else template
        except (KeyError, ValueError, TypeError):
            continue
    extra = "; ".join(f"{k}={v}" for k, v in rendered.items())
    return f"{msgid} ({extra})" if extra else msgid


def store_param(value):
    """A parameter as JSON: translatable refs stay dicts, lazy strings become their msgid ref, numbers stay numbers, the rest text."""
    if isinstance(value, dict):
        return value
    if isinstance(value, Promise):
        return T(value)
    if isinstance(value, (list, tuple)):
        return [store_param(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return "" if value is None else str(value)


def source_text(msgid: str, params) -> str:
    """The sentence in the source language (zh-hans), kept in `Event.message` for search and as the fallback."""
    with override(settings.LANGUAGE_CODE):
        return format_event_text(msgid, params, translate=_)


# The fields of an event's document its reader may not see, as "a,b" on each row of their timeline
# (salesops.core.timeline.events_for, from the rule the document's app registered): left out when the event is rendered.
HIDDEN_ANNOTATION = "hidden_from_reader"
HIDDEN_VALUE = "***"  # a parameter the reader may not see, in its sentence


def hidden_of(event) -> frozenset[str]:
    return frozenset(name for name in (getattr(event, HIDDEN_ANNOTATION, "") or "").split(",") if name)


def render_event(event) -> str:
    """The event's sentence in the active language: its msgid and params if it has them, else the stored text; a
    parameter hidden from the reader (`hidden_of`) reads ***."""
    if event.msgid:
        hidden, params = hidden_of(event), event.params
        if hidden and isinstance(params, dict):
            params = {k: HIDDEN_VALUE if k in hidden else v for k, v in params.items()}
        return format_event_text(event.msgid, params)
    return event.message


def _field_of(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 — the field may be gone; the stored label is the fallback
        return None


def _in_languages(value) -> set[str]:
    out = set()
    for code, _name in settings.LANGUAGES:
        with override(code):
            out.add(str(value))
    return out


def render_changes(event) -> list[dict]:
    """The field changes in the active language: labels from the field's verbose_name, choice and yes/no values re-translated.

    Stored values were the labels in the actor's language; a value that is a label of the field's choices (in any language)
    is shown as that choice's label now. A label of a field the document does not have (its review sheet's, a line's) is
    translated when the catalogue knows it (changes are stored with source-language labels: timeline.changes_between).
    The changes of fields hidden from the reader (`hidden_of`) are left out.
    """
    model = ContentType.objects.get_for_id(event.target_type_id).model_class() if event.target_type_id else None
    hidden = hidden_of(event)  # the fields the reader may not see: their changes are left out
    out = []
    for change in event.changes or []:
        if not isinstance(change, dict) or change.get("field", "") in hidden:
            continue
        field = _field_of(model, change.get("field", "")) if model else None
        label, old, new = change.get("label", change.get("field", "")), change.get("old", ""), change.get("new", "")
        if field is None:  # a field of a related document (a contract's review sheet): its label and yes/no as stored
            label = _(str(label)) if label else label
            old, new = (_(v) if v in ("是", "否") else v for v in (old, new))
        else:
            if not label or label in _in_languages(field.verbose_name):
                label = str(field.verbose_name)
            values = {}
            if getattr(field, "choices", None) and not field.is_relation:
                values = {text: lbl for _v, lbl in field.flatchoices for text in _in_languages(lbl) | {str(_v)}}
            elif isinstance(field, models.BooleanField):
                values = {text: _(word) for word in ("是", "否") for text in _in_languages(gettext_lazy(word))}
            old, new = (str(values.get(v, v)) if isinstance(v, str) else v for v in (old, new))
        if change.get("line"):  # a change of one of the document's lines: named by it
            label = f"{change['line']}：{label}"
        out.append({"field": change.get("field", ""), "label": str(label), "old": old, "new": new})
    return out
