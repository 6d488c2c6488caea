"""Complaints with CAPA: registered by service or sales, investigated by QC, root cause, corrective and preventive actions with
owners and due days, verification of effectiveness, the answer to the customer; closing only when all of it is done."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.models import Complaint, CorrectiveAction
from aftersales.services import complaints as svc
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import Notification
from tests.aftersales.conftest import approve_answer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(cast, customer):
    return svc.complaint_create(
        actor=cast.service, customer=customer, data={"description": "泵体渗水", "severity": "major", "lot_no": "L001"}
    )


def investigated(complaint, cast, cause="密封圈批次不良"):
    c = svc.complaint_investigate(complaint=complaint, actor=cast.qc)
    return svc.complaint_record_cause(complaint=c, actor=cast.qc, root_cause=cause)


def add(c, cast, kind="corrective", owner=None, days=7):
    return svc.action_add(
        complaint=c,
        actor=cast.qc,
        kind=kind,
        description="更换密封圈供应商" if kind == "preventive" else "召回更换密封圈",
        owner=owner or cast.qc,
        due_on=timezone.localdate() + timedelta(days=days),
    )


class TestRegister:
    def test_registered_and_qc_is_told(self, cast, complaint):
        assert complaint.number.startswith("TS-") and complaint.status == Complaint.Status.REGISTERED
        assert Notification.objects.filter(recipient=cast.qc, title__contains=complaint.number).exists()

    def test_a_rep_only_for_own_customers_and_never_without_a_description(self, cast, customer):
        with pytest.raises(NotFound):
            svc.complaint_create(actor=cast.alice, customer=CustomerFactory(owner=cast.carol), data={"description": "x"})
        with pytest.raises(DomainError, match="客户反映的问题"):
            svc.complaint_create(actor=cast.alice, customer=customer, data={"description": "  "})
        with pytest.raises(Forbidden):
            svc.complaint_create(actor=cast.warehouse, customer=customer, data={"description": "x"})
        assert svc.complaint_create(actor=cast.alice, customer=customer, data={"description": "噪音大"}).created_by == cast.alice


class TestCapa:
    def test_from_investigation_to_closing(self, cast, complaint):
        c = investigated(complaint, cast)
        assert c.status == Complaint.Status.ACTIONS and c.investigator == cast.qc
        corrective = add(c, cast, owner=cast.warehouse)
        preventive = add(c, cast, kind="preventive")
        assert Notification.objects.filter(recipient=cast.warehouse, title__contains="纠正措施待您完成").exists()
        # the owner finishes, QC verifies; an ineffective action goes back to its owner
        svc.action_finish(action=corrective, actor=cast.warehouse, result="已召回 10 台并更换")
        svc.action_verify(action=corrective, actor=cast.qc, effective=True, verification="抽检 10 台无渗漏")
        svc.action_finish(action=preventive, actor=cast.qc, result="已切换供应商")
        back = svc.action_verify(action=preventive, actor=cast.qc, effective=False, verification="新供应商来料仍有不良")
        assert back.status == CorrectiveAction.Status.OPEN
        # closing is refused while an action is not verified and the customer has no answer
        with pytest.raises(Conflict, match="1 项措施.*尚未答复客户"):
            svc.complaint_close(complaint=c, actor=cast.qc)
        svc.action_finish(action=preventive, actor=cast.qc, result="改用第三家供应商")
        svc.action_verify(action=preventive, actor=cast.qc, effective=True, verification="连续三批合格")
        svc.complaint_answer(complaint=c, actor=cast.qc, answer="已查明为密封圈批次问题，已免费更换并改进来料检验。")
        approve_answer(c, cast)
        c = svc.complaint_close(complaint=c, actor=cast.qc)
        assert c.status == Complaint.Status.CLOSED and c.closed_by == cast.qc
        assert Notification.objects.filter(recipient=cast.service, title__contains="投诉已关闭").exists()

    def test_a_complaint_without_a_corrective_action_cannot_close(self, cast, complaint):
        c = investigated(complaint, cast)
        a = add(c, cast, kind="preventive")
        svc.action_finish(action=a, actor=cast.qc, result="完成")
        svc.action_verify(action=a, actor=cast.qc, effective=True, verification="有效")
        svc.complaint_answer(complaint=c, actor=cast.qc, answer="已答复")
        with pytest.raises(Conflict, match="至少需要一项纠正措施"):
            svc.complaint_close(complaint=c, actor=cast.qc)

    def test_who_may_do_what(self, cast, complaint):
        with pytest.raises(Forbidden):
            svc.complaint_investigate(complaint=complaint, actor=cast.service)
        c = investigated(complaint, cast)
        with pytest.raises(Forbidden):
            svc.action_add(
                complaint=c, actor=cast.alice, kind="corrective", description="d", owner=cast.alice, due_on=timezone.localdate()
            )
        a = add(c, cast, owner=cast.warehouse)
        with pytest.raises(Forbidden):
            svc.action_finish(action=a, actor=cast.alice, result="x")
        svc.action_finish(action=a, actor=cast.warehouse, result="完成")
        with pytest.raises(Forbidden):
            svc.action_verify(action=a, actor=cast.warehouse, effective=True, verification="自己验证")
        with pytest.raises(Conflict):
            svc.action_finish(action=a, actor=cast.warehouse, result="再完成一次")

    def test_due_days_and_owners_are_checked(self, cast, complaint):
        c = investigated(complaint, cast)
        with pytest.raises(DomainError, match="不能早于今天"):
            add(c, cast, days=-1)
        with pytest.raises(DomainError, match="纠正或预防"):
            svc.action_add(complaint=c, actor=cast.qc, kind="x", description="d", owner=cast.qc, due_on=timezone.localdate())

    def test_cancel_only_while_registered(self, cast, complaint):
        assert (
            svc.complaint_cancel(complaint=complaint, actor=cast.service, reason="客户撤回").status == Complaint.Status.CANCELLED
        )


class TestReminders:
    def test_overdue_actions_are_reminded_once_a_day(self, cast, complaint):
        c = investigated(complaint, cast)
        a = add(c, cast, owner=cast.warehouse, days=1)
        today = timezone.localdate()
        assert svc.actions_remind_overdue(today=today + timedelta(days=1)) == 0  # due today is not overdue
        assert svc.actions_remind_overdue(today=today + timedelta(days=2)) == 1
        assert svc.actions_remind_overdue(today=today + timedelta(days=2)) == 0
        assert svc.actions_remind_overdue(today=today + timedelta(days=3)) == 1
        assert Notification.objects.filter(recipient=cast.warehouse, title__contains="已过期限").count() == 2
        svc.action_finish(action=a, actor=cast.warehouse, result="完成")
        assert svc.actions_remind_overdue(today=today + timedelta(days=4)) == 0
