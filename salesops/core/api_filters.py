"""The filter backend of every API list (settings REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] and the viewsets that name
their backends). Imports nothing of DRF's views: DRF loads it while defining GenericAPIView (like core/pagination.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import SearchFilter

SEARCH_PARAM, Q_PARAM = "search", "q"


def has_q(filterset_class) -> bool:
    return Q_PARAM in getattr(filterset_class, "base_filters", ())


def search_alias_parameter(name: str, other: str) -> dict:
    return {
        "name": name,
        "required": False,
        "in": "query",
        "description": _("搜索：同 %(other)s（两个参数名都可用）；每个词都要在某个搜索字段中出现") % {"other": other},
        "schema": {"type": "string"},
    }


def names_a_filter(params, filterset_class) -> bool:
    """Does the query string carry a parameter of `filterset_class` (its name, or its name with a suffix, as a range's
    `<name>_after` / `<name>_min`)?"""
    names = filterset_class.base_filters
    return any(key in names or key.rpartition("_")[0] in names for key in params)


class ListFilterBackend(DjangoFilterBackend):
    """django-filter's backend (the list's filter set, one set for the page and the API, its errors a 400 naming the
    parameter), which builds no filter set when the request names none of its filters: an unfiltered list (the usual
    first page) skips the set's form and fields (issue 12: ~1–2 ms per answer); the rows are the same, since a filter
    given no value filters nothing. The schema is django-filter's with `search` beside `q` (core.api.ListFilterSchema)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if (
            filterset_class is not None
            and not names_a_filter(request.query_params, filterset_class)
            and not self._search_as_q(request, view, filterset_class)
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)

    @staticmethod
    def _search_as_q(request, view, filterset_class) -> bool:
        """`search` stands for the filter set's `q` on a list without DRF's search (no search_fields): every list takes
        both names (SearchFieldsFilter takes `q` where only `search` searches)."""
        params = request.query_params
        return (
            has_q(filterset_class)
            and not getattr(view, "search_fields", None)
            and SEARCH_PARAM in params
            and Q_PARAM not in params
        )

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if self._search_as_q(request, view, self.get_filterset_class(view, queryset)):
            kwargs["data"] = kwargs["data"].copy()
            kwargs["data"][Q_PARAM] = kwargs["data"][SEARCH_PARAM]
        return kwargs


class SearchFieldsFilter(SearchFilter):
    """DRF's `search`, in the schema only of the lists that have search_fields: elsewhere the filter set's `q` searches
    (and takes `search` too: ListFilterBackend), and a documented `search` that filters nothing would hand a client
    every row. Where the filter set has no `q`, `q` is taken as `search`, so every list searches by either name."""

    def filter_queryset(self, request, queryset, view):
        self.q_is_search = SEARCH_PARAM not in request.query_params and not has_q(getattr(view, "filterset_class", None))
        return super().filter_queryset(request, queryset, view)

    def get_search_terms(self, request):
        if getattr(self, "q_is_search", False):  # DRF makes a backend for each request
            return super().get_search_terms(_QAsSearch(request))
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "search_fields", None):
            return []
        params = super().get_schema_operation_parameters(view)
        if not has_q(getattr(view, "filterset_class", None)):
            params.append(search_alias_parameter(Q_PARAM, SEARCH_PARAM))
        return params


class _QAsSearch:
    """A request whose `search` is its `q`."""

    def __init__(self, request):
        self.query_params = {SEARCH_PARAM: request.query_params.get(Q_PARAM, "")}
