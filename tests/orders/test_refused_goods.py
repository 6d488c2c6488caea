"""Goods refused at delivery (拒收) and received back into the warehouse (拒收退回入库, orders.services.
shipment_receive_refused): at delivery acceptance what was shipped and not signed for is recorded on the note as refused
and the warehouse is told; the warehouse receives it back (never more than refused), so it no longer counts as shipped
on the order line — the order is partially shipped again, the clerk is told and ships it again (补发) or closes the line
short (短交关闭) — and the money readers (receivables, statement, credit notes, KPIs) count only what stayed with the
customer, while invoicing stays at what was signed for. Service, permissions, API, pages, history and two at once."""

from __future__ import annotations

import importlib
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from orders import figures, permissions, selectors, services
from orders.models import RefusalReturn, SalesOrder, Shipment, ShipmentLine
from orders.receivables import receivables_of
from orders.statements import customer_statement
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import Event, Notification
from tests.core.conftest import run_in_threads
from tests.factories import UserFactory
from tests.orders.conftest import fresh, pass_inspection, place

pytestmark = pytest.mark.django_db

SHIPMENTS = "/api/v1/shipments/"
REASON = "外箱破损，3 台拒收"


def ship(order, cast, lines: dict, ref="SF-1") -> Shipment:
    note = services.shipment_create(order=order, actor=cast.clerk, lines=lines)
    services.shipment_release(shipment=note, actor=cast.clerk)
    return services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no=ref)


def deliver(note, cast, signed, exceptions=REASON) -> Shipment:
    sl = note.lines.get()
    return services.shipment_deliver(
        shipment=note, actor=cast.clerk, delivered_on=None, signer="王经理", exceptions=exceptions, quantities={sl.pk: signed}
    )


def receive(shipment, actor, qty, **kw) -> RefusalReturn:
    return services.shipment_receive_refused(shipment=shipment, actor=actor, quantities={shipment.lines.get().pk: qty}, **kw)


def events(obj, text: str) -> list[Event]:
    kind = ContentType.objects.get_for_model(obj)
    return list(Event.objects.filter(target_type=kind, target_id=obj.pk, msgid__contains=text).order_by("pk"))


def told(user, text: str) -> bool:
    return Notification.objects.filter(recipient=user, title__contains=text).exists()


@pytest.fixture
def credit_customer(customer):
    customer.payment_terms, customer.credit_days = "credit", 30
    customer.save()
    return customer


@pytest.fixture
def refused(cast, credit_customer, pump):
    """A credit order of 10 pumps at 1,130.00 (11,300.00), all shipped on one note; the customer signed for 7 and
    refused 3 (3,390.00)."""
    order = services.order_create(
        actor=cast.clerk,
        customer=credit_customer,
        data={"promised_ship_date": timezone.localdate() + timedelta(days=20)},
        lines=[{"product": pump.pk, "quantity": "10"}],
    )
    order = place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    note = ship(order, cast, {order.lines.get().pk: "10"})
    assert fresh(order).status == SalesOrder.Status.SHIPPED
    return deliver(note, cast, "7")


def line_of(note):
    return fresh(note).order.lines.get()


