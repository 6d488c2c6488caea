"""导出 Excel of any list: the rows of the current filters, as the user may see them, streamed into an .xlsx.

A list declares its export once, in its app's `exports.py` (imported by CoreConfig.ready, like menu.py):

    register_export(ListExport(
        name="products", list_view="catalog:products", title=gettext_lazy("产品目录"),
        source=plain(ProductFilter, selectors.product_list_for), columns=product_columns,
    ))

Then one page URL (`core:list_export`, /core/exports/<name>/?<the list's filters>) and, on the API, the viewset's
`export/` action (ExportActionMixin, /api/v1/<list>/export/?<filters>) return the same file: the same filter set
(an invalid value is a 400 naming the parameter, nothing is exported), the same visibility selector, the list's
ordering. The shared filter bar shows the 导出 Excel button on every list page that has an export (`list_export_url`,
looked up by the page's URL name), carrying the current filters.

A list of more than EXPORT_DIRECT_ROWS rows is not written while the user waits: core.export_runs queues it and a
Celery task writes it with its progress (core.export_runs_api: the API's `export/` action answers 202 with the run).

Memory stays flat however many rows match: the rows come from `.iterator()` and the sheet builder (core.sheets) writes
each one to disk as it goes; the finished file is a temporary file handed to the response, not a bytes copy.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import IO, Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import approvals, selectors
from .documents import XLSX
from .errors import DomainError, NotFound
from .filters import DecidedStepFilter, WaitingStepFilter
from .models import ApprovalStep
from .names import display_name
from .sheets import Book, Column, Kind

EXPORT_CHUNK = 2000  # rows read per round trip (and per prefetch of their related rows)
NOT_FILTERS = ("page", "page_size", "cursor", "format")

# (filter set class, visible queryset) of a list for a user and the request's parameters
Source = Callable[[Any, Mapping[str, Any]], tuple[type, QuerySet]]


@dataclass(frozen=True)
class ListExport:
    """The export of one list.

    `source(user, params)` gives the list's filter set class and the queryset the user may see (`plain` builds it for
    a list with one filter set); `columns()` the sheet's columns (Chinese headers, money as numbers in yuan format);
    `prepare(qs, params)` adds select_related / prefetch_related and the page's ordering when the filter set does not
    order; `rows(qs)` turns the filtered queryset into the rows of the sheet when a row is computed from it rather than
    being one of its records (the receivables: one row per order with its open amount, aged), else the records are
    streamed; `record(actor=, row_count=, filters=, ip_address=)` logs the export where the data calls for it (customers);
    `hidden(user)` the keys of the columns the reader may not see (a contract's amounts, for the reviewers who judge
    the goods).
    """

    name: str
    list_view: str
    title: Any
    source: Source
    columns: Callable[[], list[Column]]
    prepare: Callable[[QuerySet, Mapping[str, Any]], QuerySet] | None = None
    rows: Callable[[QuerySet], Iterable[Any]] | None = None
    record: Callable[..., Any] | None = None
    hidden: Callable[[Any], set[str]] | None = None

    def columns_for(self, user) -> list[Column]:
        hidden = self.hidden(user) if self.hidden is not None else set()
        return [c for c in self.columns() if not (c.key and c.key in hidden)]


def plain(filterset: type, visible: Callable[[Any], QuerySet]) -> Source:
    """The source of a list with one filter set over one visibility selector."""
    return lambda user, params: (filterset, visible(user))


_EXPORTS: dict[str, ListExport] = {}
_BY_VIEW: dict[str, str] = {}


def register_export(*exports: ListExport) -> None:
    """Called by each app's exports.py (imported by CoreConfig.ready, like menu.py)."""
    for export in exports:
        _EXPORTS[export.name] = export
        _BY_VIEW[export.list_view] = export.name


def export_named(name: str) -> ListExport:
    try:
        return _EXPORTS[name]
    except KeyError:
        raise NotFound(_("没有这个导出。")) from None


def choice_label(model, field: str) -> Callable[[Any], Any]:
    """A column's value: the row's `field` by its choice label, as get_<field>_display() shows it, the labels translated
    once per export (get_<field>_display() hashes every choice of the field on each call: ~0.2 ms a cell, seconds over
    the tens of thousands of rows of a large export)."""
    labels = {value: str(label) for value, label in model._meta.get_field(field).flatchoices}
    return lambda row: labels.get(getattr(row, field), getattr(row, field))


