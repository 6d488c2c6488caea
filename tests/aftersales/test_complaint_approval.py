"""The complaint's answer (用户投诉处理意见) is approved by the company's leadership in charge — the sales VP — before the
complaint may be closed (服务过程控制程序 3.3: 公司主管领导负责审批…用户投诉处理意见等).

QC saves the answer, then submits it (提交主管领导审批); the VP approves or rejects it with a reason in 待我审批; QC hears
the outcome. While a round is pending the answer is not changed; a revised answer needs a new round; closing is refused
until the current answer is approved."""

import pytest
from django.urls import reverse

from aftersales import permissions
from aftersales.models import Complaint
from aftersales.permissions import complaint_allowed_actions, complaint_answer_step
from aftersales.services import complaints as svc
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import ApprovalRequest, Notification
from tests.aftersales.conftest import approve_answer
from tests.core.conftest import run_in_threads

pytestmark = pytest.mark.django_db

from tests.aftersales.test_complaint_answer_review import NOT_APPROVED, answered


@pytest.fixture
def ready(cast, customer):
    """Given a 严重 complaint with its root cause, one corrective action done and verified effective, and QC's answer:
    everything but the leadership's approval."""
    return answered(cast, customer, cast.qc)


def fresh(c) -> Complaint:
    return Complaint.objects.get(pk=c.pk)


def rounds(c):
    return list(approvals.requests_for(c, "complaint_answer"))


class TestService:
    def test_close_is_refused_until_the_answer_is_approved(self, cast, ready):
        # given an answered complaint whose answer was never submitted
        assert ready.answer_status == Complaint.AnswerStatus.NONE
        # when QC closes it, then it is refused with the reason
        with pytest.raises(Conflict, match=NOT_APPROVED):
            svc.complaint_close(complaint=ready, actor=cast.qc)
        # and while the round is pending too
        c = svc.complaint_submit_answer(complaint=ready, actor=cast.qc)
        assert c.answer_status == Complaint.AnswerStatus.PENDING
        with pytest.raises(Conflict, match=NOT_APPROVED):
            svc.complaint_close(complaint=c, actor=cast.qc)
        # when the VP approves, then it closes
        step = complaint_answer_step(fresh(c))
        approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="approve")
        assert fresh(c).answer_status == Complaint.AnswerStatus.APPROVED
        closed = svc.complaint_close(complaint=c, actor=cast.qc)
        assert closed.status == Complaint.Status.CLOSED

    def test_submit_opens_one_round_for_the_vp_and_two_clicks_make_one(self, cast, ready):
        svc.complaint_submit_answer(complaint=ready, actor=cast.qc)
        with pytest.raises(Conflict, match="已提交主管领导审批"):
            svc.complaint_submit_answer(complaint=ready, actor=cast.qc)
        [r] = rounds(ready)
        assert r.status == ApprovalRequest.Status.PENDING and r.requested_by == cast.qc and r.round == 1
        [step] = r.steps.all()
        assert step.assignee_role == "sales_vp" and step.status == "pending"
        assert Notification.objects.filter(recipient=cast.vp, title__contains=ready.number).exists()

    def test_the_answer_is_not_changed_while_a_round_is_pending(self, cast, ready):
        svc.complaint_submit_answer(complaint=ready, actor=cast.qc)
        with pytest.raises(Conflict, match="审批结束前不能修改"):
            svc.complaint_answer(complaint=ready, actor=cast.qc, answer="改一下")
        assert fresh(ready).answer == "已免费更换密封圈并加强来料检验。"
        assert "answer" not in complaint_allowed_actions(fresh(ready), cast.qc)

    def test_reject_needs_a_reason_then_qc_revises_and_a_new_round_is_approved(self, cast, ready):
        svc.complaint_submit_answer(complaint=ready, actor=cast.qc)
        step = complaint_answer_step(fresh(ready))
        # a rejection without a reason is refused
        with pytest.raises(DomainError, match="必须填写意见"):
            approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="reject", comment=" ")
        approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="reject", comment="补充赔偿方案")
        c = fresh(ready)
        assert c.answer_status == Complaint.AnswerStatus.REJECTED
        # QC hears it, with the reason
        told = Notification.objects.filter(recipient=cast.qc, title__contains="审批被驳回").get()
        assert "补充赔偿方案" in told.body
        with pytest.raises(Conflict, match=NOT_APPROVED):
            svc.complaint_close(complaint=c, actor=cast.qc)
        # QC revises: the answer needs a new round
        c = svc.complaint_answer(complaint=c, actor=cast.qc, answer="已免费更换密封圈，并赔偿运费 200 元。")
        assert c.answer_status == Complaint.AnswerStatus.NONE
        c = approve_answer(c, cast)
        assert c.answer_status == Complaint.AnswerStatus.APPROVED
        assert [r.status for r in rounds(c)] == ["approved", "rejected"] and rounds(c)[0].round == 2
        assert Notification.objects.filter(recipient=cast.qc, title__contains="审批已通过").exists()
        assert svc.complaint_close(complaint=c, actor=cast.qc).status == Complaint.Status.CLOSED

    def test_a_revision_after_approval_needs_a_new_round_and_the_same_text_changes_nothing(self, cast, ready):
        c = approve_answer(ready, cast)
        # the same text again: nothing changes, still approved
        c = svc.complaint_answer(complaint=c, actor=cast.qc, answer=c.answer)
        assert fresh(c).answer_status == Complaint.AnswerStatus.APPROVED
        # a revised text: back to "not submitted", close refused, a third round is possible
        c = svc.complaint_answer(complaint=c, actor=cast.qc, answer="新的答复")
        assert fresh(c).answer_status == Complaint.AnswerStatus.NONE
        with pytest.raises(Conflict, match=NOT_APPROVED):
            svc.complaint_close(complaint=c, actor=cast.qc)
        assert approve_answer(c, cast).answer_status == Complaint.AnswerStatus.APPROVED
        assert len(rounds(c)) == 2

    def test_an_approved_answer_is_not_submitted_again(self, cast, ready):
        c = approve_answer(ready, cast)
        with pytest.raises(Conflict, match="已经主管领导批准"):
            svc.complaint_submit_answer(complaint=c, actor=cast.qc)

    def test_a_rejected_answer_may_be_submitted_again_as_it_is(self, cast, ready):
        c = approve_answer(ready, cast, decision="reject", comment="请先核实")
        c = approve_answer(c, cast)
        assert c.answer_status == Complaint.AnswerStatus.APPROVED and len(rounds(c)) == 2


