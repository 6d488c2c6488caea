"""Service tickets: SLA deadlines on the working calendar, assignment, the waiting-for-customer pause, resolve/close/reopen,
the communication log and spare parts, and the SLA sweep that warns and escalates once."""

from datetime import datetime, timedelta
from decimal import Decimal as D
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.models import CalendarDay, ServiceTicket, SlaPolicy, TicketCommunication
from aftersales.services import tickets as svc
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import Department, Notification
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=SH)


class Clock:
    """timezone.now() under the test's control (services read it at call time)."""

    def __init__(self, now):
        self.now = now

    def set(self, day, hhmm):
        self.now = at(day, hhmm)


@pytest.fixture
def clock():
    c = Clock(at("2026-11-27", "16:30"))  # a Friday afternoon
    with mock.patch("django.utils.timezone.now", side_effect=lambda: c.now):
        yield c


@pytest.fixture
def ticket(cast, customer, clock):
    return svc.ticket_create(
        actor=cast.service, customer=customer, data={"ticket_type": "repair", "priority": "normal", "subject": "变频器报警 E07"}
    )


class TestCreate:
    def test_deadlines_come_from_the_policy_in_working_hours(self, ticket):
        # normal priority: respond within 4, resolve within 24 working hours, opened Friday 16:30
        assert ticket.number.startswith("FW-") and ticket.status == ServiceTicket.Status.OPEN
        assert (ticket.respond_by, ticket.resolve_by) == (at("2026-11-30", "11:30"), at("2026-12-02", "16:30"))

    def test_a_policy_for_the_type_wins_and_holidays_count(self, cast, customer, clock):
        SlaPolicy.objects.create(ticket_type="commissioning", priority="urgent", response_hours=D("1"), resolution_hours=D("8"))
        CalendarDay.objects.create(day=at("2026-11-30", "00:00").date(), is_working=False, name="调休")
        t = svc.ticket_create(
            actor=cast.service,
            customer=customer,
            data={"ticket_type": "commissioning", "priority": "urgent", "subject": "开通调试"},
        )
        # respond within Friday's last hour; resolve: Friday 1 h, Monday off, Tuesday 7 h
        assert (t.respond_by, t.resolve_by) == (at("2026-11-27", "17:30"), at("2026-12-01", "16:30"))

    def test_service_is_told_of_a_new_unassigned_ticket(self, cast, ticket):
        assert Notification.objects.filter(recipient=cast.service, title__contains=ticket.number).exists()

    def test_a_rep_registers_for_own_customers_only(self, cast, customer, clock):
        t = svc.ticket_create(actor=cast.alice, customer=customer, data={"ticket_type": "training", "subject": "操作培训"})
        assert t.created_by == cast.alice
        other = CustomerFactory(owner=cast.carol, team=cast.south)
        with pytest.raises(NotFound):
            svc.ticket_create(actor=cast.alice, customer=other, data={"ticket_type": "training", "subject": "操作培训"})

    @pytest.mark.parametrize(
        "data, message",
        [({"ticket_type": "magic", "subject": "x"}, "工单类型"), ({"ticket_type": "repair", "subject": " "}, "主题")],
    )
    def test_bad_input_is_refused(self, cast, customer, clock, data, message):
        with pytest.raises(DomainError, match=message):
            svc.ticket_create(actor=cast.service, customer=customer, data=data)
        assert not ServiceTicket.objects.exists()

    def test_an_order_of_another_customer_is_refused(self, cast, customer, clock, carol_delivered):
        order, _shipment = carol_delivered
        with pytest.raises(DomainError, match="订单不属于该客户"):
            svc.ticket_create(
                actor=cast.service, customer=customer, data={"ticket_type": "repair", "subject": "x", "order": order.pk}
            )


