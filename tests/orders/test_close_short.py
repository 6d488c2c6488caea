"""短交关闭 (orders.services.order_close_short): a partially shipped order gives up its backordered remainder with a reason —
each line's quantity becomes what was shipped, the order becomes fully shipped and leaves the unshipped amount and the
backorder lists, its totals equal its shipments — for the clerk and managers, with no outbound note still open;
service, permissions, API, page and two people at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import figures, permissions, selectors, services
from orders.models import SalesOrder, Shipment
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import Event
from tests.core.conftest import run_in_threads
from tests.factories import ProductFactory, UserFactory
from tests.orders.conftest import fresh, pass_inspection, pay, place

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def ship(order, cast, lines: dict, ref="SF-1") -> Shipment:
    note = services.shipment_create(order=order, actor=cast.clerk, lines=lines)
    services.shipment_release(shipment=note, actor=cast.clerk)
    return services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no=ref)


@pytest.fixture
def credit_customer(customer):
    customer.payment_terms, customer.credit_days = "credit", 30
    customer.save()
    return customer


@pytest.fixture
def partial(cast, credit_customer, pump):
    """A credit order of 10 pumps at 1130 and 3 valves at 100.01: 4 pumps and 1 valve shipped (the valve as two halves,
    50.01 each, a fen more than one valve's 100.01), the rest backordered."""
    valve = ProductFactory(code="V-1", name="阀门", list_price=D("100.01"), unit="千克")  # shipped by halves
    order = services.order_create(
        actor=cast.clerk,
        customer=credit_customer,
        data={"promised_ship_date": timezone.localdate() + timedelta(days=20)},
        lines=[
            {"product": pump.pk, "quantity": "10"},
            {"product": valve.pk, "quantity": "3"},
        ],
    )
    order = place(order, cast.clerk)
    pumps, valves = order.lines.order_by("line_no")
    pass_inspection(order, cast, "10")
    services.inspection_sign(
        inspection=services.inspection_record(
            order=order, actor=cast.qc, line_id=valves.pk, lot_no="V1", quantity="3", result="pass"
        ),
        actor=cast.warehouse,
    )
    ship(order, cast, {pumps.pk: "3", valves.pk: "0.5"})
    ship(order, cast, {pumps.pk: "1", valves.pk: "0.5"}, ref="SF-2")
    order = fresh(order)
    assert order.status == SalesOrder.Status.PARTIALLY_SHIPPED
    return order


def shipped_value(order) -> D:
    return sum((s.amount_incl for s in order.shipments.filter(status__in=["shipped", "delivered"])), D(0))


class TestService:
    def test_the_remainder_is_given_up_and_the_order_is_shipped(self, cast, partial):
        with pytest.raises(DomainError, match="请填写短交关闭原因"):
            services.order_close_short(order=partial, actor=cast.clerk, reason=" ")
        order = services.order_close_short(order=partial, actor=cast.clerk, reason="客户不再需要余下的货")
        # then every line is what was shipped, the totals equal the shipments, and the order is fully shipped
        assert order.status == SalesOrder.Status.SHIPPED
        assert [(ln.quantity, ln.shipped_quantity) for ln in order.lines.order_by("line_no")] == [
            (D("4"), D("4")),
            (D("1"), D("1")),
        ]
        assert order.amount_incl == shipped_value(order) and order.amount_incl == D("4620.02")
        assert order.amount_incl == order.amount_excl + order.tax_amount
        # it leaves the unshipped amount and the shipping queues, and may be closed as usual
        today = timezone.localdate()
        until = timezone.now() + timedelta(days=1)
        assert figures.unshipped_total(today, until) == D("0.00")
        assert not selectors.order_list_for(cast.clerk).filter(status__in=selectors.OPEN_ORDER).exists()
        assert "close" in permissions.order_allowed_actions(order, cast.clerk)
        assert selectors.order_outstanding(order) == order.amount_incl  # the receivable is what left
        # recorded in the history with the reason and what was given up
        event = Event.objects.filter(to_status=SalesOrder.Status.SHIPPED, msgid__contains="短交关闭").get()
        assert event.params["reason"] == "客户不再需要余下的货"
        assert "6" in event.params["given_up"] and "2" in event.params["given_up"]
        assert any(c["field"] == "amount_incl" for c in event.changes)

    def test_only_a_partially_shipped_order_without_an_open_note(self, cast, partial, order):
        with pytest.raises(Conflict, match="部分发货"):
            services.order_close_short(order=place(order, cast.clerk), actor=cast.clerk, reason="x")
        pumps = partial.lines.order_by("line_no").first()
        note = services.shipment_create(order=partial, actor=cast.clerk, lines={pumps.pk: "2"})
        assert "close_short" not in permissions.order_allowed_actions(fresh(partial), cast.clerk)
        with pytest.raises(Conflict, match=f"{note.number}.*发货或作废"):
            services.order_close_short(order=partial, actor=cast.clerk, reason="x")
        services.shipment_release(shipment=note, actor=cast.clerk)
        with pytest.raises(Conflict, match=note.number):
            services.order_close_short(order=partial, actor=cast.clerk, reason="x")
        assert fresh(partial).status == SalesOrder.Status.PARTIALLY_SHIPPED
        services.shipment_cancel(shipment=note, actor=cast.clerk, reason="不发了")
        assert services.order_close_short(order=partial, actor=cast.clerk, reason="x").status == SalesOrder.Status.SHIPPED
        with pytest.raises(Conflict):
            services.order_close_short(order=partial, actor=cast.clerk, reason="x")

    def test_money_paid_beyond_what_left_must_be_moved_first(self, cast, partial):
        pay(partial, cast, "6000", ref="BANK-6000")
        with pytest.raises(DomainError, match="低于已分配的回款 6,000.00 元.*作废"):
            services.order_close_short(order=partial, actor=cast.clerk, reason="x")
        assert fresh(partial).status == SalesOrder.Status.PARTIALLY_SHIPPED
        assert fresh(partial).amount_incl == D("11600.03")


class TestWhoMay:
    def test_clerk_and_managers_may_reps_finance_and_warehouse_may_not(self, cast, partial):
        for user in (cast.clerk, cast.manager, cast.vp, cast.gm):
            assert "close_short" in permissions.order_allowed_actions(partial, user), user
        for user in (cast.alice, cast.lena, cast.finance, cast.warehouse, cast.qc):
            assert "close_short" not in permissions.order_allowed_actions(partial, user), user
            with pytest.raises(Forbidden):
                services.order_close_short(order=partial, actor=user, reason="x")
        assert fresh(partial).status == SalesOrder.Status.PARTIALLY_SHIPPED
        services.order_close_short(order=partial, actor=cast.manager, reason="经理决定短交")

    def test_not_offered_before_anything_shipped(self, cast, order):
        order = place(order, cast.clerk)
        assert "close_short" not in permissions.order_allowed_actions(order, cast.clerk)


class TestApiAndPage:
    def test_api(self, cast, api_as, partial):
        url = f"{ORDERS}{partial.pk}/close-short/"
        assert "close_short" in api_as(cast.clerk).get(f"{ORDERS}{partial.pk}/").json()["allowed_actions"]
        response = api_as(cast.clerk).post(url, {"reason": ""}, format="json")
        assert response.status_code == 400
        assert api_as(cast.alice).post(url, {"reason": "x"}, format="json").status_code == 403
        assert api_as(cast.carol).post(url, {"reason": "x"}, format="json").status_code == 404
        assert fresh(partial).status == SalesOrder.Status.PARTIALLY_SHIPPED
        body = api_as(cast.clerk).post(url, {"reason": "客户取消余量"}, format="json").json()
        assert body["status"] == "shipped" and body["amount_incl"] == "4620.02"
        assert [ln["quantity"] for ln in body["lines"]] == ["4.000", "1.000"]
        response = api_as(cast.clerk).post(url, {"reason": "again"}, format="json")
        assert response.status_code == 409

    def test_page_button_reason_and_history(self, cast, client_as, partial):
        page = client_as(cast.clerk).get(reverse("orders:order_detail", args=[partial.pk])).content.decode()
        assert 'data-testid="action-close_short"' in page and "短交关闭" in page
        rep_page = client_as(cast.alice).get(reverse("orders:order_detail", args=[partial.pk])).content.decode()
        assert 'data-testid="action-close_short"' not in rep_page
        url = reverse("orders:order_action", args=[partial.pk, "close_short"])
        response = client_as(cast.clerk).post(url, {"reason": ""})
        assert response.status_code == 400 and "请填写短交关闭原因" in response.content.decode()
        assert client_as(cast.alice).post(url, {"reason": "x"}).status_code == 403
        response = client_as(cast.clerk).post(url, {"reason": "客户取消余量"})
        assert response.status_code == 302 and fresh(partial).status == SalesOrder.Status.SHIPPED
        page = client_as(cast.clerk).get(reverse("orders:order_detail", args=[partial.pk])).content.decode()
        assert "客户取消余量" in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_close_short_and_a_new_note_at_once_have_exactly_one_effect(on_postgres, cast, partial):
    clerk2 = UserFactory(username="clerk2", roles=["sales_clerk"])
    pumps = partial.lines.order_by("line_no").first()

    def act(i):
        if i == 0:
            return services.order_close_short(order=partial, actor=cast.clerk, reason="短交")
        return services.shipment_create(order=partial, actor=clerk2, lines={pumps.pk: "2"})

    results = run_in_threads(2, act)
    won = [r for r in results if isinstance(r, (SalesOrder, Shipment))]
    refused = [r for r in results if isinstance(r, (Conflict, DomainError))]
    assert len(won) == 1 and len(refused) == 1, results
    order = fresh(partial)
    if isinstance(won[0], SalesOrder):
        assert order.status == SalesOrder.Status.SHIPPED and order.shipments.count() == 2
        assert order.amount_incl == shipped_value(order)
    else:
        assert order.status == SalesOrder.Status.PARTIALLY_SHIPPED and order.lines.get(pk=pumps.pk).quantity == D("10")
