"""Who may see which document, for code that works on any document (timeline comments, attachments, approvals).

Each app registers, for each of its document models, the selector that scopes a queryset to what a user may see
(e.g. customers.selectors.customer_list_for). Generic views call `get_visible_or_404`, so a document a user may not see
is a 404 everywhere (ARCHITECTURE.md rule 5).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.http import Http404

_VISIBLE: dict[type[Model], Callable[[object], QuerySet]] = {}
_READS_FILES: dict[type[Model], Callable[[object], bool]] = {}


def register_visibility(model: type[Model], scope: Callable[[object], QuerySet]) -> None:
    _VISIBLE[model] = scope


def register_file_readers(model: type[Model], reads: Callable[[object], bool]) -> None:
    """`reads(user)`: whether a reader of a `model` document may also read its attachments (a signed contract's scan
    shows every price: contracts gives them only to who sees prices). Without a rule, whoever sees the document does."""
    _READS_FILES[model] = reads


def reads_files(model: type[Model], user) -> bool:
    """Whether `user`, who sees a `model` document, may list and download its attachments (the timeline's list, its API,
    the download: a 404 otherwise)."""
    rule = _READS_FILES.get(model)
    return rule is None or bool(rule(user))


def has_visibility(model: type[Model]) -> bool:
    """Whether an app registered who may see `model` documents (register_visibility)."""
    return model in _VISIBLE


def visible_queryset(model: type[Model], user) -> QuerySet:
    scope = _VISIBLE.get(model)
    if scope is None:
        return model._default_manager.none()
    return scope(user)


def get_visible_or_404(model: type[Model], user, pk) -> Model:
    obj = visible_queryset(model, user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def of_visible(queryset: QuerySet, field: str, visible: QuerySet) -> QuerySet:
    """`queryset` narrowed to the rows whose `field` is among `visible` (a selector's queryset of the parent documents):
    unchanged when `visible` is every parent (no condition), so a reader who sees everything is not given a semi-join
    of the whole parent table (the deep page's id query of a list hash-joined it and sorted, ~100 ms at 60,000 rows)."""
    return queryset.filter(**{f"{field}__in": visible}) if visible.query.where else queryset
