"""The one pagination class of every paginated API endpoint (settings REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]);
the list pages use core.pages.paginate with the same bounds. Imports nothing of DRF's views: DRF loads it while
defining GenericAPIView."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination

from .pages import MAX_PAGE_SIZE, MIN_PAGE_SIZE, PAGE_SIZE, ListPaginator, parse_page_size


def total_ordering(queryset) -> bool:
    """Does `queryset` order its rows completely (its last ordering key the primary key or another unique column)? Only
    then is the reversed order exactly the mirror image of the order (a page read from the end is the same page)."""
    query = queryset.query
    ordering = query.order_by or (query.default_ordering and queryset.model._meta.ordering) or ()
    if not ordering or query.extra_order_by:
        return False
    last = ordering[-1]
    if isinstance(last, OrderBy | F):
        last = last.expression if isinstance(last, OrderBy) else last
        last = getattr(last, "name", "")
    if not isinstance(last, str):
        return False
    name = last.removeprefix("-")
    if name == "pk":
        return True
    try:
        field = queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return bool(field.primary_key or field.unique) and not field.null


class ApiPaginator(ListPaginator):
    """The paginator of the API's page numbers: ListPaginator (counts the filtered queryset as it is; beyond page 1 the
    page's ids first, an index scan of the list's ordering without the joins of the rows), and a page in the second
    half of a completely ordered list read from the end (the reversed order, a short OFFSET, the rows turned back), so
    the last pages cost what the first ones do.

    With `values` (core.api.ListRowsMixin: a function giving the values() queryset of the list's rows, each with its
    `pk`) the page is read as those dicts; the count stays on the queryset itself (no join of the rows' columns)."""

    def __init__(self, object_list, per_page, *, values=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.values = values

    def page(self, number):
        rows = self.object_list
        if self.values is None and not isinstance(rows, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        read = self.values or (lambda queryset: queryset)
        if bottom == 0 or rows.query.distinct or rows.query.combinator:
            return self._get_page(list(read(rows)[bottom:top]), number, self)
        if bottom > self.count - top and total_ordering(rows):
            tail = list(read(rows.reverse())[self.count - top : self.count - bottom])
            return self._get_page(tail[::-1], number, self)
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        found = read(rows.filter(pk__in=ids).order_by())
        by_id = {row["pk"]: row for row in found} if self.values else {row.pk: row for row in found}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)


class SyncCursorPagination(pagination.CursorPagination):
    """`?cursor=` pages in creation order (by id): a row inserted during a sync comes on a later page, none is skipped
    or repeated. The filters of the endpoint still apply; its `ordering` does not."""

    ordering = ("pk",)

    def get_ordering(self, request, queryset, view):
        return self.ordering


class Pagination(pagination.PageNumberPagination):
    """Page numbers (`?page=`, `?page_size=` 1–200, default 25, `count` of all rows), or, for clients that sync
    everything, a cursor (`?cursor=` empty for the first page, then the `next` link until it is null; `page_size` too).
    A page size outside 1–200 or not a number is a 400 naming `page_size`, never silently replaced."""

    django_paginator_class = ApiPaginator
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = "cursor"
    cursor = None

    def get_page_size(self, request):
        try:
            return parse_page_size(request.query_params.get(self.page_size_query_param), self.page_size)
        except ValueError as exc:
            raise exceptions.ValidationError({self.page_size_query_param: [str(exc)]}) from exc

    def paginate_queryset(self, queryset, request, view=None):
        if self.cursor_query_param not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        self.cursor = SyncCursorPagination()
        self.cursor.page_size = self.get_page_size(request)
        return self.cursor.paginate_queryset(queryset, request, view)

    def paginate_rows(self, queryset, values, request, view=None) -> list[dict] | None:
        """The page's rows of `queryset` as `values(queryset)` reads them (dicts with `pk`; core.api.RowPlan), counted
        on `queryset` itself; with `?cursor=` the cursor's page of `values(queryset)`."""
        if self.cursor_query_param in request.query_params:
            return self.paginate_queryset(values(queryset), request, view)
        self.django_paginator_class = partial(ApiPaginator, values=values)
        return self.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["required"] = ["results"]  # `count` only with page numbers
        out["properties"]["count"]["description"] = _("全部行数（游标分页时不返回）")
        return out

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": MIN_PAGE_SIZE, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE}
                param["description"] = _("每页条数，1–200，默认 25；超出范围返回 400")
        params.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": _(
                    "同步用的游标分页：首页传空值，之后沿 next 链接翻页，按创建顺序，同步期间新增的行不会漏也不会重复"
                ),
                "schema": {"type": "string"},
            }
        )
        return params
