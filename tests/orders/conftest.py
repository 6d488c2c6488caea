"""Fixtures of the order tests: a customer of alice with contact, address and invoice title, a signed contract, and
helpers that walk an order through verification, placement and inspection by the right people."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts import services as contract_services
from orders import rules, services
from tests.contracts.conftest import decide, fill_review
from tests.factories import ContactFactory, CustomerFactory, InvoiceTitleFactory, ProductFactory, ShipToAddressFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def customer(cast):
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司", payment_terms="prepaid")
    ContactFactory(customer=customer, name="王经理", email="wang@customer.example", is_primary=True)
    ShipToAddressFactory(customer=customer, is_default=True, preferred_carrier="德邦物流")
    InvoiceTitleFactory(customer=customer, is_default=True)
    return customer


@pytest.fixture
def carol_customer(cast):
    return CustomerFactory(owner=cast.carol, team=cast.south, name="广州南方贸易有限公司")


@pytest.fixture
def pump(db):
    """List 1130.00 incl. 13 % VAT."""
    return ProductFactory(
        code="BP-100", name="增压泵", list_price=D("1130.00"), standard_cost=D("700.00"), monthly_capacity=D("1000")
    )


@pytest.fixture
def signed_contract(cast, customer, pump):
    c = contract_services.contract_create(
        actor=cast.alice,
        customer=customer,
        data={"payment_terms": "deposit", "deposit_rate": "0.30"},
        lines=[{"product": pump.pk, "quantity": "10"}],
    )
    fill_review(c, cast.alice)
    contract_services.contract_submit(contract=c, actor=cast.alice)
    decide(c, contract_services.CONTRACT_KIND, cast.manager)
    return contract_services.contract_sign(
        contract=c, actor=cast.alice, signed_on=None, scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n")
    )


@pytest.fixture
def order(cast, customer, pump):
    """A direct prepaid order of 10 pumps (11,300.00)."""
    return services.order_create(
        actor=cast.clerk,
        customer=customer,
        data={"promised_ship_date": timezone.localdate() + timezone.timedelta(days=20)},
        lines=[{"product": pump.pk, "quantity": "10"}],
    )


def verify(order, clerk):
    for item in rules.CHECK_ITEMS:
        services.order_check(order=order, actor=clerk, item=item.code, parties=item.parties)
    return services.order_verify(order=order, actor=clerk)


def place(order, clerk):
    verify(order, clerk)
    return services.order_place(order=order, actor=clerk, requested_date=timezone.localdate() + timezone.timedelta(days=10))


def pass_inspection(order, cast, qty, lot="L001"):
    line = order.lines.first()
    inspection = services.inspection_record(order=order, actor=cast.qc, line_id=line.pk, lot_no=lot, quantity=qty, result="pass")
    return services.inspection_sign(inspection=inspection, actor=cast.warehouse)


def record(cast, order, amount, ref: str):
    """A payment of `amount` recorded by the clerk and allocated whole to `order`, waiting for finance."""
    return services.payment_record(
        actor=cast.clerk,
        customer=order.customer,
        data={"amount": str(amount), "bank_reference": ref},
        allocations={order.pk: str(amount)},
    )


def pay(order, cast, amount, ref="BANK-0001"):
    return services.payment_confirm(payment=record(cast, order, amount, ref), actor=cast.finance)


@pytest.fixture
def delivered(cast, order):
    """The prepaid order of 10 pumps (11,300.00) paid (HK-…-0001, bank reference BANK-DLV-1, confirmed), shipped whole
    and delivered: it may be invoiced."""
    order = place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    pay(order, cast, "11300.00", ref="BANK-DLV-1")
    shipment = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "10"})
    services.shipment_release(shipment=shipment, actor=cast.clerk)
    services.shipment_ship(shipment=shipment, actor=cast.warehouse, carrier="德邦", tracking_no="DB1")
    services.shipment_deliver(shipment=shipment, actor=cast.clerk, signer="王工", delivered_on=None)
    return fresh(order)


def allocated_payment(order, cast, amount: str, status="confirmed", ref: str = ""):
    """A payment of `amount` allocated whole to `order`, written directly in `status` (no service: for read tests that
    need payments in a given state, e.g. recorded but not confirmed)."""
    from orders.models import Payment, PaymentAllocation
    from salesops.core.numbering import next_number

    payment = Payment.objects.create(
        number=next_number(Payment.RECEIPT_PREFIX),
        customer=order.customer,
        bank_reference=ref or f"B-{order.number}",
        amount=D(amount),
        received_on=timezone.localdate(),
        recorded_by=cast.clerk,
        status=status,
    )
    PaymentAllocation.objects.create(payment=payment, order=order, amount=D(amount))
    return payment


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)
