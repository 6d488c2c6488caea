"""QC's queue 待检验 (orders.selectors.orders_to_inspect) and the notice when production reports 完工: an order placed or
partially shipped whose production is done waits for QC while some line is neither passed nor released by inspection;
the warehouse work page, its API and QC's home card count it alike; QC is told once per order; reps and finance do not
see the queue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import selectors, services
from orders.models import SalesOrderLine
from salesops.core.models import Notification, OutboxMessage
from salesops.core.pages import queue_head

from .conftest import fresh, pass_inspection, place

pytestmark = pytest.mark.django_db
WORK_API = "/api/v1/work/warehouse/"
TOLD = "已完工，待检验"


def placed_order(cast, customer, pump, quantity: str = "10"):
    order = services.order_create(
        actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": quantity}]
    )
    return place(order, cast.clerk)


def report(order, cast, status: str, days: int | None = None):
    expected = timezone.localdate() + timedelta(days=days) if days is not None else None
    return services.production_update(order=fresh(order), actor=cast.clerk, status=status, expected_date=expected)


def to_inspect(user) -> dict[str, D]:
    """The queue as {order number: quantity left to inspect}, in the queue's order."""
    return {o.number: o.to_inspect_quantity for o in selectors.orders_to_inspect(user)}


def api_queue(api_as, user) -> dict:
    response = api_as(user).get(WORK_API)
    assert response.status_code == 200, response.json()
    return next(q for q in response.json()["queues"] if q["code"] == "to_inspect")


def home_card(client) -> dict[str, tuple[str, int, str]]:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    cards = {code: counts for code, _title, _url, counts in response.context["work"]}
    return {key: (str(label), n, url) for key, label, n, url in cards.get("warehouse", [])}


def told_qc(order) -> int:
    return Notification.objects.filter(title__contains=order.number).filter(title__contains=TOLD).count()


class TestTheQueue:
    def test_an_order_waits_from_done_until_every_line_is_inspected(self, cast, order):
        # given a placed order of 10 pumps whose production is only scheduled
        place(order, cast.clerk)
        report(order, cast, "scheduled", days=5)
        assert to_inspect(cast.qc) == {}
        # when production reports 完工
        report(order, cast, "done", days=0)
        # then QC has all 10 to inspect
        assert to_inspect(cast.qc) == {order.number: D("10")}
        # when 4 pass inspection (both signatures) and a lot of 3 fails
        pass_inspection(fresh(order), cast, "4")
        failed = services.inspection_record(
            order=fresh(order), actor=cast.qc, line_id=order.lines.get().pk, lot_no="L002", quantity="3", result="fail"
        )
        services.inspection_sign(inspection=failed, actor=cast.warehouse)
        # then 6 are left: what failed is still to inspect (again)
        assert to_inspect(cast.qc) == {order.number: D("6")}
        # when 2 are emergency-released and the last 4 pass
        SalesOrderLine.objects.filter(order=order).update(released_quantity=D("2"))
        assert to_inspect(cast.qc) == {order.number: D("4")}
        pass_inspection(fresh(order), cast, "4", lot="L003")
        # then the order has left the queue
        assert to_inspect(cast.qc) == {}

    def test_only_finished_open_orders_and_the_earliest_expected_first(self, cast, customer, pump):
        # given orders done at different expected dates, one done without a date, one still in production, one cancelled
        late, early, undated = (placed_order(cast, customer, pump) for _ in range(3))
        report(late, cast, "done", days=3)
        report(early, cast, "done", days=-2)
        report(undated, cast, "done")
        busy = placed_order(cast, customer, pump)
        report(busy, cast, "in_production", days=1)
        cancelled = placed_order(cast, customer, pump)
        report(cancelled, cast, "done", days=-5)
        services.order_cancel(order=fresh(cancelled), actor=cast.clerk, reason="客户取消")
        # when QC reads the queue
        queue = to_inspect(cast.qc)
        # then the finished open orders, the earliest expected completion first and the one without a date last
        assert list(queue) == [early.number, late.number, undated.number]

    def test_a_rep_sees_only_own_orders_in_it(self, cast, customer, carol_customer, pump):
        mine = placed_order(cast, customer, pump)
        report(mine, cast, "done", days=0)
        assert mine.number in to_inspect(cast.alice) and to_inspect(cast.carol) == {}


