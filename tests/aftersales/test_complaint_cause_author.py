"""The complaint's root cause (原因分析) has an author of its own (cause_by, cause_at), set whenever it changes.

The leadership approves the root cause together with the answer (rules.COMPLAINT_ANSWER_FIELDS), so nobody approves an
answer whose root cause they wrote: a root cause the sales VP wrote sends the answer to the GM, as an answer the VP wrote
does (服务过程控制程序 3.3: 公司主管领导负责审批…用户投诉处理意见等; nobody approves their own document)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales import rules
from aftersales.models import Complaint
from aftersales.permissions import complaint_allowed_actions, complaint_answer_step
from aftersales.services import complaints as svc
from salesops.core import approvals
from salesops.core.errors import Forbidden
from salesops.core.names import display_name
from tests.aftersales.test_complaint_answer_review import answered, fresh, the_round, waiting

pytestmark = pytest.mark.django_db

VP_CAUSE = "新原因：密封圈供应商换料未通知"


def investigating(cast, customer) -> Complaint:
    """Given a complaint QC is investigating, no root cause yet."""
    c = svc.complaint_create(actor=cast.service, customer=customer, data={"description": "泵体渗水"})
    return svc.complaint_investigate(complaint=c, actor=cast.qc)


@pytest.fixture
def by_qc(cast, customer):
    """QC wrote both the root cause and the answer (the normal case)."""
    return answered(cast, customer, cast.qc)


@pytest.fixture
def vp_cause(cast, customer):
    """QC answered; then the sales VP — who approves answers — rewrote the root cause."""
    c = answered(cast, customer, cast.qc)
    svc.complaint_record_cause(complaint=c, actor=cast.vp, root_cause=VP_CAUSE)
    return fresh(c)


# --- who wrote the root cause, and when -----------------------------------------------------------------------------
class TestCauseAuthor:
    def test_recorded_with_who_and_when_whenever_it_changes(self, cast, customer):
        # given a complaint under investigation: no root cause, nobody recorded
        c = investigating(cast, customer)
        assert (c.cause_by, c.cause_at) == (None, None)
        # when QC records the root cause
        before = timezone.now()
        svc.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")
        # then QC is its author, now
        c = fresh(c)
        assert c.cause_by == cast.qc and c.cause_at >= before
        first_at = c.cause_at
        # the same text again, by someone else, changes nothing: QC is still its author
        svc.complaint_record_cause(complaint=c, actor=cast.manager, root_cause="密封圈批次不良")
        assert (fresh(c).cause_by, fresh(c).cause_at) == (cast.qc, first_at)
        # a changed root cause has a new author
        svc.complaint_record_cause(complaint=c, actor=cast.vp, root_cause=VP_CAUSE)
        c = fresh(c)
        assert c.cause_by == cast.vp and c.cause_at >= first_at and c.root_cause == VP_CAUSE

    def test_on_the_page(self, cast, client_as, customer):
        # given a complaint under investigation, its page shows no author of the root cause
        c = investigating(cast, customer)
        qc = client_as(cast.qc)
        assert 'data-testid="complaint-cause-author"' not in qc.get(c.get_absolute_url()).content.decode()
        # when QC records the root cause on the page
        response = qc.post(reverse("aftersales:complaint_action", args=[c.pk, "record_cause"]), {"root_cause": "来料未抽检"})
        assert response.status_code == 302
        # then the complaint names QC as its author, and the page shows who and when
        c = fresh(c)
        assert c.cause_by == cast.qc and c.cause_at is not None
        page = qc.get(c.get_absolute_url()).content.decode()
        when = timezone.localtime(c.cause_at).strftime("%Y-%m-%d %H:%M")
        assert f'data-testid="complaint-cause-author">（{display_name(cast.qc)} {when}）' in page

    def test_through_the_api(self, cast, api_as, customer):
        # given a complaint under investigation: the detail has no author of the root cause
        c = investigating(cast, customer)
        qc, base = api_as(cast.qc), f"/api/v1/complaints/{c.pk}"
        detail = qc.get(f"{base}/").json()
        assert (detail["cause_by"], detail["cause_by_name"], detail["cause_at"]) == (None, "", None)
        # when QC records the root cause through the API
        detail = qc.post(f"{base}/root-cause/", {"root_cause": "来料未抽检"}, format="json").json()
        # then the detail says who wrote it and when
        assert detail["cause_by"] == cast.qc.pk and detail["cause_by_name"] == display_name(cast.qc)
        assert detail["cause_at"] is not None
        # and the VP's rewrite names the VP
        detail = api_as(cast.vp).post(f"{base}/root-cause/", {"root_cause": VP_CAUSE}, format="json").json()
        assert detail["cause_by"] == cast.vp.pk and detail["cause_by_name"] == display_name(cast.vp)


# --- nobody approves an answer whose root cause they wrote --------------------------------------------------------------
class TestVpWroteTheCause:
    def test_qc_submits_and_the_gm_decides_not_the_vp(self, cast, vp_cause):
        # given the VP wrote the root cause and QC the answer
        assert (vp_cause.cause_by, vp_cause.answered_by) == (cast.vp, cast.qc)
        # when QC submits the answer
        svc.complaint_submit_answer(complaint=vp_cause, actor=cast.qc)
        # then the round waits for the GM, saying why
        r = the_round(vp_cause)
        assert (r.owner, r.requested_by) == (cast.qc, cast.qc)
        [step] = r.steps.all()
        assert step.assignee_role == "gm" and step.reason["msgid"] == rules.WHY_COMPLAINT_ANSWER_VP_CAUSE
        # and the VP may not decide it
        assert "decide_answer" not in complaint_allowed_actions(fresh(vp_cause), cast.vp)
        assert "decide_answer" in complaint_allowed_actions(fresh(vp_cause), cast.gm)
        with pytest.raises(Forbidden):
            approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="approve")
        assert fresh(vp_cause).answer_status == "pending"
        # the GM approves; the complaint closes
        approvals.approval_decide(step_id=step.pk, actor=cast.gm, decision="approve")
        assert fresh(vp_cause).answer_status == "approved"
        assert svc.complaint_close(complaint=vp_cause, actor=cast.qc).status == Complaint.Status.CLOSED

    def test_on_the_page(self, cast, client_as, vp_cause):
        # given QC submitted on the page the answer whose root cause the VP wrote
        url = vp_cause.get_absolute_url()
        qc = client_as(cast.qc)
        assert qc.post(reverse("aftersales:complaint_action", args=[vp_cause.pk, "submit_answer"])).status_code == 302
        # then the VP is offered no decision, the GM is
        page = client_as(cast.vp).get(url).content.decode()
        assert 'data-testid="approval-decide-form"' not in page and 'data-testid="answer-pending"' in page
        assert 'data-testid="approval-decide-form"' in client_as(cast.gm).get(url).content.decode()
        # and a decision the VP posts anyway is refused with the reason, nothing decided
        step = complaint_answer_step(fresh(vp_cause))
        response = client_as(cast.vp).post(
            reverse("core:approval_decide", args=[step.pk]), {"decision": "approve", "next": url}, follow=True
        )
        assert "不是分配给您的审批步骤" in response.content.decode()
        assert fresh(vp_cause).answer_status == "pending"

    def test_through_the_api_and_the_inbox(self, cast, api_as, vp_cause):
        # given QC submitted through the API the answer whose root cause the VP wrote
        base = f"/api/v1/complaints/{vp_cause.pk}"
        assert api_as(cast.qc).post(f"{base}/submit-answer/").status_code == 200
        # then the VP may not decide it (403) and does not find it in 待我审批; the GM does
        vp_view = api_as(cast.vp).get(f"{base}/").json()
        [step] = vp_view["answer_approvals"][0]["steps"]
        assert step["can_decide"] is False and "decide_answer" not in vp_view["allowed_actions"]
        assert waiting(api_as, cast.vp) == []
        response = api_as(cast.vp).post(f"/api/v1/approval-steps/{step['id']}/decide/", {"decision": "approve"}, format="json")
        assert response.status_code == 403 and "不是分配给您的审批步骤" in response.json()["detail"]
        [row] = waiting(api_as, cast.gm)
        assert vp_cause.number in row["title"] and row["can_decide"] is True
        decided = api_as(cast.gm).post(f"/api/v1/approval-steps/{step['id']}/decide/", {"decision": "approve"}, format="json")
        assert decided.status_code == 200
        assert api_as(cast.qc).get(f"{base}/").json()["answer_status"] == "approved"

    def test_vp_cause_and_gm_answer_leave_nobody_to_approve(self, cast, api_as, customer):
        # given the VP wrote the root cause and the GM the answer
        c = answered(cast, customer, cast.gm)
        svc.complaint_record_cause(complaint=c, actor=cast.vp, root_cause=VP_CAUSE)
        c = fresh(c)
        # then nobody may submit it: neither the VP nor the GM may approve it, whoever submits it
        assert "submit_answer" not in complaint_allowed_actions(c, cast.qc)
        with pytest.raises(Forbidden, match="本人撰写的原因分析或答复"):
            svc.complaint_submit_answer(complaint=c, actor=cast.qc)
        response = api_as(cast.qc).post(f"/api/v1/complaints/{c.pk}/submit-answer/")
        assert response.status_code == 403 and "本人撰写的原因分析或答复" in response.json()["detail"]
        assert fresh(c).answer_status == "none" and the_round(c) is None
        # once QC rewrites the root cause, the answer (the GM's) goes to the VP
        svc.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")
        svc.complaint_submit_answer(complaint=c, actor=cast.qc)
        assert [s.assignee_role for s in the_round(c).steps.all()] == ["sales_vp"]

    def test_a_cause_the_gm_wrote_goes_to_the_vp_as_a_gm_answer_does(self, cast, customer):
        # given the GM wrote the root cause and QC the answer
        c = answered(cast, customer, cast.qc)
        svc.complaint_record_cause(complaint=c, actor=cast.gm, root_cause="总经理分析：来料未抽检")
        # when QC submits it, then the VP decides it (the GM is not an approver of the answer's first level)
        svc.complaint_submit_answer(complaint=fresh(c), actor=cast.qc)
        [step] = the_round(c).steps.all()
        assert step.assignee_role == "sales_vp" and step.reason["msgid"] == rules.WHY_COMPLAINT_ANSWER


# --- the normal case is unchanged ------------------------------------------------------------------------------------
class TestQcWroteBoth:
    def test_goes_to_the_vp(self, cast, api_as, by_qc):
        # given QC wrote the root cause and the answer
        assert (by_qc.cause_by, by_qc.answered_by) == (cast.qc, cast.qc)
        # when QC submits it
        svc.complaint_submit_answer(complaint=by_qc, actor=cast.qc)
        # then the VP decides it, as before
        [step] = the_round(by_qc).steps.all()
        assert step.assignee_role == "sales_vp" and step.reason["msgid"] == rules.WHY_COMPLAINT_ANSWER
        assert "decide_answer" in complaint_allowed_actions(fresh(by_qc), cast.vp)
        [row] = waiting(api_as, cast.vp)
        assert by_qc.number in row["title"] and row["can_decide"] is True
        approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="approve")
        assert fresh(by_qc).answer_status == "approved"
