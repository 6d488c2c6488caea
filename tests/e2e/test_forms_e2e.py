"""In a real browser: lists fit a phone (390 px) as cards, and the new-order form helps — the customer is found by typing
(Tom Select over the customers' lookup), the contact, address and invoice title follow the chosen customer, a chosen
product fills its price and the amounts are previewed as the quantity is typed; a quotation's discount is typed as a
percentage, previewed, and kept as the rate."""

import re
from decimal import Decimal as D

import pytest

from contracts import services as contract_services
from contracts.models import Quotation
from customers.models import Visit
from orders import services as order_services
from orders.models import SalesOrder
from tests.e2e.pickers import pick
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    InvoiceTitleFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    ShipToAddressFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def customer_with_parties(cast, name, who):
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name=name)
    ContactFactory(customer=customer, name=f"{who}经理", is_primary=True)
    ShipToAddressFactory(customer=customer, consignee=f"{who}收货", is_default=True)
    InvoiceTitleFactory(customer=customer, title=f"{name}（开票）", is_default=True)
    return customer


def options(page, name) -> list[str]:
    return page.eval_on_selector_all(
        f"select[name={name}] option", "els => els.filter(o => o.value).map(o => o.textContent.trim())"
    )


def test_lists_have_no_horizontal_scroll_on_a_phone(cast, page_as, live_server):
    # given a customer with a long name, an order and a quotation of it
    customer = customer_with_parties(cast, "江苏省苏州市工业园区精密机械装备制造股份有限公司", "王")
    pump = ProductFactory(code="BP-100", name="增压泵（不锈钢，三相 380V 高扬程型）", list_price=D("1130.00"))
    order_services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}])
    contract_services.quotation_create(
        actor=cast.clerk, customer=customer, data={"project_name": "二期改造"}, lines=[{"product": pump.pk, "quantity": "2"}]
    )

    # when the manager opens the customer, order and quotation lists on a 390 px phone
    manager = page_as("manager")
    manager.set_viewport_size(PHONE)
    for path, row in (("/customers/", "customer-row"), ("/orders/", "order-row"), ("/sales/quotations/", "quotation-row")):
        manager.goto(f"{live_server.url}{path}")

        # then the page does not scroll sideways and each row is a card whose cells say what they are
        width, client = manager.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
        assert width <= client, f"{path}: {width} px wide in a {client} px window"
        first = manager.locator(f"[data-testid={row}]").first
        assert first.evaluate("tr => getComputedStyle(tr).display") == "block"
        assert first.locator("td[data-label]").count() >= 3


def test_order_form_follows_the_customer_found_by_typing(cast, page_as, live_server):
    # given two customers with their own contact, address and invoice title, and a pump at 1,130.00
    customer_with_parties(cast, "苏州精工机械有限公司", "王")
    south = customer_with_parties(cast, "广州南方泵业有限公司", "李")
    ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))

    # when the clerk opens a new order and finds the first customer by typing part of its name
    clerk = page_as("clerk")
    clerk.goto(f"{live_server.url}/orders/new/")
    assert options(clerk, "contact") == []
    pick(clerk, "select[name=customer]", "精工", "苏州精工机械有限公司")

    # then contact, address and invoice title offer that customer's only, its default chosen
    clerk.wait_for_function("document.querySelectorAll('select[name=contact] option[value]:not([value=\"\"])').length == 1")
    assert options(clerk, "contact") == ["王经理"]
    assert all("王收货" in text for text in options(clerk, "ship_to"))
    assert options(clerk, "invoice_title")[0].startswith("苏州精工机械有限公司（开票）")

    # and when another customer is chosen, they follow it
    pick(clerk, "select[name=customer]", "南方", "广州南方泵业有限公司")
    clerk.wait_for_function("document.querySelector('select[name=contact] option:checked').textContent.includes('李经理')")
    assert options(clerk, "contact") == ["李经理"]
    assert all("李收货" in text for text in options(clerk, "ship_to"))

    # and a product found by its code fills its price; the amounts follow the typed quantity
    row = clerk.locator("[data-testid=line-form]").first
    pick(clerk, row.locator("select[name$=product]"), "BP-100")
    price = row.locator("input[name$=unit_price]")
    clerk.wait_for_function("el => el.value === '1130.00'", arg=price.element_handle())
    row.locator("input[name$=quantity]").fill("3")
    assert row.locator("[data-line-amount]").inner_text() == "3,390.00"
    assert clerk.locator("[data-testid=preview-incl]").inner_text() == "3,390.00"
    assert clerk.locator("[data-testid=preview-tax]").inner_text() == "390.00"

    # and the order saved is the second customer's, with its address
    with clerk.expect_navigation():
        clerk.click("[data-testid=form-submit]")
    order = SalesOrder.objects.get()
    assert order.customer == south and order.ship_to.customer == south and order.amount_incl == D("3390.00")


