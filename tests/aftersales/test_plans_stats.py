"""The annual service plan approved by the VP and the GM through the approvals engine, and the monthly service statistics
per engineer (the selector the reports floor uses)."""

from datetime import datetime
from decimal import Decimal as D
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from aftersales import selectors
from aftersales.models import Callback, ServicePlan
from aftersales.services import callbacks, plans, tickets
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError, Forbidden
from tests.aftersales.test_qa_rules import make_due

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
PLAN = {
    "year": 2027,
    "title": "2027 年度售后服务计划",
    "goals": "回访率 95%，满意度 4.5 分",
    "content": "季度走访重点客户；每月一次技术培训。",
}


def decide(plan, actor, decision="approve", comment=""):
    req = approvals.requests_for(plan, plans.PLAN_KIND).get(status="pending")
    approvals.approval_decide(step_id=req.steps.get(stage=req.current_stage).pk, actor=actor, decision=decision, comment=comment)
    return ServicePlan.objects.get(pk=plan.pk)


class TestPlan:
    def test_the_vp_then_the_gm_approve_it(self, cast):
        plan = plans.plan_create(
            actor=cast.service, data=PLAN, items=[{"month": 3, "activity": "重点客户走访", "target": "20 家"}]
        )
        plan = plans.plan_submit(plan=plan, actor=cast.service)
        assert decide(plan, cast.vp).status == ServicePlan.Status.SUBMITTED
        plan = decide(plan, cast.gm)
        assert plan.status == ServicePlan.Status.APPROVED and plan.approved_at is not None and plan.items.get().month == 3

    def test_a_rejected_plan_is_revised_and_submitted_again(self, cast):
        plan = plans.plan_submit(plan=plans.plan_create(actor=cast.service, data=PLAN), actor=cast.service)
        plan = decide(plan, cast.vp, "reject", "缺少备件储备安排")
        assert plan.status == ServicePlan.Status.REJECTED
        plan = plans.plan_update(plan=plan, actor=cast.service, data={**PLAN, "content": PLAN["content"] + "备件按季度储备。"})
        plan = plans.plan_submit(plan=plan, actor=cast.service)
        assert approvals.requests_for(plan, plans.PLAN_KIND).count() == 2

    def test_one_approved_plan_per_year_and_only_service_or_managers_write_it(self, cast):
        plan = plans.plan_submit(plan=plans.plan_create(actor=cast.service, data=PLAN), actor=cast.service)
        decide(decide(plan, cast.vp), cast.gm)
        with pytest.raises(Conflict, match="已有批准"):
            plans.plan_submit(plan=plans.plan_create(actor=cast.manager, data=PLAN), actor=cast.manager)
        with pytest.raises(Forbidden):
            plans.plan_create(actor=cast.alice, data=PLAN)
        with pytest.raises(DomainError, match="月份"):
            plans.plan_create(actor=cast.service, data=PLAN, items=[{"month": 13, "activity": "x"}])


class TestOnePlanPerYear:
    """QA on the demo: plan A of 2027 rejected, plan B of 2027 submitted, A resubmitted; B approved, then the GM approving
    A was a 500 (UNIQUE aftersales_serviceplan.year)."""

    def test_a_plan_of_a_year_in_review_or_approved_is_refused_at_create_submit_and_year_change(self, cast):
        # given plan A of 2027 rejected by the GM, and plan B of 2027 then written and submitted
        a = plans.plan_submit(plan=plans.plan_create(actor=cast.service, data=PLAN), actor=cast.service)
        a = decide(decide(a, cast.vp), cast.gm, "reject", "目标不具体")
        b = plans.plan_submit(
            plan=plans.plan_create(actor=cast.service, data={**PLAN, "title": "售后计划 B"}), actor=cast.service
        )
        draft = plans.plan_create(actor=cast.service, data={**PLAN, "year": 2028})
        # when A is submitted again, another 2027 plan is written, or a draft moved to 2027: 409, nothing changes
        with pytest.raises(Conflict, match="2027 年度已有审批中的售后服务计划“售后计划 B”"):
            plans.plan_submit(plan=a, actor=cast.service)
        with pytest.raises(Conflict, match="审批中"):
            plans.plan_create(actor=cast.manager, data=PLAN)
        with pytest.raises(Conflict, match="审批中"):
            plans.plan_update(plan=draft, actor=cast.service, data=PLAN)
        assert ServicePlan.objects.get(pk=a.pk).status == ServicePlan.Status.REJECTED
        assert ServicePlan.objects.filter(year=2027).count() == 2 and ServicePlan.objects.get(pk=draft.pk).year == 2028
        # when B is approved: A can no longer be submitted, nor a new 2027 plan written
        decide(decide(b, cast.vp), cast.gm)
        with pytest.raises(Conflict, match="2027 年度已有批准的售后服务计划"):
            plans.plan_submit(plan=a, actor=cast.service)
        with pytest.raises(Conflict, match="已有批准"):
            plans.plan_create(actor=cast.service, data=PLAN)
        # a plan of another year is not concerned
        assert plans.plan_submit(plan=draft, actor=cast.service).status == ServicePlan.Status.SUBMITTED

    def test_approving_a_second_plan_of_an_approved_year_is_a_clear_409(self, cast, api_as):
        # given two 2027 plans in review at once (submitted before the check existed), B approved by the VP and the GM
        a = plans.plan_submit(plan=plans.plan_create(actor=cast.service, data=PLAN), actor=cast.service)
        b = ServicePlan.objects.create(created_by=cast.service, status=ServicePlan.Status.SUBMITTED, **{**PLAN, "title": "B"})
        approvals.approval_start(target=b, kind=plans.PLAN_KIND, steps=plans.plan_route(), actor=cast.service, title=str(b))
        decide(decide(b, cast.vp), cast.gm)
        a = decide(a, cast.vp)
        # when the GM approves A (service, then the API): 409 saying why, A and its round unchanged
        with pytest.raises(Conflict, match="2027 年度已有批准的售后服务计划，不能再批准“2027 年度售后服务计划”"):
            decide(a, cast.gm)
        req = approvals.requests_for(a, plans.PLAN_KIND).get()
        step = req.steps.get(stage=req.current_stage)
        r = api_as(cast.gm).post(f"/api/v1/approval-steps/{step.pk}/decide/", {"decision": "approve"}, format="json")
        assert r.status_code == 409 and "请驳回本计划" in r.json()["detail"]
        assert ServicePlan.objects.get(pk=a.pk).status == ServicePlan.Status.SUBMITTED
        assert req.steps.get(pk=step.pk).status == "pending" and approvals.requests_for(a).get().status == "pending"
        # then the GM rejects it instead
        assert decide(a, cast.gm, "reject", "本年度已有批准的计划").status == ServicePlan.Status.REJECTED
        assert list(ServicePlan.objects.filter(status=ServicePlan.Status.APPROVED).values_list("pk", flat=True)) == [b.pk]

    def test_the_api_answers_409_for_a_second_plan_of_the_year(self, cast, api_as):
        plans.plan_submit(plan=plans.plan_create(actor=cast.service, data=PLAN), actor=cast.service)
        r = api_as(cast.service).post("/api/v1/service-plans/", PLAN, format="json")
        assert r.status_code == 409 and "2027 年度已有审批中的售后服务计划" in r.json()["detail"]
        assert ServicePlan.objects.count() == 1


