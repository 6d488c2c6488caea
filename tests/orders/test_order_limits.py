"""What a change or a cancellation may not do to an order (orders.services.order_update / order_cancel): go past its
contract (quantities beyond what the contract still has unordered, prices or discounts other than the contract's),
reprice goods already shipped, or leave money paid on it with nothing to pay for — service, API and page alike, each
refused in Chinese with nothing changed."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from orders import services
from orders.models import Payment, SalesOrder
from salesops.core.errors import Conflict, DomainError
from tests.orders.conftest import allocated_payment, fresh, pass_inspection, pay, place
from tests.orders.test_views import change_post

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def edit_post(order, **cells) -> dict:
    """The order's edit form as posted, with `cells` (e.g. quantity="5") typed into its one line."""
    return change_post(order, **{f"lines-0-{name}": value for name, value in cells.items()})


def snapshot(order):
    order = fresh(order)
    line = order.lines.get()
    return (order.amount_incl, order.status, line.quantity, line.unit_price, line.discount_rate)


# --- 1. an order taken from a contract stays within it ------------------------------------------------------------------
class TestWithinTheContract:
    def test_quantities_never_exceed_what_the_contract_has_left(self, cast, signed_contract):
        # given a contract of 10 pumps, ordered as 6 and 4
        cl = signed_contract.lines.get()
        six = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={}, lines={cl.pk: "6"})
        four = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={}, lines={cl.pk: "4"})
        # when the first is raised to 7: refused, nothing changed
        with pytest.raises(DomainError, match="合同剩余可下单数量为 6，不能下 7"):
            services.order_update(order=six, actor=cast.clerk, data={}, lines={six.lines.get().pk: {"quantity": "7"}})
        assert fresh(six).lines.get().quantity == D("6") and fresh(six).amount_incl == D("6780.00")
        # when it is lowered to 5, the freed pump may go to the other order, no more
        services.order_update(order=six, actor=cast.clerk, data={}, lines={six.lines.get().pk: {"quantity": "5"}})
        line = four.lines.get()
        with pytest.raises(DomainError, match="合同剩余可下单数量为 5，不能下 6"):
            services.order_update(order=four, actor=cast.clerk, data={}, lines={line.pk: {"quantity": "6"}})
        services.order_update(order=four, actor=cast.clerk, data={}, lines={line.pk: {"quantity": "5"}})
        assert fresh(line).quantity == D("5")

    def test_a_price_or_discount_other_than_the_contracts_is_refused(self, cast, signed_contract):
        order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        line = order.lines.get()
        before = snapshot(order)
        for values in ({"unit_price": "1"}, {"discount_rate": "0.1"}, {"discount_percent": "5"}):
            with pytest.raises(DomainError, match="须与合同.*一致.*合同变更"):
                services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: values})
            assert snapshot(order) == before
        # the contract's own price is no change at all
        with pytest.raises(DomainError, match="没有任何修改"):
            services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: {"unit_price": "1130.00"}})

    def test_api_patch_past_the_contract_is_400_and_changes_nothing(self, cast, api_as, signed_contract):
        # given the whole contract (10 pumps at 1130) on one order
        order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        before = snapshot(order)
        line = order.lines.get()
        api = api_as(cast.clerk)
        for values in ({"quantity": "11"}, {"quantity": "5", "unit_price": "1"}):
            response = api.patch(f"{ORDERS}{order.pk}/", {"lines": {str(line.pk): values}}, format="json")
            assert response.status_code == 400 and "合同" in response.json()["detail"], response.json()
            assert snapshot(order) == before
        # within the contract it goes through
        response = api.patch(f"{ORDERS}{order.pk}/", {"lines": {str(line.pk): {"quantity": "5"}}}, format="json")
        assert response.status_code == 200 and response.json()["amount_incl"] == "5650.00"

    def test_page_edit_past_the_contract_shows_why_and_changes_nothing(self, cast, client_as, signed_contract):
        order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        before = snapshot(order)
        url = reverse("orders:order_edit", args=[order.pk])
        response = client_as(cast.clerk).post(url, edit_post(order, quantity="5", unit_price="1"))
        assert response.status_code == 400 and "合同变更" in response.content.decode()
        response = client_as(cast.clerk).post(url, edit_post(order, quantity="12"))
        assert response.status_code == 400 and "合同剩余可下单数量为 10，不能下 12" in response.content.decode()
        assert snapshot(order) == before


# --- 2. goods already shipped keep their price ---------------------------------------------------------------------------
@pytest.fixture
def half_shipped(cast, customer, pump):
    """A credit order of 10 pumps at 1130, 5 of them shipped (nothing due before shipment)."""
    customer.payment_terms, customer.credit_days = "credit", 30
    customer.save()
    order = services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}])
    order = place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    note = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "5"})
    services.shipment_release(shipment=note, actor=cast.clerk)
    services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no="SF-1")
    return fresh(order)


