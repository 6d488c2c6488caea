"""The search box of every list: each word typed must be found in one of the searched fields.

The fields may lie on the document (`number`) or on a related row (`customer__name`, `order__customer__name`). A
single WHERE testing columns of two joined tables for one word cannot be answered from indexes: PostgreSQL would test
every row of the join. So each word becomes one condition per table — `pk IN (SELECT id FROM the document's table WHERE
its columns match)` OR `customer_id IN (SELECT id FROM customers WHERE their columns match)` — each subquery served by
that table's trigram indexes (salesops/core/trigram.py), the outer query only probing the matching ids. SQLite runs
the same subqueries by scanning."""

from __future__ import annotations

from django.db.models import Model, Q


def _matches(word: str, fields: list[str]) -> Q:
    part = Q()
    for name in fields:
        part |= Q(**{f"{name}__icontains": word})
    return part


def _by_table(model: type[Model], fields: tuple[str, ...]) -> dict[str, tuple[type[Model], list[str]]]:
    """{relation path ("" for the document itself, "customer", "order__customer"): (its model, its searched columns)}."""
    groups: dict[str, tuple[type[Model], list[str]]] = {}
    for name in fields:
        path, _sep, column = name.rpartition("__")
        target = model
        for step in path.split("__") if path else ():
            target = target._meta.get_field(step).related_model
        groups.setdefault(path, (target, []))[1].append(column)
    return groups


def every_word_q(model: type[Model], text: str, *fields: str) -> Q:
    """Rows of `model` where every word of `text` is contained (case-insensitively) in at least one of `fields`."""
    groups = _by_table(model, fields)
    q = Q()
    for word in (text or "").split():
        if list(groups) == [""]:  # the document's own columns only: one condition on its table
            q &= _matches(word, groups[""][1])
            continue
        part = Q()
        for path, (target, columns) in groups.items():
            ids = target._base_manager.filter(_matches(word, columns)).values("pk")
            part |= Q(**{f"{path}__in" if path else "pk__in": ids})
        q &= part
    return q
