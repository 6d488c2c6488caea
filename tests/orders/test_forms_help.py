"""Forms that help (issue 13 item 4) on the order pages: contact, address and invoice title limited to the chosen
customer's (a clear message for another customer's), the customer and product pickers render only the chosen option,
every line's mistakes on its cells at once, placement proposes a date, "全部确认" records each checklist item, a blank
tracking number is refused with a message, and 登记回款 asks for the customer with a label."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import rules, services
from orders.models import OrderCheck, SalesOrder
from tests.factories import ContactFactory, CustomerFactory, InvoiceTitleFactory, ShipToAddressFactory
from tests.orders.conftest import fresh, pass_inspection, pay, place, verify

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def options(page: str, name: str) -> list[str]:
    """The values offered by the select `name` (the empty choice left out)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert select, f"no select {name}"
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]


@pytest.fixture
def other_customer(cast):
    other = CustomerFactory(owner=cast.bob, team=cast.east, name="无锡远东阀门有限公司")
    return {
        "customer": other,
        "contact": ContactFactory(customer=other, name="李工", is_primary=True),
        "ship_to": ShipToAddressFactory(customer=other, is_default=True),
        "invoice_title": InvoiceTitleFactory(customer=other, is_default=True),
    }


def order_post(customer, pump, **extra) -> dict:
    return {
        "customer": customer.pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": pump.pk,
        "lines-0-quantity": "2",
        **extra,
    }


# --- contact, address and invoice title follow the customer ---------------------------------------------------------
def test_new_order_offers_only_the_chosen_customers_contacts_addresses_and_titles(cast, client_as, customer, other_customer):
    clerk = client_as(cast.clerk)
    # before a customer is chosen nothing is offered (not every customer's records)
    page = html(clerk.get(reverse("orders:order_create")))
    assert options(page, "contact") == options(page, "ship_to") == options(page, "invoice_title") == []
    # with the customer, its own only, the default chosen; the selects say which list the page reloads them from
    page = html(clerk.get(reverse("orders:order_create"), {"customer": customer.pk}))
    assert options(page, "contact") == [str(c.pk) for c in customer.contacts.all()]
    assert options(page, "ship_to") == [str(a.pk) for a in customer.addresses.all()]
    assert options(page, "invoice_title") == [str(t.pk) for t in customer.invoice_titles.all()]
    assert 'data-party="addresses"' in page and f'data-parties-url="{reverse("customers:parties")}"' in page
    # the customer picker is a type-ahead that renders the chosen customer only
    assert options(page, "customer") == [str(customer.pk)]
    assert f'data-lookup-url="{reverse("customers:lookup")}"' in page


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("contact", "所选联系人不属于该客户"),
        ("ship_to", "所选收货地址不属于该客户"),
        ("invoice_title", "所选发票抬头不属于该客户"),
    ],
)
def test_another_customers_record_is_refused_with_a_clear_message(
    cast, client_as, customer, other_customer, pump, field, message
):
    response = client_as(cast.clerk).post(
        reverse("orders:order_create"), order_post(customer, pump, **{field: other_customer[field].pk})
    )
    assert response.status_code == 400 and message in html(response)
    assert not SalesOrder.objects.exists()


def test_the_chosen_customers_records_are_taken(cast, client_as, customer, pump):
    address = ShipToAddressFactory(customer=customer, consignee="二号仓库")
    response = client_as(cast.clerk).post(reverse("orders:order_create"), order_post(customer, pump, ship_to=address.pk))
    assert response.status_code == 302 and SalesOrder.objects.get().ship_to == address


def test_parties_of_a_customer_the_user_may_not_see_are_not_found(cast, client_as, carol_customer):
    parties = client_as(cast.alice).get(reverse("customers:parties"), {"customer": carol_customer.pk})
    assert parties.status_code == 404


def test_parties_json_of_a_visible_customer(cast, client_as, customer):
    body = client_as(cast.alice).get(reverse("customers:parties"), {"customer": customer.pk}).json()
    assert [c["label"] for c in body["contacts"]] == ["王经理"]
    assert len(body["addresses"]) == 1 and len(body["invoice_titles"]) == 1
    assert client_as(cast.alice).get(reverse("customers:parties"), {"customer": "x"}).status_code == 404


# --- lines ----------------------------------------------------------------------------------------------------------
def test_every_lines_mistakes_show_at_once_on_their_cells(cast, client_as, customer, pump):
    data = {
        "customer": customer.pk,
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": pump.pk,  # no quantity
        "lines-1-quantity": "2",  # no product
        "lines-2-product": pump.pk,
        "lines-2-quantity": "abc",
    }
    response = client_as(cast.clerk).post(reverse("orders:order_create"), data)
    page = html(response)
    assert response.status_code == 400 and not SalesOrder.objects.exists()
    assert page.count('data-testid="cell-error-quantity"') == 2 and page.count('data-testid="cell-error-product"') == 1
    assert "数量必须大于 0" in page and "请选择产品" in page and "输入一个数字" in page


