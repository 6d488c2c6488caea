"""QA on the demo, after-sales (not returns): who may make a callback (3) and be a ticket's engineer (17); a second action on
a document that moved on is a 409 that the page always shows (10); dates that cannot be true are refused (11); the service
plan's month lines with their 负责人, and a leftover draft that can be cancelled (20); a resent ticket form and a bad
contact phone (23)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales import permissions
from aftersales.models import (
    Callback,
    Complaint,
    CorrectiveAction,
    ServicePlan,
    ServiceTicket,
    TicketCommunication,
    TicketPart,
)
from aftersales.services import callbacks, complaints, plans, tickets
from orders.models import SalesOrder
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import Event
from tests.aftersales.conftest import approve_answer
from tests.aftersales.test_qa_rules import make_due
from tests.core.conftest import run_in_threads

pytestmark = pytest.mark.django_db

PLAN = {"year": 2027, "title": "2027 年度售后服务计划", "goals": "回访率 95%", "content": "季度走访重点客户"}


def today():
    return timezone.localdate()


def options(html: str, name: str, within: str = "") -> set[int]:
    """The user ids a page's <select name=…> offers (inside the part after `within`, when given)."""
    part = html.split(within, 1)[1] if within else html
    select = part.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select)}


def done_callback(cast, order, score=2) -> Callback:
    cb = make_due(Callback.objects.get(order=order, offset_days=7))
    return callbacks.callback_record(
        callback=cb,
        actor=cast.service,
        channel="phone",
        reached=True,
        score_product=score,
        score_delivery=4,
        score_service=4,
        notes="外观划伤",
    )


def in_actions(cast, customer, owner=None) -> tuple[Complaint, CorrectiveAction]:
    c = complaints.complaint_create(actor=cast.service, customer=customer, data={"description": "泵体渗水"})
    c = complaints.complaint_investigate(complaint=c, actor=cast.qc)
    c = complaints.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")
    a = complaints.action_add(
        complaint=c,
        actor=cast.qc,
        kind="corrective",
        description="更换密封圈",
        owner=owner or cast.warehouse,
        due_on=today() + timedelta(days=7),
    )
    return Complaint.objects.get(pk=c.pk), a


def closed_complaint(cast, customer) -> Complaint:
    c, a = in_actions(cast, customer)
    a = complaints.action_finish(action=a, actor=cast.warehouse, result="已更换")
    complaints.action_verify(action=a, actor=cast.qc, effective=True, verification="无渗漏")
    complaints.complaint_answer(complaint=c, actor=cast.qc, answer="已免费更换")
    approve_answer(c, cast)
    return complaints.complaint_close(complaint=c, actor=cast.qc)


@pytest.fixture
def ticket(cast, customer):
    return tickets.ticket_create(actor=cast.alice, customer=customer, data={"ticket_type": "repair", "subject": "异响"})


