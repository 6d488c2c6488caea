"""Small helpers every app's HTML views share (the page side of ARCHITECTURE.md rule 6)."""

from __future__ import annotations

import uuid
from typing import NamedTuple

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy
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


# --- work pages (the clerk's, finance's, the warehouse's, the service desk): each table shows its first QUEUE_ROWS rows
# and its exact count, with a link to its whole list (the list filtered by the queue), paged and searchable there ------
QUEUE_ROWS = 20


def queue_head(rows, size: int = QUEUE_ROWS) -> tuple[list, int]:
    """A work queue's first `size` rows (a queryset or anything sliced in the database) and its exact count: a queue
    shorter than that is counted by its rows, with no COUNT (the work pages and their API)."""
    items = list(rows[:size])
    return items, len(items) if len(items) < size else rows.count()


def post_data(request):
    """request.POST for a POST, None otherwise (so a form is bound only when submitted)."""
    return request.POST if request.method == "POST" else None


def forbidden(request, message: str) -> HttpResponse:
    """403 page: the user may see this but not do it."""
    return render(request, "core/error.html", {"error": message}, status=403)


def refused_page(request, *, title, refusal: str, back_url: str, back_label, conflict: bool = False) -> HttpResponse:
    """The page of an action certain to fail (the rule the service refuses it by says so already): why, and the way back,
    instead of a form that could only come back with the same message. A POST is refused the same way: 409 for a document
    in the wrong state (`conflict`), else 400; a GET is 200."""
    status = (409 if conflict else 400) if request.method == "POST" else 200
    context = {"title": title, "refusal": refusal, "back_url": back_url, "back_label": back_label}
    return render(request, "core/refused.html", context, status=status)


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


def total_ordering(queryset: QuerySet) -> bool:
    """Does `queryset` order its rows completely (its last ordering key the primary key or another unique, non-null
    column)? Only then is the reversed order exactly the mirror image of the order (NULLs included, on PostgreSQL and
    SQLite alike), so a page read from the end is the same page."""
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


# A page past the middle read backwards skips the rows after it: up to this many are read with the page's joins (cheaper
# than a second query); beyond, their ids come first like a page before the middle (the approvals inbox, 20 a page: the
# bench's deep page skipped 12,000 joined steps, ~58 ms, instead of as many index entries).
TAIL_ROWS_READ_DIRECTLY = 200


