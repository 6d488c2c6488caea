"""Fixtures of the after-sales tests: alice's customer with an order of 10 pumps delivered through the real order flow,
carol's customer (alice must not see it), and helpers for deliveries made in bulk with SQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from orders import services as order_services
from orders.models import SalesOrder, SalesOrderLine, Shipment, ShipmentLine
from tests.factories import ContactFactory, CustomerFactory, InvoiceTitleFactory, ProductFactory, ShipToAddressFactory
from tests.orders.conftest import pass_inspection, pay, place


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def customer(cast):
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司", payment_terms="prepaid")
    ContactFactory(customer=customer, name="王经理", email="wang@customer.example", is_primary=True)
    ShipToAddressFactory(customer=customer, is_default=True)
    InvoiceTitleFactory(customer=customer, is_default=True)
    return customer


@pytest.fixture
def pump(db):
    """List 1130.00 incl. 13 % VAT."""
    return ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"), standard_cost=D("700.00"))


def deliver_order(cast, customer, product, qty="10", *, paid=True, signer="王经理"):
    """An order of `qty` units walked through verification, placement, payment (unless `paid` is False: a credit-terms
    customer), inspection, shipment and delivery."""
    order = order_services.order_create(
        actor=cast.clerk, customer=customer, data={}, lines=[{"product": product.pk, "quantity": qty}]
    )
    order = place(order, cast.clerk)
    if paid:
        pay(order, cast, order.amount_incl, ref=f"BANK-{order.pk}")
    pass_inspection(order, cast, qty)
    shipment = order_services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: qty})
    order_services.shipment_release(shipment=shipment, actor=cast.clerk)
    order_services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF-1")
    order_services.shipment_deliver(shipment=shipment, actor=cast.clerk, delivered_on=None, signer=signer)
    return SalesOrder.objects.get(pk=order.pk), Shipment.objects.get(pk=shipment.pk)


@pytest.fixture
def delivered(cast, customer, pump):
    """(order, shipment): 10 pumps at 1,130.00 (11,300.00) delivered today to alice's customer, paid in full."""
    return deliver_order(cast, customer, pump)


@pytest.fixture
def carol_delivered(cast, pump):
    carol_customer = CustomerFactory(owner=cast.carol, team=cast.south, name="广州南方贸易有限公司")
    ShipToAddressFactory(customer=carol_customer, is_default=True)
    InvoiceTitleFactory(customer=carol_customer, is_default=True)
    return deliver_order(cast, carol_customer, pump, qty="2")


def bulk_deliveries(cast, n: int, *, delivered_on=None, prefix="BULK"):
    """`n` delivered orders (one line, one delivered shipment each) written with bulk INSERTs, no services."""
    delivered_on = delivered_on or timezone.localdate() - timedelta(days=7)
    customers = [CustomerFactory(owner=[cast.alice, cast.bob, cast.carol][i % 3]) for i in range(10)]
    product = ProductFactory(code=f"{prefix}-P")
    orders = SalesOrder.objects.bulk_create(
        [
            SalesOrder(
                number=f"SO-{prefix}-{i:06d}",
                customer=customers[i % 10],
                owner=customers[i % 10].owner,
                status="shipped",
                received_on=delivered_on - timedelta(days=10),
                amount_incl=D("1130.00"),
                created_by=cast.clerk,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    lines = SalesOrderLine.objects.bulk_create(
        [
            SalesOrderLine(
                order=o,
                product=product,
                name="批量品",
                quantity=D(1),
                unit_price=D("1130.00"),
                amount_incl=D("1130.00"),
                passed_quantity=D(1),
                shipped_quantity=D(1),
                delivered_quantity=D(1),
            )
            for o in orders
        ],
        batch_size=1000,
    )
    shipments = Shipment.objects.bulk_create(
        [
            Shipment(
                number=f"FH-{prefix}-{i:06d}",
                order=o,
                status="delivered",
                created_by=cast.clerk,
                amount_incl=D("1130.00"),
                delivered_on=delivered_on,
                shipped_at=timezone.now() - timedelta(days=8),
            )
            for i, o in enumerate(orders)
        ],
        batch_size=1000,
    )
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(shipment=s, order_line=ln, quantity=D(1), delivered_quantity=D(1), amount_incl=D("1130.00"))
            for s, ln in zip(shipments, lines, strict=True)
        ],
        batch_size=1000,
    )
    return shipments


def approve_answer(complaint, cast, *, submitter=None, approver=None, decision="approve", comment=""):
    """The leadership's approval of the complaint's current answer (服务过程控制程序 3.3): QC submits it, the sales VP
    decides — what a complaint needs before it closes. Returns the complaint read again."""
    from aftersales.models import Complaint
    from aftersales.permissions import complaint_answer_step
    from aftersales.services import complaints
    from salesops.core import approvals

    complaints.complaint_submit_answer(complaint=complaint, actor=submitter or cast.qc)
    step = complaint_answer_step(Complaint.objects.get(pk=complaint.pk))
    approvals.approval_decide(step_id=step.pk, actor=approver or cast.vp, decision=decision, comment=comment)
    return Complaint.objects.get(pk=complaint.pk)