def test_the_product_picker_renders_only_the_chosen_product(cast, client_as, customer, pump):
    data = order_post(customer, pump, **{"lines-0-quantity": ""})
    page = html(client_as(cast.clerk).post(reverse("orders:order_create"), data))
    assert options(page, "lines-0-product") == [str(pump.pk)]
    assert f'data-lookup-url="{reverse("catalog:product_lookup")}"' in page
    assert 'data-price-url="{}"'.format(reverse("contracts:line_price")) in page


# --- placement, checklist, shipping, payment ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("promised", "expected"),
    [(date(2026, 12, 20), date(2026, 12, 18)), (date(2026, 12, 6), date(2026, 12, 5)), (None, date(2026, 12, 5))],
)
def test_placement_proposes_production_done_two_days_before_shipping_never_in_the_past(promised, expected):
    assert rules.default_requested_date(promised_ship_date=promised, today=date(2026, 12, 5)) == expected


def test_the_order_page_proposes_the_placement_date(cast, client_as, order):
    verify(order, cast.clerk)
    expected = rules.default_requested_date(promised_ship_date=order.promised_ship_date, today=timezone.localdate())
    page = html(client_as(cast.clerk).get(reverse("orders:order_detail", args=[order.pk])))
    assert re.search(rf'name="requested_date" value="{expected:%Y-%m-%d}"', page)


def test_confirm_all_records_every_item_with_its_parties(cast, client_as, order):
    # one item already noted by hand, with an extra party
    first = rules.CHECK_ITEMS[0]
    extra = next(p for p in (rules.REP, rules.CUSTOMER, rules.PRODUCTION) if p not in first.parties)
    data = {f"{first.code}__{extra}": "on", f"{first.code}__note": "客户电话确认", "confirm_all": "1"}
    response = client_as(cast.clerk).post(reverse("orders:order_checks", args=[order.pk]), data)
    assert response.status_code == 302
    checks = {c.item: c for c in OrderCheck.objects.filter(order=order)}
    for item in rules.CHECK_ITEMS:
        check = checks[item.code]
        confirmed = {
            p
            for p, attr in (("rep", "with_rep"), ("customer", "with_customer"), ("production", "with_production"))
            if getattr(check, attr)
        }
        assert set(item.parties) <= confirmed, item.code
        assert check.checked_by == cast.clerk and check.checked_at is not None
    assert getattr(checks[first.code], f"with_{extra}") and checks[first.code].note == "客户电话确认"
    # each item was recorded, not verified: the clerk still finishes verification
    assert fresh(order).status == SalesOrder.Status.RECEIVED
    assert client_as(cast.clerk).post(reverse("orders:order_verify", args=[order.pk])).status_code == 302
    assert fresh(order).verified_at is not None


def test_confirm_all_is_refused_to_those_who_may_not_check(cast, client_as, order):
    response = client_as(cast.alice).post(reverse("orders:order_checks", args=[order.pk]), {"confirm_all": "1"})
    assert response.status_code in (403, 404)
    assert not OrderCheck.objects.filter(order=order, checked_by__isnull=False).exists()


def test_a_blank_tracking_number_is_refused_with_a_message(cast, client_as, order):
    # given a released note of the paid order
    place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    pay(order, cast, "11300.00")
    shipment = services.shipment_create(
        order=order, actor=cast.clerk, lines={order.lines.get().pk: {"quantity": "10", "lot_no": "L001"}}
    )
    services.shipment_release(shipment=shipment, actor=cast.clerk)
    url = reverse("orders:shipment_ship", args=[shipment.pk])
    # when the warehouse confirms it with a blank tracking number, then the service's message, and nothing shipped
    for typed in ("", "   "):
        response = client_as(cast.warehouse).post(url, {"tracking_no": typed, "packages": "1"})
        assert response.status_code == 400 and "请填写运单号" in html(response)
    assert fresh(shipment).shipped_at is None and fresh(shipment).status == "released"
    assert fresh(order).lines.get().shipped_quantity == 0
    # with one, it ships, trimmed
    assert client_as(cast.warehouse).post(url, {"tracking_no": " SF-9 ", "packages": "1"}).status_code == 302
    assert fresh(shipment).tracking_no == "SF-9" and fresh(shipment).shipped_at is not None


def test_recording_a_payment_asks_for_the_customer_with_a_label(cast, client_as):
    page = html(client_as(cast.clerk).get(reverse("orders:payment_create")))
    assert '<label class="form-label" for="payment-customer">付款客户</label>' in page
    assert re.search(r'<select id="payment-customer" name="customer"[^>]*data-lookup-url="/customers/lookup/"', page)