# --- 3. a callback goes only to service staff or the customer's own rep ----------------------------------------------
class TestCallbackAssignee:
    def test_another_teams_rep_or_the_gm_is_refused_and_nothing_changes(self, cast, api_as, delivered):
        # given the day-7 callback of alice's customer (the service team's queue)
        cb = Callback.objects.get(order=delivered[0], offset_days=7)
        api = api_as(cast.service)
        # when service hands it to carol (another team), the GM, bob (alice's team mate) or the admin: 400, unchanged
        for user in (cast.carol, cast.gm, cast.bob, cast.admin):
            r = api.post(f"/api/v1/callbacks/{cb.pk}/reassign/", {"assignee": user.pk}, format="json")
            assert r.status_code == 400 and "该客户的业务员（alice）" in r.json()["detail"], user
        assert Callback.objects.get(pk=cb.pk).assignee is None
        assert not Event.objects.filter(target_id=cb.pk, verb=Event.Verb.ASSIGNED).exists()
        # then carol still does not see it
        assert api_as(cast.carol).get(f"/api/v1/callbacks/{cb.pk}/").status_code == 404

    def test_the_customers_rep_service_staff_or_the_team_queue_are_accepted(self, cast, api_as, delivered):
        cb = Callback.objects.get(order=delivered[0], offset_days=7)
        api = api_as(cast.service)
        for user, expected in ((cast.alice, cast.alice.pk), (cast.service, cast.service.pk)):
            r = api.post(f"/api/v1/callbacks/{cb.pk}/reassign/", {"assignee": user.pk}, format="json")
            assert r.status_code == 200 and r.json()["assignee"] == expected
        r = api.post(f"/api/v1/callbacks/{cb.pk}/reassign/", {"assignee": None}, format="json")
        assert r.status_code == 200 and r.json()["assignee"] is None

    def test_the_rule(self, cast, delivered):
        cb = Callback.objects.select_related("customer").get(order=delivered[0], offset_days=7)
        may = {name for name in ("alice", "bob", "carol", "lena", "service", "qc", "gm", "manager", "admin", "clerk")}
        assert {n for n in may if permissions.may_make_callback(getattr(cast, n), cb)} == {"alice", "service"}
        cast.service.is_active = False
        assert not permissions.may_make_callback(cast.service, cb)
        # an order credited to another rep (订单业绩归属): that rep is the customer's rep for this callback too
        SalesOrder.objects.filter(pk=cb.order_id).update(owner=cast.bob)
        cb = Callback.objects.select_related("customer", "order").get(pk=cb.pk)
        assert {n for n in may if permissions.may_make_callback(getattr(cast, n), cb)} == {"alice", "bob"}

    def test_the_page_offers_only_them_and_refuses_others(self, cast, client_as, delivered):
        cb = Callback.objects.get(order=delivered[0], offset_days=7)
        client = client_as(cast.service)
        page = client.get(reverse("aftersales:callback_detail", args=[cb.pk])).content.decode()
        assert options(page, "assignee", 'data-testid="action-reassign"') == {cast.alice.pk, cast.service.pk}
        r = client.post(reverse("aftersales:callback_action", args=[cb.pk, "reassign"]), {"assignee": cast.carol.pk})
        assert r.status_code == 400 and Callback.objects.get(pk=cb.pk).assignee is None

    def test_a_done_callback_is_not_reassigned(self, cast, delivered):
        cb = done_callback(cast, delivered[0])
        with pytest.raises(Conflict, match="当前状态为“已回访”，不能转派"):
            callbacks.callback_reassign(callback=cb, actor=cast.service, assignee=cast.alice)


# --- 17. a ticket's engineer is active service staff ------------------------------------------------------------------
class TestEngineer:
    def test_assign_to_the_gm_admin_qc_or_a_manager_is_refused(self, cast, api_as, ticket):
        api = api_as(cast.service)
        for user in (cast.gm, cast.admin, cast.qc, cast.manager, cast.vp, cast.alice):
            r = api.post(f"/api/v1/service-tickets/{ticket.pk}/assign/", {"engineer": user.pk}, format="json")
            assert r.status_code == 400 and "只能分派给在职的客服/服务工程师" in r.json()["detail"], user
        assert ServiceTicket.objects.get(pk=ticket.pk).engineer is None
        r = api.post(f"/api/v1/service-tickets/{ticket.pk}/assign/", {"engineer": cast.service.pk}, format="json")
        assert r.status_code == 200 and r.json()["engineer"] == cast.service.pk

    def test_create_with_a_wrong_engineer_registers_nothing(self, cast, api_as, customer):
        body = {"customer": customer.pk, "ticket_type": "repair", "subject": "x", "engineer": cast.gm.pk}
        r = api_as(cast.service).post("/api/v1/service-tickets/", body, format="json")
        assert r.status_code == 400 and not ServiceTicket.objects.exists()

    def test_the_pickers_offer_only_service_staff(self, cast, client_as, customer, ticket):
        client = client_as(cast.service)
        form = client.get(reverse("aftersales:ticket_create")).content.decode()
        assert options(form, "engineer") == {cast.service.pk}
        detail = client.get(ticket.get_absolute_url()).content.decode()
        assert options(detail, "engineer", 'data-testid="action-assign"') == {cast.service.pk}
        r = client.post(reverse("aftersales:ticket_action", args=[ticket.pk, "assign"]), {"engineer": cast.gm.pk})
        assert r.status_code == 400 and ServiceTicket.objects.get(pk=ticket.pk).engineer is None


