"""Excel workbooks of the house: the formal 报价单, the data exports (客户档案) and the monthly reports share one builder.

The builder always streams: it writes an openpyxl write-only workbook, where every row goes to a temporary file the
moment it is added, so a sheet of 100,000 rows taken from a queryset iterator needs the memory of one row. The price is
that a sheet is written top to bottom, and that the frozen header row must be known before the first row is written:
whatever stands above the table (banner, heading, parameter rows) is buffered until `table()` starts.

    book = Book()
    sheet = book.sheet(_("月度回款"), [Column(_("客户"), width=30, value=lambda r: r.name),
                                       Column(_("回款金额"), Kind.MONEY, key="amount", value=lambda r: r.amount, total=True)])
    sheet.heading(_("月度回款报表"), company=settings.COMPANY_NAME)
    sheet.fields([(_("期间"), "2026-11"), (_("部门"), "华东")], per_row=2)
    sheet.table(rows)        # the header row (bold, frozen, printed on every page) and one row per item
    sheet.totals()           # 合计: the sums of the columns marked total=True
    content = book.save()    # or book.save(file): written to a file (a large report never sits in memory as bytes)

A chart (openpyxl.chart) takes its data from a table already written: `sheet.column_ref("amount")` is the column from its
header to the last table row; `charts.add_chart(chart, "A1")` places it on any sheet of the book.

Number formats come from the column's kind: money `#,##0.00` (yuan; amounts stay numbers the buyer can recalculate),
quantities and percentages without a dangling decimal point, dates `yyyy-mm-dd`. Text that starts with "=" is written
as text, never as a formula (customer data must not run in the reader's Excel).
A `banner` marks a sheet that is not a formal document: a red row at the top and the same text in the printed header and
footer (salesops.core.documents.watermark_notice).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart import Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet


class Kind(StrEnum):
    """What a column holds; decides its number format and alignment."""

    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"
    QUANTITY = "quantity"
    PERCENT = "percent"
    RATE = "rate"  # a computed ratio (达成率, SLA 达成率…): always two decimals of a percent, e.g. "14.13%", "0.00%"
    DATE = "date"
    DATETIME = "datetime"


MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
INTEGER_FORMAT = "0"
# Quantities and rates: whole numbers without decimals ("10", "13%"), the rest with the decimals they have ("2.5", "5.5%");
# Excel prints "10." for a whole number under "#,##0.###", hence two formats.
QUANTITY_FORMATS = ("#,##0", "#,##0.###")
PERCENT_FORMATS = ("0%", "0.##%")
RATE_FORMAT = "0.00%"

SHEET_TITLE_MAX = 31
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

BOLD = Font(bold=True)
_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTER = Alignment(horizontal="center", vertical="center")
LEFT = Alignment(horizontal="left", vertical="center")
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BANNER_FILL = PatternFill("solid", fgColor="C00000")
BANNER_FONT = Font(bold=True, size=14, color="FFFFFF")
BANNER_COLOR = "C00000"


def sheet_title(text: str) -> str:
    """A valid sheet name from any text (Chinese is fine): no []:*?/\\, at most 31 characters."""
    return _SHEET_TITLE_FORBIDDEN.sub("-", str(text)).strip("'")[:SHEET_TITLE_MAX] or "Sheet"


def number_format(kind: Kind | None, value: Any) -> str | None:
    """The number format of `value` in a column of `kind` (None: Excel's General)."""
    if value is None or isinstance(value, bool):
        return None
    if kind is Kind.MONEY:
        return MONEY_FORMAT
    if kind is Kind.QUANTITY:
        return QUANTITY_FORMATS[Decimal(str(value)) % 1 != 0]
    if kind is Kind.PERCENT:
        return PERCENT_FORMATS[Decimal(str(value)) * 100 % 1 != 0]
    if kind is Kind.RATE:
        return RATE_FORMAT
    if kind is Kind.INTEGER:
        return INTEGER_FORMAT
    if kind is Kind.DATETIME:
        return DATETIME_FORMAT
    if kind is Kind.DATE:
        return DATE_FORMAT
    return None


def _kind_of(value: Any) -> Kind:
    """The kind of a loose value (header fields, free rows): dates as dates, Decimals as money, the rest as it comes."""
    if isinstance(value, datetime):
        return Kind.DATETIME
    if isinstance(value, date):
        return Kind.DATE
    if isinstance(value, Decimal):
        return Kind.MONEY
    return Kind.TEXT


def _plain(value: Any) -> Any:
    """A value openpyxl can write: lazy translations as text, aware datetimes in local time without the zone."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if value is None or isinstance(value, (str, int, float, Decimal, date)):
        return value
    return str(value)


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, kind, width (in characters; a Chinese character counts two) and value.

    `value` takes the row item and returns the cell value; without it the items are sequences, one value per column.
    `total=True` sums the column into the totals row; `key` names the column for `Sheet.totals(values=...)`.
    """

    header: str
    kind: Kind = Kind.TEXT
    width: float = 12
    value: Callable[[Any], Any] | None = None
    total: bool = False
    key: str = ""


@dataclass(frozen=True)
class Span:
    """One cell of a free row, merged across `cols` columns; `kind` None takes the kind from the value."""

    value: Any = None
    cols: int = 1
    kind: Kind | None = None
    bold: bool = False
    font: Font | None = None
    align: Alignment | None = None
    fill: PatternFill | None = None


class Sheet:
    """A sheet written top to bottom; made by `Book.sheet`."""

    def __init__(self, ws, columns: Sequence[Column], *, banner: str, boxed: bool, landscape: bool):
        self._ws = ws
        self.columns = list(columns)
        self.ncols = len(self.columns)
        self.last_letter = get_column_letter(self.ncols)
        self.boxed = boxed
        self._row = 0  # the last row emitted (written or waiting)
        self._waiting: list[tuple[int, list, float | None]] | None = []  # rows above the table; None once it started
        self._sums: dict[int, Decimal] = {}
        self._styled: dict[tuple[int, str | None], Any] = {}  # see _table_cell
        self.header_row = 0  # the table's header row, and its last row, once written
        self.last_table_row = 0
        for idx, col in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(idx)].width = col.width
        setup = ws.page_setup
        setup.paperSize = Worksheet.PAPERSIZE_A4
        setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
        setup.fitToWidth, setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if banner:
            self._banner(banner)

    # --- cells and rows -------------------------------------------------------------------------------------------
    def _cell(self, value: Any, kind: Kind | None, *, font=None, align=None, fill=None, box: bool = False):
        """A styled write-only cell, or the bare value when it needs no style (most cells of a large export)."""
        value = _plain(value)
        kind = kind or _kind_of(value)
        fmt = number_format(kind, value)
        formula_like = isinstance(value, str) and value.startswith("=")
        if not (fmt or font or align or fill or box or formula_like):
            return value
        cell = WriteOnlyCell(self._ws, value)
        if formula_like:  # user text starting with "=" stays text, never a formula
            cell.data_type = "s"
        if fmt:
            cell.number_format = fmt
        if font:
            cell.font = font
        if align:
            cell.alignment = align
        if fill:
            cell.fill = fill
        if box:
            cell.border = BOX
        return cell

    def _table_cell(self, column: int, value: Any, kind: Kind):
        """A cell of a table row: as `_cell`, but a column's styled cells are one object per number format, given each
        row's value in turn — a write-only sheet serialises a row the moment it is appended, so the next row may reuse
        it, and the style is resolved once per column instead of once per cell."""
        value = _plain(value)
        fmt = number_format(kind, value)
        formula_like = isinstance(value, str) and value.startswith("=")
        if not (fmt or self.boxed or formula_like):
            return value
        cell = self._styled.get((column, fmt))
        if cell is None:
            cell = self._styled[(column, fmt)] = self._cell(value, kind, box=self.boxed)
        cell.value = value
        if formula_like:  # user text starting with "=" stays text, never a formula
            cell.data_type = "s"
        return cell

    def _emit(self, cells: list, height: float | None = None) -> int:
        self._row += 1
        if self._waiting is None:
            self._write(self._row, cells, height)
        else:
            self._waiting.append((self._row, cells, height))
        return self._row

    def _write(self, idx: int, cells: list, height: float | None) -> None:
        if height:
            self._ws.row_dimensions[idx].height = height  # before the row: a write-only sheet cannot go back
        self._ws.append(cells)

    def _merge(self, row: int, first: int, last: int) -> None:
        if last > first:
            self._ws.merged_cells.add(CellRange(min_row=row, max_row=row, min_col=first, max_col=last))

    def line(self, *spans: Span, height: float | None = None, box: bool = False) -> int:
        """A free row of spans from column A; `box` draws the grid over all columns. Returns the row number."""
        cells: list = []
        merges = []
        for span in spans:
            first = len(cells) + 1
            font = span.font or (BOLD if span.bold else None)
            cells.append(self._cell(span.value, span.kind, font=font, align=span.align, fill=span.fill, box=box))
            cells.extend(self._cell(None, Kind.TEXT, box=True) if box else None for _i in range(span.cols - 1))
            merges.append((first, first + span.cols - 1))
        if box:
            cells.extend(self._cell(None, Kind.TEXT, box=True) for _i in range(self.ncols - len(cells)))
        row = self._emit(cells, height)
        for first, last in merges:
            self._merge(row, first, last)
        return row

    def blank(self) -> None:
        self._emit([])

    def _banner(self, text: str) -> None:
        self.line(Span(text, self.ncols, font=BANNER_FONT, align=CENTER, fill=BANNER_FILL), height=24)
        # And in the printed header and footer: the mark is on every printed page, not only above the first rows.
        printed = text.replace("&", "&&")
        for part in (self._ws.oddHeader.center, self._ws.oddFooter.center):
            part.text, part.color, part.size = printed, BANNER_COLOR, 12

    # --- blocks above the table -----------------------------------------------------------------------------------
    def heading(self, title: str, *, company: str = "", lines: Sequence[str] = ()) -> None:
        """The company name, its address lines and the title, centred across the sheet, then a blank row."""
        if company:
            self.line(Span(company, self.ncols, font=Font(bold=True, size=16), align=CENTER), height=26)
        for text in lines:
            self.line(Span(text, self.ncols, align=CENTER))
        self.line(Span(title, self.ncols, font=Font(bold=True, size=18), align=CENTER), height=30)
        self.blank()

    def fields(self, pairs: Sequence[tuple[str, Any]], *, per_row: int = 1) -> None:
        """Parameter rows: bold label and its value, `per_row` pairs side by side (values merged across), then a blank."""
        width = self.ncols // per_row
        for start in range(0, len(pairs), per_row):
            spans = []
            for label, value in pairs[start : start + per_row]:
                spans += [Span(label, bold=True), Span(value, width - 1, align=LEFT)]
            self.line(*spans)
        self.blank()

    # --- the table ------------------------------------------------------------------------------------------------
    def table(self, items: Iterable[Any]) -> int:
        """The header row (bold, frozen, repeated on every printed page) and one row per item; returns the row count."""
        if self._waiting is None:
            raise RuntimeError("A sheet has one table: its header row is the frozen one.")
        header = self.header_row = self._row + 1
        self._ws.freeze_panes = f"A{header + 1}"  # before anything is written: the sheet view opens the file
        self._ws.print_title_rows = f"{header}:{header}"
        waiting, self._waiting = self._waiting, None
        for idx, cells, height in waiting:
            self._write(idx, cells, height)
        self._emit([self._cell(c.header, Kind.TEXT, font=BOLD, align=CENTER, fill=HEADER_FILL, box=True) for c in self.columns])
        self._sums = {i: Decimal(0) for i, c in enumerate(self.columns) if c.total}
        by_value = self.columns[0].value is not None
        count = 0
        for item in items:
            values = [c.value(item) for c in self.columns] if by_value else list(item)
            cells = []
            for i, (col, value) in enumerate(zip(self.columns, values, strict=True)):
                if i in self._sums and value is not None:
                    self._sums[i] += value if type(value) is Decimal else Decimal(str(value))
                cells.append(self._table_cell(i, value, col.kind))
            self._emit(cells)
            count += 1
        self.last_table_row = self._row
        return count

    @property
    def sums(self) -> dict[str, Decimal]:
        """The sums of the total=True columns of the rows written so far, by column key."""
        return {self.columns[i].key: value for i, value in self._sums.items()}

    def column_ref(self, key: str, *, header: bool = True) -> Reference:
        """The table column `key` (from its header row when `header`) down to the last table row, for a chart."""
        col = next(i for i, c in enumerate(self.columns, start=1) if c.key == key)
        first = self.header_row if header else self.header_row + 1
        return Reference(self._ws, min_col=col, min_row=first, max_row=max(self.last_table_row, first))

    def add_chart(self, chart, anchor: str = "A1") -> None:
        self._ws.add_chart(chart, anchor)

    def totals(self, label: str | None = None, *, values: Mapping[str, Any] | None = None) -> int:
        """The 合计 row: the label across the columns before the first total, then each total column's sum (or its value
        from `values`, by column key — e.g. the document's own totals)."""
        values = values or {}
        totalled = [i for i, c in enumerate(self.columns) if c.total or (c.key and c.key in values)]
        first = max(totalled[0] if totalled else self.ncols, 1)  # the label takes at least column A
        spans = [Span(label or _("合计"), first, bold=True, align=CENTER)]
        for i in range(first, self.ncols):
            col = self.columns[i]
            value = values[col.key] if col.key and col.key in values else self._sums.get(i)
            spans.append(Span(value, kind=col.kind, bold=True))
        return self.line(*spans, box=True)

    def choices(self, column: int, options: Sequence[str], *, rows: int = 1000) -> None:
        """Offer `options` as a drop-down list in column `column` (1-based) of the `rows` rows under the table's header
        (call it after `table`); a value outside the list is refused by Excel (a template's type, grade, yes/no)."""
        if self._waiting is not None:
            raise RuntimeError("Drop-down lists go under the header row: write the table first.")
        letter, first = get_column_letter(column), self.header_row + 1
        rule = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True, showErrorMessage=True)
        rule.error = _("请从下拉列表中选择。")
        rule.add(f"{letter}{first}:{letter}{first + rows - 1}")
        self._ws.data_validations.append(rule)

    def finish(self) -> None:
        if self._waiting is not None:  # a sheet without a table: write what is there
            waiting, self._waiting = self._waiting, None
            for idx, cells, height in waiting:
                self._write(idx, cells, height)
        self._ws.print_area = f"A1:{self.last_letter}{max(self._row, 1)}"