class TestLifecycle:
    def test_from_assignment_to_closing(self, cast, ticket, clock):
        t = svc.ticket_assign(ticket=ticket, actor=cast.service, engineer=cast.service)
        assert t.status == ServiceTicket.Status.ASSIGNED
        clock.set("2026-11-30", "09:00")
        t = svc.ticket_start(ticket=t, actor=cast.service)
        assert t.first_response_at == at("2026-11-30", "09:00")
        with pytest.raises(Conflict):
            svc.ticket_start(ticket=t, actor=cast.service)
        clock.set("2026-11-30", "10:00")
        t = svc.ticket_resolve(ticket=t, actor=cast.service, resolution="更换主板")
        assert t.status == ServiceTicket.Status.RESOLVED and t.resolved_at == at("2026-11-30", "10:00")
        t = svc.ticket_close(ticket=t, actor=cast.service)
        assert t.status == ServiceTicket.Status.CLOSED and t.closed_at is not None

    def test_waiting_for_the_customer_pauses_the_clock_across_the_weekend(self, cast, ticket, clock):
        t = svc.ticket_assign(ticket=ticket, actor=cast.service, engineer=cast.service)
        t = svc.ticket_start(ticket=t, actor=cast.service)  # Friday 16:30: responded
        clock.set("2026-11-27", "17:00")
        t = svc.ticket_wait(ticket=t, actor=cast.service, note="等客户寄回故障件")
        assert t.paused_since == at("2026-11-27", "17:00")
        clock.set("2026-11-30", "10:00")  # Monday: 0.5 h on Friday + 1.5 h on Monday of working time waited
        t = svc.ticket_resume(ticket=t, actor=cast.service)
        assert t.resolve_by == at("2026-12-03", "09:30") and t.paused_since is None and t.paused_seconds == 7200

    def test_resolving_while_waiting_ends_the_pause(self, cast, ticket, clock):
        t = svc.ticket_start(
            ticket=svc.ticket_assign(ticket=ticket, actor=cast.service, engineer=cast.service), actor=cast.service
        )
        t = svc.ticket_wait(ticket=t, actor=cast.service, note="等客户确认")
        clock.set("2026-11-30", "09:30")
        t = svc.ticket_resolve(ticket=t, actor=cast.service, resolution="客户确认已恢复")
        assert t.paused_since is None and t.paused_seconds == 7200 and t.status == ServiceTicket.Status.RESOLVED

    def test_reopen_within_the_configured_days_only(self, cast, ticket, clock):
        t = svc.ticket_start(
            ticket=svc.ticket_assign(ticket=ticket, actor=cast.service, engineer=cast.service), actor=cast.service
        )
        t = svc.ticket_resolve(ticket=t, actor=cast.service, resolution="已修复")
        clock.now += timedelta(days=6)
        t = svc.ticket_reopen(ticket=t, actor=cast.service, reason="故障复现")
        assert t.status == ServiceTicket.Status.IN_PROGRESS and t.reopen_count == 1 and t.resolved_at is None
        t = svc.ticket_resolve(ticket=t, actor=cast.service, resolution="更换传感器")
        clock.now += timedelta(days=8)
        with pytest.raises(Conflict, match="解决已超过 7 天"):
            svc.ticket_reopen(ticket=t, actor=cast.service, reason="又坏了")

    def test_only_the_engineer_or_the_desk_works_on_it(self, cast, ticket):
        t = svc.ticket_assign(ticket=ticket, actor=cast.service, engineer=cast.service)
        with pytest.raises(Forbidden):
            svc.ticket_start(ticket=t, actor=cast.alice)
        with pytest.raises(Forbidden):
            svc.ticket_assign(ticket=t, actor=cast.alice, engineer=cast.service)
        with pytest.raises(DomainError, match="客服/服务工程师"):
            svc.ticket_assign(ticket=t, actor=cast.service, engineer=cast.bob)

    def test_cancel_needs_a_reason(self, cast, ticket):
        with pytest.raises(DomainError, match="取消原因"):
            svc.ticket_cancel(ticket=ticket, actor=cast.service, reason="")
        assert svc.ticket_cancel(ticket=ticket, actor=cast.service, reason="重复登记").status == ServiceTicket.Status.CANCELLED


