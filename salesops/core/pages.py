"""Small helpers every app's HTML views share (the page side of ARCHITECTURE.md rule 6)."""

from __future__ import annotations

from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext as _

# --- pagination: the same page sizes on every list page and API endpoint (the API's class is core.api.Pagination) -----
PAGE_SIZE = 25
MIN_PAGE_SIZE, MAX_PAGE_SIZE = 1, 200
PAGE_SIZE_CHOICES = (10, 25, 50, 100, 200)  # the sizes the pager offers


def page_size_error() -> str:
    return _("每页条数 page_size 必须是 %(min)d 到 %(max)d 之间的整数。") % {"min": MIN_PAGE_SIZE, "max": MAX_PAGE_SIZE}


def parse_page_size(raw: str | None, default: int = PAGE_SIZE) -> int:
    """The `page_size` parameter: `default` when absent or empty; ValueError (page_size_error()) outside 1–200."""
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not MIN_PAGE_SIZE <= int(raw) <= MAX_PAGE_SIZE:
        raise ValueError(page_size_error())
    return int(raw)


def post_data(request):
    """request.POST for a POST, None otherwise (so a form is bound only when submitted)."""
    return request.POST if request.method == "POST" else None


def forbidden(request, message: str) -> HttpResponse:
    """403 page: the user may see this but not do it."""
    return render(request, "core/error.html", {"error": message}, status=403)


def form_status(*forms) -> int:
    """200 for a fresh page; the service error's status (or 400) for a re-rendered one."""
    for form in forms:
        if form is not None and getattr(form, "error_status", None):
            return form.error_status
    return 400 if any(f is not None and f.is_bound for f in forms) else 200


def querystring(request, *drop: str) -> str:
    """The current query string without `drop` (for pagination and sort links that keep the filters)."""
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


_UNIQUE_LAST = frozenset({"id", "-id", "pk", "-pk"})


def _totally_ordered(rows: QuerySet) -> bool:
    """True when `rows` are ordered by field names ending with the id (no ties: the reversed order is exactly the
    order read backwards, NULLs included, on PostgreSQL and SQLite alike)."""
    query = rows.query
    order = query.order_by or (query.default_ordering and rows.model._meta.ordering) or ()
    return not query.extra_order_by and bool(order) and all(isinstance(o, str) for o in order) and order[-1] in _UNIQUE_LAST


class ListPaginator(Paginator):
    """Django's paginator, with a deep page as fast as the first: beyond page 1 it reads the page's ids first (an
    index-only scan of the list's ordering index, without the joins of select_related), then those rows, so
    OFFSET skips index entries rather than joined rows; past the middle of the list it reads those ids backwards from
    the end (OFFSET count − top in the reversed order), so the last page skips as few rows as the first. Used by the
    list pages and the API (core.pagination)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = self.object_list
        if bottom == 0 or not isinstance(rows, QuerySet) or rows.query.distinct or rows.query.combinator:
            return self._get_page(rows[bottom:top], number, self)
        if bottom > self.count // 2 and _totally_ordered(rows):
            ids = list(rows.reverse().values_list("pk", flat=True)[self.count - top : self.count - bottom])[::-1]
        else:
            ids = list(rows.values_list("pk", flat=True)[bottom:top])
        by_id = {row.pk: row for row in rows.filter(pk__in=ids).order_by()}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)


_PK_MARK = 2147483647


_ROW_URLS: dict[tuple, tuple[str, str]] = {}


def row_url(name: str):
    """reverse(name, args=[pk]) for every row of a list, reversed once per URL configuration: `row_url(name)(pk)`
    puts the pk in the URL (a list of 100 rows reversed its detail URL 100 times)."""
    key = (get_urlconf(), get_script_prefix(), name)
    parts = _ROW_URLS.get(key)
    if parts is None:
        parts = _ROW_URLS[key] = tuple(reverse(name, args=[_PK_MARK]).split(str(_PK_MARK), 1))
    prefix, suffix = parts
    return lambda pk: f"{prefix}{pk}{suffix}"


def choice_labels(choices) -> dict:
    """{value: label} of a field's choices in the current language, translated once for a whole page of rows."""
    return {value: str(label) for value, label in choices}


def paginate(request, rows, default: int = PAGE_SIZE) -> Page:
    """The page of `rows` a list page shows: `?page=` (out of range: the nearest page) and `?page_size=` bounded like
    the API's; on a page a size outside 1–200 is clamped into the bounds (a pager link never breaks the page) while the
    API answers 400. The page carries `size_links` for the pager (each size with the current filters kept)."""
    raw = request.GET.get("page_size")
    try:
        size = parse_page_size(raw, default)
    except ValueError:
        size = min(max(int(raw), MIN_PAGE_SIZE), MAX_PAGE_SIZE) if raw.isascii() and raw.isdigit() else default
    page = ListPaginator(rows, size).get_page(request.GET.get("page"))
    keep = querystring(request, "page", "page_size")
    page.page_size = size
    page.size_links = [
        {"size": n, "query": f"{keep}&page_size={n}" if keep else f"page_size={n}", "active": n == size}
        for n in sorted({*PAGE_SIZE_CHOICES, size})
    ]
    return page


def form_page(
    request,
    form,
    *,
    title: str,
    cancel_url: str,
    submit_label: str = "",
    intro: str = "",
    testid: str = "entity-form",
    multipart: bool = False,
    grid: bool = False,
    template: str = "core/form.html",
    extra: dict | None = None,
) -> HttpResponse:
    """The one page for a single form (core/form.html): 200 fresh, 400 (or the service error's status) re-rendered.

    `grid` lays short fields out in columns; a form with `sections` ([(title, [bound fields])]) is laid out by section.
    """
    from django.utils.translation import gettext as _

    context = {
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "submit_label": submit_label or _("保存"),
        "intro": intro,
        "testid": testid,
        "multipart": multipart,
        "grid": grid,
        **(extra or {}),
    }
    return render(request, template, context, status=form_status(form))


# --- the header buttons of a document page: one per allowed action (the app's permissions), in the order given ----
class Button(NamedTuple):
    label: str
    style: str
    reason: bool = False  # POST with a reason (the service takes `reason`)
    page: str = ""  # a link to this page (its own form) instead of a POST of the action
    icon: str = ""
    testid: str = ""


def action_buttons(spec: dict[str, Button], actions: list[str], doc, action_url: str, confirm: dict) -> list[dict]:
    """The header buttons of a document page: links to the action's own page, or forms posting the action
    (through the confirmation dialog, core/_confirm_reason.html, where `confirm` states the action's consequence)."""
    out = []
    for name in actions:
        if name not in spec:
            continue  # shown where it belongs on the page (e.g. withdrawing a pending change)
        b = spec[name]
        url = reverse(b.page, args=[doc.pk]) if b.page else reverse(action_url, args=[doc.pk, name])
        out.append(
            {
                "name": name,
                "label": b.label,
                "style": b.style,
                "reason": b.reason,
                "link": bool(b.page),
                "url": url,
                "icon": b.icon,
                "testid": b.testid or f"action-{name}",
                "confirm": confirm.get(name, ""),
            }
        )
    return out