# --- 10. the right role on a document that moved on: 409 with the state, on the page as well ------------------------
class TestMovedOn:
    def test_the_engineer_adding_a_part_to_a_resolved_ticket(self, cast, api_as, ticket, pump):
        t = tickets.ticket_assign(ticket=ticket, actor=cast.service, engineer=cast.service)
        t = tickets.ticket_resolve(ticket=tickets.ticket_start(ticket=t, actor=cast.service), actor=cast.service, resolution="ok")
        r = api_as(cast.service).post(
            f"/api/v1/service-tickets/{t.pk}/parts/", {"product": pump.pk, "quantity": "1"}, format="json"
        )
        assert r.status_code == 409 and r.json()["detail"] == f"{t.number}当前状态为“已解决”，不能登记备件。"
        assert not TicketPart.objects.exists()
        # a rep who never handles it is still told it is not theirs while it runs
        t2 = tickets.ticket_create(actor=cast.alice, customer=ticket.customer, data={"ticket_type": "repair", "subject": "y"})
        assert (
            api_as(cast.alice)
            .post(f"/api/v1/service-tickets/{t2.pk}/parts/", {"name": "密封圈", "quantity": "1"}, format="json")
            .status_code
            == 403
        )

    def test_assign_log_and_reopen_after_the_ticket_moved_on(self, cast, ticket):
        cancelled = tickets.ticket_cancel(ticket=ticket, actor=cast.service, reason="重复")
        with pytest.raises(Conflict, match="当前状态为“已取消”，不能分派"):
            tickets.ticket_assign(ticket=cancelled, actor=cast.service, engineer=cast.service)
        with pytest.raises(Conflict, match="当前状态为“已取消”，不能记录沟通"):
            tickets.ticket_log(ticket=cancelled, actor=cast.service, kind="phone_in", summary="x")

    def test_reopen_after_the_days_allowed_is_a_409_for_the_engineer(self, cast, ticket):
        t = tickets.ticket_assign(ticket=ticket, actor=cast.service, engineer=cast.service)
        t = tickets.ticket_resolve(ticket=tickets.ticket_start(ticket=t, actor=cast.service), actor=cast.service, resolution="ok")
        ServiceTicket.objects.filter(pk=t.pk).update(resolved_at=timezone.now() - timedelta(days=8))
        with pytest.raises(Conflict, match="解决已超过 7 天"):
            tickets.ticket_reopen(ticket=t, actor=cast.service, reason="又坏了")

    def test_qc_adding_an_action_or_answering_on_a_closed_complaint(self, cast, api_as, customer):
        c = closed_complaint(cast, customer)
        api = api_as(cast.qc)
        body = {"kind": "preventive", "description": "x", "owner": cast.qc.pk, "due_on": str(today())}
        r = api.post(f"/api/v1/complaints/{c.pk}/actions/", body, format="json")
        assert r.status_code == 409 and r.json()["detail"] == f"{c.number}当前状态为“已关闭”，不能添加措施。"
        r = api.post(f"/api/v1/complaints/{c.pk}/answer/", {"answer": "再答复"}, format="json")
        assert r.status_code == 409 and "不能答复客户" in r.json()["detail"]
        assert c.actions.count() == 1 and Complaint.objects.get(pk=c.pk).answer == "已免费更换"

    def test_a_callback_not_done_or_already_converted(self, cast, delivered):
        order = delivered[0]
        with pytest.raises(Conflict, match="当前状态为“待到期”，不能转为投诉"):
            callbacks.callback_open_complaint(callback=Callback.objects.get(order=order, offset_days=7), actor=cast.service)
        cb = done_callback(cast, order)
        complaint = callbacks.callback_open_complaint(callback=cb, actor=cast.service)
        with pytest.raises(Conflict, match=f"该回访已转为投诉 {complaint.number}"):
            callbacks.callback_open_complaint(callback=cb, actor=cast.alice)
        ticket = callbacks.callback_open_ticket(callback=cb, actor=cast.service)
        with pytest.raises(Conflict, match=f"该回访已转为服务工单 {ticket.number}"):
            callbacks.callback_open_ticket(callback=cb, actor=cast.service)

    def test_a_second_open_complaint_in_the_browser_says_why(self, cast, client_as, delivered):
        cb = done_callback(cast, delivered[0])
        client = client_as(cast.service)
        url = reverse("aftersales:callback_action", args=[cb.pk, "open_complaint"])
        assert client.post(url).status_code == 302
        number = Complaint.objects.get().number
        again = client.post(url)
        page = again.content.decode()
        assert again.status_code == 409 and f"该回访已转为投诉 {number}" in page
        assert 'data-testid="callback-complaint"' in page and Complaint.objects.count() == 1

    def test_a_second_capa_finish_in_the_browser_says_why(self, cast, client_as, customer):
        _c, a = in_actions(cast, customer)
        client = client_as(cast.warehouse)
        url = reverse("aftersales:capa_action", args=[a.pk, "finish"])
        assert client.post(url, {"result": "已更换"}).status_code == 302
        again = client.post(url, {"result": "已更换"})
        assert again.status_code == 409 and "当前状态为“已完成待验证”，不能执行“完成”" in again.content.decode()
        assert Event.objects.filter(target_id=a.pk, to_status="done").count() == 1

    def test_a_refusal_whose_form_is_still_on_the_page_is_said_there_once(self, cast, client_as, customer):
        c, _a = in_actions(cast, customer)
        response = client_as(cast.qc).post(reverse("aftersales:complaint_action", args=[c.pk, "close"]))
        page = response.content.decode()
        assert response.status_code == 409 and page.count("还不能关闭投诉") == 1

    def test_a_submitted_plan_is_not_edited(self, cast):
        plan = plans.plan_submit(plan=plans.plan_create(actor=cast.service, data=PLAN), actor=cast.service)
        with pytest.raises(Conflict, match="当前状态为“审批中”，不能修改"):
            plans.plan_update(plan=plan, actor=cast.service, data=PLAN)


