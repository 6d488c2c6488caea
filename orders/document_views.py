"""Download of the outbound note (出货单) PDF. Access goes through the selectors (rule 5): a shipment the user may not
see is a 404, as on its page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from contracts.document_views import PDF, _attachment

from . import documents, selectors


@require_GET
@login_required
def shipment_pdf(request, pk):
    shipment = get_object_or_404(selectors.shipment_list_for(request.user).select_related("order__contact"), pk=pk)
    return _attachment(
        documents.outbound_note_pdf(shipment), content_type=PDF, filename=documents.outbound_note_filename(shipment)
    )
