"""Navigation and to-do counts for the base layout."""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import SimpleLazyObject

from .compiled import bind, compiled, sql_of
from .navigation import cached_menu_for, menu_key
from .roles import Role, user_roles

NAV_COUNT_CAP = 99  # a badge shows "99+" beyond this: counting stops there, however many steps wait


def counts_sql(counts: dict[str, tuple[QuerySet, int | None]]) -> tuple[str, str, list]:
    """{name: (queryset, cap)} -> (database alias, SQL, params) of one SELECT of a COUNT subquery per queryset (the nav
    badges: one round trip instead of one per badge). A cap counts at most cap + 1 rows (see `_capped`), read in the
    queryset's own order: its list's index gives them in that order and each row's other conditions are checked on that
    row alone, so the count stops after cap + 1. (Unordered, PostgreSQL may pick a join that reads every row first: the
    approvals badge of a manager with 60,000 steps waiting, its anti-join to the requests merged over all of them, took
    24 ms on every page instead of 1 ms.) None counts them all, unordered."""
    parts, params = [], []
    for qs, cap in counts.values():
        sql, qs_params = sql_of(qs.order_by().values("pk") if cap is None else qs.values("pk")[: cap + 1])
        parts.append("0" if sql is None else f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(qs_params)
    return next(iter(counts.values()))[0].db, f"SELECT {', '.join(parts)}", params


def run_counts(names, db: str, sql: str, params) -> dict[str, int]:
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return dict(zip(names, cursor.fetchone(), strict=True))


def counts_in_one_query(counts: dict[str, tuple[QuerySet, int | None]]) -> dict[str, int]:
    """{name: (queryset, cap)} -> {name: its COUNT}, all read in one query (`counts_sql`)."""
    return run_counts(counts, *counts_sql(counts))


def nav_counts_query(user, *, cached: bool = True) -> tuple[str, str, list]:
    """The badges' query of `user`: the steps waiting for them (capped) and their unread notifications; compiled once
    per user model and roles (salesops.core.compiled) — unless not `cached`."""
    from .approvals import steps_waiting_for
    from .notifications import unread_notifications

    roles = user_roles(user)

    def build(pk):
        stand_in = user.__class__(pk=pk)  # a user with these roles and this id (what the query depends on)
        stand_in._salesops_roles = roles
        return counts_sql(
            {"approvals": (steps_waiting_for(stand_in), NAV_COUNT_CAP), "unread": (unread_notifications(stand_in), None)}
        )

    if not cached:
        return build(user.pk)
    db, sql, params = compiled(("nav_counts", user.__class__, roles), build)
    return db, sql, bind(params, user.pk)


def _capped(n: int) -> int | str:
    """A badge's figure: the count, or "99+" beyond NAV_COUNT_CAP."""
    return f"{NAV_COUNT_CAP}+" if n > NAV_COUNT_CAP else n


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def counts():
        n = run_counts(("approvals", "unread"), *nav_counts_query(user))
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
