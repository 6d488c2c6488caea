"""The approvals engine: parallel department reviews, then approval tiers in order; one decision per step; rounds kept.

The document under approval is a core Team (the engine works on any model); the route is that of a special contract
(SPEC.md "Contract and its review"): technical + production + quality in parallel → sales manager → VP → GM.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from salesops.core import approvals
from salesops.core.approvals import StepSpec
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import ApprovalRequest, ApprovalStep, Event, Notification, Threshold
from salesops.core.tasks import remind_overdue_approvals

from .conftest import KIND, run_in_threads, special_route, step_of

pytestmark = pytest.mark.django_db

Status = ApprovalStep.Status


def approve_stage_1(request, cast):
    for code, who in (("technical", cast.rev_technical), ("production", cast.rev_production), ("quality", cast.rev_quality)):
        approvals.approval_decide(step_id=step_of(request, code).pk, actor=who, decision="approve")


def titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


class TestStart:
    def test_the_first_stage_is_pending_in_parallel_and_later_stages_wait(self, cast, start):
        # when alice submits the special contract
        request = start()
        # then the three department reviews are pending at once, the tiers wait their turn
        statuses = dict(request.steps.values_list("code", "status"))
        assert statuses == {
            "technical": Status.PENDING,
            "production": Status.PENDING,
            "quality": Status.PENDING,
            "manager": Status.WAITING,
            "vp": Status.WAITING,
            "gm": Status.WAITING,
        }
        assert request.round == 1 and request.status == ApprovalRequest.Status.PENDING and request.current_stage == 1
        assert step_of(request, "technical").assignee_department.code == "technical"
        assert step_of(request, "technical").activated_at is not None and step_of(request, "manager").activated_at is None

    def test_the_first_stage_reviewers_are_notified_and_the_submission_is_on_the_timeline(self, cast, start, doc):
        start()
        for reviewer in (cast.rev_technical, cast.rev_production, cast.rev_quality):
            assert titles(reviewer) == [
                "待您审批：测试合同 HT-202611-0001 — " + step_of(ApprovalRequest.objects.get(), reviewer.username[4:]).label
            ]
        assert titles(cast.manager) == [] and titles(cast.gm) == []
        event = Event.objects.get(target_type=ContentType.objects.get_for_model(doc), target_id=doc.pk, verb=Event.Verb.APPROVAL)
        assert "提交审批（第 1 轮）" in event.message and event.actor == cast.alice

    def test_a_second_pending_round_of_the_same_kind_is_a_conflict(self, start):
        start()
        with pytest.raises(Conflict, match="已有进行中的审批"):
            start()
        assert ApprovalRequest.objects.count() == 1

    def test_a_route_must_name_who_acts(self, start):
        with pytest.raises(DomainError, match="没有指定处理角色或处理人"):
            start(steps=[StepSpec(code="x", label="无人步骤", stage=1)])
        with pytest.raises(DomainError, match="审批路线为空"):
            start(steps=[])
        assert ApprovalRequest.objects.count() == 0


class TestWhoMayDecide:
    def test_only_the_assignee_role_may_decide(self, cast, start):
        request = start()
        # when the production reviewer tries the technical step
        with pytest.raises(Forbidden, match="不是分配给您的审批步骤") as e:
            approvals.approval_decide(step_id=step_of(request, "technical").pk, actor=cast.rev_production, decision="approve")
        # then it is a 403 and nothing changed
        assert e.value.status_code == 403
        assert step_of(request, "technical").status == Status.PENDING

    def test_the_requester_cannot_approve_their_own_request(self, cast, start):
        # given the sales manager submits (and holds the manager role of stage 2 as well)
        route = [StepSpec(code="manager", label="销售部经理审批", stage=1, role="sales_manager")]
        request = start(steps=route, actor=cast.manager)
        with pytest.raises(Forbidden, match="不能审批自己提交的单据"):
            approvals.approval_decide(step_id=step_of(request, "manager").pk, actor=cast.manager, decision="approve")
        assert not approvals.can_decide(step_of(request, "manager"), cast.manager)
        assert list(approvals.steps_waiting_for(cast.manager)) == []

    def test_a_later_stage_cannot_be_decided_before_the_earlier_one(self, cast, start):
        request = start()
        with pytest.raises(Conflict, match="还没有轮到“销售部经理审批”") as e:
            approvals.approval_decide(step_id=step_of(request, "manager").pk, actor=cast.manager, decision="approve")
        assert e.value.status_code == 409
        assert step_of(request, "manager").status == Status.WAITING

    def test_a_named_user_step_is_for_that_user_only(self, cast, start):
        request = start(steps=[StepSpec(code="lead", label="组长确认", stage=1, user_id=cast.lena.pk)])
        with pytest.raises(Forbidden):
            approvals.approval_decide(step_id=step_of(request, "lead").pk, actor=cast.manager, decision="approve")
        approvals.approval_decide(step_id=step_of(request, "lead").pk, actor=cast.lena, decision="approve")
        assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.APPROVED

    def test_an_unknown_step_is_not_found(self, cast):
        with pytest.raises(NotFound):
            approvals.approval_decide(step_id=999999, actor=cast.manager, decision="approve")


class TestDecisions:
    def test_deciding_twice_is_a_conflict_naming_who_decided(self, cast, start):
        request = start()
        step = step_of(request, "technical")
        approvals.approval_decide(step_id=step.pk, actor=cast.rev_technical, decision="approve")
        # when the same step is decided again (a second click)
        with pytest.raises(Conflict) as e:
            approvals.approval_decide(step_id=step.pk, actor=cast.rev_technical, decision="reject", comment="改主意了")
        # then the message says who already did it, and the first decision stands
        assert "已由 rev_technical 于" in str(e.value) and "处理（同意）" in str(e.value)
        step.refresh_from_db()
        assert step.status == Status.APPROVED and step.comment == ""

    @pytest.mark.parametrize("decision", ["reject", "approve_with_conditions"])
    def test_reject_and_approve_with_conditions_need_a_comment(self, cast, start, decision):
        request = start()
        with pytest.raises(DomainError, match="必须填写意见"):
            approvals.approval_decide(
                step_id=step_of(request, "technical").pk, actor=cast.rev_technical, decision=decision, comment="  "
            )
        assert step_of(request, "technical").status == Status.PENDING

    def test_an_unknown_decision_is_refused(self, cast, start):
        request = start()
        with pytest.raises(DomainError, match="审批结论不正确"):
            approvals.approval_decide(step_id=step_of(request, "technical").pk, actor=cast.rev_technical, decision="maybe")

    def test_the_stage_opens_the_next_only_when_all_parallel_reviews_are_done(self, cast, start):
        request = start()
        approvals.approval_decide(step_id=step_of(request, "technical").pk, actor=cast.rev_technical, decision="approve")
        approvals.approval_decide(
            step_id=step_of(request, "production").pk,
            actor=cast.rev_production,
            decision="approve_with_conditions",
            comment="交期需 45 天",
        )
        # one review still open: the manager still waits
        assert step_of(request, "manager").status == Status.WAITING and titles(cast.manager) == []
        approvals.approval_decide(step_id=step_of(request, "quality").pk, actor=cast.rev_quality, decision="approve")
        # all three done: the manager's step is pending and the manager is told
        request.refresh_from_db()
        assert request.current_stage == 2 and step_of(request, "manager").status == Status.PENDING
        assert titles(cast.manager) == ["待您审批：测试合同 HT-202611-0001 — 销售部经理审批"]
        assert step_of(request, "production").status == Status.APPROVED_WITH_CONDITIONS
        assert step_of(request, "production").comment == "交期需 45 天"

    def test_the_whole_route_approved_calls_the_handler_exactly_once(self, cast, start, outcomes):
        request = start()
        approve_stage_1(request, cast)
        approvals.approval_decide(step_id=step_of(request, "manager").pk, actor=cast.manager, decision="approve")
        approvals.approval_decide(step_id=step_of(request, "vp").pk, actor=cast.vp, decision="approve")
        assert outcomes == []  # not before the last tier
        approvals.approval_decide(step_id=step_of(request, "gm").pk, actor=cast.gm, decision="approve")

        request.refresh_from_db()
        assert request.status == ApprovalRequest.Status.APPROVED and request.decided_at is not None
        assert outcomes == [(request.pk, "approved", cast.gm)]
        assert titles(cast.alice) == ["审批已通过：测试合同 HT-202611-0001"]

    def test_a_reject_ends_the_round_cancels_the_rest_and_tells_the_owner_why(self, cast, start, outcomes):
        request = start()
        approvals.approval_decide(step_id=step_of(request, "technical").pk, actor=cast.rev_technical, decision="approve")
        # when production rejects
        approvals.approval_decide(
            step_id=step_of(request, "production").pk,
            actor=cast.rev_production,
            decision="reject",
            comment="产能不足，无法按期交货",
        )
        # then the round is rejected, the open and later steps are cancelled, the handler hears "rejected" once
        request.refresh_from_db()
        assert request.status == ApprovalRequest.Status.REJECTED
        assert dict(request.steps.values_list("code", "status")) == {
            "technical": Status.APPROVED,
            "production": Status.REJECTED,
            "quality": Status.CANCELLED,
            "manager": Status.CANCELLED,
            "vp": Status.CANCELLED,
            "gm": Status.CANCELLED,
        }
        assert outcomes == [(request.pk, "rejected", cast.rev_production)]
        owner_note = Notification.objects.get(recipient=cast.alice)
        assert owner_note.title == "审批被驳回：测试合同 HT-202611-0001" and "产能不足" in owner_note.body
        # and nobody can act on the cancelled steps any more
        with pytest.raises(Conflict, match="本轮审批已结束"):
            approvals.approval_decide(step_id=step_of(request, "quality").pk, actor=cast.rev_quality, decision="approve")
        assert list(approvals.steps_waiting_for(cast.rev_quality)) == []

    def test_resubmission_after_reject_is_round_2_and_keeps_round_1(self, cast, start, doc):
        first = start()
        approvals.approval_decide(
            step_id=step_of(first, "technical").pk, actor=cast.rev_technical, decision="reject", comment="图纸不全"
        )
        # when alice resubmits
        second = start()
        # then round 2 is pending and round 1 keeps its opinions
        assert second.round == 2 and second.status == ApprovalRequest.Status.PENDING
        rounds = list(approvals.requests_for(doc, KIND))
        assert [r.round for r in rounds] == [2, 1]
        assert step_of(rounds[1], "technical").comment == "图纸不全" and rounds[1].status == ApprovalRequest.Status.REJECTED
        assert step_of(second, "technical").status == Status.PENDING

    def test_decisions_are_on_the_document_timeline(self, cast, start, doc):
        request = start()
        approvals.approval_decide(
            step_id=step_of(request, "technical").pk, actor=cast.rev_technical, decision="reject", comment="规格超出能力"
        )
        messages = list(
            Event.objects.filter(target_type=ContentType.objects.get_for_model(doc), target_id=doc.pk).values_list(
                "message", flat=True
            )
        )
        assert "技术部评审：不同意 — 规格超出能力" in messages
        assert "审批结束（第 1 轮）：已驳回" in messages

    def test_cancel_withdraws_the_round(self, cast, start):
        request = start()
        approvals.approval_cancel(request_id=request.pk, actor=cast.alice, reason="客户取消")
        request.refresh_from_db()
        assert request.status == ApprovalRequest.Status.CANCELLED
        assert not request.steps.filter(status__in=[Status.PENDING, Status.WAITING]).exists()
        with pytest.raises(Conflict):
            approvals.approval_cancel(request_id=request.pk, actor=cast.alice)


class TestWaitingFor:
    def test_each_user_sees_exactly_the_steps_they_must_act_on_now(self, cast, start):
        request = start()
        assert [s.code for s in approvals.steps_waiting_for(cast.rev_technical)] == ["technical"]
        assert [s.code for s in approvals.steps_waiting_for(cast.rev_quality)] == ["quality"]
        assert list(approvals.steps_waiting_for(cast.manager)) == []  # stage 2 not yet
        assert list(approvals.steps_waiting_for(cast.bob)) == []
        approve_stage_1(request, cast)
        assert list(approvals.steps_waiting_for(cast.rev_technical)) == []
        assert [s.code for s in approvals.steps_waiting_for(cast.manager)] == ["manager"]

    def test_can_decide_matches_the_engine(self, cast, start):
        request = start()
        technical = step_of(request, "technical")
        assert approvals.can_decide(technical, cast.rev_technical)
        assert not approvals.can_decide(technical, cast.rev_production)
        assert not approvals.can_decide(step_of(request, "manager"), cast.manager)


class TestOverdueReminder:
    def test_the_task_is_registered_under_its_beat_schedule_name(self, settings):
        from salesops.celery import app

        name = settings.CELERY_BEAT_SCHEDULE["core-remind-overdue-approvals"]["task"]
        assert name == remind_overdue_approvals.name and name in app.tasks

    def _age(self, request, hours):
        request.steps.filter(status=Status.PENDING).update(activated_at=timezone.now() - timedelta(hours=hours))

    def test_a_step_waiting_longer_than_the_threshold_is_reminded_once_per_period(self, cast, start):
        request = start(steps=[StepSpec(code="manager", label="销售部经理审批", stage=1, role="sales_manager")])
        self._age(request, 30)  # threshold approval_overdue_hours = 24
        Notification.objects.all().delete()

        # when the hourly task runs twice
        assert remind_overdue_approvals() == 1
        assert remind_overdue_approvals() == 0
        # then the manager got one reminder
        reminders = Notification.objects.filter(recipient=cast.manager)
        assert [n.title for n in reminders] == ["审批超时提醒：测试合同 HT-202611-0001 — 销售部经理审批"]
        assert "24 小时" in reminders[0].body
        # and a day later, still waiting, a second one
        assert approvals.approvals_remind_overdue(now=timezone.now() + timedelta(hours=25)) == 1
        assert Notification.objects.filter(recipient=cast.manager).count() == 2

    def test_fresh_and_decided_steps_are_not_reminded(self, cast, start):
        request = start(steps=[StepSpec(code="manager", label="销售部经理审批", stage=1, role="sales_manager")])
        self._age(request, 2)
        assert remind_overdue_approvals() == 0
        self._age(request, 30)
        approvals.approval_decide(step_id=step_of(request, "manager").pk, actor=cast.manager, decision="approve")
        assert remind_overdue_approvals() == 0

    def test_the_threshold_is_read_from_the_database(self, cast, start):
        Threshold.objects.filter(code="approval_overdue_hours").update(value=1)
        request = start(steps=[StepSpec(code="manager", label="销售部经理审批", stage=1, role="sales_manager")])
        self._age(request, 2)
        assert remind_overdue_approvals() == 1


# --- PostgreSQL: real concurrency ---------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_20_simultaneous_decisions_on_one_step_record_exactly_one(on_postgres, cast, start, outcomes):
    # given a one-step approval that 20 managers open at once
    from tests.factories import UserFactory

    managers = [UserFactory(username=f"mgr{i}", roles=["sales_manager"]) for i in range(20)]
    request = start(steps=[StepSpec(code="manager", label="销售部经理审批", stage=1, role="sales_manager")])
    step_id = step_of(request, "manager").pk

    # when they all click "approve" at the same moment
    results = run_in_threads(20, lambda i: approvals.approval_decide(step_id=step_id, actor=managers[i], decision="approve"))

    # then exactly one decision is recorded, the other 19 get the "already decided" conflict, and the handler ran once
    winners = [r for r in results if isinstance(r, ApprovalStep)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(conflicts) == 19, results
    assert all("已由" in str(c) for c in conflicts)
    step = ApprovalStep.objects.get(pk=step_id)
    assert step.status == Status.APPROVED and step.decided_by_id == winners[0].decided_by_id
    assert ApprovalRequest.objects.get(pk=request.pk).status == ApprovalRequest.Status.APPROVED
    assert len(outcomes) == 1
    assert Event.objects.filter(verb=Event.Verb.APPROVAL, message__startswith="销售部经理审批：").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_20_simultaneous_submissions_open_exactly_one_pending_round(on_postgres, cast, doc):
    # when 20 submissions of the same document and kind race
    def submit(_i):
        return approvals.approval_start(target=doc, kind=KIND, steps=special_route(), actor=cast.alice, title="并发提交")

    results = run_in_threads(20, submit)

    # then one request exists, pending, and the others were told it is already under approval
    created = [r for r in results if isinstance(r, ApprovalRequest)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(created) == 1 and len(conflicts) == 19, results
    assert ApprovalRequest.objects.filter(kind=KIND, status=ApprovalRequest.Status.PENDING).count() == 1
    assert ApprovalRequest.objects.filter(kind=KIND).count() == 1
    assert ApprovalStep.objects.count() == len(special_route())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_reviewers_finishing_a_stage_at_once_open_the_next_stage_once(on_postgres, cast, start):
    # given the three department reviews are pending
    request = start()
    deciders = [("technical", cast.rev_technical), ("production", cast.rev_production), ("quality", cast.rev_quality)]
    step_ids = {code: step_of(request, code).pk for code, _who in deciders}

    # when the three reviewers approve at the same moment
    results = run_in_threads(
        3, lambda i: approvals.approval_decide(step_id=step_ids[deciders[i][0]], actor=deciders[i][1], decision="approve")
    )

    # then all three decisions count, the manager's stage opened once and the manager was told once
    assert all(isinstance(r, ApprovalStep) for r in results), results
    request.refresh_from_db()
    assert request.current_stage == 2 and step_of(request, "manager").status == Status.PENDING
    assert Notification.objects.filter(recipient=cast.manager).count() == 1
