"""In a real browser, each person in their own session: the clerk verifies and places an order, QC passes it (the warehouse
countersigns), the release is refused until finance confirms the deposit, the warehouse ships, the clerk records the
acceptance, and finance records and confirms the final payment."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from orders import rules, selectors, services
from orders.models import Payment, SalesOrder, Shipment
from tests.factories import ContactFactory, CustomerFactory, InvoiceTitleFactory, ProductFactory, ShipToAddressFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def submit_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_order_from_verification_to_final_payment(cast, page_as, live_server):
    # given a deposit-terms customer of alice, a received order of 10 pumps (11,300.00, deposit 3,390.00) and the deposit
    # recorded by the clerk but not yet confirmed by finance
    customer = CustomerFactory(
        owner=cast.alice, team=cast.east, name="苏州精工机械有限公司", payment_terms="deposit", deposit_rate=D("0.30")
    )
    ContactFactory(customer=customer, name="王经理", email="wang@customer.example", is_primary=True)
    ShipToAddressFactory(customer=customer, is_default=True)
    InvoiceTitleFactory(customer=customer, is_default=True)
    pump = ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))
    order = services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}])
    deposit = services.payment_record(
        actor=cast.clerk,
        customer=customer,
        data={"amount": "3390.00", "bank_reference": "DEP-001", "kind": "deposit"},
        allocations={order.pk: "3390.00"},
    )
    order_url = f"{live_server.url}/orders/{order.pk}/"

    # when the clerk ticks the checklist and verifies, then places the order with production
    clerk = page_as("clerk")
    clerk.goto(order_url)
    for item in rules.CHECK_ITEMS:
        for party in item.parties:
            clerk.check(f"[name='{item.code}__{party}']")
    submit_and_wait(clerk, "[data-testid=action-verify]")
    assert SalesOrder.objects.get().status == SalesOrder.Status.VERIFIED
    wanted = (timezone.localdate() + timedelta(days=3)).isoformat()  # a date in the past is refused
    clerk.fill("[data-testid=place-form] input[name=requested_date]", wanted)
    submit_and_wait(clerk, "[data-testid=place-form-submit]")
    assert SalesOrder.objects.get().status == SalesOrder.Status.PLACED

    # and QC records a passing lot, which the warehouse countersigns
    qc = page_as("qc")
    qc.goto(order_url)
    qc.fill("[data-testid=inspection-form] input[name=lot_no]", "L20261123")
    qc.fill("[data-testid=inspection-form] input[name=quantity]", "10")
    submit_and_wait(qc, "[data-testid=inspection-form-submit]")
    warehouse = page_as("warehouse")
    warehouse.goto(order_url)
    submit_and_wait(warehouse, "[data-testid^=inspection-sign-]")
    assert order.lines.get().passed_quantity == D("10")

    # and the clerk prepares the outbound note; releasing it is refused while the deposit is unconfirmed
    clerk.goto(f"{live_server.url}/orders/shipments/new/{order.pk}/")
    submit_and_wait(clerk, "[data-testid=form-submit]")
    shipment_url = clerk.url
    submit_and_wait(clerk, "[data-testid=action-release]")
    assert "尚差 3,390.00 元" in clerk.content() and Shipment.objects.get().status == Shipment.Status.DRAFT

    # then finance confirms the deposit from the finance queue, and the release goes through
    finance = page_as("finance")
    finance.goto(f"{live_server.url}/orders/work/finance/")
    submit_and_wait(finance, f"[data-testid=confirm-{deposit.pk}]")
    assert Payment.objects.get(pk=deposit.pk).status == Payment.Status.CONFIRMED
    clerk.goto(shipment_url)
    submit_and_wait(clerk, "[data-testid=action-release]")
    assert Shipment.objects.get().status == Shipment.Status.RELEASED

    # and the warehouse ships it with a tracking number
    warehouse.goto(shipment_url)
    warehouse.fill("[data-testid=ship-tracking]", "SF1234567890")
    submit_and_wait(warehouse, "[data-testid=action-ship]")
    assert (
        Shipment.objects.get().status == Shipment.Status.SHIPPED and SalesOrder.objects.get().status == SalesOrder.Status.SHIPPED
    )

    # and the clerk records the customer's acceptance
    clerk.goto(shipment_url)
    clerk.click("[data-testid=action-deliver]")
    clerk.wait_for_load_state()
    clerk.fill("input[name=signer]", "王经理")
    submit_and_wait(clerk, "[data-testid=form-submit]")
    assert Shipment.objects.get().status == Shipment.Status.DELIVERED and order.lines.get().delivered_quantity == D("10")

    # and finance records the final payment allocated to the order, and confirms it
    finance.goto(f"{live_server.url}/orders/payments/new/?customer={customer.pk}")
    finance.fill("input[name=amount]", "7910.00")
    finance.fill("input[name=bank_reference]", "FINAL-001")
    finance.select_option("select[name=kind]", "final")
    finance.fill(f"input[name=alloc_{order.pk}]", "7910.00")
    submit_and_wait(finance, "[data-testid=form-submit]")
    final = Payment.objects.get(bank_reference="FINAL-001")
    finance.goto(f"{live_server.url}/orders/work/finance/")
    submit_and_wait(finance, f"[data-testid=confirm-{final.pk}]")

    # then the order is fully paid: 3,390.00 + 7,910.00 confirmed against 11,300.00
    order = SalesOrder.objects.get()
    assert selectors.order_paid(order) == order.amount_incl == D("11300.00")
    clerk.goto(order_url)
    payments = clerk.locator("[data-testid=order-payments]").inner_text()
    assert "3,390.00" in payments and "7,910.00" in payments
    assert "11,300.00" in clerk.locator("[data-testid=gate-paid]").inner_text()
