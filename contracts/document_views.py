"""Downloads of the documents: 报价单 (PDF, Excel) and 销售合同 (PDF).

Access goes through the selectors (rule 5): a document the user may not see is a 404, as on its detail page.
A voided document has no download (409, salesops.core.documents.require_printable); the others print with the watermark
their status gives them (contracts.documents.quotation_watermark / contract_watermark) and the figures the downloading
user may see (no prices for the goods and technical reviewers, as on the pages and the API).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from salesops.core.documents import PDF, XLSX, attachment, require_printable

from . import documents, selectors


def _quotation(request, pk):
    quotation = selectors.quotation_get_for(request.user, pk)
    require_printable(documents.quotation_watermark(quotation), _("报价单"))
    return quotation


@require_GET
@login_required
def quotation_pdf(request, pk):
    quotation = _quotation(request, pk)
    return attachment(
        documents.quotation_pdf(quotation, reader=request.user),
        content_type=PDF,
        filename=documents.document_filename(quotation, "pdf"),
    )


@require_GET
@login_required
def quotation_xlsx(request, pk):
    quotation = _quotation(request, pk)
    return attachment(
        documents.quotation_xlsx(quotation, reader=request.user),
        content_type=XLSX,
        filename=documents.document_filename(quotation, "xlsx"),
    )


@require_GET
@login_required
def contract_pdf(request, pk):
    contract = selectors.contract_get_for(request.user, pk)
    require_printable(documents.contract_watermark(contract), _("合同"))
    return attachment(
        documents.contract_pdf(contract, reader=request.user),
        content_type=PDF,
        filename=documents.document_filename(contract, "pdf"),
    )
