"""客户对账单: the page of a customer's statement for a period (?start=&end=, last month by default), and its PDF and
Excel downloads. Who may read it: who may see the customer and handles money (orders.permissions.handles_money); the
figures come from orders.statements."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from customers.selectors import customer_get_for
from salesops.core.documents import PDF, XLSX, attachment
from salesops.core.pages import forbidden

from . import documents, permissions
from .forms import StatementPeriodForm
from .statements import customer_statement, last_month

NOT_YOURS = _("对账单由业务员、销售组长、销售内勤、财务和经理查看。")


def _statement(request, customer_pk) -> tuple:
    """(the customer, the period form, its statement — None for a wrong period) or a refusal response."""
    customer = customer_get_for(request.user, customer_pk)
    if not permissions.handles_money(request.user):
        return forbidden(request, str(NOT_YOURS))
    start, end = last_month()
    given = {name: request.GET[name] for name in ("start", "end") if request.GET.get(name)}
    form = StatementPeriodForm({"start": start, "end": end} | given)
    found = customer_statement(customer, form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_valid() else None
    return customer, form, found


def _page(request, customer, form, found):
    context = {"s": found, "form": form, "customer": customer, "query": request.GET.urlencode()}
    return render(request, "orders/statement.html", context, status=200 if found else 400)


@login_required
@require_GET
def statement(request, customer_pk):
    """The statement on screen, with the period to choose and the downloads."""
    got = _statement(request, customer_pk)
    return got if not isinstance(got, tuple) else _page(request, *got)


@login_required
@require_GET
def statement_download(request, customer_pk, fmt):
    """对账单 as PDF (to stamp and send) or Excel; a wrong period shows the page with its message."""
    got = _statement(request, customer_pk)
    if not isinstance(got, tuple):
        return got
    customer, form, found = got
    if found is None:
        return _page(request, customer, form, found)
    if fmt == "pdf":
        return attachment(documents.statement_pdf(found), content_type=PDF, filename=documents.statement_filename(found, "pdf"))
    return attachment(
        documents.statement_workbook(found), content_type=XLSX, filename=documents.statement_filename(found, "xlsx")
    )
