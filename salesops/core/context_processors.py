"""Navigation and to-do counts for the base layout."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import SimpleLazyObject

from .navigation import cached_menu_for, menu_key
from .roles import Role, user_roles

NAV_COUNT_CAP = 99  # a badge shows "99+" beyond this: counting stops there, however many steps wait


def counts_in_one_query(counts: dict[str, tuple[QuerySet, int | None]]) -> dict[str, int]:
    """{name: (queryset, cap)} -> {name: its COUNT}, all read in one SELECT of scalar subqueries (the nav badges: one
    round trip instead of one per badge). A cap counts at most cap + 1 rows (see `_capped`); None counts them all."""
    parts, params = [], []
    for qs, cap in counts.values():
        qs = qs.order_by().values("pk")  # no ORDER BY: any cap + 1 rows will do
        if cap is not None:
            qs = qs[: cap + 1]
        try:
            sql, qs_params = qs.query.get_compiler(using=qs.db).as_sql()
        except EmptyResultSet:  # e.g. .none(): nothing to count
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(qs_params)
    with connections[next(iter(counts.values()))[0].db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return dict(zip(counts, row, strict=True))


def _capped(n: int) -> int | str:
    """A badge's figure: the count, or "99+" beyond NAV_COUNT_CAP."""
    return f"{NAV_COUNT_CAP}+" if n > NAV_COUNT_CAP else n


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def counts():
        from .approvals import steps_waiting_for
        from .notifications import unread_notifications

        n = counts_in_one_query(
            {"approvals": (steps_waiting_for(user), NAV_COUNT_CAP), "unread": (unread_notifications(user), None)}
        )
        return {"approvals": _capped(n["approvals"]), "unread": n["unread"]}

    roles = user_roles(user)
    labels = [str(label) for code, label in Role.choices if code in roles]
    key = menu_key(user)
    return {
        "nav_roles": roles,
        "nav_role_labels": labels,
        "nav_counts": SimpleLazyObject(counts),
        "nav_menu": SimpleLazyObject(lambda: cached_menu_for(user, key)),
        "nav_menu_key": key,
        "Role": Role,
    }
