"""QA on the demo: direct orders bypassed the price, payment and credit controls.

A direct order's line below the catalog price beyond the acting user's discount limit is refused (create and reprice);
an order's payment terms, credit days and deposit are its contract's or customer's unless a manager or finance agrees
others on a direct order; the deposit never exceeds the order's amount; a credit exception is asked only while the gate
is closed and for at most what holds it; the order's lines show the discount and the net unit price; ordering 0 on every
contract line says so."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import ContractLine
from orders import services
from orders.models import CreditException, SalesOrder
from orders.permissions import order_allowed_actions
from salesops.core.errors import Conflict, DomainError, Forbidden
from tests.factories import CustomerFactory, InvoiceTitleFactory, PriceListFactory, PriceListItemFactory

from .conftest import fresh, pay, place

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def direct(cast, customer, pump, *, actor=None, data=None, **line):
    return services.order_create(
        actor=actor or cast.clerk,
        customer=customer,
        data=data or {},
        lines=[{"product": pump.pk, "quantity": "10", **line}],
    )


@pytest.fixture
def deposit_customer(cast):
    customer = CustomerFactory(owner=cast.alice, team=cast.east, payment_terms="deposit", deposit_rate=D("0.30"))
    InvoiceTitleFactory(customer=customer, is_default=True)
    return customer


# --- 1. prices --------------------------------------------------------------------------------------------------------
def test_a_clerk_cannot_price_a_direct_order_line_beyond_her_discount_limit(cast, customer, pump):
    # given the pump listed at 1,130.00 and the clerk's limit of 5 % (catalog's default discount limits)
    # when she types 100.00 a unit
    with pytest.raises(Forbidden) as refused:
        direct(cast, customer, pump, unit_price="100")
    # then it is refused naming the product, the discount, her limit and the way to a larger discount
    message = str(refused.value)
    assert "增压泵" in message and "91.15%" in message and "5%" in message and "报价审批" in message
    assert not SalesOrder.objects.exists()


def test_a_discount_within_the_limit_or_the_price_list_passes(cast, customer, pump):
    # given the clerk's 5 % limit: exactly 5 % below list passes, as a price or as a discount
    assert direct(cast, customer, pump, unit_price="1073.50").amount_incl == D("10735.00")
    assert direct(cast, customer, pump, discount_percent="5").amount_incl == D("10735.00")
    # and 6 % is refused
    with pytest.raises(Forbidden):
        direct(cast, customer, pump, discount_percent="6")
    # the sales manager's 15 % covers it
    assert direct(cast, customer, pump, actor=cast.manager, discount_percent="15").amount_incl == D("9605.00")
    # given a price list granting every customer 904.00 (20 % below list): its price is the catalog's own
    PriceListItemFactory(
        price_list=PriceListFactory(valid_from=timezone.localdate() - timezone.timedelta(days=1)),
        product=pump,
        unit_price=D("904.00"),
    )
    assert direct(cast, customer, pump).lines.get().unit_price == D("904.00")
    # but below it by more than the limit is still refused
    with pytest.raises(Forbidden):
        direct(cast, customer, pump, unit_price="850")


def test_repricing_a_direct_order_stays_within_the_limit(cast, customer, pump, order):
    # given the clerk's direct order at list price
    line = order.lines.get()
    # when she reprices it at 500.00 (56 % off)
    with pytest.raises(Forbidden) as refused:
        services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: {"unit_price": "500"}})
    # then it is refused and nothing changed
    assert "报价审批" in str(refused.value)
    assert fresh(line).unit_price == D("1130.00") and fresh(order).amount_incl == D("11300.00")
    # a quantity change alone is no repricing
    services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: {"quantity": "8"}})
    # and the manager may reprice within his 15 %
    services.order_update(order=order, actor=cast.manager, data={}, lines={line.pk: {"discount_percent": "15"}})
    assert fresh(order).amount_incl == D("7684.00")


def test_the_api_refuses_a_direct_order_at_one_yuan(cast, api_as, customer, pump):
    # given the clerk on the API
    client = api_as(cast.clerk)
    # when she posts a direct order at 1.00 a unit
    response = client.post(
        "/api/v1/orders/",
        {"customer": customer.pk, "lines": [{"product": pump.pk, "quantity": "10", "unit_price": "1.00"}]},
        format="json",
    )
    # then it is a 403 with the reason
    assert response.status_code == 403 and "报价审批" in response.json()["detail"]
    assert not SalesOrder.objects.exists()


# --- 2. payment terms -------------------------------------------------------------------------------------------------
def test_a_clerk_cannot_give_a_direct_order_other_payment_terms(cast, api_as, customer, pump):
    # given a 款到发货 customer; when the clerk creates an order on 30 days' credit through the API
    response = api_as(cast.clerk).post(
        "/api/v1/orders/",
        {
            "customer": customer.pk,
            "payment_terms": "credit",
            "credit_days": 30,
            "lines": [{"product": pump.pk, "quantity": "1"}],
        },
        format="json",
    )
    # then it is refused and no order exists
    assert response.status_code == 403 and "经理或财务" in response.json()["detail"]
    assert not SalesOrder.objects.exists()
    # sending the customer's own terms back is fine
    order = direct(cast, customer, pump, data={"payment_terms": "prepaid"})
    assert order.payment_terms == "prepaid"


def test_patching_the_terms_of_a_deposit_order(cast, api_as, deposit_customer, pump):
    # given a 定金 order of 11,300.00 with its 30 % deposit
    order = direct(cast, deposit_customer, pump)
    assert (order.payment_terms, order.deposit_amount) == ("deposit", D("3390.00"))
    # when the clerk patches it to 90 days' credit, or lowers the deposit
    for body in ({"payment_terms": "credit", "credit_days": 90}, {"deposit_amount": "0"}):
        response = api_as(cast.clerk).patch(f"/api/v1/orders/{order.pk}/", body, format="json")
        # then it is a 403 and nothing changed
        assert response.status_code == 403, body
        order.refresh_from_db()
        assert (order.payment_terms, order.credit_days, order.deposit_amount) == ("deposit", 0, D("3390.00"))
    # the sales manager may agree other terms
    response = api_as(cast.manager).patch(
        f"/api/v1/orders/{order.pk}/", {"payment_terms": "credit", "credit_days": 90}, format="json"
    )
    assert response.status_code == 200 and response.json()["payment_terms"] == "credit"
    # and the clerk may put it back on the customer's own terms (its 30 % deposit), nothing else
    back = {"payment_terms": "deposit", "credit_days": 0, "deposit_amount": "3390.00"}
    response = api_as(cast.clerk).patch(f"/api/v1/orders/{order.pk}/", back, format="json")
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert (order.payment_terms, order.credit_days, order.deposit_amount) == ("deposit", 0, D("3390.00"))


def test_a_discount_just_over_the_limit_does_not_read_as_the_limit(cast, customer, pump):
    # given the clerk's 5 % limit on the pump at 1,130.00: 1,073.49 is 5.0009 % off (1,073.50 is exactly 5 %)
    assert direct(cast, customer, pump, unit_price="1073.50").amount_incl == D("10735.00")
    with pytest.raises(Forbidden) as refused:
        direct(cast, customer, pump, unit_price="1073.49")
    # then the message shows the discount finely enough to be over the limit
    assert "低 5.0009%，超出您的折扣权限 5%" in str(refused.value)


def test_an_order_from_a_contract_keeps_the_contract_terms(cast, api_as, signed_contract):
    # given the clerk ordering from a 30 % deposit contract with another deposit
    with pytest.raises(Forbidden) as refused:
        services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={"deposit_amount": "0"})
    assert "合同变更" in str(refused.value)
    # and even the manager cannot change them later
    order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
    response = api_as(cast.manager).patch(
        f"/api/v1/orders/{order.pk}/", {"payment_terms": "credit", "credit_days": 60}, format="json"
    )
    assert response.status_code == 403
    assert fresh(order).payment_terms == "deposit"


# --- 3. deposit within the amount -------------------------------------------------------------------------------------
def test_the_deposit_never_exceeds_the_order_amount(cast, customer, deposit_customer, pump):
    # given the manager agreeing a deposit above the order's 11,300.00
    with pytest.raises(DomainError) as refused:
        direct(cast, customer, pump, actor=cast.manager, data={"payment_terms": "deposit", "deposit_amount": "99999999"})
    assert "定金" in str(refused.value)
    # given a deposit of 5,000.00 agreed by the manager
    order = direct(cast, customer, pump, actor=cast.manager, data={"payment_terms": "deposit", "deposit_amount": "5000"})
    line = order.lines.get()
    # when the lines are reduced below it (2 pumps: 2,260.00), it is refused
    with pytest.raises(DomainError):
        services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: {"quantity": "2"}})
    assert fresh(line).quantity == D("10")
    # a deposit at the customer's rate follows the new amount
    order = direct(cast, deposit_customer, pump)
    services.order_update(order=order, actor=cast.clerk, data={}, lines={order.lines.get().pk: {"quantity": "2"}})
    assert fresh(order).deposit_amount == D("678.00")


# --- 4. credit exceptions ---------------------------------------------------------------------------------------------
def test_no_credit_exception_on_a_fully_paid_order(cast, order):
    # given a placed prepaid order paid in full (its gate is open)
    place(order, cast.clerk)
    pay(order, cast, "11300.00")
    # then the button is not offered and a request is refused
    assert "credit_exception" not in order_allowed_actions(fresh(order), cast.clerk)
    with pytest.raises(Conflict):
        services.credit_exception_request(order=order, actor=cast.clerk, amount="100000", reason="老客户")
    assert not CreditException.objects.exists()


def test_a_credit_exception_is_at_most_what_holds_the_gate(cast, api_as, order):
    # given a placed prepaid order of 11,300.00 with 5,000.00 confirmed: 6,300.00 holds the gate
    place(order, cast.clerk)
    pay(order, cast, "5000.00")
    assert "credit_exception" in order_allowed_actions(fresh(order), cast.clerk)
    client = api_as(cast.clerk)
    url = f"/api/v1/orders/{order.pk}/credit-exception/"
    # when more is asked, it is refused saying how much may be
    response = client.post(url, {"amount": "100000", "reason": "老客户"}, format="json")
    assert response.status_code == 400 and "6,300.00" in response.json()["detail"]
    # what holds it may be asked
    assert client.post(url, {"amount": "6300", "reason": "老客户"}, format="json").status_code == 201
    # and while that is pending, nothing more
    assert client.post(url, {"amount": "100", "reason": "再来"}, format="json").status_code == 409
    assert "credit_exception" not in order_allowed_actions(fresh(order), cast.clerk)


# --- 5. the discount on the order's lines -----------------------------------------------------------------------------
def test_order_pages_show_the_discount_and_the_net_price(cast, client_as, signed_contract):
    # given a contract line at 1,130.00 with 20 % off
    cl = signed_contract.lines.get()
    ContractLine.objects.filter(pk=cl.pk).update(discount_rate=D("0.20"))
    client = client_as(cast.clerk)
    # the from-contract form shows the discount and the net price
    page = html(client.get(reverse("orders:order_create_from_contract", args=[signed_contract.pk])))
    assert "20%" in page and "904.00" in page and 'data-testid="contract-line-net-price"' in page
    # and so does the order's page
    order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
    page = html(client.get(reverse("orders:order_detail", args=[order.pk])))
    assert 'data-testid="line-discount">20%' in page and 'data-testid="line-net-price">904.00' in page


# --- 6. ordering nothing from a contract ------------------------------------------------------------------------------
def test_ordering_zero_on_every_contract_line_says_so(cast, signed_contract):
    # given a contract with its quantities still unordered; when every line is ordered 0
    cl = signed_contract.lines.get()
    with pytest.raises(DomainError) as refused:
        services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={}, lines={cl.pk: "0"})
    # then the message asks for a quantity
    assert "至少" in str(refused.value) and "全部下单" not in str(refused.value)


def test_the_change_page_offers_the_deposit_only_to_who_may_change_it(cast, client_as, deposit_customer, pump):
    # given a direct order on the customer's deposit terms
    order = direct(cast, deposit_customer, pump)
    url = reverse("orders:order_edit", args=[order.pk])
    # then the clerk's change page has no 定金 field (the service would refuse it), the manager's has
    assert 'name="deposit_amount"' not in html(client_as(cast.clerk).get(url))
    assert 'name="deposit_amount"' in html(client_as(cast.manager).get(url))
