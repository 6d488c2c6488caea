"""Documents handed to the customer: the 报价单 (PDF and Excel) and the 销售合同 (PDF).

The PDFs are rendered by WeasyPrint from templates/contracts/print/*.html (salesops.core.documents.render_pdf: the CSS
names the Noto CJK fonts, without which the Chinese glyphs silently vanish from the PDF). The Excel workbook carries the
same content with real numbers, so the customer's buyer can recalculate it (salesops.core.sheets).
Only approved/sent/accepted quotations and approved/signed/active/completed contracts print as formal documents; every
other status prints with a watermark (quotation_watermark, contract_watermark) and a voided one not at all.
Every printed form obeys the figures its reader may see, as the pages and the API do: without prices
(selectors.sees_prices: the goods and technical reviewers) no unit price, discount, amount, total or amount in words.
Cost and margin are never printed, whoever prints: these are the customer's copies.
Nothing here writes to the database; callers fetch the document through contracts.selectors first.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from salesops.core.documents import Watermark, company, render_pdf, watermark_notice
from salesops.core.money import amount_in_words, percent_text, plain
from salesops.core.names import display_name
from salesops.core.sheets import WRAP, Book, Column, Kind, Span

from .models import Contract, Quotation
from .selectors import sees_prices

BASE_CURRENCY = "CNY"


def _lines(doc) -> list:
    """The document's lines with the display strings the print templates need."""
    lines = list(doc.lines.all())
    for line in lines:
        line.discount_display = percent_text(line.discount_rate) if line.discount_rate else "—"
        line.tax_rate_display = percent_text(line.tax_rate)
        line.quantity_display = plain(line.quantity)
    return lines


def _context(doc, lines, reader) -> dict:
    """What the print templates show `reader`: prices, amounts and the amount in words only to those who may see prices."""
    prices = sees_prices(reader)
    return {
        "company": company(),
        "doc": doc,
        "lines": lines,
        "contact_name": doc.contact.name if doc.contact_id else "",
        "owner_name": display_name(doc.owner),
        "foreign_currency": doc.currency != BASE_CURRENCY,
        "sees_prices": prices,
        "amount_in_words": amount_in_words(doc.amount_incl) if prices else "",
        "printed_at": timezone.localtime(),
    }


# --- watermarks: one function per document kind, which every printed form of the document obeys ----------------------
QUOTATION_FORMAL = {Quotation.Status.APPROVED, Quotation.Status.SENT, Quotation.Status.ACCEPTED}
QUOTATION_MARKS = {
    Quotation.Status.DRAFT: Watermark.DRAFT,
    Quotation.Status.IN_REVIEW: Watermark.UNAPPROVED,
    Quotation.Status.REJECTED: Watermark.REJECTED,
    Quotation.Status.EXPIRED: Watermark.EXPIRED,
    Quotation.Status.SUPERSEDED: Watermark.SUPERSEDED,
    Quotation.Status.CANCELLED: Watermark.VOID,
}
# Approved but not yet signed prints without a mark: that is the copy the customer signs.
CONTRACT_FORMAL = {Contract.Status.APPROVED, Contract.Status.SIGNED, Contract.Status.ACTIVE, Contract.Status.COMPLETED}
CONTRACT_MARKS = {
    Contract.Status.DRAFT: Watermark.DRAFT,
    Contract.Status.RETURNED: Watermark.DRAFT,
    Contract.Status.IN_REVIEW: Watermark.UNAPPROVED,
    Contract.Status.TERMINATED: Watermark.TERMINATED,
    Contract.Status.CANCELLED: Watermark.VOID,
}


def quotation_watermark(quotation: Quotation) -> Watermark | str:
    """ "" for a formal quotation (approved, sent, accepted), else the mark it carries; a status not listed is marked
    未审核 rather than printed as formal."""
    if quotation.status in QUOTATION_FORMAL:
        return ""
    return QUOTATION_MARKS.get(quotation.status, Watermark.UNAPPROVED)


def contract_watermark(contract: Contract) -> Watermark | str:
    """ "" for a contract that may print as formal (approved for signature, signed, active, completed), else its mark."""
    if contract.status in CONTRACT_FORMAL:
        return ""
    return CONTRACT_MARKS.get(contract.status, Watermark.UNAPPROVED)


# --- quotation ------------------------------------------------------------------------------------------------------
def quotation_context(quotation: Quotation, *, reader) -> dict:
    return _context(quotation, _lines(quotation), reader)


def quotation_pdf(quotation: Quotation, *, reader) -> bytes:
    """The 报价单 as an A4 PDF, with the figures `reader` may see."""
    return render_pdf(
        "contracts/print/quotation.html",
        quotation_context(quotation, reader=reader),
        watermark=quotation_watermark(quotation),
        document=_("报价"),
    )


# the columns of prices and amounts, left out for a reader who may not see prices
PRICE_COLUMNS = ("unit_price", "discount_rate", "amount_excl", "tax_amount", "amount_incl")