# --- 11. dates that cannot be true ------------------------------------------------------------------------------------
class TestDates:
    @pytest.mark.parametrize("days", [1, 200, -400, -10000])
    def test_a_complaint_reported_in_the_future_or_long_ago_is_refused(self, cast, api_as, customer, days):
        day = today() + timedelta(days=days)
        r = api_as(cast.service).post(
            "/api/v1/complaints/", {"customer": customer.pk, "description": "x", "reported_on": str(day)}, format="json"
        )
        assert r.status_code == 400 and "投诉日期不能" in r.json()["detail"] and str(day) in r.json()["detail"]
        assert not Complaint.objects.exists()

    def test_the_complaint_form_says_so_too(self, cast, client_as, customer):
        data = {"customer": customer.pk, "channel": "phone", "severity": "minor", "description": "x"}
        r = client_as(cast.service).post(
            reverse("aftersales:complaint_create"), {**data, "reported_on": str(today() + timedelta(days=30))}
        )
        assert r.status_code == 400 and "投诉日期不能晚于今天" in r.content.decode() and not Complaint.objects.exists()
        r = client_as(cast.service).post(reverse("aftersales:complaint_create"), {**data, "reported_on": str(today())})
        assert r.status_code == 302 and Complaint.objects.get().reported_on == today()

    def test_a_complaint_about_an_order_is_not_reported_before_the_order(self, cast, customer, delivered):
        order = delivered[0]
        before = order.received_on - timedelta(days=1)
        with pytest.raises(DomainError, match=f"不能早于订单 {order.number} 的接单日期"):
            complaints.complaint_create(
                actor=cast.service, customer=customer, data={"description": "x", "order": order.pk, "reported_on": before}
            )

    @pytest.mark.parametrize("days, ok", [(-1, False), (0, True), (366, True), (367, False), (365 * 70, False)])
    def test_an_actions_due_day_is_within_a_year(self, cast, api_as, customer, days, ok):
        c, _a = in_actions(cast, customer)
        body = {"kind": "preventive", "description": "培训", "owner": cast.qc.pk, "due_on": str(today() + timedelta(days=days))}
        r = api_as(cast.qc).post(f"/api/v1/complaints/{c.pk}/actions/", body, format="json")
        assert (r.status_code == 201) is ok, r.json()
        assert c.actions.count() == (2 if ok else 1)
        if not ok:
            assert "完成期限不能" in r.json()["detail"]

    def test_a_callback_retry_day_far_ahead_is_refused_and_it_stays_queued(self, cast, api_as, delivered):
        cb = make_due(Callback.objects.get(order=delivered[0], offset_days=7))
        body = {"channel": "phone", "reached": False, "retry_on": str(today() + timedelta(days=400))}
        r = api_as(cast.service).post(f"/api/v1/callbacks/{cb.pk}/record/", body, format="json")
        assert r.status_code == 400 and "再次回访日期不能晚于一年后" in r.json()["detail"]
        fresh = Callback.objects.get(pk=cb.pk)
        assert (fresh.queue_on, fresh.attempts) == (cb.queue_on, 0) and not fresh.attempt_log.exists()
        body["retry_on"] = str(today() + timedelta(days=3))
        assert api_as(cast.service).post(f"/api/v1/callbacks/{cb.pk}/record/", body, format="json").status_code == 200

    def test_a_communication_before_the_ticket_was_registered_is_refused(self, cast, api_as, ticket):
        api = api_as(cast.service)
        when = timezone.make_aware(datetime.combine(today() - timedelta(days=3), time(10)))
        r = api.post(
            f"/api/v1/service-tickets/{ticket.pk}/communications/",
            {"kind": "phone_in", "summary": "x", "happened_at": when.isoformat()},
            format="json",
        )
        assert r.status_code == 400 and "沟通时间不能早于工单登记日期" in r.json()["detail"]
        assert not TicketCommunication.objects.exists()

    def test_the_qc_home_page_shows_the_year(self, cast, client_as, customer):
        reported = today() - timedelta(days=200)
        complaints.complaint_create(actor=cast.service, customer=customer, data={"description": "x", "reported_on": reported})
        home = client_as(cast.qc).get(reverse("dashboard")).content.decode()
        assert f"{reported:%Y-%m-%d}" in home.split('data-testid="qc-to_investigate-row"', 1)[1]


