"""The invoice list (/orders/invoices/, GET /api/v1/invoices/ and its export) searched with `q` (invoice request
number, invoice number, order number, customer name, title) and filtered by `customer`, as the other lists are: one
filter set (orders.filters.InvoiceFilter), the same parameters on the page, in the API (and its schema) and the export."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import InvoiceRequest, SalesOrder
from salesops.core.exports import export_named, export_rows
from salesops.core.numbering import next_number
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
INVOICES = "/api/v1/invoices/"


def invoice_of(cast, customer, number: str, title: str) -> InvoiceRequest:
    order = SalesOrder.objects.create(
        number=number, customer=customer, owner=customer.owner, received_on=timezone.localdate(), amount_incl=D("100.00"),
        created_by=cast.clerk,
    )  # fmt: skip
    return InvoiceRequest.objects.create(
        number=next_number("KP"), order=order, title=title, tax_id="9132", amount=D("100.00"), requested_by=cast.clerk
    )


@pytest.fixture
def invoices(cast):
    """Three invoices: two of 上海测试精密机械 (one issued as 04400001), one of 苏州精工机械."""
    shanghai = CustomerFactory(owner=cast.alice, team=cast.east, name="上海测试精密机械有限公司")
    suzhou = CustomerFactory(owner=cast.bob, team=cast.east, name="苏州精工机械有限公司")
    first = invoice_of(cast, shanghai, "SO-Q-001", "上海测试精密机械有限公司")
    second = invoice_of(cast, shanghai, "SO-Q-002", "上海测试（开票专用）")
    third = invoice_of(cast, suzhou, "SO-Q-003", "苏州精工机械有限公司")
    services.invoice_issue(invoice=first, actor=cast.finance, numbers="04400001")
    return {"first": first, "second": second, "third": third, "shanghai": shanghai, "suzhou": suzhou}


def page_ids(client, params) -> list[int]:
    response = client.get(reverse("orders:invoice_list"), params)
    assert response.status_code == 200, response.content.decode()[:500]
    return sorted(i.pk for i in response.context["page"])


def api_ids(api, params) -> list[int]:
    response = api.get(INVOICES, params)
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def export_ids(actor, params) -> list[int]:
    return sorted(i.pk for i in export_rows(export_named("invoices"), actor=actor, params=params))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "0440 0001"}, ["first"]),  # the invoice number, typed with a space
        ({"q": "04400001"}, ["first"]),
        ({"q": "so-q-003"}, ["third"]),  # the order number, any case
        ({"q": "精工"}, ["third"]),  # the customer's name
        ({"q": "开票专用"}, ["second"]),  # the title
        ({"q": "上海 SO-Q-002"}, ["second"]),  # every word
        ({"customer": "shanghai"}, ["first", "second"]),
        ({"customer": "shanghai", "q": "04400001"}, ["first"]),
        ({"customer": "suzhou", "q": "上海"}, []),
    ],
)
def test_the_page_the_api_and_the_export_search_and_filter_alike(cast, invoices, client_as, api_as, params, expected):
    # given three invoices of two customers; when finance lists them with `q` and/or `customer`
    params = {k: (invoices[v].pk if k == "customer" else v) for k, v in params.items()}
    want = sorted(invoices[name].pk for name in expected)
    # then the page, the API and the export give the same rows
    assert page_ids(client_as(cast.finance), params) == want
    assert api_ids(api_as(cast.finance), params) == want
    assert export_ids(cast.finance, params) == want


def test_the_invoice_request_number_finds_its_invoice(cast, invoices, client_as, api_as):
    # given the list shows each invoice request's number (KP-…, no longer its #id); when finance searches for it — or
    # for its id, with or without "#", as before the numbers — it is found
    third = invoices["third"]
    page = client_as(cast.finance).get(reverse("orders:invoice_list")).content.decode()
    assert third.number in page and f">#{third.pk}<" not in page
    for typed in (third.number, str(third.pk), f"#{third.pk}"):
        assert third.pk in page_ids(client_as(cast.finance), {"q": typed})
        assert third.pk in api_ids(api_as(cast.finance), {"q": typed})


def test_the_page_offers_search_and_the_customer(cast, invoices, client_as):
    # when finance opens the list filtered by a customer, then the bar has the search box and that customer chosen
    html = client_as(cast.finance).get(reverse("orders:invoice_list"), {"customer": invoices["suzhou"].pk}).content.decode()
    assert 'name="q"' in html and 'name="customer"' in html and "苏州精工机械有限公司" in html


def test_the_rep_searches_only_what_she_may_see(cast, invoices, api_as):
    # alice owns 上海测试精密机械's invoices only; bob's 苏州精工机械 is not found for her, even by its number
    assert api_ids(api_as(cast.alice), {"q": "精工"}) == []
    assert api_ids(api_as(cast.alice), {"customer": invoices["suzhou"].pk}) == []
    assert api_ids(api_as(cast.alice), {"q": "上海"}) == sorted([invoices["first"].pk, invoices["second"].pk])


def test_the_schema_lists_the_new_filters(openapi):
    names = {p["name"] for p in openapi["paths"][INVOICES]["get"]["parameters"]}
    assert {"q", "customer"} <= names


def test_a_customer_that_is_not_a_number_is_a_400(cast, invoices, client_as, api_as):
    assert api_as(cast.finance).get(INVOICES, {"customer": "x"}).status_code == 400
    assert client_as(cast.finance).get(reverse("orders:invoice_list"), {"customer": "x"}).status_code == 400
