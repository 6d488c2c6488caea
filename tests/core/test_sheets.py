"""The one Excel builder (salesops.core.sheets): heading and parameter rows, a bold frozen header, number formats per column
kind, the totals row, the watermark banner, sheet names, and rows streamed from an iterator in flat memory."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from salesops.core.sheets import Book, Column, Kind, Span, sheet_title

COLUMNS = [
    Column("客户", Kind.TEXT, 30),
    Column("数量", Kind.QUANTITY, 10, total=True),
    Column("金额", Kind.MONEY, 14, total=True, key="amount"),
    Column("毛利率", Kind.PERCENT, 8),
    Column("日期", Kind.DATE, 12),
]
ROWS = [
    ("苏州精工", D("10"), D("11300.00"), D("0.13"), date(2026, 11, 2)),
    ("广州南方", D("2.5"), D("2669.63"), D("0.055"), date(2026, 11, 20)),
]


def load(content: bytes):
    return load_workbook(BytesIO(content)).active


def report(**sheet_kw) -> bytes:
    book = Book()
    sheet = book.sheet("11月销售", COLUMNS, **sheet_kw)
    sheet.heading("月度销售报表", company="示例制造有限公司", lines=["浙江省杭州市"])
    sheet.fields([("期间", "2026-11"), ("部门", "华东组")], per_row=1)
    assert sheet.table(iter(ROWS)) == 2
    sheet.totals()
    return book.save()


def values(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_heading_parameters_header_rows_and_totals_in_order():
    # when a report with a heading, two parameter rows, two rows and the totals is written
    ws = load(report())
    rows = values(ws)
    # then the company, the address line and the title come first, centred across the sheet, then the parameters
    assert [r[0] for r in rows[:3]] == ["示例制造有限公司", "浙江省杭州市", "月度销售报表"]
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert rows[4][:2] == ("期间", "2026-11") and rows[5][:2] == ("部门", "华东组")
    # and the header row, bold and frozen (the rows below scroll under it and it repeats on every printed page)
    header = 8
    assert rows[header - 1] == ("客户", "数量", "金额", "毛利率", "日期")
    assert ws.cell(row=header, column=1).font.b
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.print_title_rows == f"${header}:${header}"
    # and the totals row sums the total columns under the label 合计
    totals = rows[header + 2]
    assert totals[0] == "合计" and D(str(totals[1])) == D("12.5") and D(str(totals[2])) == D("13969.63")
    assert totals[3] is None and ws.cell(row=header + 3, column=3).font.b


def test_number_formats_follow_the_column_kind():
    ws = load(report())
    first, second, totals = 9, 10, 11
    fmt = {(r, c): ws.cell(row=r, column=c).number_format for r in (first, second, totals) for c in range(1, 6)}
    # money with two decimals and thousands; quantities and rates without a dangling decimal point
    assert fmt[(first, 3)] == fmt[(second, 3)] == fmt[(totals, 3)] == "#,##0.00"
    assert fmt[(first, 2)] == "#,##0" and fmt[(second, 2)] == "#,##0.###"
    assert fmt[(first, 4)] == "0%" and fmt[(second, 4)] == "0.##%"
    assert fmt[(first, 5)] == "yyyy-mm-dd"
    assert fmt[(first, 1)] == "General"
    # and the values stay numbers and dates the reader can compute with
    assert isinstance(ws.cell(row=first, column=3).value, (int, float))
    assert ws.cell(row=first, column=5).value == datetime(2026, 11, 2)


def test_column_widths_and_page_setup():
    ws = load(report())
    assert [ws.column_dimensions[c].width for c in "ABCDE"] == [30, 10, 14, 8, 12]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_area == "'11月销售'!$A$1:$E$11"


def test_a_banner_marks_the_sheet_in_red_and_in_the_printed_header_and_footer():
    ws = load(report(banner="草稿 — 未经审核，不作为正式报价"))
    assert ws["A1"].value == "草稿 — 未经审核，不作为正式报价"
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].fill.fgColor.rgb.endswith("C00000") and ws["A1"].font.b
    assert ws.oddHeader.center.text == ws.oddFooter.center.text == "草稿 — 未经审核，不作为正式报价"
    # and everything else moves down one row
    assert ws["A2"].value == "示例制造有限公司" and ws.freeze_panes == "A10"


def test_without_banner_nothing_is_marked():
    ws = load(report())
    assert ws["A1"].value == "示例制造有限公司"
    assert not ws.oddHeader.center.text and not ws.oddFooter.center.text


def test_a_plain_export_has_its_header_in_row_one():
    book = Book()
    sheet = book.sheet("客户档案", [Column("编号", value=lambda c: c["code"]), Column("名称", value=lambda c: c["name"])])
    sheet.table([{"code": "KH-1", "name": '=HYPERLINK("http://evil")'}])
    ws = load(book.save())
    assert ws.title == "客户档案" and ws.freeze_panes == "A2"
    assert values(ws) == [("编号", "名称"), ("KH-1", '=HYPERLINK("http://evil")')]
    # text that looks like a formula stays text
    assert ws["B2"].data_type == "s"


def test_free_rows_merge_spans_and_infer_formats():
    book = Book()
    sheet = book.sheet("x", COLUMNS)
    sheet.table([])
    sheet.line(Span("价税合计（大写）", 2, bold=True), Span("壹万元整", 3), box=True)
    sheet.line(Span("合计金额", bold=True), Span(D("10000.00")), Span(date(2026, 1, 1)))
    ws = load(book.save())
    assert {"A2:B2", "C2:E2"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].font.b and ws["E2"].border.right.style == "thin"
    assert ws["B3"].number_format == "#,##0.00" and ws["C3"].number_format == "yyyy-mm-dd"


def test_a_sheet_has_one_table():
    book = Book()
    sheet = book.sheet("x", COLUMNS)
    sheet.table(ROWS)
    with pytest.raises(RuntimeError):
        sheet.table(ROWS)
    # the first table is intact: the header and its two rows
    assert [r[0] for r in values(load(book.save()))] == ["客户", "苏州精工", "广州南方"]


def test_totals_take_given_values_by_key():
    book = Book()
    sheet = book.sheet("x", COLUMNS)
    sheet.table(ROWS)
    sheet.totals("总计", values={"amount": D("99.99")})
    rows = values(load(book.save()))
    assert rows[-1][:3] == ("总计", 12.5, 99.99)


def test_aware_datetimes_are_written_in_local_time():
    book = Book()
    sheet = book.sheet("x", [Column("时间", Kind.DATETIME)])
    sheet.table([(datetime(2026, 11, 1, 1, 30, tzinfo=UTC),)])
    ws = load(book.save())
    expected = timezone.localtime(datetime(2026, 11, 1, 1, 30, tzinfo=UTC)).replace(tzinfo=None)
    assert ws["A2"].value == expected and ws["A2"].number_format == "yyyy-mm-dd hh:mm"


@pytest.mark.parametrize(
    ("text", "title"),
    [("客户档案", "客户档案"), ("报价 QT-1 v2", "报价 QT-1 v2"), ("a/b:c*d?[e]\\f", "a-b-c-d--e--f"), ("长" * 40, "长" * 31)],
)
def test_sheet_titles_are_valid_excel_names(text, title):
    assert sheet_title(text) == title


def _rows(n):
    for i in range(n):
        yield (f"客户{i}", D(i % 7), D("1234.56"), D("0.13"), date(2026, 11, 1))


def _streamed(n) -> tuple[int, bytes]:
    """The peak memory of writing n rows (taken from a generator), and the file."""
    book = Book()
    sheet = book.sheet("大表", COLUMNS)
    tracemalloc.start()
    try:
        assert sheet.table(_rows(n)) == n
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    sheet.totals()
    return peak, book.save()


def test_rows_stream_from_an_iterator_in_flat_memory():
    """Each row goes to disk as it is written: five times the rows take no more memory (a normal openpyxl workbook keeps
    every cell, about 1.5 kB a row here)."""
    few, _content = _streamed(200)
    many, content = _streamed(1000)
    assert many < few + 64 * 1024, (few, many)
    ws = load_workbook(BytesIO(content), read_only=True).active
    totals = next(ws.iter_rows(min_row=1002, max_row=1002, values_only=True))
    assert totals[0] == "合计" and D(str(totals[2])) == D("1234.56") * 1000


def test_saved_to_a_file_with_a_chart_over_a_table_column(tmp_path):
    from openpyxl.chart import BarChart

    # given a table of three rows and a chart drawn on another sheet from its amount column
    book = Book()
    sheet = book.sheet("数据", [Column("名称", key="name"), Column("金额", Kind.MONEY, key="amount", total=True)])
    sheet.heading("标题")
    sheet.table([("甲", D("1.50")), ("乙", D("2.25")), ("丙", D("3.00"))])
    charts = book.sheet("图表", [Column("说明")])
    chart = BarChart()
    chart.add_data(sheet.column_ref("amount"), titles_from_data=True)
    chart.set_categories(sheet.column_ref("name", header=False))
    charts.add_chart(chart, "B2")
    # when it is written straight to a file
    path = tmp_path / "book.xlsx"
    assert book.save(path) is None
    # then the chart's references span the table from its header to its last row, and the sums are kept by key
    wb = load_workbook(path)
    (drawn,) = wb["图表"]._charts
    header = sheet.header_row
    assert drawn.series[0].val.numRef.f == f"'数据'!$B${header + 1}:$B${header + 3}"
    assert drawn.series[0].tx.strRef.f == f"'数据'!B{header}"
    assert sheet.sums == {"amount": D("6.75")}


def test_the_sheet_xml_is_the_one_openpyxl_writes_itself(monkeypatch):
    """sheets._Worksheet takes styled cells without openpyxl's failed value assignment: the same XML, styled and plain
    cells, gaps, merged spans, a banner, formula-like text, dates, totals."""
    from zipfile import ZipFile

    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from salesops.core import sheets

    def xml() -> dict[str, bytes]:
        book = Book()
        sheet = book.sheet("11月销售", COLUMNS, banner="内部资料", boxed=True)
        sheet.heading("月度销售报表", company="示例制造有限公司")
        sheet.fields([("期间", "2026-11"), ("备注", None)])
        sheet.table(iter([*ROWS, ("=SUM(A1)", None, D("0.00"), None, None)]))
        sheet.totals()
        plain = book.sheet("导出", [Column("客户"), Column("数量")])
        plain.table(iter([("苏州精工", 3), ("广州南方", None), (None, 2.5)]))
        with ZipFile(BytesIO(book.save())) as zf:
            return {name: zf.read(name) for name in zf.namelist() if name.startswith("xl/worksheets/")}

    ours = xml()
    monkeypatch.setattr(sheets._Worksheet, "_values_to_row", WriteOnlyWorksheet._values_to_row)
    assert ours == xml() and len(ours) == 2