def _line_columns(*, prices: bool) -> list[Column]:
    columns = [
        Column(_("行号"), Kind.INTEGER, 6, lambda ln: ln.line_no),
        Column(_("品名"), Kind.TEXT, 24, lambda ln: ln.name),
        Column(_("型号"), Kind.TEXT, 16, lambda ln: ln.model),
        Column(_("规格"), Kind.TEXT, 22, lambda ln: ln.spec),
        Column(_("单位"), Kind.TEXT, 6, lambda ln: ln.unit),
        Column(_("数量"), Kind.QUANTITY, 10, lambda ln: ln.quantity),
        Column(_("含税单价"), Kind.MONEY, 14, lambda ln: ln.unit_price, key="unit_price"),
        Column(_("折扣"), Kind.PERCENT, 8, lambda ln: ln.discount_rate, key="discount_rate"),
        Column(_("税率"), Kind.PERCENT, 8, lambda ln: ln.tax_rate),
        Column(_("不含税金额"), Kind.MONEY, 16, lambda ln: ln.amount_excl, key="amount_excl"),
        Column(_("税额"), Kind.MONEY, 14, lambda ln: ln.tax, key="tax_amount"),
        Column(_("价税合计"), Kind.MONEY, 16, lambda ln: ln.amount_incl, key="amount_incl"),
    ]
    return columns if prices else [c for c in columns if c.key not in PRICE_COLUMNS]


def _quotation_totals(sheet, quotation: Quotation, ctx: dict) -> None:
    """The totals row under the lines, the amount in words and the three sums (for a reader who sees prices)."""
    sheet.totals(
        values={
            "amount_excl": quotation.amount_excl,
            "tax_amount": quotation.tax_amount,
            "amount_incl": quotation.amount_incl,
        }
    )
    words_label = _("价税合计（大写）")
    if ctx["foreign_currency"]:
        words_label = f"{words_label}（{quotation.currency}）"
    sheet.line(Span(words_label, 3, bold=True), Span(ctx["amount_in_words"], sheet.ncols - 3, bold=True), box=True)
    sheet.blank()
    for label, amount in (
        (_("不含税金额合计"), quotation.amount_excl),
        (_("税额合计"), quotation.tax_amount),
        (_("价税合计"), quotation.amount_incl),
    ):
        sheet.line(Span(label, bold=True), Span(amount, kind=Kind.MONEY))


def quotation_xlsx(quotation: Quotation, *, reader) -> bytes:
    """The 报价单 as an Excel workbook: one sheet named after the number, amounts as numbers, the PDF's layout, with the
    figures `reader` may see."""
    ctx = quotation_context(quotation, reader=reader)
    co = ctx["company"]
    book = Book()
    sheet = book.sheet(
        quotation.display_number,
        _line_columns(prices=ctx["sees_prices"]),
        banner=watermark_notice(quotation_watermark(quotation), _("报价")),
        boxed=True,
    )
    sheet.heading(
        _("报价单"),
        company=co["name"],
        lines=[
            "{}：{}    {}：{}".format(_("地址"), co["address"], _("电话"), co["phone"]),
            "{}：{}    {}：{}".format(_("税号"), co["tax_id"], _("开户行及账号"), co["bank"]),
        ],
    )
    sheet.fields(
        [
            (_("报价单号"), quotation.display_number),
            (_("报价日期"), quotation.quote_date),
            (_("客户名称"), quotation.customer.name),
            (_("有效期至"), quotation.valid_until),
            (_("联系人"), ctx["contact_name"]),
            (_("业务员"), ctx["owner_name"]),
            (_("项目名称"), quotation.project_name),
            (_("币种"), quotation.currency),
        ],
        per_row=2,
    )
    sheet.table(ctx["lines"])
    if ctx["sees_prices"]:
        _quotation_totals(sheet, quotation, ctx)
    else:
        sheet.line(Span(_("（本打印件不含价格和金额。）"), sheet.ncols))
    sheet.blank()

    sheet.line(Span(_("条款"), font=Font(bold=True, size=12)))
    payment = quotation.get_payment_terms_display()
    if quotation.payment_terms_text:
        payment = f"{payment}；{quotation.payment_terms_text}"
    for label, text in (
        (_("付款方式"), payment),
        (_("交货条件"), quotation.delivery_terms),
        (_("其他条款"), quotation.other_terms),
    ):
        height = 15 * max(1, (text or "").count("\n") + 1)
        sheet.line(Span(label, bold=True), Span(text or "—", sheet.ncols - 1, align=WRAP), height=height)
    sheet.blank()

    blank_date = _("　　　　年　　月　　日")
    half = sheet.ncols // 2  # the seller's half and the customer's, however many columns the reader's sheet has
    sheet.line(
        Span(_("报价单位（盖章）"), 2, bold=True),
        Span(co["name"], half - 2),
        Span(_("客户确认（签字/盖章）"), sheet.ncols - half, bold=True),
    )
    sheet.blank()
    sheet.line(
        Span(_("日期"), 2, bold=True),
        Span(blank_date, half - 2),
        Span(_("日期"), 2, bold=True),
        Span(blank_date, sheet.ncols - half - 2),
    )
    return book.save()


# --- contract -------------------------------------------------------------------------------------------------------
def contract_context(contract: Contract, *, reader) -> dict:
    ctx = _context(contract, _lines(contract), reader)
    ctx["deposit_display"] = percent_text(contract.deposit_rate)
    ctx["number_display"] = str(contract)
    return ctx


def contract_pdf(contract: Contract, *, reader) -> bytes:
    """The 销售合同 as an A4 PDF, with the figures `reader` may see."""
    return render_pdf(
        "contracts/print/contract.html",
        contract_context(contract, reader=reader),
        watermark=contract_watermark(contract),
        document=_("合同"),
    )


# --- file names -----------------------------------------------------------------------------------------------------
def document_filename(obj, ext: str) -> str:
    """报价单-QT-202611-0001-v2.pdf, 合同-HT-202611-0001.pdf (the version only from v2 on)."""
    kind = _("报价单") if isinstance(obj, Quotation) else _("合同")
    number = f"{obj.number}-v{obj.version}" if obj.version > 1 else obj.number
    return f"{kind}-{number}.{ext.lstrip('.')}"