class TestWhoMay:
    @pytest.mark.parametrize(
        ("who", "may"),
        [("qc", True), ("manager", True), ("gm", True), ("vp", True), ("service", False), ("alice", False)],
    )
    def test_submit(self, cast, ready, who, may):
        """QC and the managers submit (the VP's own submission goes to the GM: tests/aftersales/
        test_complaint_answer_review.py); service and the rep do not answer complaints."""
        user = getattr(cast, who)
        assert ("submit_answer" in complaint_allowed_actions(ready, user)) is may
        if may:
            assert svc.complaint_submit_answer(complaint=ready, actor=user).answer_status == "pending"
        else:
            with pytest.raises(Forbidden):
                svc.complaint_submit_answer(complaint=ready, actor=user)
            assert fresh(ready).answer_status == "none" and not rounds(ready)

    @pytest.mark.parametrize(
        ("who", "may"),
        [("qc", False), ("manager", False), ("gm", False), ("vp", True), ("service", False), ("alice", False)],
    )
    def test_decide(self, cast, ready, who, may):
        """Only the sales VP decides (the gm submitted it here, so even the QC who wrote it is no approver)."""
        svc.complaint_submit_answer(complaint=ready, actor=cast.gm if who != "gm" else cast.qc)
        user = getattr(cast, who)
        assert ("decide_answer" in complaint_allowed_actions(fresh(ready), user)) is may
        step = complaint_answer_step(fresh(ready))
        if may:
            approvals.approval_decide(step_id=step.pk, actor=user, decision="approve")
            assert fresh(ready).answer_status == "approved"
        else:
            with pytest.raises(Forbidden):
                approvals.approval_decide(step_id=step.pk, actor=user, decision="approve")
            assert fresh(ready).answer_status == "pending"

    def test_a_second_decision_is_refused_with_what_was_decided(self, cast, ready):
        svc.complaint_submit_answer(complaint=ready, actor=cast.qc)
        step = complaint_answer_step(fresh(ready))
        approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="approve")
        with pytest.raises(Conflict, match="不能重复处理"):
            approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="reject", comment="不行")
        assert fresh(ready).answer_status == "approved"


