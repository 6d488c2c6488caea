"""Queries compiled to SQL once and run with each user's id: the few queries every page makes for its user (roles and
profile, the nav badges) cost more to build with the ORM (~1–2 ms each: filters, joins, compiling) than to run.

`compiled(key, build)` calls `build(STAND_IN_PK)` once per `key` — it returns (database alias, SQL, params) of the
query for a stand-in user whose id is STAND_IN_PK — and keeps it; `bind(params, pk)` puts the real user's id where the
stand-in's was. The key must hold everything else the query depends on (e.g. the roles); a test compares the cached
SQL and params with a fresh build for real users, so a query that starts depending on something more is noticed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

STAND_IN_PK = -1_999_999_999  # no row has this id

_SQL: dict = {}


def sql_of(qs: QuerySet) -> tuple[str | None, tuple]:
    """The SQL and params of `qs`; (None, ()) for a queryset that can match nothing (e.g. .none())."""
    try:
        sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    except EmptyResultSet:
        return None, ()
    return sql, tuple(params)


def compiled(key, build: Callable[[int], tuple[str, str, Sequence]]) -> tuple[str, str, tuple]:
    entry = _SQL.get(key)
    if entry is None:
        if len(_SQL) > 1000:  # one entry per kind of query and mix of roles: bounded all the same
            _SQL.clear()
        db, sql, params = build(STAND_IN_PK)
        entry = _SQL[key] = (db, sql, tuple(params))
    return entry


def bind(params: Sequence, pk: int) -> list:
    return [pk if type(p) is int and p == STAND_IN_PK else p for p in params]
