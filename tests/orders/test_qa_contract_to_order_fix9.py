"""QA (F11, F10): 下订单 is offered on a contract — on its page and in the API's `allowed_actions`, by the one rule
orders.permissions.can_order_from_contract — only while something is left to order, and the order page of a fully
ordered contract says why instead of a form of zeros; a signed contract tells the clerks, and their work page (and home
card) lists signed contracts with quantity not yet ordered under 已签订待下单, each linking to 下订单."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services as contract_services
from orders import selectors, services
from orders.models import SalesOrder
from salesops.core.models import Notification, OutboxMessage
from tests.contracts.conftest import decide, fill_review
from tests.orders.conftest import fresh

pytestmark = pytest.mark.django_db

FULLY_ORDERED = "合同的数量已全部下单。"


def contract_page(client, contract) -> str:
    response = client.get(reverse("contracts:contract_detail", args=[contract.pk]))
    assert response.status_code == 200
    return response.content.decode()


def api_actions(api, contract) -> list[str]:
    response = api.get(f"/api/v1/contracts/{contract.pk}/")
    assert response.status_code == 200
    return response.json()["allowed_actions"]


# --- F11: 下订单 only while something is left to order ------------------------------------------------------------------
def test_the_page_and_the_api_offer_the_order_while_something_is_left(cast, client_as, api_as, signed_contract):
    # given a signed contract of 10 with 6 ordered
    line_id = signed_contract.lines.get().pk
    services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={}, lines={line_id: "6"})
    # then the clerk's page and API both offer 下订单
    assert 'data-testid="action-create-order"' in contract_page(client_as(cast.clerk), fresh(signed_contract))
    assert "create_order" in api_actions(api_as(cast.clerk), signed_contract)
    # and a rep (who does not take orders) has it on neither
    assert 'data-testid="action-create-order"' not in contract_page(client_as(cast.alice), fresh(signed_contract))
    assert "create_order" not in api_actions(api_as(cast.alice), signed_contract)


def test_a_fully_ordered_contract_offers_no_order_and_its_order_page_says_why(cast, client_as, api_as, signed_contract):
    # given orders took every line of the contract
    services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
    clerk = client_as(cast.clerk)
    # when the clerk opens the contract page and reads the API; then neither offers 下订单
    assert 'data-testid="action-create-order"' not in contract_page(clerk, fresh(signed_contract))
    assert "create_order" not in api_actions(api_as(cast.clerk), signed_contract)
    # and the order page answers with the reason and the way back, no form of zeros
    url = reverse("orders:order_create_from_contract", args=[signed_contract.pk])
    page = clerk.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and FULLY_ORDERED in body and 'data-testid="refusal"' in body
    assert 'data-testid="order-from-contract-form"' not in body
    assert reverse("contracts:contract_detail", args=[signed_contract.pk]) in body
    # and a POST is refused the same way, ordering nothing more
    posted = clerk.post(url, {"customer_po": "PO-2"})
    assert posted.status_code == 409 and FULLY_ORDERED in posted.content.decode()
    assert SalesOrder.objects.filter(contract=signed_contract).count() == 1


def test_a_cancelled_order_gives_the_quantity_back(cast, client_as, api_as, signed_contract):
    order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
    assert "create_order" not in api_actions(api_as(cast.clerk), signed_contract)
    services.order_cancel(order=order, actor=cast.clerk, reason="客户取消")
    assert "create_order" in api_actions(api_as(cast.clerk), signed_contract)


# --- F10: signing tells the clerks; their queue 已签订待下单 ---------------------------------------------------------
def _signed(cast, customer, pump, quantity="10"):
    c = contract_services.contract_create(
        actor=cast.alice, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": quantity}]
    )
    fill_review(c, cast.alice)
    contract_services.contract_submit(contract=c, actor=cast.alice)
    decide(c, contract_services.CONTRACT_KIND, cast.manager)
    return contract_services.contract_sign(
        contract=c, actor=cast.alice, signed_on=None, scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n")
    )


def test_signing_tells_the_clerks_with_an_email_copy(cast, customer, pump):
    contract = _signed(cast, customer, pump)
    told = Notification.objects.filter(title__contains=contract.number, title__startswith="合同已签订")
    assert [n.recipient.username for n in told] == ["clerk"]
    assert told.get().url == reverse("contracts:contract_detail", args=[contract.pk])
    assert OutboxMessage.objects.filter(recipient=cast.clerk.email, subject__contains=contract.number).count() == 1


def test_the_clerks_queue_lists_signed_contracts_with_something_left_to_order(cast, client_as, customer, pump):
    # given a signed contract not ordered, one partly ordered, one fully ordered, and a draft
    waiting = _signed(cast, customer, pump)
    partly = _signed(cast, customer, pump)
    done = _signed(cast, customer, pump)
    services.order_create_from_contract(contract=partly, actor=cast.clerk, data={}, lines={partly.lines.get().pk: "4"})
    services.order_create_from_contract(contract=done, actor=cast.clerk, data={})
    contract_services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "1"}])
    # then the queue holds the two with quantity left, in one query, and counts them
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.contracts_to_order(cast.clerk))
    assert [c.number for c in rows] == [waiting.number, partly.number] and len(ctx) == 1
    assert selectors.contracts_to_order(cast.clerk).count() == 2
    # and the work page shows it with its count, each row linking to 下订单
    page = client_as(cast.clerk).get(reverse("orders:clerk_queue"))
    body = page.content.decode()
    section = {s["key"]: s for s in page.context["sections"]}["contracts_to_order"]
    assert str(section["label"]) == "已签订待下单" and section["count"] == 2
    assert 'data-testid="queue-contracts_to_order"' in body and 'data-testid="count-contracts_to_order">2<' in body
    for c in (waiting, partly):
        assert reverse("orders:order_create_from_contract", args=[c.pk]) in body
    assert reverse("orders:order_create_from_contract", args=[done.pk]) not in body
    # and the clerk's home card counts it as the page does
    home = client_as(cast.clerk).get(reverse("dashboard")).context["work"]
    counts = {key: n for code, _t, _u, rows in home if code == "clerk" for key, _label, n, _url in rows}
    assert counts["contracts_to_order"] == 2


def test_the_queue_keeps_to_what_the_reader_sees(cast, customer, carol_customer, pump):
    _signed(cast, customer, pump)
    assert selectors.contracts_to_order(cast.clerk).count() == 1
    assert selectors.contracts_to_order(cast.carol).count() == 0