def test_a_quotation_discount_typed_as_a_percentage_is_previewed_and_kept_as_the_rate(cast, page_as, live_server):
    # given a customer and a pump at 1,130.00
    customer = customer_with_parties(cast, "苏州精工机械有限公司", "王")
    ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))
    # when the clerk quotes 10 pumps at 5 % off
    clerk = page_as("clerk")
    clerk.goto(f"{live_server.url}/sales/quotations/new/?customer={customer.pk}")
    row = clerk.locator("[data-testid=line-form]").first
    pick(clerk, row.locator("select[name$=product]"), "BP-100")
    clerk.wait_for_function("el => el.value === '1130.00'", arg=row.locator("input[name$=unit_price]").element_handle())
    row.locator("input[name$=quantity]").fill("10")
    row.locator("input[name$=discount_percent]").fill("5")
    # then the line and the total are previewed with the discount, and saved so (the service turns 5 into 0.05)
    assert row.locator("[data-line-amount]").inner_text() == "10,735.00"
    assert clerk.locator("[data-testid=preview-incl]").inner_text() == "10,735.00"
    # and the product's tax rate is shown as a percent too (13, not 0.1300); 6 typed is previewed as 6 %
    tax = row.locator("input[name$=tax_percent]")
    assert tax.input_value() == "13" and clerk.locator("[data-testid=preview-tax]").inner_text() == "1,235.00"
    tax.fill("6")
    assert clerk.locator("[data-testid=preview-tax]").inner_text() == "607.64"
    with clerk.expect_navigation():
        clerk.click("[data-testid=form-submit]")
    quotation = Quotation.objects.get()
    line = quotation.lines.get()
    assert line.discount_rate == D("0.0500") and line.tax_rate == D("0.0600") and quotation.amount_incl == D("10735.00")


def test_a_rep_logs_a_visit_on_a_phone_with_the_customer_type_ahead(cast, page_as, live_server):
    # given alice's customer with its contact
    customer = customer_with_parties(cast, "苏州精工机械有限公司", "王")

    # when alice, on a 390 px phone, opens the visit log, finds the customer by typing and saves the visit
    alice = page_as("alice")
    alice.set_viewport_size(PHONE)
    alice.goto(f"{live_server.url}/customers/visits/new/")
    pick(alice, "select[name=customer]", "精工", "苏州精工机械有限公司")
    alice.wait_for_function("document.querySelector('select[name=contact] option:checked').textContent.includes('王经理')")
    alice.fill("[name=purpose]", "季度回访")
    alice.fill("[name=outcome]", "客户满意，下月追加订单")
    width, client = alice.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert width <= client
    save = alice.locator("[data-testid=form-submit]")
    assert save.bounding_box()["width"] > PHONE["width"] / 3  # a wide button, in thumb reach
    with alice.expect_navigation():
        save.click()

    # then the visit is saved with the contact, and the visit list is cards
    visit = Visit.objects.get()
    assert visit.customer == customer and visit.contact.name == "王经理"
    alice.goto(f"{live_server.url}/customers/visits/")
    assert alice.locator("[data-testid=visit-row]").first.evaluate("tr => getComputedStyle(tr).display") == "block"


