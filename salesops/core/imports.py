"""导入 Excel: a template to download, an upload that is previewed row by row, then an all-or-nothing commit.

An app declares what it takes in once, in its `imports.py` (imported by CoreConfig.ready, like menu.py):

    register_importer(Importer(
        name="products", title=gettext_lazy("产品"), allowed=can_edit_catalog, denied=gettext_lazy("…"),
        list_view="catalog:products",
        sheets=[SheetSpec("products", gettext_lazy("产品"), [Field("code", gettext_lazy("产品编码"), required=True, …), …],
                          save=lambda actor, values, ctx: product_create(actor=actor, data=values))],
    ))

The mechanism, the same for the page and the API:
1. `template_file` — one sheet per SheetSpec with its Chinese headers (required ones marked *), one example row (row 2,
   skipped on reading while it is left unchanged) and drop-down lists for choices and yes/no; a 填写说明 sheet first.
2. `preview` — the upload is kept under a token (MEDIA_ROOT/imports/), read (`read_book`: headers matched by name, cells
   converted by the field's kind), and every row is saved through the app's own service (`SheetSpec.save`, the services
   the forms use) inside a transaction that is rolled back at the end: the preview shows exactly the errors the commit
   would meet (row number, column, message in Chinese), later rows seeing earlier ones (a contact of a customer of the
   same file), and nothing is saved.
3. `commit` — the same run on the kept file in a real transaction, kept only if not a single row fails; the file is
   then removed. A kept upload not committed within PREVIEW_KEEP (24 hours) is deleted by the beat (`previews_purge`). Nothing is saved before the user accepts the preview, and nothing at all if any row fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any
from zipfile import BadZipFile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .errors import DomainError, Forbidden, NotFound
from .sheets import Book, Column, Kind

MAX_ROWS = 5000  # rows per import: a preview of every row must stay readable and quick
YES, NO = ("是", "true", "1", "y", "yes"), ("否", "false", "0", "n", "no")


@dataclass(frozen=True)
class Field:
    """One column of an import sheet: `key` is the service's data key, `header` the Chinese column title.

    `kind` converts the cell (TEXT, MONEY/QUANTITY/PERCENT as Decimal — "13%" is 0.13 —, INTEGER, DATE); `yes_no`
    reads 是/否; `choices()` gives [(code, label)] and the cell may hold either (the template offers the labels).
    """

    key: str
    header: Any
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: Callable[[], Sequence[tuple[str, Any]]] | None = None
    yes_no: bool = False
    example: Any = ""
    width: float = 14
    note: Any = ""

    def shown(self, value) -> Any:
        """The converted value as the preview shows it: a choice by its label, yes/no as 是/否."""
        if self.yes_no and isinstance(value, bool):
            return _("是") if value else _("否")
        if self.choices and value:
            return dict(self.choices()).get(value, value)
        return value


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: its fields and `save(actor, values, context)`, which calls the app's service for one row (`context`
    is shared by the rows of one run, e.g. the customers created so far by name; its "line" is the row's line number)
    and raises DomainError on refusal."""

    key: str
    title: Any
    fields: Sequence[Field]
    save: Callable[[Any, dict, dict], Any]

    def headers(self) -> dict[str, Field]:
        return {str(f.header): f for f in self.fields}


@dataclass(frozen=True)
class Importer:
    name: str
    title: Any
    sheets: Sequence[SheetSpec]
    allowed: Callable[[Any], bool]
    denied: Any
    list_view: str


@dataclass
class RowError:
    sheet: str
    line: int
    column: str
    message: str


@dataclass
class Row:
    sheet: str
    line: int
    values: dict
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Result:
    """What a run did: every row with its errors, the errors of the file itself (line 0 or 1), the row count per sheet."""

    token: str
    rows: list[Row]
    file_errors: list[RowError]
    committed: bool = False

    @property
    def errors(self) -> list[RowError]:
        return self.file_errors + [e for r in self.rows for e in r.errors]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.sheet] = counts.get(row.sheet, 0) + 1
        return counts

    def as_dict(self) -> dict:
        return {
            "token": self.token,
            "ok": self.ok,
            "committed": self.committed,
            "counts": self.counts(),
            "errors": [e.__dict__ for e in self.errors],
        }