class TestPageApiAndCard:
    def test_page_api_and_qcs_home_card_agree(self, cast, client_as, api_as, customer, pump):
        # given two finished orders (one of them half inspected) and one still in production
        first, second = placed_order(cast, customer, pump), placed_order(cast, customer, pump, quantity="7")
        report(first, cast, "done", days=-1)
        report(second, cast, "done", days=2)
        pass_inspection(fresh(second), cast, "3")
        report(placed_order(cast, customer, pump), cast, "in_production", days=4)
        client = client_as(cast.qc)
        # when QC opens the work page, the work API and the home page
        page = client.get(reverse("orders:warehouse_queue"))
        api = api_queue(api_as, cast.qc)
        card = home_card(client)
        # then each counts the same two orders, the earliest expected first
        assert page.status_code == 200 and page.context["counts"]["to_inspect"] == 2
        assert [o.number for o in page.context["to_inspect"]] == [first.number, second.number]
        assert api["count"] == 2
        assert [(i["type"], i["order_number"], i["amount"]) for i in api["items"]] == [
            ("order", first.number, "10.000"),
            ("order", second.number, "4.000"),
        ]
        assert api["items"][1]["expected_date"] == str(timezone.localdate() + timedelta(days=2))
        assert api["items"][1]["customer_name"] == customer.name
        page_url = reverse("orders:warehouse_queue")
        assert card["to_inspect"] == ("待检验", 2, f"{page_url}#queue-to_inspect")
        # the page's table links each order and says what is left, and the card's link opens that table
        body = page.content.decode()
        assert f'href="{reverse("orders:order_detail", args=[second.pk])}"' in body
        assert "1 行，共 4" in body and 'id="queue-to_inspect"' in body
        assert 'data-testid="count-to_inspect">2<' in body
        # and its link opens the order list filtered to the same orders (page and API alike)
        list_url = f"{reverse('orders:order_list')}?queue=to_inspect"
        assert f'href="{list_url}" data-testid="queue-all-to_inspect"' in body
        listed = client.get(list_url)
        assert {o.number for o in listed.context["page"]} == {first.number, second.number}
        rows = api_as(cast.qc).get("/api/v1/orders/", {"queue": "to_inspect"}).json()
        assert rows["count"] == 2 and {r["number"] for r in rows["results"]} == {first.number, second.number}

    def test_a_manager_reads_it_and_the_warehouses_card_leaves_it_to_qc(self, cast, client_as, customer, pump):
        report(placed_order(cast, customer, pump), cast, "done", days=0)
        manager_card = home_card(client_as(cast.manager))
        assert manager_card["to_inspect"][1] == 1
        warehouse = client_as(cast.warehouse)
        assert warehouse.get(reverse("orders:warehouse_queue")).context["counts"]["to_inspect"] == 1
        assert "to_inspect" not in home_card(warehouse)  # the warehouse does not inspect (it sees QC's signature queue neither)

    def test_reps_finance_and_clerks_cannot_open_it(self, cast, client_as, api_as, customer, pump):
        report(placed_order(cast, customer, pump), cast, "done", days=0)
        for user in (cast.alice, cast.finance, cast.clerk):
            assert client_as(user).get(reverse("orders:warehouse_queue")).status_code == 403
            assert api_as(user).get(WORK_API).status_code == 403
            assert "to_inspect" not in home_card(client_as(user))

    def test_one_query_for_the_rows_and_one_for_the_count_however_many(self, cast, api_as, customer, pump):
        def cost(size: int) -> tuple[int, int]:
            with CaptureQueriesContext(connection) as ctx:
                rows, _count = queue_head(selectors.orders_to_inspect(cast.qc), size)
                [(o.number, o.customer.name, o.to_inspect_lines, o.to_inspect_quantity, o.expected_date) for o in rows]
            with CaptureQueriesContext(connection) as api:
                api_queue(api_as, cast.qc)
            return len(ctx.captured_queries), len(api.captured_queries)

        # given three finished orders
        for _ in range(3):
            report(placed_order(cast, customer, pump), cast, "done", days=0)
        cost(10)  # QC's roles are read once per user
        # then a head longer than the queue is one query, a shorter one the rows and a COUNT, and no query per row
        assert cost(10)[0] == 1 and cost(2)[0] == 2
        api_before = cost(10)[1]
        for _ in range(3):
            report(placed_order(cast, customer, pump), cast, "done", days=0)
        assert cost(10) == (1, api_before)


class TestTheNotice:
    def test_qc_is_told_once_when_production_reports_done(self, cast, api_as, order):
        # given a placed order whose production is under way
        place(order, cast.clerk)
        report(order, cast, "in_production", days=3)
        assert told_qc(order) == 0
        # when the clerk records 完工 through the API
        url = f"/api/v1/orders/{order.pk}/production-update/"
        response = api_as(cast.clerk).post(url, {"status": "done", "expected_date": str(timezone.localdate())}, format="json")
        assert response.status_code == 201, response.json()
        # then QC alone is told, with a link to the order, and its e-mail copy waits in the outbox
        notice = Notification.objects.get(title__contains=TOLD)
        assert notice.recipient == cast.qc and notice.url == reverse("orders:order_detail", args=[order.pk])
        assert notice.title == f"订单 {order.number} 已完工，待检验（{order.customer.name}）"
        assert OutboxMessage.objects.filter(recipient=cast.qc.email, subject__contains=order.number).count() == 1
        # when 完工 is reported again (a corrected date)
        again = api_as(cast.clerk).post(url, {"status": "done", "expected_date": str(timezone.localdate())}, format="json")
        assert again.status_code == 201
        # then nobody is told twice
        assert told_qc(order) == 1
        assert OutboxMessage.objects.filter(recipient=cast.qc.email, subject__contains=order.number).count() == 1

    def test_other_reports_tell_qc_nothing(self, cast, order):
        place(order, cast.clerk)
        report(order, cast, "scheduled", days=3)
        services.production_update(order=fresh(order), actor=cast.clerk, status="delayed", expected_date=None, reason="缺料")
        assert told_qc(order) == 0