def test_price_list_rows_are_found_paged_and_added_by_typing(cast, page_as, live_server):
    # given a price list of 30 gearboxes and a motor not yet on it
    price_list = PriceListFactory(name="经销商价")
    for n in range(1, 31):
        PriceListItemFactory(price_list=price_list, product=ProductFactory(code=f"GB-{n:02d}", name="齿轮箱"))
    ProductFactory(code="MT-7", name="三相电机", list_price=D("2260.00"))

    # when the manager opens the list, searches for a code and adds the motor found by typing part of its name
    manager = page_as("manager")
    manager.goto(f"{live_server.url}{price_list.get_absolute_url()}")
    assert manager.locator("[data-testid=pricelist-item-row]").count() == 25
    manager.fill("[data-testid=pricelist-item-q]", "GB-07")
    manager.locator("[data-testid=pricelist-item-search] button[type=submit]").click()
    manager.wait_for_url("**q=GB-07**")  # the search is in the address: a reload or a shared link shows the same rows
    assert manager.locator("[data-testid=pricelist-item-row]").count() == 1
    pick(manager, "[data-testid=item-add-product]", "电机", "MT-7")
    manager.fill("[data-testid=item-add-price]", "2000")
    manager.click("[data-testid=item-add-submit]")

    # then the motor is on the list at its price, and the search is kept
    manager.wait_for_selector("[data-testid=items-notice]")
    assert price_list.items.get(product__code="MT-7").unit_price == D("2000.00")
    assert manager.locator("[data-testid=pricelist-item-row]").count() == 1
    assert manager.input_value("[data-testid=pricelist-item-q]") == "GB-07"


def test_a_price_typed_while_the_catalogue_price_is_on_its_way_is_kept(cast, page_as, live_server):
    # given a pump at 1,130.00 and the price answer held back
    customer = customer_with_parties(cast, "苏州精工机械有限公司", "王")
    ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))
    clerk = page_as("clerk")
    clerk.goto(f"{live_server.url}/sales/quotations/new/?customer={customer.pk}")
    held = []
    clerk.route(re.compile(r"/line-price/"), lambda route: held.append(route))
    row = clerk.locator("[data-testid=line-form]").first
    # when the clerk picks the pump and types 1000.00 before the catalogue price arrives
    pick(clerk, row.locator("select[name$=product]"), "BP-100")
    price = row.locator("input[name$=unit_price]")
    price.fill("1000.00")
    clerk.wait_for_function("() => true")  # let the held request reach the route
    assert held, "the price request was not made"
    held[0].continue_()
    # then the typed price stays (the catalogue's is its placeholder)
    clerk.wait_for_function("el => el.placeholder === '1130.00'", arg=price.element_handle())
    assert price.input_value() == "1000.00"


def test_a_tax_rate_typed_while_another_quantity_is_priced_is_kept(cast, page_as, live_server):
    # given a pump at 1,130.00 (13 %) on a quotation line, and the next price answer held back
    customer = customer_with_parties(cast, "苏州精工机械有限公司", "王")
    ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))
    clerk = page_as("clerk")
    clerk.goto(f"{live_server.url}/sales/quotations/new/?customer={customer.pk}")
    row = clerk.locator("[data-testid=line-form]").first
    pick(clerk, row.locator("select[name$=product]"), "BP-100")
    tax = row.locator("input[name$=tax_percent]")
    clerk.wait_for_function("el => el.value === '13'", arg=tax.element_handle())
    held = []
    clerk.route(re.compile(r"/line-price/"), lambda route: held.append(route))
    # when the clerk types 10 (leaving the field asks for that quantity's price) and then 6 % before the answer arrives
    row.locator("input[name$=quantity]").fill("10")
    tax.fill("6")
    clerk.wait_for_function("() => true")  # let the held request reach the route
    assert held, "the price request was not made"
    row.evaluate("el => el.removeAttribute('data-tax-rate')")
    held[0].continue_()
    clerk.wait_for_function("el => el.hasAttribute('data-tax-rate')", arg=row.element_handle())
    # then the typed rate stays and is the one previewed
    assert tax.input_value() == "6"
    assert clerk.locator("[data-testid=preview-tax]").inner_text() == "639.62"
