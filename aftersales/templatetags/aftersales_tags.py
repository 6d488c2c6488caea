"""Template filters of the after-sales pages."""

from __future__ import annotations

from django import template

from salesops.core.names import display_name

register = template.Library()


@register.filter
def person(user, empty: str = "—") -> str:
    """A person by name (salesops.core.names.display_name); `empty` when there is nobody: {{ cb.assignee|person:_("客服团队") }}."""
    return display_name(user, empty)
