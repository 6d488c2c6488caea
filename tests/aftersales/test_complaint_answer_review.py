"""Two rules of the complaint answer's approval by the leadership (服务过程控制程序 3.3: 公司主管领导负责审批…用户投诉处理
意见等).

1. Nobody approves an answer they wrote or submitted: the answer's author is the round's owner (ApprovalRequest.owner)
   and the submitter its requester, so the approvals engine refuses both — in 待我审批, on the complaint's page and
   through the API — and the round goes to the next level: an answer the sales VP wrote or submits goes to the GM.
2. An answer that changes after the decision needs a new one: the approval covers the root cause and the answer
   (rules.COMPLAINT_ANSWER_FIELDS); editing either after an approval or a rejection makes it 未提交审批 again (recorded
   with what changed), so the complaint closes only after a new round is approved. The corrective/preventive actions are
   documents of their own, each verified by QC, and leave the approval as it is."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from aftersales import rules
from aftersales.models import Complaint
from aftersales.permissions import complaint_allowed_actions, complaint_answer_step
from aftersales.services import complaints as svc
from salesops.core import approvals
from salesops.core.errors import Conflict, Forbidden
from salesops.core.models import ApprovalRequest, Event
from tests.aftersales.conftest import approve_answer

pytestmark = pytest.mark.django_db

NOT_APPROVED = "答复未经主管领导批准"


def fresh(c) -> Complaint:
    return Complaint.objects.get(pk=c.pk)


def answered(cast, customer, author) -> Complaint:
    """Given a complaint with its root cause and one corrective action verified effective, answered by `author`:
    everything but the leadership's approval."""
    c = svc.complaint_create(actor=cast.service, customer=customer, data={"description": "泵体渗水", "severity": "major"})
    c = svc.complaint_investigate(complaint=c, actor=cast.qc)
    c = svc.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")
    a = svc.action_add(
        complaint=c,
        actor=cast.qc,
        kind="corrective",
        description="召回更换密封圈",
        owner=cast.warehouse,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    a = svc.action_finish(action=a, actor=cast.warehouse, result="已更换 10 台")
    svc.action_verify(action=a, actor=cast.qc, effective=True, verification="抽检无渗漏")
    svc.complaint_answer(complaint=c, actor=author, answer="已免费更换密封圈并加强来料检验。")
    return fresh(c)


@pytest.fixture
def by_vp(cast, customer):
    """The sales VP — who approves answers — wrote this one."""
    return answered(cast, customer, cast.vp)


@pytest.fixture
def by_qc(cast, customer):
    return answered(cast, customer, cast.qc)


def the_round(c) -> ApprovalRequest:
    return approvals.requests_for(c, rules.COMPLAINT_ANSWER_KIND).first()


def waiting(api_as, user) -> list:
    data = api_as(user).get("/api/v1/approval-steps/").json()
    rows = data["results"] if isinstance(data, dict) else data
    return [row for row in rows if row["kind"] == rules.COMPLAINT_ANSWER_KIND]


# --- 1. nobody approves an answer they wrote or submitted ------------------------------------------------------------
class TestOwnAnswer:
    def test_the_vps_answer_submitted_by_qc_goes_to_the_gm_and_the_vp_may_not_approve_it(self, cast, by_vp):
        # when QC submits the answer the VP wrote
        svc.complaint_submit_answer(complaint=by_vp, actor=cast.qc)
        r = the_round(by_vp)
        # then the VP is the round's owner, QC its requester, and it waits for the GM
        assert (r.owner, r.requested_by) == (cast.vp, cast.qc)
        [step] = r.steps.all()
        assert step.assignee_role == "gm" and step.reason["msgid"] == rules.WHY_COMPLAINT_ANSWER_VP_OWN
        assert "decide_answer" not in complaint_allowed_actions(fresh(by_vp), cast.vp)
        assert "decide_answer" in complaint_allowed_actions(fresh(by_vp), cast.gm)
        with pytest.raises(Forbidden):
            approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="approve")
        assert fresh(by_vp).answer_status == "pending"
        # the GM approves; the complaint closes
        approvals.approval_decide(step_id=step.pk, actor=cast.gm, decision="approve")
        assert fresh(by_vp).answer_status == "approved"
        assert svc.complaint_close(complaint=by_vp, actor=cast.qc).status == Complaint.Status.CLOSED

    def test_the_vp_submits_own_answer_to_the_gm(self, cast, by_vp):
        assert "submit_answer" in complaint_allowed_actions(by_vp, cast.vp)
        svc.complaint_submit_answer(complaint=by_vp, actor=cast.vp)
        r = the_round(by_vp)
        assert r.requested_by == cast.vp and r.owner == cast.vp
        assert [s.assignee_role for s in r.steps.all()] == ["gm"]
        approvals.approval_decide(step_id=complaint_answer_step(fresh(by_vp)).pk, actor=cast.gm, decision="approve")
        assert fresh(by_vp).answer_status == "approved"

    def test_qc_submitting_own_answer_goes_to_the_vp_with_qc_as_owner(self, cast, by_qc):
        svc.complaint_submit_answer(complaint=by_qc, actor=cast.manager)
        r = the_round(by_qc)
        assert (r.owner, r.requested_by) == (cast.qc, cast.manager)
        assert [s.assignee_role for s in r.steps.all()] == ["sales_vp"]

    def test_nobody_left_to_approve_is_refused(self, cast, by_vp):
        """The VP wrote it and the GM would submit it: neither may approve it, so the GM may not submit it (QC may)."""
        assert "submit_answer" not in complaint_allowed_actions(by_vp, cast.gm)
        with pytest.raises(Forbidden, match="无人可以审批"):
            svc.complaint_submit_answer(complaint=by_vp, actor=cast.gm)
        assert fresh(by_vp).answer_status == "none" and the_round(by_vp) is None
        assert svc.complaint_submit_answer(complaint=by_vp, actor=cast.qc).answer_status == "pending"

    def test_the_author_is_refused_by_the_owner_rule_even_when_the_step_is_theirs(self, cast, api_as, by_qc):
        """QC wrote the answer and the manager submitted it; QC is then made sales VP too: as the round's owner QC still may
        not approve it (the engine's own-document rule), whatever the route."""
        svc.complaint_submit_answer(complaint=by_qc, actor=cast.manager)
        cast.qc.groups.add(Group.objects.get(name="sales_vp"))
        qc = type(cast.qc).objects.get(pk=cast.qc.pk)  # roles read again
        step = complaint_answer_step(fresh(by_qc))
        assert approvals.is_assignee(step, qc) and not approvals.can_decide(step, qc)
        assert "decide_answer" not in complaint_allowed_actions(fresh(by_qc), qc)
        assert waiting(api_as, qc) == []
        response = api_as(qc).post(f"/api/v1/approval-steps/{step.pk}/decide/", {"decision": "approve"}, format="json")
        assert response.status_code == 403 and response.json()["detail"] == "不能审批自己的单据。"
        assert fresh(by_qc).answer_status == "pending"