def export_name_for_view(view_name: str) -> str | None:
    """The export of the list page named `view_name` ("catalog:products"), if it has one."""
    return _BY_VIEW.get(view_name)


def export_rows(export: ListExport, *, actor, params: Mapping[str, Any]) -> QuerySet:
    """The filtered queryset of `export`'s list that `actor` may see and `params` (the list's filters) select, prepared
    for writing. Invalid filters: a DomainError naming them (nothing is exported)."""
    if _has_nul(params):  # the export keeps its filters (a JSON column), which cannot hold the character U+0000
        raise DomainError(_("筛选条件含有无法识别的字符（空字符），未导出。"), code="invalid_filter")
    filterset_class, visible = export.source(actor, params)
    # the filters know their reader as on the page (a queue of "my" rows: aftersales.filters.TicketFilter)
    filterset = filterset_class(params, queryset=visible, request=SimpleNamespace(user=actor))
    if not filterset.is_valid():
        raise DomainError(_("筛选条件有误，未导出：%(errors)s") % {"errors": filterset.error_text()}, code="invalid_filter")
    rows = filterset.qs
    return export.prepare(rows, params) if export.prepare is not None else rows


def _has_nul(params: Mapping[str, Any]) -> bool:
    values = (v for key in params for v in (params.getlist(key) if hasattr(params, "getlist") else [params[key]]))
    return any("\x00" in key for key in params) or any("\x00" in str(v) for v in values)


def export_file(
    export: ListExport,
    *,
    actor,
    params: Mapping[str, Any],
    ip_address: str | None = None,
    rows: QuerySet | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[IO[bytes], int]:
    """The .xlsx of `export_rows` (or of `rows`, when the caller has them), in a temporary file positioned at its
    start, and the row count; `progress(n)` is told how many rows are written, every EXPORT_CHUNK rows."""
    rows = export_rows(export, actor=actor, params=params) if rows is None else rows
    records = export.rows(rows) if export.rows is not None else rows.iterator(chunk_size=EXPORT_CHUNK)
    if progress is not None:
        records = _counted(records, progress)
    book = Book()
    columns = export.columns_for(actor)
    sheet = book.sheet(str(export.title), columns)
    count = sheet.table(records)
    if any(c.total for c in columns):
        sheet.totals()  # 合计 of the columns marked total=True
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- handed to the FileResponse, which closes it when sent
    book.save(out)
    out.seek(0)
    if export.record is not None:
        filters = {k: v for k, v in params.items() if v not in ("", None)}
        export.record(actor=actor, row_count=count, filters=filters, ip_address=ip_address)
    return out, count


def _counted(records: Iterable[Any], progress: Callable[[int], None]) -> Iterator[Any]:
    for n, record in enumerate(records, 1):
        if n % EXPORT_CHUNK == 0:
            progress(n)
        yield record


def xlsx_response(out: IO[bytes], stem: str) -> FileResponse:
    """The file as a download named <stem>-<date-time>.xlsx, read from disk in blocks."""
    filename = f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)


# --- the kernel's own list: the approvals inbox (待我审批 / 我已处理, by its `tab`) -------------------------------------
def _approval_source(user, params):
    if params.get("tab") == "done":
        return DecidedStepFilter, selectors.steps_decided_by(user)
    return WaitingStepFilter, approvals.steps_waiting_for(user)


def approval_columns() -> list[Column]:
    return [
        Column(_("审批类型"), Kind.TEXT, 14, lambda s: approvals.kind_label(s.request.kind)),
        Column(_("单据"), Kind.TEXT, 36, lambda s: s.request.title_text),
        Column(_("审批步骤"), Kind.TEXT, 16, lambda s: s.label_text),
        Column(_("提交人"), Kind.TEXT, 10, lambda s: display_name(s.request.requested_by)),
        Column(_("到达时间"), Kind.DATETIME, 17, lambda s: s.activated_at),
        Column(_("状态"), Kind.TEXT, 10, choice_label(ApprovalStep, "status")),
        Column(_("处理人"), Kind.TEXT, 10, lambda s: display_name(s.decided_by)),
        Column(_("处理时间"), Kind.DATETIME, 17, lambda s: s.decided_at),
        Column(_("审批意见"), Kind.TEXT, 30, lambda s: s.comment),
    ]


register_export(
    ListExport(
        name="approvals",
        list_view="core:approvals_inbox",
        title=gettext_lazy("审批"),
        source=_approval_source,
        columns=approval_columns,
        prepare=lambda qs, params: qs.select_related("decided_by"),
    )
)
