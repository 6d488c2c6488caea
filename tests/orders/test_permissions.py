"""orders.permissions: the one answer to "who may do what" that the pages, the API and the services share — the allowed
actions of shipments, payments, invoices and inspections by role and status, and who records payments."""

from __future__ import annotations

import pytest

from orders import permissions, services
from orders.models import Inspection
from tests.orders.conftest import fresh, pass_inspection, pay, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(cast, order):
    """The prepaid order placed, its 10 pumps passed inspection and paid (confirmed by finance)."""
    place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    pay(order, cast, "11300.00")
    return fresh(order)


def test_shipment_actions_follow_status_and_role(cast, ready):
    # given a draft outbound note
    shipment = services.shipment_create(order=ready, actor=cast.clerk, lines={ready.lines.get().pk: "10"})
    # then the clerk releases or cancels it, nobody else acts on it
    assert permissions.shipment_allowed_actions(shipment, cast.clerk) == ["release", "cancel"]
    assert permissions.shipment_allowed_actions(shipment, cast.warehouse) == []
    assert permissions.shipment_allowed_actions(shipment, cast.alice) == []
    # when it is released, the warehouse ships it and the clerk may still cancel it
    shipment = services.shipment_release(shipment=shipment, actor=cast.clerk)
    assert permissions.shipment_allowed_actions(shipment, cast.warehouse) == ["ship"]
    assert permissions.shipment_allowed_actions(shipment, cast.clerk) == ["cancel"]
    # when it has left, the clerk, the warehouse and the order's rep record the delivery; finance does not
    shipment = services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF-1")
    for user in (cast.clerk, cast.warehouse, cast.alice):
        assert permissions.shipment_allowed_actions(shipment, user) == ["deliver"]
    assert permissions.shipment_allowed_actions(shipment, cast.finance) == []


def test_payment_actions_are_finances(cast, order):
    # given money recorded by the clerk
    payment = services.payment_record(
        actor=cast.clerk, customer=order.customer, data={"amount": "100", "bank_reference": "P-1"}, allocations={order.pk: "100"}
    )
    # then only finance confirms or voids it; a confirmed payment may still be voided, a voided one nothing
    assert permissions.payment_allowed_actions(payment, cast.finance) == ["confirm", "void"]
    assert permissions.payment_allowed_actions(payment, cast.clerk) == []
    payment = services.payment_confirm(payment=payment, actor=cast.finance)
    assert permissions.payment_allowed_actions(payment, cast.finance) == ["void"]
    payment = services.payment_void(payment=payment, actor=cast.finance, reason="录错")
    assert permissions.payment_allowed_actions(payment, cast.finance) == []
    # and clerks, managers and finance record payments, reps do not
    assert [permissions.may_record_payment(u) for u in (cast.clerk, cast.manager, cast.finance, cast.alice)] == [
        True,
        True,
        True,
        False,
    ]


def test_invoice_actions_are_finances(cast, ready):
    # given delivered goods invoiced at the rep's request
    shipment = services.shipment_create(order=ready, actor=cast.clerk, lines={ready.lines.get().pk: "10"})
    shipment = services.shipment_ship(
        shipment=services.shipment_release(shipment=shipment, actor=cast.clerk), actor=cast.warehouse, tracking_no="SF-1"
    )
    services.shipment_deliver(shipment=shipment, actor=cast.clerk, delivered_on=None, signer="王经理")
    invoice = services.invoice_request(order=ready, actor=cast.alice, amount="1130.00")
    # then finance issues or cancels it, the rep does neither
    assert permissions.invoice_allowed_actions(invoice, cast.finance) == ["issue", "cancel"]
    assert permissions.invoice_allowed_actions(invoice, cast.alice) == []
    invoice = services.invoice_issue(invoice=invoice, actor=cast.finance, numbers="04400001")
    assert permissions.invoice_allowed_actions(invoice, cast.finance) == ["cancel"]


def test_inspection_is_signed_by_the_other_side(cast, order):
    # given a lot recorded (and so signed) by QC
    place(order, cast.clerk)
    inspection = services.inspection_record(
        order=order, actor=cast.qc, line_id=order.lines.get().pk, lot_no="L1", quantity="1", result=Inspection.Result.PASS
    )
    # then the warehouse signs it; QC signed already and the clerk signs nothing
    assert permissions.inspection_allowed_actions(inspection, cast.warehouse) == ["sign"]
    assert permissions.inspection_allowed_actions(inspection, cast.qc) == []
    assert permissions.inspection_allowed_actions(inspection, cast.clerk) == []
    # and once signed, nobody signs again
    inspection = services.inspection_sign(inspection=inspection, actor=cast.warehouse)
    assert permissions.inspection_allowed_actions(inspection, cast.warehouse) == []