class TestOwnAnswerOnThePageApiAndInbox:
    def test_page(self, cast, client_as, by_vp):
        svc.complaint_submit_answer(complaint=by_vp, actor=cast.qc)
        url = by_vp.get_absolute_url()
        page = client_as(cast.vp).get(url).content.decode()
        assert 'data-testid="approval-decide-form"' not in page and 'data-testid="answer-pending"' in page
        assert 'data-testid="approval-decide-form"' in client_as(cast.gm).get(url).content.decode()
        # a decision posted anyway is refused with the reason, nothing decided
        step = complaint_answer_step(fresh(by_vp))
        response = client_as(cast.vp).post(
            reverse("core:approval_decide", args=[step.pk]), {"decision": "approve", "next": url}, follow=True
        )
        assert "不是分配给您的审批步骤" in response.content.decode()
        assert fresh(by_vp).answer_status == "pending"

    def test_api(self, cast, api_as, by_vp):
        base = f"/api/v1/complaints/{by_vp.pk}"
        assert api_as(cast.qc).post(f"{base}/submit-answer/").status_code == 200
        vp_view = api_as(cast.vp).get(f"{base}/").json()
        [step] = vp_view["answer_approvals"][0]["steps"]
        assert step["can_decide"] is False and "decide_answer" not in vp_view["allowed_actions"]
        response = api_as(cast.vp).post(f"/api/v1/approval-steps/{step['id']}/decide/", {"decision": "approve"}, format="json")
        assert response.status_code == 403 and "不是分配给您的审批步骤" in response.json()["detail"]
        gm_view = api_as(cast.gm).get(f"{base}/").json()
        assert gm_view["answer_approvals"][0]["steps"][0]["can_decide"] is True
        decided = api_as(cast.gm).post(f"/api/v1/approval-steps/{step['id']}/decide/", {"decision": "approve"}, format="json")
        assert decided.status_code == 200
        assert api_as(cast.qc).post(f"{base}/close/").json()["status"] == "closed"

    def test_api_refuses_a_submission_nobody_could_approve(self, cast, api_as, by_vp):
        response = api_as(cast.gm).post(f"/api/v1/complaints/{by_vp.pk}/submit-answer/")
        assert response.status_code == 403 and "无人可以审批" in response.json()["detail"]

    def test_inbox(self, cast, api_as, client_as, by_vp):
        svc.complaint_submit_answer(complaint=by_vp, actor=cast.qc)
        assert waiting(api_as, cast.vp) == []
        [row] = waiting(api_as, cast.gm)
        assert by_vp.number in row["title"] and row["can_decide"] is True
        assert by_vp.number not in client_as(cast.vp).get(reverse("core:approvals_inbox")).content.decode()
        assert by_vp.number in client_as(cast.gm).get(reverse("core:approvals_inbox")).content.decode()