class TestDelivery:
    def test_what_was_not_signed_for_is_refused_and_the_warehouse_is_told(self, cast, refused):
        # given a note of 10 signed for 7, then 3 are refused on the note, with the 签收异常 as the reason
        sl = refused.lines.get()
        assert (sl.delivered_quantity, sl.refused_quantity, sl.returned_quantity) == (D("7"), D("3"), D("0"))
        assert refused.delivery_exceptions == REASON
        # the note's and the order's history say what was refused and why
        for target in (refused, refused.order):
            [event] = events(target, "客户拒收")
            assert event.params["reason"] == REASON and "3" in event.params["lines"][0]
        # the warehouse is told and finds it in its queue; the order still counts the 3 as shipped until they are back
        assert told(cast.warehouse, refused.number)
        assert list(selectors.warehouse_queue(cast.warehouse)["refused_to_receive"]) == [refused]
        assert line_of(refused).shipped_quantity == D("10")
        assert permissions.shipment_allowed_actions(refused, cast.warehouse) == ["receive_refused"]

    def test_a_note_signed_in_full_refuses_nothing(self, cast, credit_customer, pump):
        order = place(
            services.order_create(
                actor=cast.clerk, customer=credit_customer, data={}, lines=[{"product": pump.pk, "quantity": "2"}]
            ),
            cast.clerk,
        )
        pass_inspection(order, cast, "2")
        note = deliver(ship(order, cast, {order.lines.get().pk: "2"}), cast, "2", exceptions="")
        assert note.lines.get().refused_quantity == D("0")
        assert not events(note, "客户拒收")
        assert not selectors.warehouse_queue(cast.warehouse)["refused_to_receive"].exists()
        with pytest.raises(Conflict, match="没有待收回的拒收货物"):
            receive(note, cast.warehouse, "1")

    def test_a_quantity_for_a_line_not_of_the_note_is_refused(self, cast, credit_customer, pump):
        # given a note of 2 pumps; the quantities sent keyed by the order line's id (not the note line's)
        order = place(
            services.order_create(
                actor=cast.clerk, customer=credit_customer, data={}, lines=[{"product": pump.pk, "quantity": "2"}]
            ),
            cast.clerk,
        )
        pass_inspection(order, cast, "2")
        note = ship(order, cast, {order.lines.get().pk: "2"})
        wrong = note.lines.get().pk + 1000
        with pytest.raises(DomainError, match=f"出货明细不存在（编号 {wrong}）"):
            services.shipment_deliver(
                shipment=note, actor=cast.clerk, delivered_on=None, signer="王经理", exceptions="x", quantities={wrong: "1"}
            )
        assert fresh(note).status == Shipment.Status.SHIPPED and note.lines.get().delivered_quantity == 0

    @pytest.mark.parametrize("with_tax, signed", [(False, "2"), (True, "0")])
    def test_the_clerk_is_told_to_invoice_only_what_may_be_invoiced(self, cast, credit_customer, pump, with_tax, signed):
        # an order agreed without an invoice (不含税), or a note refused whole: no "可以申请开票"
        order = services.order_create(
            actor=cast.clerk,
            customer=credit_customer,
            data={"prices_include_tax": with_tax},
            lines=[{"product": pump.pk, "quantity": "2"}],
        )
        order = place(order, cast.clerk)
        pass_inspection(order, cast, "2")
        deliver(ship(order, cast, {order.lines.get().pk: "2"}), cast, signed, exceptions="" if signed == "2" else REASON)
        assert not Notification.objects.filter(title__contains="可以申请开票").exists()


