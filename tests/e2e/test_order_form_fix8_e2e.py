"""In a real browser: the new-order form takes a line discount typed as a percentage (previewed, kept as the rate) with
the project name and 业绩归属; on a 390 px phone the receivables' overdue table keeps a customer's name on one line and
scrolls sideways inside its card rather than squeezing it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from orders.models import SalesOrder, Shipment
from tests.e2e.pickers import pick
from tests.factories import ContactFactory, CustomerFactory, InvoiceTitleFactory, ProductFactory, ShipToAddressFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"width": 390, "height": 844}


def test_a_direct_order_line_discount_is_previewed_and_saved(cast, page_as, live_server):
    # given a customer of alice's and a pump at 1,130.00
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司")
    ContactFactory(customer=customer, is_primary=True)
    ShipToAddressFactory(customer=customer, is_default=True)
    InvoiceTitleFactory(customer=customer, is_default=True)
    ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))
    # when the clerk orders 2 pumps at 5 % off for bob's project
    clerk = page_as("clerk")
    clerk.goto(f"{live_server.url}/orders/new/?customer={customer.pk}")
    clerk.fill("input[name=project_name]", "厂房扩建")
    clerk.eval_on_selector(
        "select[name=owner]", "(el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }", str(cast.bob.pk)
    )
    row = clerk.locator("[data-testid=line-form]").first
    pick(clerk, row.locator("select[name$=product]"), "BP-100")
    clerk.wait_for_function("el => el.value === '1130.00'", arg=row.locator("input[name$=unit_price]").element_handle())
    row.locator("input[name$=quantity]").fill("2")
    row.locator("input[name$=discount_percent]").fill("5")
    # then the line and the total are previewed with the discount, and saved so
    assert row.locator("[data-line-amount]").inner_text() == "2,147.00"
    assert clerk.locator("[data-testid=preview-incl]").inner_text() == "2,147.00"
    with clerk.expect_navigation():
        clerk.click("[data-testid=form-submit]")
    order = SalesOrder.objects.get()
    assert (order.project_name, order.owner_id, order.amount_incl) == ("厂房扩建", cast.bob.pk, D("2147.00"))
    assert order.lines.get().discount_rate == D("0.0500")


def test_the_overdue_table_keeps_the_customer_on_one_line_on_a_phone(cast, page_as, live_server):
    # given an overdue order of a customer with a long name
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="江苏省苏州市工业园区精密机械装备制造股份有限公司")
    order = SalesOrder.objects.create(
        number="SO-PH01",
        customer=customer,
        owner=cast.alice,
        created_by=cast.clerk,
        received_on=timezone.localdate() - timedelta(days=60),
        amount_incl=D("123456.00"),
        status=SalesOrder.Status.SHIPPED,
        credit_days=0,
    )
    Shipment.objects.create(
        number="FH-PH01",
        order=order,
        status=Shipment.Status.SHIPPED,
        shipped_at=timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=40), time(10))),
        amount_incl=D("123456.00"),
        created_by=cast.clerk,
    )
    # when finance opens the receivables on a 390 px phone
    finance = page_as("finance")
    finance.set_viewport_size(PHONE)
    finance.goto(f"{live_server.url}/orders/receivables/")
    # then the customer's name is one line (not a character per line) and the table scrolls inside its card
    cell = finance.locator("[data-testid=overdue-row] [data-testid=customer-cell]").first
    line_height = cell.evaluate("td => parseFloat(getComputedStyle(td).lineHeight) || 24")
    assert cell.evaluate("td => td.getBoundingClientRect().height") < line_height * 2 + 16
    scroller = finance.locator("[data-testid=overdue-list] .table-responsive").first
    assert scroller.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    width, client = finance.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert width <= client
