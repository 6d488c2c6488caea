"""The search box of every list: each word typed must be found in one of the searched fields.

The fields may lie on the document (`number`) or on a related row (`customer__name`, `order__customer__name`). A
single WHERE testing columns of two joined tables for one word cannot be answered from indexes: PostgreSQL would test
every row of the join. So each word becomes one set of the document's ids, the UNION of one subquery per table —
`pk IN (SELECT id FROM the documents WHERE their columns match UNION SELECT id FROM the documents WHERE customer_id IN
(SELECT id FROM customers WHERE their columns match))` — each served by that table's trigram indexes
(salesops/core/trigram.py) and the document's foreign-key index; a table two relations away is reached by one
subquery per relation (`order_id IN (SELECT id FROM orders WHERE customer_id IN (…))`), not by joining every document
to its order. One IN of a UNION is a semi-join PostgreSQL estimates and plans as such (the few matching documents
read by their ids, then sorted); an OR of several INs it can only test row by row, walking the whole list's index
(a rare word over 60,000 tickets: 85 ms, now a few ms). SQLite runs the same subqueries by scanning."""

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
    """Rows of `model` where every word of `text` is contained (case-insensitively) in at least one of `fields` (on the
    row, on a row it points to, or on the rows pointing at it: `contacts__mobile`)."""
    groups = _by_table(model, fields)
    q = Q()
    for word in (text or "").split():
        if list(groups) == [""]:  # the document's own columns only: one condition on its table
            q &= _matches(word, groups[""][1])
            continue
        found = [_ids_where(model, path, target, columns, word) for path, (target, columns) in groups.items()]
        q &= Q(pk__in=found[0].union(*found[1:]))
    return q


def _ids_where(model: type[Model], path: str, target: type[Model], columns: list[str], word: str):
    """The ids of `model` rows whose `columns` of `target` (reached through `path`, "" for the row itself) contain
    `word`."""
    matching = _matches(word, columns)
    if path and "__" not in path and model._meta.get_field(path).one_to_many:
        # rows pointing at the document (a customer's contacts): their own key to it, read from their index, no join
        return target._base_manager.filter(matching).order_by().values(model._meta.get_field(path).field.attname)
    if path:
        matching = _leads_to(model, path, target._base_manager.filter(matching).order_by().values("pk"))
    return model._base_manager.filter(matching).order_by().values("pk")


def _leads_to(model: type[Model], path: str, ids) -> Q:
    """Rows of `model` whose relation `path` ("customer", "order__customer") leads to one of `ids`: one IN subquery per
    relation, so each table is narrowed by its own index (a shipment's customer through its order: the orders of the
    matching customers, by the order's customer index), where `order__customer__in` would join every shipment to its
    order first (the shipment search at 60,000 rows: 59 ms, all of it in that join)."""
    step, _sep, rest = path.partition("__")
    if not rest:
        return Q(**{f"{step}__in": ids})
    related = model._meta.get_field(step).related_model
    return Q(**{f"{step}__in": related._base_manager.filter(_leads_to(related, rest, ids)).order_by().values("pk")})