class TestReceiveBack:
    def test_received_goods_no_longer_count_as_shipped_and_the_clerk_decides(self, cast, refused):
        day = timezone.localdate()
        receipt = receive(refused, cast.warehouse, "3", received_on=day, note="A 区 3 号库位")
        # the receipt: who, when, what and its value
        assert (receipt.received_by, receipt.received_on, receipt.amount_incl) == (cast.warehouse, day, D("3390.00"))
        assert [(rl.quantity, rl.amount_incl) for rl in receipt.lines.all()] == [(D("3"), D("3390.00"))]
        note, sl = fresh(refused), refused.lines.get()
        assert (sl.returned_quantity, sl.returned_amount, note.returned_amount) == (D("3"), D("3390.00"), D("3390.00"))
        # the order line: 7 shipped, 7 delivered, the 10 that passed inspection stay passed, so 3 may go again
        line = line_of(refused)
        assert (line.shipped_quantity, line.delivered_quantity, line.passed_quantity) == (D("7"), D("7"), D("10"))
        assert line.shippable_quantity == D("3") and selectors.available_to_ship(line.order) == {line.pk: D("3")}
        # the order is partially shipped again: in the clerk's 可发货 queue, 短交关闭 offered; the clerk and rep are told
        order = fresh(refused.order)
        assert order.status == SalesOrder.Status.PARTIALLY_SHIPPED
        ready = selectors.clerk_queue(cast.clerk, day)["ready_to_ship"]
        assert order in list(ready)
        assert "close_short" in permissions.order_allowed_actions(order, cast.clerk)
        assert told(cast.clerk, refused.number) and told(cast.alice, refused.number)
        # history on the note and the order (the order's as its status change)
        [on_note] = events(refused, "拒收退回入库")
        assert on_note.actor == cast.warehouse and on_note.params["amount"] == "3,390.00"
        [on_order] = events(order, "拒收退回入库")
        assert (on_order.from_status, on_order.to_status) == (SalesOrder.Status.SHIPPED, SalesOrder.Status.PARTIALLY_SHIPPED)
        # nothing more to receive: out of the queue, no action left
        assert not selectors.warehouse_queue(cast.warehouse)["refused_to_receive"].exists()
        assert "receive_refused" not in permissions.shipment_allowed_actions(note, cast.warehouse)

    def test_shipped_again_the_order_is_delivered_in_full(self, cast, refused):
        receive(refused, cast.warehouse, "3")
        line = line_of(refused)
        again = ship(refused.order, cast, {line.pk: "3"}, ref="SF-2")  # 补发
        assert again.amount_incl == D("3390.00")  # the line's amount less what stayed with the customer
        assert fresh(refused.order).status == SalesOrder.Status.SHIPPED
        deliver(again, cast, "3", exceptions="")
        line = line_of(refused)
        assert (line.shipped_quantity, line.delivered_quantity) == (D("10"), D("10"))
        order = fresh(refused.order)
        assert selectors.order_shipped_amount(order) == order.amount_incl == D("11300.00")
        assert selectors.order_invoiceable_amount(order) == D("11300.00")

    def test_or_the_line_is_closed_short_at_what_stayed(self, cast, refused):
        receive(refused, cast.warehouse, "3")
        order = services.order_close_short(order=refused.order, actor=cast.clerk, reason="客户不再要这 3 台")
        assert order.status == SalesOrder.Status.SHIPPED
        line = order.lines.get()
        assert (line.quantity, line.shipped_quantity, line.amount_incl) == (D("7"), D("7"), D("7910.00"))
        assert order.amount_incl == selectors.order_shipped_amount(order) == D("7910.00")
        assert selectors.order_outstanding(order) == D("7910.00")

    def test_received_back_in_parts(self, cast, refused):
        first = receive(refused, cast.warehouse, "1")
        assert first.amount_incl == D("1130.00") and fresh(refused.order).status == SalesOrder.Status.PARTIALLY_SHIPPED
        assert selectors.warehouse_queue(cast.warehouse)["refused_to_receive"].exists()  # 2 still out
        second = receive(refused, cast.warehouse, "2")
        assert second.amount_incl == D("2260.00")
        # the order was partially shipped already: the second receipt is on its history without a status change
        assert [e.to_status for e in events(refused.order, "拒收退回入库")] == [SalesOrder.Status.PARTIALLY_SHIPPED, ""]
        assert line_of(refused).shipped_quantity == D("7") and fresh(refused).returned_amount == D("3390.00")

    def test_a_closed_order_is_reopened(self, cast, refused):
        services.order_close(order=refused.order, actor=cast.clerk)
        assert fresh(refused.order).closed_at is not None
        receive(refused, cast.warehouse, "3")
        order = fresh(refused.order)
        assert order.status == SalesOrder.Status.PARTIALLY_SHIPPED and order.closed_at is None


class TestAllRefused:
    """Every good of the order refused at delivery: once received back the order keeps nothing, so it is cancelled
    (短交关闭 would leave an order of 0.00 shipped)."""

    @pytest.fixture
    def all_back(self, cast, credit_customer, pump):
        order = place(
            services.order_create(
                actor=cast.clerk, customer=credit_customer, data={}, lines=[{"product": pump.pk, "quantity": "2"}]
            ),
            cast.clerk,
        )
        pass_inspection(order, cast, "2")
        return deliver(ship(order, cast, {order.lines.get().pk: "2"}), cast, "0", exceptions="客户取消项目，全部拒收")

    def test_cancelled_only_once_all_came_back(self, cast, all_back):
        order = fresh(all_back.order)
        # given the goods refused but still out: neither cancel nor close short
        assert not {"cancel", "close_short"} & set(permissions.order_allowed_actions(order, cast.clerk))
        with pytest.raises(Conflict, match="只有部分发货的订单可以短交关闭"):
            services.order_close_short(order=order, actor=cast.clerk, reason="不要了")
        # when the warehouse receives them back
        receive(all_back, cast.warehouse, "2")
        order = fresh(order)
        assert order.status == SalesOrder.Status.PARTIALLY_SHIPPED
        # then 短交关闭 is not offered and refused (it would close an order of 0.00), and 取消订单 is
        actions = permissions.order_allowed_actions(order, cast.clerk)
        assert "close_short" not in actions and "cancel" in actions
        with pytest.raises(Conflict, match="已全部拒收退回.*请取消订单"):
            services.order_close_short(order=order, actor=cast.clerk, reason="不要了")
        assert fresh(order).status == SalesOrder.Status.PARTIALLY_SHIPPED
        cancelled = services.order_cancel(order=order, actor=cast.clerk, reason="客户取消项目")
        assert cancelled.status == SalesOrder.Status.CANCELLED and cancelled.cancel_reason == "客户取消项目"

    def test_not_cancelled_while_goods_stay_or_a_note_is_open(self, cast, refused):
        # given 7 of 10 kept by the customer: no cancel
        receive(refused, cast.warehouse, "3")
        order = fresh(refused.order)
        assert "cancel" not in permissions.order_allowed_actions(order, cast.clerk)
        with pytest.raises(Conflict, match="订单的货物已发出，不能取消"):
            services.order_cancel(order=order, actor=cast.clerk, reason="x")
        # and a note of the 3 again (补发) still open: the note first
        services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "3"})
        with pytest.raises(Conflict, match="请先作废未发出的出货单"):
            services.order_cancel(order=order, actor=cast.clerk, reason="x")
        assert fresh(order).status == SalesOrder.Status.PARTIALLY_SHIPPED

    def test_the_receive_page_with_nothing_left_goes_back_to_the_note(self, cast, client_as, all_back):
        receive(all_back, cast.warehouse, "2")
        url = reverse("orders:shipment_receive_refused", args=[all_back.pk])
        response = client_as(cast.warehouse).get(url, follow=True)
        assert response.redirect_chain[-1][0] == reverse("orders:shipment_detail", args=[all_back.pk])
        assert "没有待退回入库的拒收货物" in response.content.decode()