class TestPlanName:
    def test_the_year_is_not_repeated_when_the_title_names_it(self, cast, client_as):
        plan = plans.plan_create(actor=cast.service, data=PLAN)
        assert str(plan) == "2027 年度售后服务计划"
        assert str(ServicePlan(year=2027, title="售后服务计划")) == "2027 售后服务计划"
        page = client_as(cast.service).get(plan.get_absolute_url()).content.decode()
        assert "2027 年度售后服务计划" in page and "2027 2027" not in page


def at(day, hhmm):
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=SH)


class TestMonthlyStatistics:
    def test_per_engineer_tickets_response_resolution_sla_callbacks_and_scores(self, cast, customer, delivered):
        now = {"t": at("2026-11-02", "09:00")}  # a Monday
        with mock.patch("django.utils.timezone.now", side_effect=lambda: now["t"]):
            quick = tickets.ticket_create(
                actor=cast.service, customer=customer, data={"ticket_type": "repair", "subject": "A", "engineer": cast.service}
            )
            slow = tickets.ticket_create(
                actor=cast.service, customer=customer, data={"ticket_type": "repair", "subject": "B", "engineer": cast.service}
            )
            now["t"] = at("2026-11-02", "10:00")
            tickets.ticket_start(ticket=quick, actor=cast.service)
            now["t"] = at("2026-11-02", "12:00")
            tickets.ticket_resolve(ticket=quick, actor=cast.service, resolution="复位")  # 1 h response, 3 h resolution: in time
            now["t"] = at("2026-11-09", "09:00")
            tickets.ticket_start(ticket=slow, actor=cast.service)
            tickets.ticket_resolve(ticket=slow, actor=cast.service, resolution="换件")  # a week later: both deadlines missed
        order, _shipment = delivered
        for days, scores in ((7, (5, 4, 3)), (30, (3, 4, 5))):
            cb = make_due(Callback.objects.get(order=order, offset_days=days))
            callbacks.callback_record(
                callback=cb,
                actor=cast.service,
                channel="phone",
                reached=True,
                score_product=scores[0],
                score_delivery=scores[1],
                score_service=scores[2],
            )
        today = timezone.localdate()

        november = {s.user: s for s in selectors.service_stats(cast.manager, year=2026, month=11)}[cast.service]
        assert (november.tickets_assigned, november.tickets_resolved, november.sla_hits) == (2, 2, 1)
        assert november.sla_hit_rate == D("0.5000")
        assert november.avg_first_response_hours == D("84.50")  # (1 h + 168 h) / 2
        this_month = {s.user: s for s in selectors.service_stats(cast.manager, year=today.year, month=today.month)}[cast.service]
        assert this_month.callbacks_done == 2 and (this_month.avg_product, this_month.avg_delivery, this_month.avg_service) == (
            D("4.00"),
            D("4.00"),
            D("4.00"),
        )
        # a rep sees only the figures of own customers: carol has none of alice's customer's work
        assert selectors.service_stats(cast.carol, year=2026, month=11) == []
