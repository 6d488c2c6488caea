"""Downloads of the formal documents (being written)."""
from django.http import Http404


def quotation_pdf(request, pk):
    raise Http404


def quotation_xlsx(request, pk):
    raise Http404


def contract_pdf(request, pk):
    raise Http404