class TestMoney:
    def test_money_counts_only_what_stayed_and_invoices_only_what_was_signed_for(self, cast, refused):
        order, today = refused.order, timezone.localdate()
        since, until = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
        # before the goods are back: the note's whole value is receivable, 7 signed for may be invoiced
        assert selectors.order_invoiceable_amount(order) == D("7910.00")
        assert receivables_of(SalesOrder.objects.filter(pk=order.pk))[0].open == D("11300.00")
        receive(refused, cast.warehouse, "3")
        order = fresh(order)
        # receivables, the credit-note room, the shipped and unshipped KPIs: what stayed with the customer
        [row] = receivables_of(SalesOrder.objects.filter(pk=order.pk))
        assert (row.shipped, row.open) == (D("7910.00"), D("7910.00"))
        assert selectors.order_shipped_amount(order) == selectors.order_creditable(order) == D("7910.00")
        assert figures.shipped_total(since, until) == D("7910.00")
        assert figures.unshipped_total(today, until) == D("3390.00")
        assert figures.receivable_aging(today, until)["0_30"] == D("7910.00")
        [customer_row] = list(
            figures.customer_figures((today, today, since, until), (today, today, since, since), (today, today, since, since))
        )
        assert customer_row["shipped"] == D("7910.00")
        # invoicing: what was signed for, never the refused goods
        assert selectors.order_invoiceable_amount(order) == D("7910.00")
        with pytest.raises(DomainError, match="超过"):
            services.invoice_request(order=order, actor=cast.clerk, amount="7910.01")
        # the customer's statement: the note on the day it left, the refused goods on the day they came back
        statement = customer_statement(order.customer, today - timedelta(days=5), today)
        moves = {m.kind: m for m in statement.moves}
        assert moves["shipment"].owed == D("11300.00") and moves["refused"].owed == D("-3390.00")
        assert moves["refused"].number == refused.number and moves["refused"].kind_label == "拒收退回"
        assert statement.owed == statement.closing == D("7910.00")
        tomorrow = customer_statement(order.customer, today + timedelta(days=1), today + timedelta(days=1))
        assert tomorrow.opening == D("7910.00") and not tomorrow.moves


