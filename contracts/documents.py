"""Formal documents handed to the customer: the 报价单 (PDF and Excel) and the 销售合同 (PDF).

The PDFs are rendered by WeasyPrint from templates/contracts/print/*.html; their CSS names the Noto CJK fonts
(Debian package fonts-noto-cjk), without which the Chinese glyphs silently vanish from the PDF.
The Excel workbook carries the same content with real numbers, so the customer's buyer can recalculate it.
Nothing here writes to the database; callers fetch the document through contracts.selectors first.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.money import amount_in_words, plain

from .models import Contract, Quotation

BASE_CURRENCY = "CNY"
MONEY_FORMAT = "#,##0.00"
QUANTITY_FORMAT = "#,##0.###"


def company() -> dict[str, str]:
    """The letterhead of every document (settings COMPANY_*)."""
    return {
        "name": settings.COMPANY_NAME,
        "address": settings.COMPANY_ADDRESS,
        "phone": settings.COMPANY_PHONE,
        "bank": settings.COMPANY_BANK,
        "tax_id": settings.COMPANY_TAX_ID,
    }


def percent(rate) -> str:
    """Decimal("0.13") -> "13%", Decimal("0.055") -> "5.5%", 0 -> "0%"."""
    return f"{plain((Decimal(rate or 0) * 100).quantize(Decimal('0.01')))}%"


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _lines(doc) -> list:
    """The document's lines with the display strings the print templates need."""
    lines = list(doc.lines.all())
    for line in lines:
        line.discount_display = percent(line.discount_rate) if line.discount_rate else "—"
        line.tax_rate_display = percent(line.tax_rate)
        line.quantity_display = plain(line.quantity)
    return lines


def _context(doc, lines) -> dict:
    return {
        "company": company(),
        "doc": doc,
        "lines": lines,
        "contact_name": doc.contact.name if doc.contact_id else "",
        "owner_name": _person(doc.owner),
        "foreign_currency": doc.currency != BASE_CURRENCY,
        "amount_in_words": amount_in_words(doc.amount_incl),
        "printed_at": timezone.localtime(),
    }


def _pdf(template: str, context: dict) -> bytes:
    # Imported here: WeasyPrint loads Pango/Cairo at import, which pages that never print should not pay for.
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# --- quotation ------------------------------------------------------------------------------------------------------
def quotation_context(quotation: Quotation) -> dict:
    return _context(quotation, _lines(quotation))


def quotation_pdf(quotation: Quotation) -> bytes:
    """The formal 报价单 as an A4 PDF."""
    return _pdf("contracts/print/quotation.html", quotation_context(quotation))