class TestPage:
    def _page(self, client_as, user, c):
        response = client_as(user).get(c.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode()

    def test_submit_decide_and_close_on_the_page(self, cast, client_as, ready):
        url = ready.get_absolute_url()
        page = self._page(client_as, cast.qc, ready)
        assert 'data-testid="action-submit_answer"' in page and 'data-testid="answer-status" data-status="none"' in page
        assert NOT_APPROVED in page  # among the close blockers
        # when QC submits (twice), then one round, and the second click says so
        qc = client_as(cast.qc)
        submit = reverse("aftersales:complaint_action", args=[ready.pk, "submit_answer"])
        assert qc.post(submit).status_code == 302
        again = qc.post(submit, follow=True).content.decode()
        assert len(rounds(ready)) == 1 and "已提交主管领导审批" in again
        page = self._page(client_as, cast.qc, ready)
        assert 'data-status="pending"' in page and 'data-testid="answer-pending"' in page
        assert 'data-testid="action-answer"' not in page and 'data-testid="approval-decide-form"' not in page
        # the VP decides on the complaint's page
        page = self._page(client_as, cast.vp, ready)
        assert 'data-testid="approval-decide-form"' in page
        step = complaint_answer_step(fresh(ready))
        response = client_as(cast.vp).post(
            reverse("core:approval_decide", args=[step.pk]), {"decision": "reject", "comment": "请补充赔偿方案", "next": url}
        )
        assert response.status_code == 302 and response["Location"] == url
        page = self._page(client_as, cast.qc, ready)
        assert 'data-testid="answer-status" data-status="rejected"' in page and "请补充赔偿方案" in page
        assert 'data-testid="action-answer"' in page and 'data-testid="action-submit_answer"' in page
        # revise, submit, approve, close
        qc.post(reverse("aftersales:complaint_action", args=[ready.pk, "answer"]), {"answer": "已更换并赔偿运费"})
        qc.post(submit)
        step = complaint_answer_step(fresh(ready))
        client_as(cast.vp).post(reverse("core:approval_decide", args=[step.pk]), {"decision": "approve", "next": url})
        page = self._page(client_as, cast.qc, ready)
        assert 'data-testid="answer-status" data-status="approved"' in page and NOT_APPROVED not in page
        assert page.count('data-testid="approval-round"') == 2
        assert qc.post(reverse("aftersales:complaint_action", args=[ready.pk, "close"])).status_code == 302
        assert fresh(ready).status == Complaint.Status.CLOSED

    def test_a_refused_close_names_the_missing_approval(self, cast, client_as, ready):
        response = client_as(cast.qc).post(reverse("aftersales:complaint_action", args=[ready.pk, "close"]))
        assert response.status_code == 409 and NOT_APPROVED in response.content.decode()

    @pytest.mark.parametrize("who", ["qc", "manager", "vp", "gm", "service", "alice"])
    def test_the_page_offers_what_the_api_allows(self, cast, client_as, api_as, ready, who):
        svc.complaint_submit_answer(complaint=ready, actor=cast.qc)
        user = getattr(cast, who)
        page = self._page(client_as, user, ready)
        api = api_as(user).get(f"/api/v1/complaints/{ready.pk}/").json()
        allowed = permissions.complaint_allowed_actions(fresh(ready), user)
        assert api["allowed_actions"] == allowed
        assert f'data-allowed-actions="{" ".join(allowed)}"' in page
        assert ('data-testid="approval-decide-form"' in page) is (who == "vp")


class TestApi:
    def test_submit_state_and_decision_through_the_api(self, cast, api_as, ready):
        qc, vp = api_as(cast.qc), api_as(cast.vp)
        base = f"/api/v1/complaints/{ready.pk}"
        detail = qc.get(f"{base}/").json()
        assert detail["answer_status"] == "none" and detail["answer_approvals"] == []
        assert "submit_answer" in detail["allowed_actions"] and NOT_APPROVED in detail["close_blockers"]
        assert qc.post(f"{base}/close/").status_code == 409
        # QC submits, once
        detail = qc.post(f"{base}/submit-answer/").json()
        assert detail["answer_status"] == "pending" and detail["answer_status_display"] == "审批中"
        again = qc.post(f"{base}/submit-answer/")
        assert again.status_code == 409 and "已提交主管领导审批" in again.json()["detail"]
        assert qc.post(f"{base}/answer/", {"answer": "改"}, format="json").status_code == 409
        [r] = detail["answer_approvals"]
        assert r["status"] == "pending" and r["kind"] == "complaint_answer"
        assert r["steps"][0]["can_decide"] is False
        vp_view = vp.get(f"{base}/").json()
        step_id = vp_view["answer_approvals"][0]["steps"][0]["id"]
        assert vp_view["answer_approvals"][0]["steps"][0]["can_decide"] is True and "decide_answer" in vp_view["allowed_actions"]
        # reject without a reason: 400; with one: rejected
        assert vp.post(f"/api/v1/approval-steps/{step_id}/decide/", {"decision": "reject"}, format="json").status_code == 400
        r = vp.post(f"/api/v1/approval-steps/{step_id}/decide/", {"decision": "reject", "comment": "措辞不当"}, format="json")
        assert r.status_code == 200
        assert qc.get(f"{base}/").json()["answer_status"] == "rejected"
        # revise, submit, approve, close
        qc.post(f"{base}/answer/", {"answer": "已更换，致歉"}, format="json")
        detail = qc.post(f"{base}/submit-answer/").json()
        step_id = detail["answer_approvals"][0]["steps"][0]["id"]
        assert vp.post(f"/api/v1/approval-steps/{step_id}/decide/", {"decision": "approve"}, format="json").status_code == 200
        detail = qc.get(f"{base}/").json()
        assert detail["answer_status"] == "approved" and [x["status"] for x in detail["answer_approvals"]] == [
            "approved",
            "rejected",
        ]
        assert detail["close_blockers"] == []
        assert qc.post(f"{base}/close/").json()["status"] == "closed"


class TestInbox:
    def test_the_vp_alone_has_it_waiting_with_a_summary(self, cast, api_as, client_as, ready):
        svc.complaint_submit_answer(complaint=ready, actor=cast.qc)

        def waiting(user):
            data = api_as(user).get("/api/v1/approval-steps/").json()
            rows = data["results"] if isinstance(data, dict) else data
            return [row for row in rows if row["kind"] == "complaint_answer"]

        [row] = waiting(cast.vp)
        assert ready.number in row["title"] and row["can_decide"] is True and row["kind_label"] == "投诉处理意见"
        summary = {item["label"]: item["value"] for item in row["summary"]}
        assert summary["客户"] == ready.customer.name and summary["严重程度"] == "严重"
        assert summary["原因分析"] == "密封圈批次不良" and summary["答复客户"] == "已免费更换密封圈并加强来料检验。"
        assert "召回更换密封圈" in summary["纠正与预防措施"]
        for who in ("qc", "manager", "gm", "service", "alice"):
            assert waiting(getattr(cast, who)) == [], who
        assert ready.number in client_as(cast.vp).get(reverse("core:approvals_inbox")).content.decode()
        assert ready.number not in client_as(cast.gm).get(reverse("core:approvals_inbox")).content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestConcurrency:
    """Real threads on PostgreSQL: the complaint is locked first, then the approval (the engine's LOCKER)."""

    def test_four_submissions_at_once_open_one_round(self, on_postgres, cast, ready):
        results = run_in_threads(4, lambda i: svc.complaint_submit_answer(complaint=ready, actor=cast.qc))
        assert sum(isinstance(r, Complaint) for r in results) == 1
        assert all(isinstance(r, Conflict) for r in results if not isinstance(r, Complaint))
        assert len(rounds(ready)) == 1 and fresh(ready).answer_status == "pending"

    def test_a_decision_and_a_revision_at_once_wait_on_each_other(self, on_postgres, cast, ready):
        svc.complaint_submit_answer(complaint=ready, actor=cast.qc)
        step = complaint_answer_step(fresh(ready))

        def act(i):
            if i == 0:
                return approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="approve")
            return svc.complaint_answer(complaint=ready, actor=cast.qc, answer="并发修改的答复")

        decided, revised = run_in_threads(2, act)
        assert not isinstance(decided, Exception), decided
        c = fresh(ready)
        if isinstance(revised, Exception):  # the revision came first: refused while the round was pending
            assert isinstance(revised, Conflict) and c.answer_status == "approved" and c.answer != "并发修改的答复"
        else:  # the decision came first: the revised answer needs a new round
            assert c.answer == "并发修改的答复" and c.answer_status == "none"