_IMPORTERS: dict[str, Importer] = {}


def register_importer(*importers: Importer) -> None:
    """Called by each app's imports.py (imported by CoreConfig.ready)."""
    for importer in importers:
        _IMPORTERS[importer.name] = importer


def importer_named(name: str) -> Importer:
    try:
        return _IMPORTERS[name]
    except KeyError:
        raise NotFound(_("没有这个导入。")) from None


def require_allowed(importer: Importer, user) -> None:
    if not importer.allowed(user):
        raise Forbidden(str(importer.denied))


# --- the template ---------------------------------------------------------------------------------------------------
def _header(f: Field) -> str:
    return f"{f.header}*" if f.required else str(f.header)


def _choice_labels(f: Field) -> list[str]:
    if f.yes_no:
        return [_("是"), _("否")]
    return [str(label) for _code, label in f.choices()] if f.choices else []


def template_file(importer: Importer) -> bytes:
    """The .xlsx to fill in (see the module docstring)."""
    book = Book()
    guide = book.sheet(
        _("填写说明"),
        [Column(_("工作表"), width=14), Column(_("列"), width=20), Column(_("必填"), width=6), Column(_("说明"), width=60)],
    )
    guide.heading(
        _("%(title)s导入模板") % {"title": importer.title},
        lines=[_("带 * 的列必填；第 2 行是示例，不改动时导入会跳过它，也可以直接删除或覆盖。")],
    )
    guide.table(
        (str(spec.title), str(f.header), _("是") if f.required else "", _note(f)) for spec in importer.sheets for f in spec.fields
    )
    for spec in importer.sheets:
        sheet = book.sheet(str(spec.title), [Column(_header(f), f.kind, f.width) for f in spec.fields])
        sheet.table([[f.example for f in spec.fields]])
        for index, f in enumerate(spec.fields, start=1):
            if labels := _choice_labels(f):
                sheet.choices(index, labels)
    return book.save()


def _note(f: Field) -> str:
    parts = [str(f.note)] if f.note else []
    if labels := _choice_labels(f):
        parts.append(_("可选：%(values)s") % {"values": "、".join(labels)})
    if f.kind is Kind.DATE:
        parts.append(_("日期，如 2026-01-31"))
    if f.kind in (Kind.MONEY, Kind.QUANTITY, Kind.INTEGER):
        parts.append(_("数字"))
    if f.kind is Kind.PERCENT:
        parts.append(_("百分比，如 13% 或 0.13"))
    return "；".join(parts)


# --- reading --------------------------------------------------------------------------------------------------------
def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number or code Excel stored as a number
    if isinstance(value, datetime | date):
        return f"{value:%Y-%m-%d}"
    return "" if value is None else str(value).strip()


def convert(f: Field, value) -> Any:
    """The cell as the service takes it; a DomainError in Chinese when it cannot be."""
    text = _text(value)
    if text == "":
        if f.required:
            raise DomainError(_("必填，不能为空。"))
        return None if f.kind in (Kind.MONEY, Kind.QUANTITY, Kind.PERCENT, Kind.INTEGER, Kind.DATE) else ""
    if f.yes_no:
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise DomainError(_("请填写“是”或“否”，而不是“%(value)s”。") % {"value": text})
    if f.choices:
        for code, label in f.choices():
            if text in (code, str(label)):
                return code
        raise DomainError(_("“%(value)s”不是可选值（%(values)s）。") % {"value": text, "values": "、".join(_choice_labels(f))})
    if f.kind is Kind.DATE:
        day = value.date() if isinstance(value, datetime) else value if isinstance(value, date) else parse_date(text)
        if day is None:
            raise DomainError(_("“%(value)s”不是日期，请按 2026-01-31 的格式填写。") % {"value": text})
        return day
    if f.kind in (Kind.MONEY, Kind.QUANTITY, Kind.PERCENT, Kind.INTEGER):
        percent = f.kind is Kind.PERCENT and text.endswith("%")
        try:
            number = Decimal(text.rstrip("%").replace(",", "").strip())
        except InvalidOperation:
            raise DomainError(_("“%(value)s”不是数字。") % {"value": text}) from None
        if not number.is_finite():
            raise DomainError(_("“%(value)s”不是数字。") % {"value": text})
        if percent:
            number /= 100
        if f.kind is Kind.INTEGER:
            if number != number.to_integral_value():
                raise DomainError(_("应为整数。"))
            return int(number)
        return number
    return text


