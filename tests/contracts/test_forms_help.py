"""Forms that help on the quotation and contract pages: discounts typed as percentages (the services keep rates), the
price a chosen product's line starts with, the customer and product type-aheads, and an empty scan refused in Chinese."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts import services
from contracts.models import Quotation
from salesops.core.forms import PercentField
from tests.contracts.conftest import decide, fill_review, line
from tests.contracts.test_views import header_data, lines_data
from tests.factories import CustomerFactory, PriceListFactory, PriceListItemFactory

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(("typed", "percent"), [("5", D("5")), ("12.5", D("12.5")), ("0", D("0")), ("100", D("100")), ("", None)])
def test_a_percentage_is_passed_on_as_typed(typed, percent):
    # the page's field keeps the percentage: the service turns it into the rate (one rule for page and API)
    assert PercentField("折扣(%)", required=False).clean(typed) == percent


@pytest.mark.parametrize("typed", ["101", "-1", "5.125", "五"])
def test_a_percentage_out_of_range_or_too_precise_is_refused(typed):
    with pytest.raises(Exception) as refused:
        PercentField("折扣(%)", required=False).clean(typed)
    assert refused.typename == "ValidationError"


def test_a_stored_percentage_is_shown_without_trailing_zeros():
    field = PercentField("折扣(%)", required=False)
    assert field.prepare_value(D("0.0500") * 100) == "5" and field.prepare_value("7.5") == "7.5"
    assert not field.has_changed(D("5.0000"), "5") and field.has_changed(D("5.0000"), "6")


def test_a_quotation_line_discount_is_typed_as_a_percentage(client_as, quoting_alice, customer, pump):
    data = {**header_data(customer), **lines_data(line(pump, quantity="10", discount_percent="5"))}
    response = client_as(quoting_alice).post(reverse("contracts:quotation_create"), data)
    quotation = Quotation.objects.get()
    assert response.status_code == 302
    assert quotation.lines.get().discount_rate == D("0.0500") and quotation.amount_incl == D("10735.00")
    # the edit form shows it as typed
    page = html(client_as(quoting_alice).get(reverse("contracts:quotation_edit", args=[quotation.pk])))
    assert re.search(r'name="lines-0-discount_percent" value="5"', page)


def test_line_mistakes_show_on_their_cells_at_once(client_as, quoting_alice, customer, pump):
    rows = [line(pump, discount_percent="150"), {"quantity": "3"}, line(pump, quantity="")]
    response = client_as(quoting_alice).post(
        reverse("contracts:quotation_create"), {**header_data(customer), **lines_data(*rows)}
    )
    page = html(response)
    assert response.status_code == 400 and not Quotation.objects.exists()
    assert page.count('data-testid="cell-error-discount_percent"') == 1
    assert page.count('data-testid="cell-error-product"') == 1 and "请选择产品或填写品名" in page
    assert page.count('data-testid="cell-error-quantity"') == 1


def test_the_document_form_pickers_are_type_aheads(client_as, quoting_alice, customer):
    page = html(client_as(quoting_alice).get(reverse("contracts:quotation_create"), {"customer": customer.pk}))
    assert f'data-lookup-url="{reverse("customers:lookup")}"' in page
    assert f'data-lookup-url="{reverse("catalog:product_lookup")}"' in page
    assert 'data-party="contacts"' in page and "王经理" in page


def test_line_price_is_the_customers_price_list_price(cast, client_as, customer, pump):
    url = reverse("contracts:line_price")
    client = client_as(cast.alice)
    assert client.get(url, {"product": pump.pk}).json() == {
        "unit_price": "1130.00",
        "list_price": "1130.00",
        "tax_rate": "0.1300",
        "unit": pump.unit,
    }
    special = PriceListFactory(customer_grade=customer.grade)
    PriceListItemFactory(price_list=special, product=pump, unit_price=D("999.00"))
    assert client.get(url, {"product": pump.pk, "customer": customer.pk}).json()["unit_price"] == "999.00"
    # a customer the user may not see prices as no customer; a malformed product is not found
    hidden = CustomerFactory(owner=cast.carol, team=cast.south, grade=customer.grade)
    assert client.get(url, {"product": pump.pk, "customer": hidden.pk}).json()["unit_price"] == "1130.00"
    assert client.get(url, {"product": "x"}).status_code == 404
    assert client.get(url, {"product": pump.pk, "date": "2026-02-30"}).status_code == 200


def test_an_empty_scan_is_refused_in_chinese(cast, client_as, customer, pump):
    contract = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    fill_review(contract, cast.alice)
    services.contract_submit(contract=contract, actor=cast.alice)
    decide(contract, services.CONTRACT_KIND, cast.manager)
    empty = SimpleUploadedFile("signed.pdf", b"", content_type="application/pdf")
    response = client_as(cast.alice).post(reverse("contracts:contract_sign", args=[contract.pk]), {"scan": empty})
    assert response.status_code == 400 and "上传的文件是空的" in html(response)
