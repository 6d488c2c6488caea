"""The filter backend of every API list (settings REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] and the viewsets that name
their backends). Imports nothing of DRF's views: DRF loads it while defining GenericAPIView (like core/pagination.py)."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import SearchFilter


def names_a_filter(params, filterset_class) -> bool:
    """Does the query string carry a parameter of `filterset_class` (its name, or its name with a suffix, as a range's
    `<name>_after` / `<name>_min`)?"""
    names = filterset_class.base_filters
    return any(key in names or key.rpartition("_")[0] in names for key in params)


class ListFilterBackend(DjangoFilterBackend):
    """django-filter's backend (the list's filter set, one set for the page and the API, its errors a 400 naming the
    parameter), which builds no filter set when the request names none of its filters: an unfiltered list (the usual
    first page) skips the set's form and fields (issue 12: ~1–2 ms per answer); the rows are the same, since a filter
    given no value filters nothing. The schema is django-filter's (drf-spectacular matches subclasses)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not names_a_filter(request.query_params, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)


class SearchFieldsFilter(SearchFilter):
    """DRF's `search`, in the schema only of the lists that have search_fields: elsewhere the filter set's `q` searches,
    and a documented `search` that filters nothing would hand a client every row."""

    def get_schema_operation_parameters(self, view):
        return super().get_schema_operation_parameters(view) if getattr(view, "search_fields", None) else []
