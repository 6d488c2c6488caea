"""Satisfaction callbacks (回访): scheduled by the "order_delivered" hook from rules that are data, queued each morning with a
notification, recorded with scores, escalated once, and turned into a complaint or ticket in one click."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales import tasks
from aftersales.models import Callback, CallbackRule, Complaint, ServiceTicket
from aftersales.services import callbacks as svc
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import Department, Event, Notification
from tests.aftersales.conftest import bulk_deliveries, deliver_order
from tests.aftersales.test_qa_rules import make_due

pytestmark = pytest.mark.django_db


def due(order, days):
    return Callback.objects.get(order=order, offset_days=days)


def record(cb, actor, **kw):
    params = {"channel": "phone", "reached": True, "score_product": 4, "score_delivery": 5, "score_service": 4, "notes": "满意"}
    params.update(kw)
    return svc.callback_record(callback=make_due(cb), actor=actor, **params)  # recorded from its due day on


class TestScheduling:
    def test_a_delivery_schedules_day_7_by_service_and_day_30_by_the_orders_rep(self, cast, delivered):
        # given the default rules (migration 0002) and an order delivered today
        order, shipment = delivered
        # then the hook created exactly two callbacks, due 7 and 30 days after the delivery
        day7, day30 = due(order, 7), due(order, 30)
        assert (day7.due_on, day30.due_on) == (
            shipment.delivered_on + timedelta(days=7),
            shipment.delivered_on + timedelta(days=30),
        )
        assert day7.assignee is None and day30.assignee == cast.alice  # the service team's queue; the rep credited with the order
        assert {day7.status, day30.status} == {Callback.Status.SCHEDULED} and day7.customer == order.customer

    def test_the_rules_are_data(self, cast, customer, pump):
        # given day 7 handed to one service user, day 30 switched off and a franchise-store-only day 90
        from tests.aftersales.conftest import deliver_order

        CallbackRule.objects.filter(offset_days=7).update(service_user=cast.service)
        CallbackRule.objects.filter(offset_days=30).update(is_active=False)
        CallbackRule.objects.create(name="专卖店 90 天回访", offset_days=90, assign_to="rep", customer_type="franchise_store")
        # when an end customer's order is delivered
        order, _shipment = deliver_order(cast, customer, pump, qty="1")
        # then only the day-7 callback exists, assigned to that person
        assert list(Callback.objects.filter(order=order).values_list("offset_days", "assignee")) == [(7, cast.service.pk)]

    def test_running_the_scheduler_again_and_again_never_makes_a_second_callback(self, cast, delivered):
        order, shipment = delivered
        assert svc.callbacks_schedule() == 0
        assert svc.callbacks_schedule(shipment_ids=[shipment.pk]) == 0
        svc.on_order_delivered(shipment=shipment)
        assert tasks.callbacks_morning.delay().get()["scheduled"] == 0
        assert Callback.objects.filter(order=order).count() == 2

    def test_the_backfill_catches_up_recent_deliveries_only(self, cast):
        # given deliveries without callbacks (written with SQL, no hook): one 10 days ago, one 400 days ago
        recent = bulk_deliveries(cast, 1, delivered_on=timezone.localdate() - timedelta(days=10), prefix="NEW")
        bulk_deliveries(cast, 1, delivered_on=timezone.localdate() - timedelta(days=400), prefix="OLD")
        # when the morning job runs
        result = svc.callbacks_morning()
        # then only the recent delivery got its two callbacks (day 7 is already due and goes to the queue)
        assert result["scheduled"] == 2 and set(Callback.objects.values_list("shipment", flat=True)) == {recent[0].pk}
        assert Callback.objects.get(offset_days=7).status == Callback.Status.OPEN

    def test_the_scheduler_costs_the_same_queries_for_10_and_200_deliveries(self, cast):
        bulk_deliveries(cast, 10, prefix="S")
        with CaptureQueriesContext(connection) as small:
            assert svc.callbacks_schedule() == 20
        Callback.objects.all().delete()
        bulk_deliveries(cast, 190, prefix="L")
        with CaptureQueriesContext(connection) as large:
            assert svc.callbacks_schedule() == 400
        assert len(small.captured_queries) == len(large.captured_queries) <= 4


class TestMorningQueue:
    def test_due_callbacks_enter_the_queue_once_with_one_notification_per_assignee(self, cast, delivered):
        order, shipment = delivered
        day = shipment.delivered_on
        assert svc.callbacks_queue_due(today=day + timedelta(days=6)) == 0
        # when the morning of day 7 comes, twice (a second worker, a redelivered task)
        assert svc.callbacks_queue_due(today=day + timedelta(days=7)) == 1
        assert svc.callbacks_queue_due(today=day + timedelta(days=7)) == 0
        # then the day-7 callback is in the service team's queue and service was told once
        assert due(order, 7).status == Callback.Status.OPEN and due(order, 30).status == Callback.Status.SCHEDULED
        assert Notification.objects.filter(recipient=cast.service, title__contains="今日待回访").count() == 1
        assert Event.objects.filter(target_id=due(order, 7).pk, to_status="open").count() == 1

    def test_every_recipient_of_the_morning_message_may_open_its_link(self, cast, client_as, customer, pump, delivered):
        # QA: alice's "今日待回访" linked to the service desk, which is 403 for a rep
        order, shipment = delivered
        second, _shipment = deliver_order(cast, customer, pump, qty="2")
        # when the morning of day 30 comes: the two day-7 callbacks to the service team, the two day-30 ones to alice
        assert svc.callbacks_queue_due(today=shipment.delivered_on + timedelta(days=30)) == 4
        told = list(Notification.objects.filter(title__contains="今日待回访").select_related("recipient"))
        assert cast.alice in {n.recipient for n in told} and cast.service in {n.recipient for n in told}
        for n in told:
            assert client_as(n.recipient).get(n.url).status_code == 200, (n.recipient.username, n.url)
        # then the team keeps the desk; alice's link lists her open callbacks, both of them
        assert next(n for n in told if n.recipient == cast.service).url == "/aftersales/#callbacks"
        mine = next(n for n in told if n.recipient == cast.alice)
        assert mine.url == f"/aftersales/callbacks/?status=open&assignee={cast.alice.pk}"
        page = client_as(cast.alice).get(mine.url).content.decode()
        assert order.number in page and second.number in page

    def test_a_rep_with_one_callback_is_sent_to_it(self, cast, client_as, delivered):
        order, shipment = delivered
        svc.callbacks_queue_due(today=shipment.delivered_on + timedelta(days=30))
        told = Notification.objects.get(recipient=cast.alice, title__contains="今日待回访：1")
        assert told.url == due(order, 30).get_absolute_url()
        assert client_as(cast.alice).get(told.url).status_code == 200

    def test_the_day_30_callback_goes_to_the_rep(self, cast, delivered):
        order, shipment = delivered
        svc.callbacks_queue_due(today=shipment.delivered_on + timedelta(days=30))
        assert Notification.objects.filter(recipient=cast.alice, title__contains="今日待回访：1").exists()
        assert due(order, 30).status == Callback.Status.OPEN


class TestRecording:
    def test_reached_with_scores_completes_the_callback(self, cast, delivered):
        order, _shipment = delivered
        cb = record(due(order, 7), cast.service)
        assert cb.status == Callback.Status.DONE and (cb.score_product, cb.score_delivery, cb.score_service) == (4, 5, 4)
        assert cb.done_by == cast.service and cb.attempts == 1 and cb.attempt_log.get().reached

    def test_not_reached_comes_back_to_the_queue_on_the_retry_day(self, cast, delivered):
        order, _shipment = delivered
        retry = timezone.localdate() + timedelta(days=2)
        cb = svc.callback_record(
            callback=make_due(due(order, 7)), actor=cast.service, channel="phone", reached=False, notes="无人接听", retry_on=retry
        )
        assert cb.status == Callback.Status.SCHEDULED and cb.queue_on == retry and cb.attempts == 1
        assert svc.callbacks_queue_due(today=retry) == 1
        assert due(order, 7).status == Callback.Status.OPEN

    @pytest.mark.parametrize(
        "kw, message",
        [
            ({"score_product": 6}, "1–5"),
            ({"score_service": None}, "服务"),
            ({"channel": "pigeon"}, "回访方式"),
            ({"reached": False, "retry_on": timezone.localdate()}, "晚于今天"),
        ],
    )
    def test_bad_input_is_refused_and_changes_nothing(self, cast, delivered, kw, message):
        order, _shipment = delivered
        with pytest.raises(DomainError, match=message):
            record(due(order, 7), cast.service, **kw)
        cb = due(order, 7)
        assert cb.status == Callback.Status.SCHEDULED and cb.attempts == 0 and not cb.attempt_log.exists()

    def test_recording_twice_is_a_conflict(self, cast, delivered):
        order, _shipment = delivered
        record(due(order, 7), cast.service)
        with pytest.raises(Conflict, match="已回访"):
            record(due(order, 7), cast.service)

    def test_only_the_assignee_or_service_records(self, cast, delivered):
        order, _shipment = delivered
        with pytest.raises(Forbidden):
            record(due(order, 7), cast.bob)  # bob is neither service nor the assignee
        assert record(due(order, 30), cast.alice).status == Callback.Status.DONE  # alice: the rep of the order

    def test_a_low_score_tells_the_rep_and_the_service_lead(self, cast, delivered):
        service = Department.objects.get(code="service")
        service.head = cast.service
        service.save()
        order, _shipment = delivered
        record(due(order, 7), cast.service, score_product=2, notes="外壳开裂")
        assert Notification.objects.filter(recipient=cast.alice, title__contains="回访发现问题").exists()
        assert Notification.objects.filter(recipient=cast.service, title__contains="最低 2 分").exists()


class TestEscalation:
    def test_a_callback_not_done_n_days_after_due_escalates_once(self, cast, delivered):
        order, _shipment = delivered
        cb = due(order, 7)
        assert svc.callbacks_escalate_overdue(today=cb.due_on + timedelta(days=2)) == 0
        assert svc.callbacks_escalate_overdue(today=cb.due_on + timedelta(days=3)) == 1
        assert svc.callbacks_escalate_overdue(today=cb.due_on + timedelta(days=9)) == 0
        # no service head: the sales managers hear of it, once
        assert Notification.objects.filter(recipient=cast.manager, title__contains="回访逾期").count() == 1
        assert due(order, 7).escalated_at is not None and due(order, 30).escalated_at is None

    def test_done_callbacks_never_escalate(self, cast, delivered):
        order, _shipment = delivered
        cb = record(due(order, 7), cast.service)
        assert svc.callbacks_escalate_overdue(today=cb.due_on + timedelta(days=5)) == 0  # day 30 is not due yet


class TestFollowUpDocuments:
    def test_a_score_of_2_opens_a_complaint_in_one_click_linked_both_ways(self, cast, delivered):
        order, _shipment = delivered
        cb = record(due(order, 7), cast.service, score_service=2, notes="安装师傅迟到两天")
        complaint = svc.callback_open_complaint(callback=cb, actor=cast.service)
        assert complaint.source_callback == cb and Callback.objects.get(pk=cb.pk).complaint == complaint
        assert complaint.customer == order.customer and complaint.order == order and "安装师傅迟到两天" in complaint.description
        with pytest.raises(Conflict, match="已转为投诉"):  # the second click finds the complaint already there
            svc.callback_open_complaint(callback=cb, actor=cast.service)
        assert Complaint.objects.count() == 1

    def test_a_quality_problem_opens_a_high_priority_repair_ticket(self, cast, delivered):
        order, _shipment = delivered
        cb = record(due(order, 7), cast.service, quality_problem=True, notes="漏水")
        ticket = svc.callback_open_ticket(callback=cb, actor=cast.service)
        assert (ticket.ticket_type, ticket.priority, ticket.source_callback) == ("repair", "high", cb)
        assert Callback.objects.get(pk=cb.pk).ticket == ticket and ServiceTicket.objects.count() == 1

    def test_only_done_callbacks_open_follow_ups(self, cast, delivered):
        order, _shipment = delivered
        with pytest.raises(Conflict, match="不能转为投诉"):  # the callback's state, not the user's right
            svc.callback_open_complaint(callback=due(order, 7), actor=cast.service)


class TestReassignAndCancel:
    def test_service_reassigns_and_cancels_with_a_reason(self, cast, delivered):
        order, _shipment = delivered
        cb = svc.callback_reassign(callback=due(order, 7), actor=cast.service, assignee=cast.alice)  # the customer's rep
        assert cb.assignee == cast.alice
        with pytest.raises(Forbidden):
            svc.callback_reassign(callback=cb, actor=cast.alice, assignee=cast.alice)
        with pytest.raises(DomainError, match="取消原因"):
            svc.callback_cancel(callback=cb, actor=cast.service, reason=" ")
        assert svc.callback_cancel(callback=cb, actor=cast.service, reason="客户已倒闭").status == Callback.Status.CANCELLED


class TestNoCallbackTwice:
    """SPEC 回访: never duplicated — per order and day of the rule, not per outbound note."""

    def _note(self, cast, order, qty, *, signed):
        from orders import services as order_services

        line = order.lines.get()
        note = order_services.shipment_create(order=order, actor=cast.clerk, lines={line.pk: qty})
        order_services.shipment_release(shipment=note, actor=cast.clerk)
        order_services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no="SF-2")
        return order_services.shipment_deliver(
            shipment=note,
            actor=cast.clerk,
            delivered_on=None,
            signer="王经理",
            exceptions="" if signed == qty else "客户拒收",
            quantities={note.lines.get().pk: signed},
        )

    @pytest.fixture
    def ready(self, cast, customer, pump):
        """10 pumps ordered, paid and passed, not shipped."""
        from orders import services as order_services
        from tests.orders.conftest import pass_inspection, pay, place

        order = order_services.order_create(
            actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}]
        )
        order = place(order, cast.clerk)
        pay(order, cast, order.amount_incl)
        pass_inspection(order, cast, "10")
        return order

    def test_a_second_delivery_of_an_order_with_its_callbacks_still_to_make_adds_none(self, cast, ready):
        # given 4 of 10 pumps delivered: the order's day-7 and day-30 callbacks are scheduled
        self._note(cast, ready, "4", signed="4")
        assert Callback.objects.filter(order=ready).count() == 2
        # when the other 6 are delivered the same week, then no second pair for the same order
        self._note(cast, ready, "6", signed="6")
        assert Callback.objects.filter(order=ready).count() == 2

    def test_a_delivery_refused_whole_schedules_none(self, cast, ready):
        self._note(cast, ready, "4", signed="4")
        Callback.objects.filter(order=ready).update(status=Callback.Status.DONE)  # those calls were made
        self._note(cast, ready, "6", signed="0")
        assert Callback.objects.filter(order=ready).count() == 2
