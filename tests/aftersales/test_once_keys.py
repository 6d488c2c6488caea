"""QA on the demo: a create form sent again (the browser's Back and 保存, a resend, a replayed POST) or an API POST with the
same Idempotency-Key made a second document on the after-sales floor — only service tickets were protected. Now each
create is one document per submission (salesops.core.once): complaints, returns (RMA), service plans, CAPA actions,
ticket communications and spare parts. Also: 等待客户 needs its reason (it stops the SLA clock), and a complaint's long
texts have a limit."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.models import (
    Complaint,
    CorrectiveAction,
    ReturnRequest,
    ServicePlan,
    ServiceTicket,
    TicketCommunication,
    TicketPart,
)
from aftersales.services import complaints, plans, tickets
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import Event, Notification
from salesops.core.once import Replayed
from tests.core.conftest import run_in_threads

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="once_key" value="([0-9a-f-]{36})"')
PLAN = {"year": "2027", "title": "2027 年度售后服务计划", "goals": "回访率 95%", "content": "季度走访重点客户"}


def key_in(html: str, within: str = "") -> str:
    """The hidden once_key of the page's form (of the part after `within`, e.g. one action's form, when given)."""
    part = html.split(within, 1)[1] if within else html
    return KEY.search(part).group(1)


def said(response) -> str:
    """The last message the page shows (the first answer's message may be still waiting: it was not followed)."""
    return [str(m) for m in response.context["messages"]][-1]


@pytest.fixture
def ticket(cast, customer):
    return tickets.ticket_create(actor=cast.service, customer=customer, data={"ticket_type": "repair", "subject": "异响"})


@pytest.fixture
def in_actions(cast, customer):
    """A complaint whose root cause is recorded: QC adds its actions now."""
    c = complaints.complaint_create(actor=cast.service, customer=customer, data={"description": "泵体渗水"})
    c = complaints.complaint_investigate(complaint=c, actor=cast.qc)
    return complaints.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")


def due() -> str:
    return (timezone.localdate() + timedelta(days=7)).isoformat()


def plan_post(**extra):
    return {
        **PLAN,
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-month": "3",
        "items-0-activity": "走访",
        **extra,
    }


# --- the pages: the same form twice makes one document; the second answer goes to it, saying so ---------------------
class TestResentPages:
    def test_a_complaint(self, cast, client_as, customer):
        client = client_as(cast.service)
        url = reverse("aftersales:complaint_create")
        key = key_in(client.get(url).content.decode())
        form = {
            "customer": customer.pk,
            "reported_on": timezone.localdate().isoformat(),
            "channel": "phone",
            "severity": "minor",
            "description": "泵体渗水",
            "once_key": key,
        }
        first = client.post(url, form)
        again = client.post(url, form, follow=True)
        complaint = Complaint.objects.get()
        assert first.status_code == 302 and first.url == complaint.get_absolute_url()
        assert again.redirect_chain[-1][0] == complaint.get_absolute_url()
        assert said(again) == f"这份投诉已经提交过，已登记为投诉 {complaint.number}，没有重复登记。"
        assert complaint.once_key == uuid.UUID(key)
        # the form drawn again is another submission
        assert key_in(client.get(url).content.decode()) != key

    def test_a_return_request(self, cast, client_as, delivered):
        order, _shipment = delivered
        line = order.lines.get()
        client = client_as(cast.clerk)
        url = reverse("aftersales:rma_create")
        key = key_in(client.get(f"{url}?order={order.pk}").content.decode())
        form = {"order": order.pk, "kind": "return", "reason": "破损", f"qty_{line.pk}": "2", "once_key": key}
        assert client.post(url, form).status_code == 302
        again = client.post(url, form, follow=True)
        rma = ReturnRequest.objects.get()
        assert again.redirect_chain[-1][0] == rma.get_absolute_url()
        assert said(again) == f"这份退换修申请已经提交过，已创建为 {rma.number}，没有重复申请。"
        assert key_in(client.get(f"{url}?order={order.pk}").content.decode()) != key

    def test_a_service_plan_saved_or_handed_in(self, cast, client_as):
        client = client_as(cast.service)
        url = reverse("aftersales:plan_create")
        page = client.get(url).content.decode()
        key = key_in(page)
        assert ">Once key<" not in page  # the hidden key has no visible label
        first = client.post(url, plan_post(once_key=key, hand_in="1"))
        plan = ServicePlan.objects.get()
        assert first.status_code == 302 and plan.status == ServicePlan.Status.SUBMITTED
        again = client.post(url, plan_post(once_key=key, hand_in="1"), follow=True)
        assert again.redirect_chain[-1][0] == plan.get_absolute_url()
        assert said(again) == f"这份服务计划已经提交过（“{plan}”），没有重复编制。"
        assert ServicePlan.objects.count() == 1 and plan.items.count() == 1

    def test_a_capa_action(self, cast, client_as, in_actions):
        client = client_as(cast.qc)
        page = client.get(in_actions.get_absolute_url()).content.decode()
        key = key_in(page, 'data-testid="action-add_action"')
        url = reverse("aftersales:complaint_action", args=[in_actions.pk, "add_action"])
        form = {"kind": "corrective", "description": "召回更换密封圈", "owner": cast.qc.pk, "due_on": due(), "once_key": key}
        assert client.post(url, form).status_code == 302
        again = client.post(url, form, follow=True)
        action = CorrectiveAction.objects.get()
        assert again.redirect_chain[-1][0] == in_actions.get_absolute_url()
        assert said(again) == f"这项措施已经提交过（纠正措施，责任人 qc，期限 {action.due_on}），没有重复添加。"
        assert key_in(client.get(in_actions.get_absolute_url()).content.decode(), 'data-testid="action-add_action"') != key

    def test_a_ticket_communication(self, cast, client_as, ticket):
        client = client_as(cast.service)
        key = key_in(client.get(ticket.get_absolute_url()).content.decode(), 'data-testid="action-log"')
        url = reverse("aftersales:ticket_action", args=[ticket.pk, "log"])
        form = {"kind": "phone_in", "summary": "客户来电说明故障", "once_key": key}
        assert client.post(url, form).status_code == 302
        again = client.post(url, form, follow=True)
        entry = TicketCommunication.objects.get()
        assert again.redirect_chain[-1][0] == ticket.get_absolute_url()
        when = timezone.localtime(entry.happened_at).strftime("%Y-%m-%d %H:%M")
        assert said(again) == f"这条沟通记录已经提交过（来电，{when}），没有重复记录。"

    def test_a_spare_part(self, cast, client_as, ticket):
        client = client_as(cast.service)
        page = client.get(ticket.get_absolute_url()).content.decode()
        key = key_in(page, 'data-testid="action-add_part"')
        assert key != key_in(page, 'data-testid="action-log"')  # each form of the page is its own submission
        url = reverse("aftersales:ticket_action", args=[ticket.pk, "add_part"])
        form = {"name": "密封圈", "quantity": "2", "once_key": key}
        assert client.post(url, form).status_code == 302
        again = client.post(url, form, follow=True)
        assert TicketPart.objects.count() == 1
        assert said(again) == "这项备件已经登记过（密封圈 × 2），没有重复登记。"

    def test_a_form_that_failed_keeps_its_key_and_saves_once(self, cast, client_as, ticket):
        """The page re-drawn after an error carries the key it was posted with: correcting it and saving is the same
        submission, so a resend of the corrected form still adds nothing."""
        client = client_as(cast.service)
        key = key_in(client.get(ticket.get_absolute_url()).content.decode(), 'data-testid="action-add_part"')
        url = reverse("aftersales:ticket_action", args=[ticket.pk, "add_part"])
        failed = client.post(url, {"name": "", "quantity": "2", "once_key": key})
        assert failed.status_code == 400 and key_in(failed.content.decode(), 'data-testid="action-add_part"') == key
        client.post(url, {"name": "密封圈", "quantity": "2", "once_key": key})
        client.post(url, {"name": "密封圈", "quantity": "2", "once_key": key})
        assert TicketPart.objects.count() == 1


# --- the API: the same Idempotency-Key twice is 201 then 200 with the same document; someone else's key is refused ----
def post(api, url, body, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(url, body, format="json", **extra)


def check_replay(first, again, other, *, same):
    assert (first.status_code, again.status_code) == (201, 200), (first.json(), again.json())
    assert same(first.json()) == same(again.json())
    assert other.status_code == 400 and "提交编号已被使用" in other.json()["detail"], other.json()


class TestApiReplays:
    def test_complaints(self, cast, api_as, customer):
        key, url, body = str(uuid.uuid4()), "/api/v1/complaints/", {"customer": customer.pk, "description": "泵体渗水"}
        first, again = post(api_as(cast.service), url, body, key), post(api_as(cast.service), url, body, key)
        other = post(api_as(cast.alice), url, body, key)
        check_replay(first, again, other, same=lambda d: d["id"])
        assert Complaint.objects.count() == 1
        # no key: every POST is a new complaint, as before; a key that is no UUID is refused
        assert post(api_as(cast.service), url, body).status_code == 201
        assert post(api_as(cast.service), url, body, "x").status_code == 400 and Complaint.objects.count() == 2

    def test_a_complaint_key_with_another_body_is_refused(self, cast, api_as, customer):
        # given a complaint registered with a key, and the same request sent again
        key, url, body = str(uuid.uuid4()), "/api/v1/complaints/", {"customer": customer.pk, "description": "泵体渗水"}
        first, again = post(api_as(cast.service), url, body, key), post(api_as(cast.service), url, body, key)
        assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
        # when the key comes with another description
        other = post(api_as(cast.service), url, {**body, "description": "电机过热"}, key)
        # then it is refused and nothing more is registered
        assert other.status_code == 409, other.json()
        assert other.json()["detail"] == "该提交编号已用于另一份不同的内容，请刷新页面后重新提交。"
        assert Complaint.objects.count() == 1 and Complaint.objects.get().description == "泵体渗水"

    def test_a_part_key_with_another_quantity_is_refused(self, cast, api_as, ticket):
        key, url = str(uuid.uuid4()), f"/api/v1/service-tickets/{ticket.pk}/parts/"
        body = {"name": "密封圈", "quantity": "2"}
        assert post(api_as(cast.service), url, body, key).status_code == 201
        assert post(api_as(cast.service), url, {**body, "quantity": "2.00"}, key).status_code == 200  # the same amount
        assert post(api_as(cast.service), url, {**body, "quantity": "3"}, key).status_code == 409
        assert TicketPart.objects.count() == 1

    def test_returns(self, cast, api_as, delivered):
        order, _shipment = delivered
        body = {
            "order": order.pk,
            "kind": "return",
            "reason": "破损",
            "lines": [{"order_line": order.lines.get().pk, "quantity": "2"}],
        }
        key, url = str(uuid.uuid4()), "/api/v1/returns/"
        first, again = post(api_as(cast.clerk), url, body, key), post(api_as(cast.clerk), url, body, key)
        other = post(api_as(cast.alice), url, body, key)
        check_replay(first, again, other, same=lambda d: d["id"])
        assert ReturnRequest.objects.count() == 1 and ReturnRequest.objects.get().requested_by == cast.clerk

    def test_service_plans(self, cast, api_as):
        body = {"year": 2027, "title": "2027 年度售后服务计划", "goals": "回访率 95%", "content": "走访", "items": []}
        key, url = str(uuid.uuid4()), "/api/v1/service-plans/"
        first, again = post(api_as(cast.service), url, body, key), post(api_as(cast.service), url, body, key)
        other = post(api_as(cast.manager), url, body, key)
        check_replay(first, again, other, same=lambda d: d["id"])
        assert ServicePlan.objects.count() == 1

    def test_capa_actions(self, cast, api_as, in_actions):
        body = {"kind": "corrective", "description": "召回更换密封圈", "owner": cast.qc.pk, "due_on": due()}
        key, url = str(uuid.uuid4()), f"/api/v1/complaints/{in_actions.pk}/actions/"
        first, again = post(api_as(cast.qc), url, body, key), post(api_as(cast.qc), url, body, key)
        other = post(api_as(cast.manager), url, body, key)
        check_replay(first, again, other, same=lambda d: [a["id"] for a in d["actions"]])
        assert CorrectiveAction.objects.count() == 1

    def test_ticket_communications(self, cast, api_as, ticket):
        body = {"kind": "phone_in", "summary": "客户来电说明故障"}
        key, url = str(uuid.uuid4()), f"/api/v1/service-tickets/{ticket.pk}/communications/"
        first, again = post(api_as(cast.service), url, body, key), post(api_as(cast.service), url, body, key)
        other = post(api_as(cast.alice), url, body, key)  # the customer's rep may log on the ticket, not with this key
        check_replay(first, again, other, same=lambda d: [c["id"] for c in d["communications"]])
        assert TicketCommunication.objects.count() == 1

    def test_ticket_parts(self, cast, api_as, ticket):
        body = {"name": "密封圈", "quantity": "2"}
        key, url = str(uuid.uuid4()), f"/api/v1/service-tickets/{ticket.pk}/parts/"
        first, again = post(api_as(cast.service), url, body, key), post(api_as(cast.service), url, body, key)
        other = post(api_as(cast.manager), url, body, key)
        check_replay(first, again, other, same=lambda d: [p["id"] for p in d["parts"]])
        assert TicketPart.objects.count() == 1


# --- the services: a replay raises Replayed with the first document and writes nothing (no second event either) ------
def test_a_replayed_action_writes_no_second_event_nor_notification(cast, in_actions):
    key = uuid.uuid4()
    kwargs = {
        "kind": "corrective",
        "description": "召回",
        "owner": cast.warehouse,
        "due_on": timezone.localdate(),
        "once_key": key,
    }
    first = complaints.action_add(complaint=in_actions, actor=cast.qc, **kwargs)
    written = (Event.objects.count(), Notification.objects.count())
    with pytest.raises(Replayed) as replay:
        complaints.action_add(complaint=in_actions, actor=cast.qc, **kwargs)
    assert replay.value.obj == first and CorrectiveAction.objects.count() == 1
    assert (Event.objects.count(), Notification.objects.count()) == written


# --- two submissions at once: one document, the other hears it was the same --------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_complaint_at_once_registers_one(on_postgres, cast, customer):
    data = {"description": "并发", "once_key": uuid.uuid4()}
    results = run_in_threads(4, lambda i: complaints.complaint_create(actor=cast.service, customer=customer, data=data))
    made = [r for r in results if isinstance(r, Complaint)]
    replayed = [r for r in results if isinstance(r, Replayed)]
    assert len(made) == 1 and len(replayed) == 3, results
    assert Complaint.objects.count() == 1 and {r.obj.pk for r in replayed} == {made[0].pk}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_communication_at_once_is_logged_once(on_postgres, cast, customer):
    t = tickets.ticket_create(actor=cast.service, customer=customer, data={"ticket_type": "repair", "subject": "并发"})
    key = uuid.uuid4()
    results = run_in_threads(
        4, lambda i: tickets.ticket_log(ticket=t, actor=cast.service, kind="phone_in", summary="来电", once_key=key)
    )
    made = [r for r in results if isinstance(r, TicketCommunication)]
    replayed = [r for r in results if isinstance(r, Replayed)]
    assert len(made) == 1 and len(replayed) == 3, results
    assert TicketCommunication.objects.count() == 1


# --- 等待客户 needs its reason: it stops the SLA clock -------------------------------------------------------------------
class TestWaitNeedsAReason:
    @pytest.fixture
    def working(self, cast, ticket):
        t = tickets.ticket_assign(ticket=ticket, actor=cast.service, engineer=cast.service)
        return tickets.ticket_start(ticket=t, actor=cast.service)

    def test_the_service_refuses_and_nothing_changes(self, cast, working):
        with pytest.raises(DomainError, match="请填写等待客户的原因"):
            tickets.ticket_wait(ticket=working, actor=cast.service, note="  ")
        t = ServiceTicket.objects.get(pk=working.pk)
        assert t.status == ServiceTicket.Status.IN_PROGRESS and t.paused_since is None
        t = tickets.ticket_wait(ticket=t, actor=cast.service, note="等客户寄回故障件")
        assert t.status == ServiceTicket.Status.WAITING and t.paused_since is not None

    def test_the_api_and_the_page(self, cast, api_as, client_as, working):
        r = api_as(cast.service).post(f"/api/v1/service-tickets/{working.pk}/wait/", {"note": ""}, format="json")
        assert r.status_code == 400 and "请填写等待客户的原因" in r.json()["detail"]
        r = api_as(cast.service).post(f"/api/v1/service-tickets/{working.pk}/wait/", {"reason": ""}, format="json")
        assert r.status_code == 400  # QA's request: no reason at all
        r = client_as(cast.service).post(reverse("aftersales:ticket_action", args=[working.pk, "wait"]), {"note": ""})
        assert r.status_code == 400 and "请填写等待客户的原因" in r.content.decode()
        assert ServiceTicket.objects.get(pk=working.pk).status == ServiceTicket.Status.IN_PROGRESS
        r = api_as(cast.service).post(f"/api/v1/service-tickets/{working.pk}/wait/", {"note": "等客户回复"}, format="json")
        assert r.status_code == 200 and r.json()["status"] == "waiting"


# --- a complaint's long texts have a limit, said with the field's name ---------------------------------------------------
class TestLongTexts:
    def test_the_description_on_the_api_and_the_page(self, cast, api_as, client_as, customer):
        body = {"customer": customer.pk, "description": "漏" * 2001}
        r = api_as(cast.service).post("/api/v1/complaints/", body, format="json")
        assert r.status_code == 400 and r.json()["detail"] == "客户反映的问题不能超过 2000 个字（现有 2001 个）。"
        form = {
            "customer": customer.pk,
            "reported_on": timezone.localdate().isoformat(),
            "channel": "phone",
            "severity": "minor",
            "description": "漏" * 20000,
        }
        r = client_as(cast.service).post(reverse("aftersales:complaint_create"), form)
        assert r.status_code == 400 and "客户反映的问题不能超过 2000 个字（现有 20000 个）。" in r.content.decode()
        assert not Complaint.objects.exists()
        ok = api_as(cast.service).post("/api/v1/complaints/", {**body, "description": "漏" * 2000}, format="json")
        assert ok.status_code == 201

    def test_cause_answer_and_actions(self, cast, customer, in_actions):
        long = "因" * 2001
        with pytest.raises(DomainError, match="原因分析不能超过 2000 个字"):
            complaints.complaint_record_cause(complaint=in_actions, actor=cast.qc, root_cause=long)
        with pytest.raises(DomainError, match="答复客户不能超过 2000 个字"):
            complaints.complaint_answer(complaint=in_actions, actor=cast.qc, answer=long)
        with pytest.raises(DomainError, match="措施不能超过 2000 个字"):
            complaints.action_add(
                complaint=in_actions,
                actor=cast.qc,
                kind="corrective",
                description=long,
                owner=cast.qc,
                due_on=timezone.localdate(),
            )
        action = complaints.action_add(
            complaint=in_actions, actor=cast.qc, kind="corrective", description="召回", owner=cast.qc, due_on=timezone.localdate()
        )
        with pytest.raises(DomainError, match="完成情况不能超过 2000 个字"):
            complaints.action_finish(action=action, actor=cast.qc, result=long)
        assert Complaint.objects.get(pk=in_actions.pk).root_cause == "密封圈批次不良"


def test_someone_elses_key_never_reaches_their_document(cast, customer):
    key = uuid.uuid4()
    plans.plan_create(actor=cast.service, data={**PLAN, "year": 2027, "once_key": key})
    with pytest.raises(DomainError, match="提交编号已被使用") as refused:
        plans.plan_create(actor=cast.manager, data={**PLAN, "year": 2027, "once_key": key})
    assert not isinstance(refused.value, Conflict) and ServicePlan.objects.count() == 1