class TestCommunicationAndParts:
    def test_an_outgoing_call_is_the_first_response(self, cast, ticket, clock):
        clock.set("2026-11-30", "09:00")
        entry = svc.ticket_log(ticket=ticket, actor=cast.service, kind="phone_out", summary="电话指导复位", counterpart="王经理")
        assert entry.by == cast.service and ServiceTicket.objects.get(pk=ticket.pk).first_response_at == at("2026-11-30", "09:00")

    def test_an_incoming_fax_with_its_scan_is_not_a_response(self, cast, ticket):
        scan = SimpleUploadedFile("fax.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        entry = svc.ticket_log(ticket=ticket, actor=cast.service, kind="fax_in", summary="客户传真故障照片", upload=scan)
        assert entry.attachment.name == "fax.pdf" and ServiceTicket.objects.get(pk=ticket.pk).first_response_at is None

    def test_the_rep_of_the_customer_may_log_but_others_may_not(self, cast, ticket):
        svc.ticket_log(ticket=ticket, actor=cast.alice, kind="visit", summary="上门了解情况")
        with pytest.raises(Forbidden):
            svc.ticket_log(ticket=ticket, actor=cast.bob, kind="visit", summary="x")
        with pytest.raises(DomainError, match="沟通方式"):
            svc.ticket_log(ticket=ticket, actor=cast.service, kind="telepathy", summary="x")
        assert TicketCommunication.objects.count() == 1

    def test_spare_parts(self, cast, ticket, pump):
        part = svc.ticket_add_part(ticket=ticket, actor=cast.service, product=pump.pk, quantity="2", lot_no="L1")
        assert (part.name, part.quantity) == ("增压泵", D("2"))
        with pytest.raises(DomainError, match="大于 0"):
            svc.ticket_add_part(ticket=ticket, actor=cast.service, name="密封圈", quantity="0")


class TestSlaSweep:
    def test_warns_before_and_escalates_after_each_deadline_once(self, cast, ticket, clock):
        service = Department.objects.get(code="service")
        service.head = cast.manager
        service.save()
        clock.set("2026-11-30", "09:45")  # respond-by 11:30, warned 2 hours before
        assert svc.tickets_check_sla()["response_warned"] == 1
        assert svc.tickets_check_sla()["response_warned"] == 0
        clock.set("2026-11-30", "11:31")
        result = svc.tickets_check_sla()
        assert result["response_breached"] == 1 and result["response_warned"] == 0
        assert svc.tickets_check_sla()["response_breached"] == 0
        assert Notification.objects.filter(recipient=cast.manager, title__contains="SLA 已超时").count() == 1
        assert Notification.objects.filter(recipient=cast.service, title__contains="SLA 即将超时").count() == 1

    def test_a_paused_ticket_is_not_escalated(self, cast, ticket, clock):
        t = svc.ticket_start(
            ticket=svc.ticket_assign(ticket=ticket, actor=cast.service, engineer=cast.service), actor=cast.service
        )
        svc.ticket_wait(ticket=t, actor=cast.service, note="等客户备件到货")
        clock.set("2026-12-10", "09:00")
        assert svc.tickets_check_sla() == {
            "response_warned": 0,
            "resolution_warned": 0,
            "response_breached": 0,
            "resolution_breached": 0,
        }


def test_the_running_tickets_index_holds_the_active_statuses():
    """ticket_running_idx (the desk's breaching queue, read in its order) names the active statuses in its condition:
    the same as selectors.ACTIVE_TICKET, or the queue would no longer read it."""
    from aftersales.selectors import ACTIVE_TICKET

    index = next(i for i in ServiceTicket._meta.indexes if i.name == "ticket_running_idx")
    statuses = dict(index.condition.children)["status__in"]
    assert sorted(statuses) == sorted(ACTIVE_TICKET)