class ListPaginator(Paginator):
    """Django's paginator, with a deep page as fast as the first, for the list pages and the API (core.pagination):
    page 1 reads one row more than it shows, and when that row does not come the rows read are the count (no COUNT:
    a search or a filtered list of a few rows reads them once); else the count is on the filtered queryset as it is,
    once the rows are read; beyond page 1 the page's ids come first (an index-only scan of the
    list's ordering index, without the joins of select_related), then those rows, so OFFSET skips index entries rather
    than joined rows; a page in the second half of a completely ordered list is read from the end (the reversed order,
    a short OFFSET, the rows turned back; its ids first when more than TAIL_ROWS_READ_DIRECTLY rows follow it), so the
    last pages cost what the first ones do.

    With `values` (core.api.ListRowsMixin: a function giving the values() queryset of the list's rows, each with its
    `pk`) the page is read as those dicts; the count stays on the queryset itself (no join of the rows' columns)."""

    def __init__(self, object_list, per_page, *, values=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.values = values

    def validate_number(self, number):
        if number in (1, "1") and self.allow_empty_first_page:  # page 1 always is: no COUNT to say so
            return 1
        return super().validate_number(number)

    def page(self, number):
        rows = self.object_list
        if self.values is None and not isinstance(rows, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        read = self.values or (lambda queryset: queryset)
        if bottom == 0 and not self.orphans:
            # one row more than the page: when it does not come, the rows are all there are and are counted as read (a
            # search, a filtered list: its COUNT cost what reading its rows did); else the count is the COUNT
            first = list(read(rows)[: self.per_page + 1])
            if len(first) <= self.per_page:
                self.__dict__.setdefault("count", len(first))  # Paginator.count is a cached_property
            return self._get_page(first[: self.per_page], number, self)
        top = min(bottom + self.per_page, self.count)
        if bottom == 0 or rows.query.distinct or rows.query.combinator:
            return self._get_page(list(read(rows)[bottom:top]), number, self)
        if bottom > self.count - top and total_ordering(rows):
            skipped = self.count - top
            if skipped <= TAIL_ROWS_READ_DIRECTLY:
                tail = list(read(rows.reverse())[skipped : self.count - bottom])
                return self._get_page(tail[::-1], number, self)
            ids = list(rows.reverse().values_list("pk", flat=True)[skipped : self.count - bottom])[::-1]
        else:
            ids = list(rows.values_list("pk", flat=True)[bottom:top])
        found = read(rows.filter(pk__in=ids).order_by())
        by_id = {row["pk"]: row for row in found} if self.values else {row.pk: row for row in found}
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


def _page_size(request, default: int) -> int:
    """`?page_size=` of a list page: `default` when it is absent or not a size of 1–200 (a page never errs over it, nor
    offers the odd size in its pager); the API answers 400 instead (core.pagination)."""
    try:
        return parse_page_size(request.GET.get("page_size"), default)
    except ValueError:
        return default


def page_window(page: str | None, size: int) -> tuple[int, int]:
    """(offset, limit) of the rows of page number `page` (as given in the URL) of `size` rows, for a list that reads a
    page's rows with its totals in one query (orders.receivables.ReceivableTable.summary): page 1 when it is not a
    number. A page past the end gives no rows; the paginator then reads the page it shows."""
    number = int(page) if page and page.isascii() and page.isdigit() and int(page) > 0 else 1
    return (number - 1) * size, size


def requested_window(request, default: int = PAGE_SIZE) -> tuple[int, int]:
    """page_window of a list page's `?page=` and `?page_size=` (the size as paginate reads it)."""
    return page_window(request.GET.get("page"), _page_size(request, default))


def paginate(request, rows, default: int = PAGE_SIZE, *, page_number=None) -> Page:
    """The page of `rows` a list page shows: `?page=` (out of range: the nearest page) and `?page_size=` bounded like
    the API's; on a page a size outside 1–200 gives the default size (a pager link never breaks the page) while the
    API answers 400. The page carries `size_links` for the pager (each size with the current filters kept) and
    `kept_size`, the size the filter bar carries when it is not the default (查询 keeps 10 per page).
    `page_number`: that page instead of `?page=`."""
    size = _page_size(request, default)
    page = ListPaginator(rows, size).get_page(request.GET.get("page") if page_number is None else page_number)
    keep = querystring(request, "page", "page_size")
    page.page_size = size
    page.kept_size = size if size != default else None
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


def lines_form_page(request, form, formset, *, save, template: str, done: tuple[str, str], context: dict) -> HttpResponse:
    """The page of a document written with its lines (a header form and a line formset whose forms give `row()`; an
    expense claim, a sales plan): 保存 keeps it, 保存并提交 (`hand_in` posted) hands it in. `save(data, rows, hand_in)`
    calls the services and returns the document; a refusal is shown on the form (400), else the page goes to the
    document with `done` (the message when kept, when handed in)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from .editing import call_for_form
    from .forms import formset_rows

    if form.is_bound and form.is_valid() and formset.is_valid():
        hand_in = "hand_in" in request.POST
        ok, saved = call_for_form(form, lambda: save(form.cleaned_data, formset_rows(formset), hand_in))
        if ok:
            messages.success(request, done[1] if hand_in else done[0])
            return redirect(saved.get_absolute_url())
    status = form_status(form, formset) if form.is_bound else 200
    return render(request, template, {"form": form, "formset": formset, **context}, status=status)


# --- the header buttons of a document page: one per allowed action (the app's permissions), in the order given ----
class Button(NamedTuple):
    label: str
    style: str
    reason: bool = False  # POST with a reason (the service takes `reason`)
    page: str = ""  # a link to this page (its own form) instead of a POST of the action
    icon: str = ""
    testid: str = ""
    once: bool = False  # the action creates a document: its form carries a fresh hidden once_key (salesops.core.once)


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
                "once_key": uuid.uuid4() if b.once else None,
            }
        )
    return out