def quotation_xlsx(quotation: Quotation) -> bytes:
    """The formal 报价单 as an Excel workbook: one sheet named after the number, amounts as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    ctx = quotation_context(quotation)
    co = ctx["company"]
    headers = [
        _("行号"),
        _("品名"),
        _("型号"),
        _("规格"),
        _("单位"),
        _("数量"),
        _("含税单价"),
        _("折扣"),
        _("税率"),
        _("不含税金额"),
        _("税额"),
        _("价税合计"),
    ]
    widths = [6, 24, 16, 22, 6, 10, 14, 8, 8, 16, 14, 16]
    ncols = len(headers)
    last = get_column_letter(ncols)

    wb = Workbook()
    ws = wb.active
    ws.title = quotation.display_number[:31]
    bold = Font(bold=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center")
    wrap = Alignment(wrap_text=True, vertical="top")

    def merged(row: int, text, *, font=None, align=None, height=None) -> None:
        ws.merge_cells(f"A{row}:{last}{row}")
        cell = ws.cell(row=row, column=1, value=text)
        if font:
            cell.font = font
        if align:
            cell.alignment = align
        if height:
            ws.row_dimensions[row].height = height

    def pair(row: int, label, value, col: int = 1) -> None:
        ws.cell(row=row, column=col, value=label).font = bold
        ws.cell(row=row, column=col + 1, value=value)

    row = 1
    merged(row, co["name"], font=Font(bold=True, size=16), align=center, height=26)
    row += 1
    merged(
        row,
        "{}：{}    {}：{}".format(_("地址"), co["address"], _("电话"), co["phone"]),
        align=center,
    )
    row += 1
    merged(
        row,
        "{}：{}    {}：{}".format(_("税号"), co["tax_id"], _("开户行及账号"), co["bank"]),
        align=center,
    )
    row += 1
    merged(row, _("报价单"), font=Font(bold=True, size=18), align=center, height=30)
    row += 2

    # Header fields: two label/value pairs per row (columns A-B and G-H, values merged across).
    info = [
        (_("报价单号"), quotation.display_number, _("报价日期"), quotation.quote_date),
        (_("客户名称"), quotation.customer.name, _("有效期至"), quotation.valid_until),
        (_("联系人"), ctx["contact_name"], _("业务员"), ctx["owner_name"]),
        (_("项目名称"), quotation.project_name, _("币种"), quotation.currency),
    ]
    for left_label, left_value, right_label, right_value in info:
        pair(row, left_label, left_value)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=6)
        pair(row, right_label, right_value, col=7)
        ws.merge_cells(start_row=row, start_column=8, end_row=row, end_column=ncols)
        if hasattr(right_value, "year"):
            ws.cell(row=row, column=8).number_format = "yyyy-mm-dd"
            ws.cell(row=row, column=8).alignment = Alignment(horizontal="left")
        row += 1
    row += 1

    table_header = row
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font = bold
        cell.alignment = center
        cell.border = box
    row += 1
    for line in ctx["lines"]:
        values = [
            line.line_no,
            line.name,
            line.model,
            line.spec,
            line.unit,
            line.quantity,
            line.unit_price,
            line.discount_rate,
            line.tax_rate,
            line.amount_excl,
            line.tax,
            line.amount_incl,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border = box
        ws.cell(row=row, column=6).number_format = QUANTITY_FORMAT
        for col in (7, 10, 11, 12):
            ws.cell(row=row, column=col).number_format = MONEY_FORMAT
        for col in (8, 9):
            ws.cell(row=row, column=col).number_format = "0.##%"
        row += 1

    # Totals: the label across A-I, the three sums under their columns.
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=9)
    label = ws.cell(row=row, column=1, value=_("合计"))
    label.font = bold
    label.alignment = center
    for col, value in ((10, quotation.amount_excl), (11, quotation.tax_amount), (12, quotation.amount_incl)):
        cell = ws.cell(row=row, column=col, value=value)
        cell.number_format = MONEY_FORMAT
        cell.font = bold
    for col in range(1, ncols + 1):
        ws.cell(row=row, column=col).border = box
    row += 1
    words_label = _("价税合计（大写）")
    if ctx["foreign_currency"]:
        words_label = f"{words_label}（{quotation.currency}）"
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    ws.cell(row=row, column=1, value=words_label).font = bold
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=ncols)
    ws.cell(row=row, column=4, value=ctx["amount_in_words"]).font = bold
    for col in range(1, ncols + 1):
        ws.cell(row=row, column=col).border = box
    row += 2

    pair(row, _("不含税金额合计"), quotation.amount_excl)
    ws.cell(row=row, column=2).number_format = MONEY_FORMAT
    row += 1
    pair(row, _("税额合计"), quotation.tax_amount)
    ws.cell(row=row, column=2).number_format = MONEY_FORMAT
    row += 1
    pair(row, _("价税合计"), quotation.amount_incl)
    ws.cell(row=row, column=2).number_format = MONEY_FORMAT
    row += 2

    ws.cell(row=row, column=1, value=_("条款")).font = Font(bold=True, size=12)
    row += 1
    payment = quotation.get_payment_terms_display()
    if quotation.payment_terms_text:
        payment = f"{payment}；{quotation.payment_terms_text}"
    terms = [(_("付款方式"), payment), (_("交货条件"), quotation.delivery_terms), (_("其他条款"), quotation.other_terms)]
    for term_label, text in terms:
        ws.cell(row=row, column=1, value=term_label).font = bold
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=ncols)
        ws.cell(row=row, column=2, value=text or "—").alignment = wrap
        ws.row_dimensions[row].height = 15 * max(1, (text or "").count("\n") + 1)
        row += 1
    row += 1

    ws.cell(row=row, column=1, value=_("报价单位（盖章）")).font = bold
    ws.cell(row=row, column=3, value=co["name"])
    ws.cell(row=row, column=7, value=_("客户确认（签字/盖章）")).font = bold
    row += 2
    ws.cell(row=row, column=1, value=_("日期")).font = bold
    ws.cell(row=row, column=3, value=_("　　　　年　　月　　日"))
    ws.cell(row=row, column=7, value=_("日期")).font = bold
    ws.cell(row=row, column=9, value=_("　　　　年　　月　　日"))

    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=table_header + 1, column=1)
    ws.print_title_rows = f"{table_header}:{table_header}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:{last}{row}"

    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- contract -------------------------------------------------------------------------------------------------------
def contract_context(contract: Contract) -> dict:
    ctx = _context(contract, _lines(contract))
    ctx["deposit_display"] = percent(contract.deposit_rate)
    ctx["number_display"] = str(contract)
    return ctx


def contract_pdf(contract: Contract) -> bytes:
    """The formal 销售合同 as an A4 PDF."""
    return _pdf("contracts/print/contract.html", contract_context(contract))


# --- file names -----------------------------------------------------------------------------------------------------
def document_filename(obj, ext: str) -> str:
    """报价单-QT-202611-0001-v2.pdf, 合同-HT-202611-0001.pdf (the version only from v2 on)."""
    kind = _("报价单") if isinstance(obj, Quotation) else _("合同")
    number = f"{obj.number}-v{obj.version}" if obj.version > 1 else obj.number
    return f"{kind}-{number}.{ext.lstrip('.')}"
