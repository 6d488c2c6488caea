"""The one pagination class of every paginated API endpoint (settings REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]);
the list pages use core.pages.paginate with the same bounds. Imports nothing of DRF's views: DRF loads it while
defining GenericAPIView."""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination

from .pages import MAX_PAGE_SIZE, MIN_PAGE_SIZE, PAGE_SIZE, ListPaginator, parse_page_size


class SyncCursorPagination(pagination.CursorPagination):
    """`?cursor=` pages in creation order (by id): a row inserted during a sync comes on a later page, none is skipped
    or repeated. The filters of the endpoint still apply; its `ordering` does not."""

    ordering = ("pk",)

    def get_ordering(self, request, queryset, view):
        return self.ordering


class Pagination(pagination.PageNumberPagination):
    """Page numbers (`?page=`, `?page_size=` 1–200, default 25, `count` of all rows), or, for clients that sync
    everything, a cursor (`?cursor=` empty for the first page, then the `next` link until it is null; `page_size` too).
    A page size outside 1–200 or not a number is a 400 naming `page_size`, never silently replaced; so is a `page`
    that is not a number from 1 (a page past the last is a 404); a `page` beside a
    `cursor` is a 400 naming `page` (the two are different ways of paging), an empty one is unset."""

    django_paginator_class = ListPaginator
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
            self.check_page_number(request)
            return super().paginate_queryset(queryset, request, view)
        if request.query_params.get(self.page_query_param):
            raise exceptions.ValidationError({self.page_query_param: [_("按游标分页时不能同时指定页码 page")]})
        self.cursor = SyncCursorPagination()
        self.cursor.page_size = self.get_page_size(request)
        return self.cursor.paginate_queryset(queryset, request, view)

    def check_page_number(self, request) -> None:
        """A `page` that is not a whole number from 1 (or "last") is a 400 naming it; a page past the last stays DRF's
        404 (the page does not exist)."""
        page = (request.query_params.get(self.page_query_param) or "").strip()
        if page and page not in self.last_page_strings and not (page.isascii() and page.isdigit() and int(page) >= 1):
            raise exceptions.ValidationError(
                {self.page_query_param: [_("页码应为从 1 起的整数（填写的是“%(value)s”）。") % {"value": page[:20]}]}
            )

    def paginate_rows(self, queryset, values, request, view=None) -> list[dict] | None:
        """The page's rows of `queryset` as `values(queryset)` reads them (dicts with `pk`; core.api.RowPlan), counted
        on `queryset` itself; with `?cursor=` the cursor's page of `values(queryset)`."""
        if self.cursor_query_param in request.query_params:
            return self.paginate_queryset(values(queryset), request, view)
        self.django_paginator_class = partial(ListPaginator, values=values)
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
