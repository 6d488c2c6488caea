"""Template helpers of the order pages and of the pages below that link to them (contract page, queues)."""

from __future__ import annotations

from django import template

from orders import permissions

register = template.Library()


@register.simple_tag
def can_order_from_contract(user, contract) -> bool:
    """ "下订单" on a contract page (permissions.can_order_from_contract)."""
    return bool(getattr(user, "is_authenticated", False)) and permissions.can_order_from_contract(user, contract)


@register.simple_tag(takes_context=True)
def allowed_actions(context, doc) -> list[str]:
    """What the user may do on `doc` now, for its buttons: `{% allowed_actions payment as actions %}` (orders.permissions)."""
    return permissions.allowed_actions(doc, context["request"].user)