class TestShippedGoodsKeepTheirPrice:
    def test_price_and_discount_of_a_line_with_shipped_goods_cannot_change(self, cast, half_shipped):
        order, line = half_shipped, half_shipped.lines.get()
        assert order.status == SalesOrder.Status.PARTIALLY_SHIPPED
        before = snapshot(order)
        for values in ({"unit_price": "1000"}, {"discount_percent": "10"}):
            with pytest.raises(DomainError, match="已发货.*不能修改单价或折扣"):
                services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: values}, reason="让价")
            assert snapshot(order) == before
        # the quantity may still change (never below what was shipped)
        order = services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: {"quantity": "8"}}, reason="减量")
        assert order.amount_incl == D("9040.00")

    def test_a_line_on_an_open_outbound_note_keeps_its_price_too(self, cast, customer, pump):
        customer.payment_terms, customer.credit_days = "credit", 30
        customer.save()
        order = services.order_create(
            actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}]
        )
        order = place(order, cast.clerk)
        pass_inspection(order, cast, "10")
        line = order.lines.get()
        note = services.shipment_create(order=order, actor=cast.clerk, lines={line.pk: "5"})  # priced at 1130 each
        with pytest.raises(DomainError, match="不能修改单价或折扣"):
            services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: {"unit_price": "900"}}, reason="x")
        services.shipment_cancel(shipment=note, actor=cast.clerk, reason="重开")
        order = services.order_update(
            order=order, actor=cast.gm, data={}, lines={line.pk: {"unit_price": "900"}}, reason="让价"
        )  # 20 % below list: within the GM's discount limit only
        assert order.amount_incl == D("9000.00")

    def test_api_reprice_after_shipping_is_400(self, cast, api_as, half_shipped):
        line = half_shipped.lines.get()
        response = api_as(cast.clerk).patch(
            f"{ORDERS}{half_shipped.pk}/", {"lines": {str(line.pk): {"unit_price": "90"}}, "reason": "让价"}, format="json"
        )
        assert response.status_code == 400 and "不能修改单价或折扣" in response.json()["detail"]
        assert fresh(line).unit_price == D("1130.00")


# --- 3. money paid on an order is never left with nothing to pay for ------------------------------------------------------
class TestPaidOrders:
    def test_an_order_is_not_reduced_below_what_was_paid_on_it(self, cast, order):
        # given an order of 10 pumps (11,300) with 2,260 confirmed and 1,130 recorded on it
        pay(order, cast, "2260")
        allocated_payment(order, cast, "1130", status="recorded", ref="REC-1")
        line = order.lines.get()
        # when it is cut to 2 pumps (2,260 < 3,390 paid): refused, nothing changed
        with pytest.raises(DomainError, match="低于已分配的回款 3,390.00 元.*作废"):
            services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: {"quantity": "2"}})
        assert fresh(order).amount_incl == D("11300.00") and fresh(line).quantity == D("10")
        # 3 pumps are exactly what was paid
        order = services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: {"quantity": "3"}})
        assert order.amount_incl == D("3390.00")

    def test_an_order_with_payments_cannot_be_cancelled_until_they_are_voided(self, cast, order):
        payment = pay(order, cast, "200", ref="BANK-200")
        with pytest.raises(Conflict, match=f"已分配回款 200.00 元（{payment.number}）.*作废"):  # named by its number
            services.order_cancel(order=order, actor=cast.clerk, reason="客户取消")
        assert fresh(order).status == SalesOrder.Status.RECEIVED
        # a payment only recorded counts as well
        services.payment_void(payment=payment, actor=cast.finance, reason="改分配到其他订单")
        recorded = allocated_payment(order, cast, "100", status="recorded", ref="REC-2")
        with pytest.raises(Conflict, match=recorded.number):
            services.order_cancel(order=order, actor=cast.clerk, reason="客户取消")
        services.payment_void(payment=recorded, actor=cast.finance, reason="退款")
        order = services.order_cancel(order=order, actor=cast.clerk, reason="客户取消")
        assert order.status == SalesOrder.Status.CANCELLED
        assert set(Payment.objects.values_list("status", flat=True)) == {Payment.Status.VOIDED}

    def test_api_and_page_refuse_cancelling_a_paid_order_with_409(self, cast, api_as, client_as, order):
        pay(order, cast, "200", ref="BANK-200")
        response = api_as(cast.clerk).post(f"{ORDERS}{order.pk}/cancel/", {"reason": "客户取消"}, format="json")
        assert response.status_code == 409 and "作废" in response.json()["detail"]
        response = client_as(cast.clerk).post(reverse("orders:order_action", args=[order.pk, "cancel"]), {"reason": "客户取消"})
        assert response.status_code == 409 and "BANK-200" in response.content.decode()
        line = order.lines.get()
        response = api_as(cast.gm).patch(  # the GM: the price is within his discount limit, the payment is not
            f"{ORDERS}{order.pk}/", {"lines": {str(line.pk): {"unit_price": "10"}}}, format="json"
        )
        assert response.status_code == 400 and "回款" in response.json()["detail"]
        assert fresh(order).status == SalesOrder.Status.RECEIVED and fresh(order).amount_incl == D("11300.00")

    def test_the_old_repricing_case_no_longer_leaves_a_receivable(self, cast, half_shipped):
        """10 × 1130 ordered, 5 shipped: repricing to 1000 is refused, so the order total still equals its shipments
        once the rest ships."""
        line = half_shipped.lines.get()
        with pytest.raises(DomainError):
            services.order_update(
                order=half_shipped, actor=cast.clerk, data={}, lines={line.pk: {"unit_price": "1000"}}, reason="x"
            )
        note = services.shipment_create(order=half_shipped, actor=cast.clerk, lines={line.pk: "5"})
        services.shipment_release(shipment=note, actor=cast.clerk)
        services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no="SF-2")
        order = fresh(half_shipped)
        shipped = sum(s.amount_incl for s in order.shipments.all())
        assert order.status == SalesOrder.Status.SHIPPED and order.amount_incl == shipped == D("11300.00")
