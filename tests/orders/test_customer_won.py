"""An intent customer (意向客户) becomes 正式客户 when the first deal is made with them — a contract signed or a direct
order taken — with the reason on the customer's history (QA: a customer with a signed contract still read 意向客户)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts import services as contract_services
from customers.models import Customer
from orders import services
from salesops.core.errors import DomainError
from salesops.core.models import Event
from tests.contracts.conftest import decide, fill_review

from .conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def intent(customer):
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.INTENT)
    return fresh(customer)


def _approved_contract(cast, customer, pump):
    c = contract_services.contract_create(
        actor=cast.alice, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "2"}]
    )
    fill_review(c, cast.alice)
    contract_services.contract_submit(contract=c, actor=cast.alice)
    decide(c, contract_services.CONTRACT_KIND, cast.manager)
    return fresh(c)


def _sign(cast, contract):
    scan = SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n")
    return contract_services.contract_sign(contract=contract, actor=cast.alice, signed_on=None, scan=scan)


def test_signing_a_contract_makes_an_intent_customer_a_customer(cast, api_as, intent, pump):
    contract = _approved_contract(cast, intent, pump)
    assert fresh(intent).status == Customer.Status.INTENT  # an approved contract is no deal yet
    # when alice records the signing
    signed = _sign(cast, contract)
    # then the customer is 正式客户, the history saying why, and the API reads it so
    assert fresh(intent).status == Customer.Status.ACTIVE
    event = Event.objects.get(target_id=intent.pk, msgid="签订合同 %(number)s，转为正式客户")
    assert event.params["number"] == signed.number and event.actor == cast.alice
    assert api_as(cast.alice).get(f"/api/v1/customers/{intent.pk}/").json()["status"] == "active"


def test_a_direct_order_makes_an_intent_customer_a_customer(cast, intent, pump):
    order = services.order_create(actor=cast.clerk, customer=intent, data={}, lines=[{"product": pump.pk, "quantity": "1"}])
    assert fresh(intent).status == Customer.Status.ACTIVE
    assert Event.objects.filter(target_id=intent.pk, msgid="订单 %(number)s，转为正式客户", params__number=order.number).exists()


def test_an_active_or_stopped_customer_is_left_as_it_is(cast, customer, pump):
    _sign(cast, _approved_contract(cast, customer, pump))
    assert fresh(customer).status == Customer.Status.ACTIVE
    assert not Event.objects.filter(target_id=customer.pk, msgid__contains="转为正式客户").exists()


def test_a_refused_signing_changes_nothing(cast, intent, pump):
    contract = _approved_contract(cast, intent, pump)
    # no scan: the signing is refused, and the customer stays an intent customer
    with pytest.raises(DomainError, match="扫描件"):
        contract_services.contract_sign(contract=contract, actor=cast.alice, signed_on=None, scan=None)
    assert fresh(intent).status == Customer.Status.INTENT