class TestBadInput:
    @pytest.mark.parametrize(
        ("qty", "kw", "error", "message"),
        [
            ("4", {}, DomainError, "退回入库数量 4 超过待收回的拒收数量 3（拒收 3，已收回 0）"),
            ("-1", {}, DomainError, "不能为负数"),
            ("abc", {}, DomainError, "不是有效的数字"),
            ("0", {}, DomainError, "请至少填写一行退回入库数量"),
            ("", {}, DomainError, "请至少填写一行退回入库数量"),
            # days from today, read when the test runs (not when it is collected: a run across midnight)
            ("1", {"received_on": 1}, DomainError, "不能晚于今天"),
            ("1", {"received_on": -1}, DomainError, "不能早于签收日期"),
        ],
    )
    def test_refused_with_a_chinese_message_and_nothing_changes(self, cast, refused, qty, kw, error, message):
        kw = {name: timezone.localdate() + timedelta(days=days) for name, days in kw.items()}
        with pytest.raises(error, match=message):
            receive(refused, cast.warehouse, qty, **kw)
        self.assert_unchanged(refused)

    def test_a_line_of_another_note_and_twice(self, cast, refused):
        with pytest.raises(DomainError, match="出货明细不存在"):
            services.shipment_receive_refused(shipment=refused, actor=cast.warehouse, quantities={999999: "1"})
        self.assert_unchanged(refused)
        receive(refused, cast.warehouse, "3")
        with pytest.raises(Conflict, match="没有待收回的拒收货物"):
            receive(refused, cast.warehouse, "3")
        assert RefusalReturn.objects.count() == 1 and line_of(refused).shipped_quantity == D("7")

    def test_only_a_delivered_note(self, cast, credit_customer, pump):
        order = place(
            services.order_create(
                actor=cast.clerk, customer=credit_customer, data={}, lines=[{"product": pump.pk, "quantity": "2"}]
            ),
            cast.clerk,
        )
        pass_inspection(order, cast, "2")
        note = ship(order, cast, {order.lines.get().pk: "2"})
        with pytest.raises(Conflict, match="登记签收后才能收回拒收货物"):
            receive(note, cast.warehouse, "1")

    @staticmethod
    def assert_unchanged(note):
        sl = ShipmentLine.objects.get(pk=note.lines.get().pk)
        assert (sl.returned_quantity, sl.returned_amount, fresh(note).returned_amount) == (D("0"), D("0"), D("0"))
        assert line_of(note).shipped_quantity == D("10") and fresh(note.order).status == SalesOrder.Status.SHIPPED
        assert not RefusalReturn.objects.exists() and not events(note, "拒收退回入库")


class TestWhoMay:
    def test_only_the_warehouse_records_it(self, cast, refused):
        for user in (cast.clerk, cast.manager, cast.finance, cast.qc, cast.service, cast.alice, cast.lena, cast.vp):
            assert "receive_refused" not in permissions.shipment_allowed_actions(refused, user), user
            with pytest.raises(Forbidden):
                receive(refused, user, "1")
        assert not RefusalReturn.objects.exists()
        assert "receive_refused" in permissions.shipment_allowed_actions(refused, cast.warehouse)

    def test_api(self, cast, api_as, refused):
        url = f"{SHIPMENTS}{refused.pk}/receive-refused/"
        sl = refused.lines.get()
        body = {"quantities": {str(sl.pk): "3"}, "note": "已入库"}
        # the clerk, the manager and the order's rep read it; another rep does not see the note at all
        for user in (cast.clerk, cast.manager, cast.alice):
            detail = api_as(user).get(f"{SHIPMENTS}{refused.pk}/").json()
            assert detail["lines"][0]["refused_quantity"] == "3.000" and "receive_refused" not in detail["allowed_actions"]
        assert api_as(cast.carol).get(f"{SHIPMENTS}{refused.pk}/").status_code == 404
        assert api_as(cast.carol).post(url, body, format="json").status_code == 404
        for user in (cast.clerk, cast.finance, cast.qc, cast.service, cast.alice):
            assert api_as(user).post(url, body, format="json").status_code == 403, user
        warehouse = api_as(cast.warehouse)
        assert "receive_refused" in warehouse.get(f"{SHIPMENTS}{refused.pk}/").json()["allowed_actions"]
        response = warehouse.post(url, {"quantities": {str(sl.pk): "4"}}, format="json")
        assert response.status_code == 400 and "超过待收回的拒收数量" in response.json()["detail"]
        assert warehouse.post(url, {"quantities": {str(sl.pk): "-1"}}, format="json").status_code == 400
        assert not RefusalReturn.objects.exists()
        response = warehouse.post(url, body, format="json")
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["returned_amount"] == "3390.00" and data["lines"][0]["returned_quantity"] == "3.000"
        [receipt] = data["refusal_returns"]
        assert receipt["received_by_name"] and receipt["note"] == "已入库" and receipt["lines"][0]["quantity"] == "3.000"
        assert warehouse.post(url, body, format="json").status_code == 409  # twice
        assert line_of(refused).shipped_quantity == D("7")
        # the warehouse's work queue in the API, and the list filtered to the notes with refused goods still out
        assert api_as(cast.warehouse).get(f"{SHIPMENTS}?refused=true").json()["count"] == 0

    def test_the_api_work_queue_and_list_filter(self, cast, api_as, refused):
        queues = {q["code"]: q for q in api_as(cast.warehouse).get("/api/v1/work/warehouse/").json()["queues"]}
        assert queues["refused_to_receive"]["count"] == 1
        assert queues["refused_to_receive"]["items"][0]["number"] == refused.number
        rows = api_as(cast.clerk).get(f"{SHIPMENTS}?refused=true").json()
        assert [r["number"] for r in rows["results"]] == [refused.number]
        assert api_as(cast.clerk).get(f"{SHIPMENTS}?refused=false").json()["count"] == 0
        assert api_as(cast.carol).get(f"{SHIPMENTS}?refused=true").json()["count"] == 0