# --- 20. the service plan's month lines, 负责人, and a leftover draft ----------------------------------------------------
def plan_post(rows, **header):
    data = {**{k: str(v) for k, v in PLAN.items()}, **header}
    data.update({"items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": "0"})
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"items-{i}-{name}"] = value
    return data


class TestPlanLines:
    def test_a_line_without_its_activity_or_month_is_refused_with_its_place(self, cast, client_as):
        client = client_as(cast.service)
        r = client.post(reverse("aftersales:plan_create"), plan_post([{"month": "3", "activity": "", "target": "20 家"}]))
        assert r.status_code == 400 and "请填写活动" in r.content.decode() and not ServicePlan.objects.exists()
        r = client.post(reverse("aftersales:plan_create"), plan_post([{"month": "", "activity": "走访"}]))
        assert r.status_code == 400 and "请选择月份" in r.content.decode() and not ServicePlan.objects.exists()

    def test_the_page_sets_the_owner_among_the_service_staff_and_shows_it(self, cast, client_as):
        client = client_as(cast.service)
        form = client.get(reverse("aftersales:plan_create")).content.decode()
        assert options(form, "items-0-owner") == {cast.service.pk}
        rows = [
            {"month": "3", "activity": "重点客户走访", "target": "20 家", "owner": str(cast.service.pk)},
            {"month": "6", "activity": "技术培训", "target": "", "owner": ""},
            {"month": "", "activity": "", "target": "", "owner": ""},  # an empty row is no line
        ]
        r = client.post(reverse("aftersales:plan_create"), plan_post(rows))
        plan = ServicePlan.objects.get()
        assert r.status_code == 302
        assert list(plan.items.values_list("month", "activity", "target", "owner")) == [
            (3, "重点客户走访", "20 家", cast.service.pk),
            (6, "技术培训", "", None),
        ]
        page = client.get(plan.get_absolute_url()).content.decode()
        assert re.search(r"重点客户走访</td><td>20 家</td><td>service</td>", page)
        # and the edit page shows the lines as they are
        edit = client.get(reverse("aftersales:plan_edit", args=[plan.pk])).content.decode()
        assert 'value="重点客户走访"' in edit and f'<option value="{cast.service.pk}" selected>' in edit
        # an owner who is not service staff is refused
        rows[0]["owner"] = str(cast.gm.pk)
        r = client.post(reverse("aftersales:plan_edit", args=[plan.pk]), plan_post(rows))
        assert r.status_code == 400 and plan.items.get(month=3).owner == cast.service

    def test_save_and_submit_is_both_or_neither(self, cast, client_as):
        plans.plan_submit(plan=plans.plan_create(actor=cast.service, data=PLAN), actor=cast.service)
        data = plan_post([{"month": "3", "activity": "走访"}], title="另一份")
        r = client_as(cast.service).post(reverse("aftersales:plan_create"), {**data, "hand_in": "1"})
        assert r.status_code == 409 and ServicePlan.objects.count() == 1
        data = plan_post([{"month": "3", "activity": "走访"}], year="2028", title="2028 计划")
        r = client_as(cast.service).post(reverse("aftersales:plan_create"), {**data, "hand_in": "1"})
        assert r.status_code == 302 and ServicePlan.objects.get(year=2028).status == ServicePlan.Status.SUBMITTED

    def test_the_api_refuses_bad_lines_with_their_number(self, cast, api_as):
        api = api_as(cast.service)
        cases = [
            (
                [{"month": 3, "activity": "走访"}, {"month": 4, "activity": "  "}],
                "items：第 2 行：活动（activity）：该字段不能为空",
            ),
            ([{"month": 3, "activity": "走访", "owner": cast.gm.pk}], "第 1 项“走访”：负责人应为在职的客服/售后人员"),
        ]
        for items, message in cases:
            r = api.post("/api/v1/service-plans/", {**PLAN, "items": items}, format="json")
            assert r.status_code == 400 and message in r.json()["detail"], r.json()
        with pytest.raises(DomainError, match="第 2 项：请填写活动"):  # the service says it to any caller
            plans.plan_create(actor=cast.service, data=PLAN, items=[{"month": 3, "activity": "走访"}, {"month": 4}])
        assert not ServicePlan.objects.exists()
        r = api.post(
            "/api/v1/service-plans/",
            {**PLAN, "items": [{"month": 3, "activity": "走访", "owner": cast.service.pk}]},
            format="json",
        )
        assert r.status_code == 201 and r.json()["items"][0]["owner_name"] == "service"


