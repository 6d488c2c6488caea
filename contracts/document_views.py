"""Downloads of the formal documents: 报价单 (PDF, Excel) and 销售合同 (PDF).

Access goes through the selectors (rule 5): a document the user may not see is a 404, as on its detail page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from . import documents, selectors

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Content-Length"] = str(len(content))
    # Documents carry prices: never store them in shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def quotation_pdf(request, pk):
    quotation = selectors.quotation_get_for(request.user, pk)
    return _attachment(
        documents.quotation_pdf(quotation), content_type=PDF, filename=documents.document_filename(quotation, "pdf")
    )


@require_GET
@login_required
def quotation_xlsx(request, pk):
    quotation = selectors.quotation_get_for(request.user, pk)
    return _attachment(
        documents.quotation_xlsx(quotation), content_type=XLSX, filename=documents.document_filename(quotation, "xlsx")
    )


@require_GET
@login_required
def contract_pdf(request, pk):
    contract = selectors.contract_get_for(request.user, pk)
    return _attachment(documents.contract_pdf(contract), content_type=PDF, filename=documents.document_filename(contract, "pdf"))
