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