# --- 2. an approved (or rejected) answer that changes needs a new approval ----------------------------------------------
class TestRevisedAfterDecision:
    def test_approve_edit_the_root_cause_close_refused_resubmit_approve_close(self, cast, by_qc):
        c = approve_answer(by_qc, cast)
        assert c.answer_status == "approved"
        # when QC revises the root cause
        c = svc.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良，来料未抽检")
        # then the answer is not submitted any more and the complaint may not close
        assert fresh(c).answer_status == Complaint.AnswerStatus.NONE
        with pytest.raises(Conflict, match=NOT_APPROVED):
            svc.complaint_close(complaint=c, actor=cast.qc)
        # and the history says what changed
        event = Event.objects.filter(target_id=c.pk, verb=Event.Verb.APPROVAL, msgid__startswith="修改了已经审批").get()
        assert "已批准" in event.message
        changes = {ch["field"]: (ch["old"], ch["new"]) for ch in event.changes}
        assert changes == {
            "root_cause": ("密封圈批次不良", "密封圈批次不良，来料未抽检"),
            "answer_status": ("已批准", "未提交审批"),
        }
        # resubmitted and approved again, it closes
        c = approve_answer(fresh(c), cast)
        assert c.answer_status == "approved"
        assert svc.complaint_close(complaint=c, actor=cast.qc).status == Complaint.Status.CLOSED

    def test_a_revised_answer_is_recorded_with_what_changed(self, cast, by_qc):
        c = approve_answer(by_qc, cast)
        svc.complaint_answer(complaint=c, actor=cast.qc, answer="已免费更换密封圈，并赔偿运费。")
        assert fresh(c).answer_status == "none"
        event = Event.objects.filter(target_id=c.pk, verb=Event.Verb.APPROVAL, msgid__startswith="修改了已经审批").get()
        assert {ch["field"] for ch in event.changes} == {"answer", "answer_status"}

    def test_the_root_cause_is_not_changed_while_a_round_is_pending(self, cast, by_qc):
        svc.complaint_submit_answer(complaint=by_qc, actor=cast.qc)
        assert "record_cause" not in complaint_allowed_actions(fresh(by_qc), cast.qc)
        with pytest.raises(Conflict, match="审批结束前不能修改"):
            svc.complaint_record_cause(complaint=by_qc, actor=cast.qc, root_cause="改一下")
        assert fresh(by_qc).root_cause == "密封圈批次不良" and fresh(by_qc).answer_status == "pending"

    def test_a_rejected_answer_whose_root_cause_changes_is_not_submitted_again(self, cast, by_qc):
        c = approve_answer(by_qc, cast, decision="reject", comment="原因分析不充分")
        assert c.answer_status == "rejected"
        svc.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="来料未抽检")
        assert fresh(c).answer_status == "none"

    def test_what_the_approval_does_not_cover_leaves_it(self, cast, by_qc):
        """The same root cause again, and a new corrective action (a document of its own, verified by QC, a close
        blocker until then), leave the approval as it is."""
        c = approve_answer(by_qc, cast)
        svc.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")
        svc.action_add(
            complaint=c,
            actor=cast.qc,
            kind="preventive",
            description="来料逐批抽检",
            owner=cast.warehouse,
            due_on=timezone.localdate() + timedelta(days=7),
        )
        assert fresh(c).answer_status == "approved"
        assert not Event.objects.filter(target_id=c.pk, msgid__startswith="修改了已经审批").exists()

    def test_on_the_page(self, cast, client_as, by_qc):
        c = approve_answer(by_qc, cast)
        qc = client_as(cast.qc)
        assert 'data-testid="answer-reapproval-hint"' in qc.get(c.get_absolute_url()).content.decode()
        response = qc.post(reverse("aftersales:complaint_action", args=[c.pk, "record_cause"]), {"root_cause": "来料未抽检"})
        assert response.status_code == 302 and fresh(c).answer_status == "none"
        page = qc.get(c.get_absolute_url()).content.decode()
        assert 'data-testid="answer-status" data-status="none"' in page and NOT_APPROVED in page
        assert 'data-testid="action-submit_answer"' in page
        refused = qc.post(reverse("aftersales:complaint_action", args=[c.pk, "close"]))
        assert refused.status_code == 409 and NOT_APPROVED in refused.content.decode()
        qc.post(reverse("aftersales:complaint_action", args=[c.pk, "submit_answer"]))
        step = complaint_answer_step(fresh(c))
        client_as(cast.vp).post(reverse("core:approval_decide", args=[step.pk]), {"decision": "approve"})
        assert qc.post(reverse("aftersales:complaint_action", args=[c.pk, "close"])).status_code == 302
        assert fresh(c).status == Complaint.Status.CLOSED

    def test_through_the_api(self, cast, api_as, by_qc):
        c = approve_answer(by_qc, cast)
        qc, base = api_as(cast.qc), f"/api/v1/complaints/{c.pk}"
        detail = qc.post(f"{base}/root-cause/", {"root_cause": "来料未抽检"}, format="json").json()
        assert detail["answer_status"] == "none" and NOT_APPROVED in detail["close_blockers"]
        refused = qc.post(f"{base}/close/")
        assert refused.status_code == 409 and NOT_APPROVED in refused.json()["detail"]
        detail = qc.post(f"{base}/submit-answer/").json()
        assert detail["answer_status"] == "pending"
        assert qc.post(f"{base}/root-cause/", {"root_cause": "再改"}, format="json").status_code == 409
        step_id = detail["answer_approvals"][0]["steps"][0]["id"]
        vp = api_as(cast.vp)
        assert vp.post(f"/api/v1/approval-steps/{step_id}/decide/", {"decision": "approve"}, format="json").status_code == 200
        assert qc.post(f"{base}/close/").json()["status"] == "closed"