class TestPages:
    def test_the_note_page_and_the_form(self, cast, client_as, refused):
        detail = reverse("orders:shipment_detail", args=[refused.pk])
        url = reverse("orders:shipment_receive_refused", args=[refused.pk])
        page = client_as(cast.warehouse).get(detail).content.decode()
        assert 'data-testid="action-receive_refused"' in page and 'data-testid="refused-quantity">3<' in page
        for user in (cast.clerk, cast.alice):
            page = client_as(user).get(detail).content.decode()
            assert 'data-testid="refused-quantity">3<' in page and 'data-testid="action-receive_refused"' not in page
        assert client_as(cast.carol).get(detail).status_code == 404
        assert client_as(cast.clerk).get(url).status_code == 403
        assert client_as(cast.finance).post(url, {}).status_code == 403
        form = client_as(cast.warehouse).get(url)
        assert form.status_code == 200 and REASON in form.content.decode()
        field = f"returned_{refused.lines.get().pk}"
        today = timezone.localdate().isoformat()
        response = client_as(cast.warehouse).post(url, {"received_on": today, field: "5"})
        assert response.status_code == 400 and "超过待收回的拒收数量" in response.content.decode()
        assert not RefusalReturn.objects.exists()
        response = client_as(cast.warehouse).post(url, {"received_on": today, field: "3", "note": "A 区"})
        assert response.status_code == 302 and line_of(refused).shipped_quantity == D("7")
        page = client_as(cast.clerk).get(detail).content.decode()
        assert 'data-testid="refusal-return"' in page and "A 区" in page and "3,390.00" in page
        assert "拒收退回入库" in page  # its history
        order_page = client_as(cast.clerk).get(reverse("orders:order_detail", args=[refused.order_id])).content.decode()
        assert "拒收退回入库" in order_page

    def test_the_warehouse_queue(self, cast, client_as, refused):
        queue = reverse("orders:warehouse_queue")
        page = client_as(cast.warehouse).get(queue).content.decode()
        assert 'data-testid="count-refused_to_receive">1<' in page
        assert f'data-number="{refused.number}"' in page and 'data-testid="receive-refused"' in page
        assert 'href="/orders/shipments/?refused=true"' in page
        qc_page = client_as(cast.qc).get(queue).content.decode()
        assert f'data-number="{refused.number}"' in qc_page and 'data-testid="receive-refused"' not in qc_page
        listed = client_as(cast.warehouse).get("/orders/shipments/?refused=true").content.decode()
        assert refused.number in listed
        receive(refused, cast.warehouse, "3")
        page = client_as(cast.warehouse).get(queue).content.decode()
        assert 'data-testid="count-refused_to_receive">0<' in page and f'data-number="{refused.number}"' not in page


def test_notes_signed_for_in_part_before_are_refused_by_the_migration(cast, refused):
    ShipmentLine.objects.update(refused_quantity=0)
    migration = importlib.import_module("orders.migrations.0013_refused_goods")
    migration.refused_at_delivery(django_apps, None)
    assert refused.lines.get().refused_quantity == D("3")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_receipts_at_once_have_one_effect(on_postgres, cast, refused):
    warehouse2 = UserFactory(username="warehouse2", roles=["warehouse"])
    users = [cast.warehouse, warehouse2]
    results = run_in_threads(2, lambda i: receive(refused, users[i], "3"))
    won = [r for r in results if isinstance(r, RefusalReturn)]
    lost = [r for r in results if isinstance(r, (Conflict, DomainError))]
    assert len(won) == 1 and len(lost) == 1, results
    assert "没有待收回的拒收货物" in str(lost[0])
    assert RefusalReturn.objects.count() == 1
    assert line_of(refused).shipped_quantity == D("7") and fresh(refused).returned_amount == D("3390.00")
