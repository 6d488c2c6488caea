"""In a real browser, dangerous actions ask first: the button opens a dialog stating the consequence; confirming without a
reason is stopped by the browser, cancelling the dialog changes nothing, and confirming with a reason does it."""

from decimal import Decimal as D

import pytest

from contracts import services as contract_services
from contracts.models import Quotation
from orders import services
from orders.models import Payment, Shipment
from tests.factories import CustomerFactory, InvoiceTitleFactory, ProductFactory, ShipToAddressFactory
from tests.orders.conftest import pass_inspection, place

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OPEN = ".modal.show"


def submit_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_a_rep_voids_a_draft_quotation_through_the_dialog(cast, page_as, live_server):
    # given alice's draft quotation
    cast.alice.profile.may_quote = True
    cast.alice.profile.save()
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    pump = ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))
    draft = contract_services.quotation_create(
        actor=cast.alice, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "2"}]
    )
    alice = page_as("alice")
    alice.goto(f"{live_server.url}/sales/quotations/{draft.pk}/")

    # when she clicks 作废, a dialog says what happens and asks for the reason
    alice.click("[data-testid=action-cancel]")
    dialog = alice.locator(OPEN)
    dialog.wait_for()
    assert "报价单将作废且不能恢复" in dialog.locator("[data-testid=confirm-consequence]").inner_text()
    # confirming without a reason is stopped by the browser
    dialog.locator("[data-testid=confirm-submit]").click()
    assert dialog.locator("[data-testid=confirm-reason]").evaluate("el => el.validity.valueMissing")
    assert Quotation.objects.get().status == Quotation.Status.DRAFT
    # backing out closes the dialog and changes nothing
    dialog.locator("[data-testid=confirm-dismiss]").click()
    alice.locator(OPEN).wait_for(state="detached")
    assert Quotation.objects.get().status == Quotation.Status.DRAFT

    # then with a reason the quotation is voided, the reason kept, and no download is offered any more
    alice.click("[data-testid=action-cancel]")
    alice.locator(f"{OPEN} [data-testid=confirm-reason]").fill("客户重复询价")
    submit_and_wait(alice, f"{OPEN} [data-testid=confirm-submit]")
    quotation = Quotation.objects.get()
    assert (quotation.status, quotation.close_reason) == (Quotation.Status.CANCELLED, "客户重复询价")
    assert alice.locator("[data-testid=close-reason]").inner_text().strip() == "客户重复询价"
    assert alice.locator("[data-testid=download-pdf]").count() == 0


def test_the_clerk_voids_an_outbound_note_and_finance_a_payment_through_the_dialog(cast, page_as, live_server):
    # given a placed, inspected prepaid order with an outbound note waiting for the gate and a recorded payment
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    ShipToAddressFactory(customer=customer, is_default=True)
    InvoiceTitleFactory(customer=customer, is_default=True)  # priced with tax: verified with its invoice title
    pump = ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))
    order = services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "2"}])
    place(order, cast.clerk)
    pass_inspection(order, cast, "2", lot="L1")
    line = order.lines.get()
    shipment = services.shipment_create(order=order, actor=cast.clerk, lines={line.pk: {"quantity": "2", "lot_no": "L1"}})
    payment = services.payment_record(
        actor=cast.clerk,
        customer=customer,
        data={"amount": "100.00", "bank_reference": "DUP-1"},
        allocations={order.pk: "100.00"},
    )

    # when the clerk voids the outbound note through the dialog
    clerk = page_as("clerk")
    clerk.goto(f"{live_server.url}/orders/shipments/{shipment.pk}/")
    clerk.click("[data-testid=action-cancel]")
    clerk.locator(f"{OPEN} [data-testid=confirm-reason]").fill("客户改期")
    submit_and_wait(clerk, f"{OPEN} [data-testid=confirm-submit]")
    # then it is voided and its PDF is no longer offered
    assert Shipment.objects.get().status == Shipment.Status.CANCELLED
    assert clerk.locator("[data-testid=download-pdf]").count() == 0

    # and finance voids the duplicate payment from the list, through the dialog, and comes back to the list
    finance = page_as("finance")
    finance.goto(f"{live_server.url}/orders/payments/")
    finance.click(f"[data-testid=void-{payment.pk}]")
    assert "回款将作废且不能恢复" in finance.locator(f"{OPEN} [data-testid=confirm-consequence]").inner_text()
    finance.locator(f"{OPEN} [data-testid=confirm-reason]").fill("重复录入")
    submit_and_wait(finance, f"{OPEN} [data-testid=confirm-submit]")
    assert finance.url == f"{live_server.url}/orders/payments/"
    assert (Payment.objects.get().status, Payment.objects.get().void_reason) == (Payment.Status.VOIDED, "重复录入")


def test_finance_confirms_two_ticked_payments_at_once_from_its_work_page(cast, page_as, live_server):
    # given three payments waiting for finance
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    pump = ProductFactory(code="BP-200", name="增压泵", list_price=D("1130.00"))
    order = services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "2"}])
    first, second, third = (
        services.payment_record(
            actor=cast.clerk,
            customer=customer,
            data={"amount": "100.00", "bank_reference": f"E2E-{k}"},
            allocations={order.pk: "100.00"},
        )
        for k in (1, 2, 3)
    )
    # when finance ticks the first and the third on 财务工作台 and confirms them
    finance = page_as("finance")
    finance.goto(f"{live_server.url}/orders/work/finance/")
    finance.check(f'input[name="payment_ids"][value="{first.pk}"]')
    finance.check(f'input[name="payment_ids"][value="{third.pk}"]')
    submit_and_wait(finance, '[data-testid="confirm-many"]')
    # then both are confirmed, the second still waits, and the page says so
    assert finance.locator(".alert").first.inner_text().strip().startswith("已确认到账 2 笔回款")
    status = {p.pk: Payment.objects.get(pk=p.pk).status for p in (first, second, third)}
    assert status == {first.pk: "confirmed", second.pk: "recorded", third.pk: "confirmed"}
    assert finance.locator(f'input[name="payment_ids"][value="{second.pk}"]').count() == 1
