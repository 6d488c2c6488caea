"""Hand-offs (issue 13, item 2): every step that enables someone else's step puts the work in that person's queue and
tells them. Walked over the whole chain, one step at a time, as a matrix of (step → who is next → which queue)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from orders import selectors, services
from salesops.core.models import Notification
from tests.contracts.conftest import decide

from .conftest import pass_inspection, place


def told(user, text: str) -> bool:
    return Notification.objects.filter(recipient=user, title__contains=text).exists()


def in_queue(rows, obj) -> bool:
    return any(getattr(row, "pk", None) == obj.pk for row in rows)


def clerk_q(cast, key):
    return selectors.clerk_queue(cast.clerk, timezone.localdate())[key]


@pytest.fixture
def placed(cast, order):
    return place(order, cast.clerk)


def test_the_order_chain_reaches_each_next_person(cast, placed):
    order, line = placed, placed.lines.first()
    # inspection signed (passed) → the clerk may make the outbound note
    pass_inspection(order, cast, 10)
    assert told(cast.clerk, order.number) and in_queue(clerk_q(cast, "ready_to_ship"), order)

    note = services.shipment_create(order=order, actor=cast.clerk, lines={line.pk: "10"})
    assert in_queue(selectors.finance_queue(cast.finance)["held_shipments"], note)  # prepaid: waits at the gate

    # payment recorded → finance confirms it
    payment = services.payment_record(
        actor=cast.clerk,
        customer=order.customer,
        data={"amount": "11300.00", "bank_reference": "HB-1"},
        allocations={order.pk: "11300.00"},
    )
    assert told(cast.finance, "HB-1") and in_queue(selectors.finance_queue(cast.finance)["payments_to_confirm"], payment)

    # payment confirmed → the clerk releases the note
    assert not in_queue(clerk_q(cast, "to_release"), note)
    services.payment_confirm(payment=payment, actor=cast.finance)
    assert told(cast.clerk, note.number) and in_queue(clerk_q(cast, "to_release"), note)
    assert not in_queue(clerk_q(cast, "waiting_payment"), note)

    # released → the warehouse ships it
    services.shipment_release(shipment=note, actor=cast.clerk)
    assert told(cast.warehouse, note.number) and in_queue(selectors.warehouse_queue(cast.warehouse)["to_ship"], note)
    assert not in_queue(clerk_q(cast, "to_release"), note)

    # shipped → the rep follows the delivery
    services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no="SF123")
    assert told(cast.alice, note.number) and in_queue(selectors.warehouse_queue(cast.warehouse)["in_transit"], note)

    # delivered → the clerk asks for invoicing
    Notification.objects.filter(recipient=cast.clerk).delete()
    services.shipment_deliver(shipment=note, actor=cast.clerk, delivered_on=None, signer="王经理")
    assert told(cast.clerk, note.number) and in_queue(clerk_q(cast, "to_invoice"), order)

    # invoice requested → finance issues it
    invoice = services.invoice_request(order=order, actor=cast.clerk, amount="11300.00")
    assert told(cast.finance, order.number) and in_queue(selectors.finance_queue(cast.finance)["invoices_to_issue"], invoice)


def test_an_approved_credit_exception_reaches_the_clerk(cast, placed):
    order, line = placed, placed.lines.first()
    pass_inspection(order, cast, 10)
    note = services.shipment_create(order=order, actor=cast.clerk, lines={line.pk: "10"})
    Notification.objects.filter(recipient=cast.clerk).delete()
    exception = services.credit_exception_request(order=order, actor=cast.alice, amount=D("11300.00"), reason="老客户，月底付款")
    assert not told(cast.clerk, note.number)
    decide(exception, services.CREDIT_KIND, cast.manager)
    decide(exception, services.CREDIT_KIND, cast.finance)
    assert told(cast.clerk, note.number) and in_queue(clerk_q(cast, "to_release"), note)


def test_the_verifying_clerk_is_told_not_every_clerk(cast, placed):
    from tests.factories import UserFactory

    other = UserFactory(username="clerk2", roles=["sales_clerk"])
    pass_inspection(placed, cast, 10)
    assert told(cast.clerk, placed.number) and not told(other, placed.number)


def test_a_failed_inspection_tells_nobody_to_ship(cast, placed):
    line = placed.lines.first()
    inspection = services.inspection_record(
        order=placed, actor=cast.qc, line_id=line.pk, lot_no="L9", quantity="5", result="fail"
    )
    services.inspection_sign(inspection=inspection, actor=cast.warehouse)
    assert not told(cast.clerk, "检验合格")
