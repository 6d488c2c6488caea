"""HTML pages of quotations and contracts (being written)."""

from django.http import HttpResponse

from . import selectors


def quotation_detail(request, pk):
    return HttpResponse(str(selectors.quotation_get_for(request.user, pk)))


def contract_detail(request, pk):
    return HttpResponse(str(selectors.contract_get_for(request.user, pk)))