def read_book(importer: Importer, content: bytes) -> tuple[list[Row], list[RowError]]:
    """The rows of every sheet of the upload, converted; cell errors are on their row, file errors apart."""
    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError):
        raise DomainError(_("无法读取该文件，请上传由“下载模板”得到的 .xlsx 文件。"), code="invalid_file") from None
    rows: list[Row] = []
    file_errors: list[RowError] = []
    try:
        present = [spec for spec in importer.sheets if str(spec.title) in wb.sheetnames]
        if not present:
            names = "、".join(str(spec.title) for spec in importer.sheets)
            raise DomainError(_("文件中没有工作表“%(names)s”，请使用下载的模板。") % {"names": names}, code="invalid_file")
        for spec in present:
            _read_sheet(spec, wb[str(spec.title)], rows, file_errors)
            if len(rows) > MAX_ROWS:  # _read_sheet stopped at the first row over the limit: the rest is never read
                raise DomainError(_("一次最多导入 %(n)s 行，请分批导入。") % {"n": MAX_ROWS}, code="too_many_rows")
    finally:
        wb.close()
    return rows, file_errors


def _read_sheet(spec: SheetSpec, ws, rows: list[Row], file_errors: list[RowError]) -> None:
    """The data rows of one sheet appended to `rows` (of every sheet so far); stops at the first row beyond MAX_ROWS in
    all, which read_book refuses — a huge upload is not read (nor converted) to the end first."""
    title, by_header = str(spec.title), spec.headers()
    lines = ws.iter_rows(values_only=True)
    header = [_text(v).rstrip("*").strip() for v in next(lines, ())]
    missing = [str(f.header) for f in spec.fields if f.required and str(f.header) not in header]
    if missing:
        file_errors.append(RowError(title, 1, "、".join(missing), _("缺少必填列，请使用下载的模板。")))
        return
    example = [_text(f.example) for f in spec.fields]
    for line, cells in enumerate(lines, start=2):
        named = {h: cells[i] if i < len(cells) else None for i, h in enumerate(header) if h in by_header}
        if all(_text(v) == "" for v in named.values()):
            continue
        if line == 2 and [_text(named.get(str(f.header))) for f in spec.fields] == example:
            continue  # the template's example row, left as it was
        row = Row(title, line, {})
        for f in spec.fields:
            try:
                row.values[f.key] = convert(f, named.get(str(f.header)))
            except DomainError as exc:
                row.errors.append(RowError(title, line, str(f.header), str(exc)))
        rows.append(row)
        if len(rows) > MAX_ROWS:
            return


# --- running --------------------------------------------------------------------------------------------------------
def _errors_of(exc: Exception, spec: SheetSpec, row: Row) -> list[RowError]:
    """A service's refusal as row errors: a ValidationError per field (named by its column), a DomainError as is."""
    headers = {f.key: str(f.header) for f in spec.fields}
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [
            RowError(row.sheet, row.line, headers.get(key, ""), " ".join(str(m) for m in messages))
            for key, messages in exc.message_dict.items()
        ]
    message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    return [RowError(row.sheet, row.line, "", message)]


