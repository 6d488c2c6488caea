"""Template helpers of the quotation and contract pages (the navigation asks whether the user may quote)."""

from __future__ import annotations

from django import template

from contracts import permissions

register = template.Library()


@register.simple_tag
def can_quote(user) -> bool:
    """True when `user` may create quotations (permissions.can_quote); shows "新建报价单" in the menu."""
    return bool(getattr(user, "is_authenticated", False)) and permissions.can_quote(user)