class _Worksheet(WriteOnlyWorksheet):
    """openpyxl's write-only sheet with one shortcut: a styled cell given to `append` is taken as it is. openpyxl first
    assigns it as a cell's value, which fails with an error whose message formats the cell (its repr), then takes it —
    for every styled cell, a quarter of the time of a styled sheet. The XML written is the same
    (tests/core/test_sheets.py). openpyxl is pinned: check this method against its `_values_to_row` when upgrading."""

    def _values_to_row(self, values, row_idx):
        bare = WriteOnlyCell(self)  # plain values go through one unstyled cell, serialised before the next is set
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                cell = value
            else:
                bare.value = value
                cell = bare
            cell.column, cell.row = col_idx, row_idx
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
            yield cell


class Book:
    """A streaming workbook of one or more sheets."""

    def __init__(self):
        self._wb = Workbook(write_only=True)
        self._sheets: list[Sheet] = []

    def sheet(
        self, title: str, columns: Sequence[Column], *, banner: str = "", boxed: bool = False, landscape: bool = True
    ) -> Sheet:
        """A new sheet named `title` (made valid by sheet_title); `boxed` draws the grid on the table rows."""
        ws = _Worksheet(parent=self._wb, title=sheet_title(title))
        self._wb._add_sheet(ws)  # as Workbook.create_sheet does for a write-only book
        sheet = Sheet(ws, columns, banner=banner, boxed=boxed, landscape=landscape)
        self._sheets.append(sheet)
        return sheet

    def save(self, target=None) -> bytes | None:
        """The workbook as bytes, or written to `target` (a path or a binary file) and None."""
        for sheet in self._sheets:
            sheet.finish()
        if target is not None:
            self._wb.save(target)
            return None
        out = BytesIO()
        self._wb.save(out)
        return out.getvalue()
