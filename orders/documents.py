"""The outbound note (出货单) handed to the carrier and the customer, as an A4 PDF.

Rendered by WeasyPrint from templates/orders/print/outbound_note.html with the letterhead and styles of the contract
documents (salesops.core.documents.render_pdf). The note prints as formal only once the shipment was released through the
payment gate; before that it carries 未放行, and a voided note is not printed at all (outbound_note_watermark).
Nothing here writes to the database; callers fetch the shipment through orders.selectors first.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.documents import Watermark, company, render_pdf
from salesops.core.money import plain

from .models import Shipment

OUTBOUND_NOTE_FORMAL = {Shipment.Status.RELEASED, Shipment.Status.SHIPPED, Shipment.Status.DELIVERED}
OUTBOUND_NOTE_MARKS = {Shipment.Status.DRAFT: Watermark.UNRELEASED, Shipment.Status.CANCELLED: Watermark.VOID}


def outbound_note_watermark(shipment: Shipment) -> Watermark | str:
    """ "" once the shipment is released (gate passed), shipped or delivered; 未放行 before, 作废 when voided."""
    if shipment.status in OUTBOUND_NOTE_FORMAL:
        return ""
    return OUTBOUND_NOTE_MARKS.get(shipment.status, Watermark.UNRELEASED)


def outbound_note_context(shipment: Shipment) -> dict:
    lines = list(shipment.lines.select_related("order_line"))
    for sl in lines:
        sl.quantity_display = plain(sl.quantity)
    order = shipment.order
    return {
        "company": company(),
        "shipment": shipment,
        "order": order,
        "customer": order.customer,
        "lines": lines,
        "total_quantity": plain(sum((sl.quantity for sl in lines), 0)) if lines else "0",
        "contact_name": order.contact.name if order.contact_id else "",
        "aftersales_contact": settings.AFTERSALES_CONTACT,
        "claims_rules": settings.CLAIMS_RULES,
        "printed_at": timezone.localtime(),
    }


def outbound_note_pdf(shipment: Shipment) -> bytes:
    """The 出货单 as an A4 PDF."""
    return render_pdf(
        "orders/print/outbound_note.html",
        outbound_note_context(shipment),
        watermark=outbound_note_watermark(shipment),
        document=_("出货单"),
    )


def outbound_note_filename(shipment: Shipment) -> str:
    """出货单-FH-202611-0001.pdf"""
    return f"{_('出货单')}-{shipment.number}.pdf"


# --- 客户对账单 ------------------------------------------------------------------------------------------------------
def statement_context(statement) -> dict:
    return {"company": company(), "s": statement, "printed_at": timezone.localtime()}


def statement_pdf(statement) -> bytes:
    """The 客户对账单 as an A4 PDF, with the customer's confirmation box (盖章确认)."""
    return render_pdf("orders/print/statement.html", statement_context(statement), watermark="", document=_("对账单"))


def statement_workbook(statement) -> bytes:
    """The 客户对账单 as a workbook: the heading, the period and the opening balance, one row per movement (a payment or
    a refund by its number, its bank reference in a column of its own) with the running balance, the period's totals
    and the closing balance."""
    from salesops.core.sheets import Book, Column, Kind, Span

    book = Book()
    sheet = book.sheet(
        _("对账单"),
        [
            Column(_("日期"), Kind.DATE, 12, lambda m: m.day),
            Column(_("摘要"), Kind.TEXT, 10, lambda m: m.kind_label),
            Column(_("单号"), Kind.TEXT, 18, lambda m: m.number),
            Column(_("银行流水号/票据号"), Kind.TEXT, 20, lambda m: m.reference),  # of a payment or a refund
            Column(_("订单号"), Kind.TEXT, 18, lambda m: m.order),
            Column(_("应收(发货/退款)"), Kind.MONEY, 16, lambda m: m.owed, key="owed", total=True),
            Column(_("已收(回款/冲减)"), Kind.MONEY, 16, lambda m: m.paid, key="paid", total=True),
            Column(_("余额"), Kind.MONEY, 16, lambda m: m.balance),
        ],
        landscape=False,
    )
    sheet.heading(f"{_('客户对账单')}", company=company()["name"])
    sheet.fields(
        [
            (_("客户"), statement.customer.name),
            (_("期间"), f"{statement.start:%Y-%m-%d} — {statement.end:%Y-%m-%d}"),
            (_("期初余额"), statement.opening),
        ]
    )
    sheet.table(statement.moves)
    sheet.totals(_("本期合计"))
    for _key, label, amount in statement.summary():  # what the totals are made of, as on the page
        sheet.line(Span(label, 7), Span(amount, kind=Kind.MONEY))
    sheet.line(Span(_("期末余额"), 7, bold=True), Span(statement.closing, kind=Kind.MONEY))
    return book.save()


def statement_filename(statement, extension: str) -> str:
    """对账单-客户名-2026-11-01-2026-11-30.pdf"""
    return f"{_('对账单')}-{statement.customer.name}-{statement.start:%Y%m%d}-{statement.end:%Y%m%d}.{extension}"
