"""Download of the outbound note (出货单) PDF. Access goes through the selectors (rule 5): a shipment the user may not
see is a 404, as on its page; a voided one is a 409 (salesops.core.documents.require_printable)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from salesops.core.documents import PDF, attachment, require_printable

from . import documents, selectors


@require_GET
@login_required
def shipment_pdf(request, pk):
    shipment = get_object_or_404(selectors.shipment_list_for(request.user).select_related("order__contact"), pk=pk)
    require_printable(documents.outbound_note_watermark(shipment), _("出货单"))
    return attachment(
        documents.outbound_note_pdf(shipment), content_type=PDF, filename=documents.outbound_note_filename(shipment)
    )