def approved_2027(cast):
    plan = plans.plan_submit(plan=plans.plan_create(actor=cast.service, data=PLAN), actor=cast.service)
    for who in (cast.vp, cast.gm):
        req = approvals.requests_for(plan, plans.PLAN_KIND).get(status="pending")
        approvals.approval_decide(step_id=req.steps.get(stage=req.current_stage).pk, actor=who, decision="approve", comment="")
    return ServicePlan.objects.get(pk=plan.pk)


class TestLeftoverDraft:
    def test_a_draft_of_an_approved_year_offers_no_submit_but_edit_and_cancel(self, cast, client_as, api_as):
        approved_2027(cast)
        draft = plans.plan_create(actor=cast.service, data={**PLAN, "year": 2028, "title": "草稿"})
        ServicePlan.objects.filter(pk=draft.pk).update(year=2027)  # left over from before the year was taken
        assert permissions.plan_allowed_actions(ServicePlan.objects.get(pk=draft.pk), cast.service) == ["edit", "cancel"]
        page = client_as(cast.service).get(draft.get_absolute_url()).content.decode()
        assert 'data-testid="action-submit"' not in page and 'data-testid="plan-year-taken"' in page
        assert 'data-testid="action-cancel"' in page
        r = api_as(cast.service).get(f"/api/v1/service-plans/{draft.pk}/")
        assert r.json()["allowed_actions"] == ["edit", "cancel"]

    def test_cancel_on_the_page_and_in_the_api(self, cast, client_as, api_as):
        a = plans.plan_create(actor=cast.service, data=PLAN)
        b = plans.plan_create(actor=cast.service, data={**PLAN, "year": 2028})
        client = client_as(cast.service)
        assert client.post(reverse("aftersales:plan_cancel", args=[a.pk]), {"reason": "重复编制"}).status_code == 302
        a = ServicePlan.objects.get(pk=a.pk)
        assert a.status == ServicePlan.Status.CANCELLED and a.cancel_reason == "重复编制"
        page = client.get(a.get_absolute_url()).content.decode()
        assert "重复编制" in page and 'data-testid="action-edit"' not in page and "作废：重复编制" in page
        api = api_as(cast.service)
        assert api.post(f"/api/v1/service-plans/{b.pk}/cancel/", {"reason": " "}, format="json").status_code == 400
        assert api_as(cast.alice).post(f"/api/v1/service-plans/{b.pk}/cancel/", {"reason": "x"}, format="json").status_code == 404
        assert api_as(cast.qc).post(f"/api/v1/service-plans/{b.pk}/cancel/", {"reason": "x"}, format="json").status_code == 403
        r = api.post(f"/api/v1/service-plans/{b.pk}/cancel/", {"reason": "并入 2027 计划"}, format="json")
        assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["allowed_actions"] == []
        # a cancelled plan is not submitted, nor an approved one cancelled
        assert api.post(f"/api/v1/service-plans/{b.pk}/submit/").status_code == 409
        approved = approved_2027(cast)
        with pytest.raises(Conflict):
            plans.plan_cancel(plan=approved, actor=cast.service, reason="x")


