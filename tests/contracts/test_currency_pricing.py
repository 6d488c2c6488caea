"""Documents in another currency are priced from the CNY catalogue at their exchange rate (CNY price ÷ rate, half up to
the fen) — services, pages, API and the price the forms fill in alike —, a price list row's 起订量 applies only from
its quantity on, and the margin rule compares the contract's amount in CNY with its cost (in CNY)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from contracts import rules, services
from contracts.models import Quotation
from contracts.rules import ContractFacts, LineFacts, Reason
from tests.contracts.conftest import line
from tests.contracts.test_views import header_data, lines_data
from tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory

pytestmark = pytest.mark.django_db
QUOTATIONS = "/api/v1/quotations/"
USD = {"currency": "USD", "exchange_rate": D("7.1234")}  # as the page's form and the API's serializer give it
USD_TYPED = {"currency": "USD", "exchange_rate": "7.1234"}  # as the browser and an API client send it


@pytest.fixture
def motor(db):
    """List 2,260.00 (CNY), cost 1,110.00: 50.9 % margin at list price."""
    return ProductFactory(code="M-2260", name="电机", list_price=D("2260.00"), standard_cost=D("1110.00"))


# --- 4. another currency: the CNY price at the document's rate ---------------------------------------------------------
def test_a_usd_quotation_takes_the_cny_price_at_its_rate(cast, quoting_alice, customer, motor):
    q = services.quotation_create(actor=quoting_alice, customer=customer, data=USD, lines=[line(motor, quantity="1")])
    ln = q.lines.get()
    # 2,260.00 ÷ 7.1234 = 317.264… → 317.26; the list price too, so no discount is seen (no discount approval)
    assert (ln.unit_price, ln.list_price, ln.discount_rate) == (D("317.26"), D("317.26"), D("0"))
    assert q.amount_incl == D("317.26") and ln.unit_cost == D("1110.00")  # the cost stays in CNY
    # a customer's CNY price list price is converted the same way: 2,000.00 ÷ 7.1234 = 280.764… → 280.76
    special = PriceListFactory(customer_grade=customer.grade)
    PriceListItemFactory(price_list=special, product=motor, unit_price=D("2000.00"))
    q = services.quotation_update(quotation=q, actor=quoting_alice, data={}, lines=[line(motor, quantity="1")])
    assert q.lines.get().unit_price == D("280.76")
    # a CNY document keeps the CNY price
    cny = services.quotation_create(actor=quoting_alice, customer=customer, data={}, lines=[line(motor, quantity="1")])
    assert cny.lines.get().unit_price == D("2000.00")


def test_the_page_the_api_and_the_form_price_agree(cast, client_as, api_as, quoting_alice, customer, motor):
    page = client_as(quoting_alice).post(
        reverse("contracts:quotation_create"),
        {**header_data(customer, **USD_TYPED), **lines_data({"product": motor.pk, "quantity": "1"})},
    )
    assert page.status_code == 302 and Quotation.objects.get().lines.get().unit_price == D("317.26")
    body = api_as(quoting_alice).post(
        QUOTATIONS, {"customer": customer.pk, **USD_TYPED, "lines": [line(motor, quantity="1")]}, format="json"
    )
    assert body.status_code == 201 and body.json()["lines"][0]["unit_price"] == "317.26"
    preview = client_as(quoting_alice).get(
        reverse("contracts:line_price"), {"product": motor.pk, "customer": customer.pk, "quantity": "1", **USD_TYPED}
    )
    assert preview.status_code == 200
    assert (preview.json()["unit_price"], preview.json()["list_price"]) == ("317.26", "317.26")
    cny = client_as(quoting_alice).get(reverse("contracts:line_price"), {"product": motor.pk, "currency": "CNY"})
    assert cny.json()["unit_price"] == "2260.00"
    # another currency without a usable rate: 400 with the reason
    for bad in ("", "0", "abc"):
        answer = client_as(quoting_alice).get(
            reverse("contracts:line_price"), {"product": motor.pk, "currency": "USD", "exchange_rate": bad}
        )
        assert answer.status_code == 400 and "汇率" in answer.json()["detail"]


# --- 5. 起订量: a price list row applies from its minimum quantity on ----------------------------------------------------
def test_a_tiered_price_applies_from_its_minimum_quantity(cast, client_as, quoting_alice, customer, pump):
    tiers = PriceListFactory()
    PriceListItemFactory(price_list=tiers, product=pump, unit_price=D("1000.00"), min_quantity=D("10"))
    below = services.quotation_create(actor=quoting_alice, customer=customer, data={}, lines=[line(pump, quantity="5")])
    at = services.quotation_create(actor=quoting_alice, customer=customer, data={}, lines=[line(pump, quantity="10")])
    assert below.lines.get().unit_price == D("1130.00") and at.lines.get().unit_price == D("1000.00")
    url = reverse("contracts:line_price")
    client = client_as(quoting_alice)
    assert client.get(url, {"product": pump.pk, "quantity": "5"}).json()["unit_price"] == "1130.00"
    assert client.get(url, {"product": pump.pk, "quantity": "10"}).json()["unit_price"] == "1000.00"
    # and in another currency: 1,000.00 ÷ 7.1234 = 140.38
    usd = services.quotation_create(actor=quoting_alice, customer=customer, data=USD, lines=[line(pump, quantity="12")])
    assert usd.lines.get().unit_price == D("140.38")


# --- 6. the margin rule compares CNY with CNY --------------------------------------------------------------------------
def test_a_usd_contract_at_a_normal_margin_is_not_special_for_its_margin(cast, customer, motor):
    contract = services.contract_create(actor=cast.alice, customer=customer, data=USD, lines=[line(motor, quantity="1")])
    # 317.26 USD = 2,259.97 CNY against a cost of 1,110.00: 50.9 %, above the normal 20 %
    assert [r["code"] for r in contract.classification_reasons] == [Reason.FOREIGN_CURRENCY]
    assert round(contract.margin_rate, 3) == D("0.509")


def test_the_margin_rule_reads_the_amount_in_cny():
    facts = ContractFacts(
        lines=(LineFacts(name="电机", quantity=D("1")),),
        amount_incl=D("317.26"),
        amount_cny=D("2259.97"),
        cost_total=D("1110.00"),
        currency="USD",
    )
    assert [f.code for f in rules.classify(facts)] == [Reason.FOREIGN_CURRENCY]
    low = ContractFacts(**{**facts.__dict__, "cost_total": D("2000.00")})
    found = rules.classify(low)
    assert [f.code for f in found] == [Reason.FOREIGN_CURRENCY, Reason.LOW_MARGIN] and "11.5" in found[1].detail