def run(importer: Importer, *, actor, rows: list[Row], commit: bool) -> bool:
    """Save every row through its sheet's service, in order, each in a savepoint; the whole run is kept only with
    `commit` and not one error (any row's errors are added to it). Returns whether it was kept."""
    require_allowed(importer, actor)
    specs = {str(spec.title): spec for spec in importer.sheets}
    context: dict = {}
    with transaction.atomic():
        for row in rows:
            if row.errors:
                continue
            spec = specs[row.sheet]
            context["line"] = row.line  # the row being saved, for a save that names another row (a duplicate's first)
            try:
                with transaction.atomic():
                    # an empty cell leaves the field to its default, as an untouched form field does
                    spec.save(actor, {k: v for k, v in row.values.items() if v not in (None, "")}, context)
            except (DomainError, ValidationError) as exc:
                row.errors.extend(_errors_of(exc, spec, row))
        kept = commit and bool(rows) and not any(r.errors for r in rows)
        if not kept:
            transaction.set_rollback(True)
    return kept


def failure_text(result: Result) -> str:
    """One line for a run that saved nothing: how many rows failed (the rows and columns are in the errors)."""
    return _("导入未完成，没有保存任何数据：%(n)s 处错误，请修改文件后重新上传。") % {"n": len(result.errors)}


# --- the kept upload ------------------------------------------------------------------------------------------------
PREVIEW_DIR = "imports"  # under MEDIA_ROOT: one folder per importer
PREVIEW_KEEP = timedelta(hours=24)  # an upload not committed within this is deleted (previews_purge)


def _path(importer: Importer, actor, token: str) -> str:
    return f"{PREVIEW_DIR}/{importer.name}/{actor.pk}-{token}.xlsx"


def preview(importer: Importer, *, actor, content: bytes) -> Result:
    """Keep the upload under a new token and dry-run it (nothing is saved); see the module docstring."""
    require_allowed(importer, actor)
    if not content:
        raise DomainError(_("请选择要导入的 .xlsx 文件（文件不能为空）。"), code="empty_file")
    rows, file_errors = read_book(importer, content)
    token = uuid.uuid4().hex
    default_storage.save(_path(importer, actor, token), ContentFile(content))
    run(importer, actor=actor, rows=rows, commit=False)
    if not rows and not file_errors:
        file_errors.append(RowError("", 0, "", _("文件中没有要导入的数据行。")))
    return Result(token, rows, file_errors)


def previews_purge(*, now: datetime | None = None, keep: timedelta = PREVIEW_KEEP) -> int:
    """Delete the kept uploads (MEDIA_ROOT/imports/<importer>/) older than `keep`: a preview never committed — refused,
    abandoned, or failed at its commit — is otherwise kept forever (a commit that succeeds removes its own). Run by the
    beat every hour (salesops.core.tasks.purge_import_previews); a commit of a purged token hears 导入预览已失效. Returns
    how many files were deleted; running it twice does no harm."""
    cutoff = (now or timezone.now()) - keep
    try:
        folders = default_storage.listdir(PREVIEW_DIR)[0]
    except FileNotFoundError:  # nothing was ever uploaded
        return 0
    removed = 0
    for folder in folders:
        try:
            names = default_storage.listdir(f"{PREVIEW_DIR}/{folder}")[1]
        except FileNotFoundError:
            continue
        for name in names:
            path = f"{PREVIEW_DIR}/{folder}/{name}"
            try:
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    removed += 1
            except FileNotFoundError:  # committed (and removed) meanwhile
                continue
    return removed


def commit(importer: Importer, *, actor, token: str) -> Result:
    """Import the previewed upload `token` of `actor` for real: all rows or, if any fails now, none."""
    require_allowed(importer, actor)
    path = _path(importer, actor, token) if token.isalnum() else ""
    if not path or not default_storage.exists(path):
        raise DomainError(_("导入预览已失效，请重新上传文件。"), code="preview_expired")
    with default_storage.open(path, "rb") as fh:
        content = fh.read()
    rows, file_errors = read_book(importer, content)
    result = Result(token, rows, file_errors)
    if not file_errors:
        result.committed = run(importer, actor=actor, rows=rows, commit=True)
    if result.committed:
        default_storage.delete(path)
    return result
