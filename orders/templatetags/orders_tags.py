"""Template helpers of the order pages and of the pages below that link to them (navigation, contract page)."""

from __future__ import annotations

from django import template

from orders import permissions

register = template.Library()


@register.simple_tag
def is_order_clerk(user) -> bool:
    """True when `user` processes orders (permissions.is_clerk); shows "新建订单" in the menu."""
    return bool(getattr(user, "is_authenticated", False)) and permissions.is_clerk(user)


@register.simple_tag
def can_order_from_contract(user, contract) -> bool:
    """ "下订单" on a contract page (permissions.can_order_from_contract)."""
    return bool(getattr(user, "is_authenticated", False)) and permissions.can_order_from_contract(user, contract)