# --- 23. a resent ticket form, and the contact phone -------------------------------------------------------------------
def ticket_form(customer, **extra):
    return {"customer": customer.pk, "ticket_type": "repair", "priority": "normal", "subject": "异响", **extra}


class TestResentTicket:
    def test_the_same_form_twice_registers_one_ticket(self, cast, client_as, customer):
        client = client_as(cast.service)
        page = client.get(reverse("aftersales:ticket_create")).content.decode()
        key = re.search(r'name="once_key" value="([0-9a-f-]{36})"', page).group(1)
        first = client.post(reverse("aftersales:ticket_create"), ticket_form(customer, once_key=key))
        again = client.post(reverse("aftersales:ticket_create"), ticket_form(customer, once_key=key), follow=True)
        ticket = ServiceTicket.objects.get()
        assert first.status_code == 302 and again.redirect_chain[-1][0] == ticket.get_absolute_url()
        assert f"已登记为服务工单 {ticket.number}，没有重复登记" in again.content.decode()
        # a form drawn again is another submission
        other = client.get(reverse("aftersales:ticket_create")).content.decode()
        assert re.search(r'name="once_key" value="([0-9a-f-]{36})"', other).group(1) != key

    def test_the_api_with_an_idempotency_key(self, cast, api_as, customer):
        key = str(uuid.uuid4())
        body = {"customer": customer.pk, "ticket_type": "repair", "subject": "异响"}
        api = api_as(cast.service)
        first = api.post("/api/v1/service-tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        again = api.post("/api/v1/service-tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
        # someone else's key is no way to their ticket; a key that is no UUID is refused
        other = api_as(cast.alice).post("/api/v1/service-tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert other.status_code == 400 and "提交编号已被使用" in other.json()["detail"]
        assert api.post("/api/v1/service-tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="x").status_code == 400
        # without a key every POST is a new ticket, as before
        assert api.post("/api/v1/service-tickets/", body, format="json").status_code == 201
        assert ServiceTicket.objects.count() == 2

    @pytest.mark.parametrize("phone", ["abc", "12345", "1381234567"])
    def test_a_bad_contact_phone_is_refused(self, cast, client_as, api_as, customer, phone):
        r = client_as(cast.service).post(reverse("aftersales:ticket_create"), ticket_form(customer, contact_phone=phone))
        assert r.status_code == 400 and "联系电话" in r.content.decode()
        body = {"customer": customer.pk, "ticket_type": "repair", "subject": "x", "contact_phone": phone}
        r = api_as(cast.service).post("/api/v1/service-tickets/", body, format="json")
        assert r.status_code == 400 and f"联系电话“{phone}”格式不正确" in r.json()["detail"]
        assert not ServiceTicket.objects.exists()

    @pytest.mark.parametrize("phone", ["13812345678", "138 1234 5678", "0512-65432100", "021-62345678-801", "400-820-8820"])
    def test_mobiles_and_landlines_are_accepted(self, cast, customer, phone):
        t = tickets.ticket_create(
            actor=cast.service, customer=customer, data={"ticket_type": "repair", "subject": "x", "contact_phone": phone}
        )
        assert t.contact_phone == phone


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_submission_at_once_registers_one_ticket(on_postgres, cast, customer):
    key = uuid.uuid4()
    data = {"ticket_type": "repair", "subject": "并发", "once_key": key}

    results = run_in_threads(4, lambda i: tickets.ticket_create(actor=cast.service, customer=customer, data=data))

    made = [r for r in results if isinstance(r, ServiceTicket)]
    replayed = [r for r in results if isinstance(r, Conflict) and getattr(r, "obj", None) is not None]
    assert len(made) == 1 and len(replayed) == 3, results
    assert ServiceTicket.objects.count() == 1 and {r.obj.pk for r in replayed} == {made[0].pk}
