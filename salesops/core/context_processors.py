"""Navigation and to-do counts for the base layout."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .navigation import menu_for
from .roles import Role, user_roles

NAV_COUNT_CAP = 99  # a badge shows "99+" beyond this: counting stops there, however many steps wait


def _capped(qs) -> int | str:
    n = qs.order_by()[: NAV_COUNT_CAP + 1].count()  # no ORDER BY: any NAV_COUNT_CAP + 1 rows will do
    return f"{NAV_COUNT_CAP}+" if n > NAV_COUNT_CAP else n


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def counts():
        from .approvals import steps_waiting_for
        from .notifications import unread_count

        return {"approvals": _capped(steps_waiting_for(user)), "unread": unread_count(user)}

    roles = user_roles(user)
    labels = [str(label) for code, label in Role.choices if code in roles]
    return {
        "nav_roles": roles,
        "nav_role_labels": labels,
        "nav_counts": SimpleLazyObject(counts),
        "nav_menu": SimpleLazyObject(lambda: menu_for(user)),
        "Role": Role,
    }
