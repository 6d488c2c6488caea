"""Small helpers every app's services and views share when editing a model from validated input."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from .days import day_range_error
from .errors import DomainError


def assign_fields(obj: models.Model, data: Mapping[str, Any], fields: tuple[str, ...]) -> list[str]:
    """Copy the known `fields` present in `data` onto `obj` (strings stripped); returns the names set. A date outside
    2000–2099 (core.days) is refused naming its field, before anything is set."""
    names = [name for name in fields if name in data]
    for name in names:
        error = day_range_error(data[name], _label(obj, name))
        if error:
            raise DomainError(error, code="invalid_date", field=name)
    for name in names:
        value = data[name]
        setattr(obj, name, value.strip() if isinstance(value, str) else value)
    return names


def _label(obj: models.Model, name: str) -> str:
    try:
        return str(obj._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def required_text(value, message: str) -> str:
    """`value` stripped; a DomainError with `message` (e.g. 「请填写取消原因。」) when it is empty."""
    text = (value or "").strip()
    if not text:
        raise DomainError(message)
    return text


def save_as(obj: models.Model, actor, **kwargs) -> None:
    """Save `obj`, telling simple_history who made the change even outside a request."""
    obj._history_user = actor
    obj.save(**kwargs)


def call_for_form(form, call: Callable[[], Any]) -> tuple[bool, Any]:
    """Run a service call for a form: (True, result), or (False, None) with its DomainError / ValidationError put on the
    form — under the field it names when the form has that field, else above the form (nothing was saved;
    `form.error_status` carries the error's HTTP status for the re-rendered page)."""
    try:
        return True, call()
    except DomainError as e:
        form.add_error(e.field if e.field in form.fields else None, str(e))
        form.error_status = e.status_code
    except ValidationError as e:
        if hasattr(e, "error_dict"):
            for name, errors in e.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, e)
    return False, None
