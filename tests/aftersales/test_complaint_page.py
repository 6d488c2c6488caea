"""The complaint's page (and its API detail): what it costs to read, and whom it names as the answer's approver.

1. Queries: the complaint is read with the people it names (原因分析人 cause_by, 答复人 answered_by, the source callback
   and its order: selectors.complaint_detail_for) and its corrective/preventive actions with their owners and verifiers,
   so the page costs a fixed number of queries — pinned here — however many actions, approval rounds, comments and
   attachments it has; the API detail likewise.
2. The approver: the hint beside the answer's approval names who will approve it (permissions.complaint_answer_approver,
   the route's own rule: the sales VP; the GM when the VP wrote the root cause or the answer, or submitted it; nobody
   when the VP and the GM both wrote part of it), on the page and as `answer_approver` in the API."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales import permissions, rules
from aftersales.models import Callback, Complaint
from aftersales.services import complaints as svc
from salesops.core import approvals, timeline
from tests.aftersales.test_complaint_answer_review import answered, fresh

pytestmark = pytest.mark.django_db

# The page of a complaint in 整改中 with a pending answer, as QC (who wrote the root cause and the answer) reads it: the
# session, the user, the user's roles; the complaint (with its people and callback), its actions (prefetched with owners
# and verifiers); the pending round's approver (the hint); the approvals badge of the menu; the returns of the
# complaint; the active users (the 添加措施 form's 责任人 choices); the approval rounds, their steps and the steps'
# deciders and departments; the timeline's events and attachments.
QC_PAGE_QUERIES = 15

VP_CAUSE = "新原因：密封圈供应商换料未通知"
VP_HINT = "主管领导（销售副总）批准答复后方可关闭投诉"
GM_HINT = "总经理批准答复后方可关闭投诉"
NOBODY_HINT = "无人可以审批"


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n% test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", content_type="application/pdf"
    )


def grown(cast, customer, n: int) -> Complaint:
    """A complaint in 整改中 whose answer QC submitted `n` times, the VP rejecting each, and then once more (pending);
    with `n` of each kind of action (open, done, verified) owned by different people, `n` comments and `n` attachments
    by different people."""
    c = svc.complaint_create(actor=cast.service, customer=customer, data={"description": "泵体渗水", "severity": "major"})
    c = svc.complaint_investigate(complaint=c, actor=cast.qc)
    c = svc.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")
    people = [cast.warehouse, cast.service, cast.clerk, cast.alice, cast.manager, cast.finance]
    due = timezone.localdate() + timedelta(days=7)
    for i in range(n):
        for state in ("open", "done", "verified"):
            owner = people[(3 * i + len(state)) % len(people)]
            a = svc.action_add(
                complaint=c, actor=cast.qc, kind="corrective", description=f"措施 {i} {state}", owner=owner, due_on=due
            )
            if state != "open":
                a = svc.action_finish(action=a, actor=owner, result="已完成")
            if state == "verified":
                svc.action_verify(action=a, actor=cast.qc, effective=True, verification="有效")
    svc.complaint_answer(complaint=fresh(c), actor=cast.qc, answer="已免费更换密封圈。")
    for _ in range(n):
        svc.complaint_submit_answer(complaint=fresh(c), actor=cast.qc)
        step = permissions.complaint_answer_step(fresh(c))
        approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="reject", comment="请补充赔偿方案")
    svc.complaint_submit_answer(complaint=fresh(c), actor=cast.qc)
    for i in range(n):
        writer = people[i % len(people)]
        timeline.comment_add(target=c, actor=writer, text=f"跟进 {i}")
        timeline.attachment_add(target=c, actor=writer, upload=pdf(f"报告{i}.pdf"))
    c = fresh(c)
    assert c.status == Complaint.Status.ACTIONS and c.answer_status == Complaint.AnswerStatus.PENDING
    assert c.actions.count() == 3 * n
    return c


def page_queries(client, c) -> tuple[int, str]:
    client.get(c.get_absolute_url())  # warm: what a process reads once (content types, thresholds)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(c.get_absolute_url())
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def api_queries(client, c) -> int:
    client.get(f"/api/v1/complaints/{c.pk}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/complaints/{c.pk}/")
    assert response.status_code == 200
    return len(queries.captured_queries)


# --- 1. a fixed number of queries -------------------------------------------------------------------------------------
class TestQueries:
    def test_the_qc_page_costs_a_pinned_number_of_queries(self, cast, client_as, customer, django_assert_num_queries):
        c = grown(cast, customer, 1)
        client = client_as(cast.qc)
        client.get(c.get_absolute_url())
        with django_assert_num_queries(QC_PAGE_QUERIES):
            assert client.get(c.get_absolute_url()).status_code == 200

    @pytest.mark.parametrize("who", ["qc", "vp", "gm", "warehouse", "alice", "service"])
    def test_more_actions_rounds_comments_and_files_cost_no_more(self, cast, client_as, customer, who):
        small, large = grown(cast, customer, 1), grown(cast, customer, 4)
        client = client_as(getattr(cast, who))
        small_count, _page = page_queries(client, small)
        large_count, page = page_queries(client, large)
        assert large_count == small_count, who
        # and the large page does show all of it
        assert page.count('data-testid="capa-row"') == 12 and page.count('data-testid="approval-round"') == 5
        assert "跟进 3" in page and "报告3.pdf" in page

    def test_the_people_and_the_callback_it_names_are_read_with_the_complaint(self, cast, client_as, customer, delivered):
        """原因分析人 and 答复人 other than the reader, and the callback it came from (named by its order): no query of
        its own for any of them on the page."""
        by_qc = grown(cast, customer, 1)
        by_others = grown(cast, customer, 1)
        # the same complaint, but its root cause by the manager, its answer by the team lead, opened from a callback
        callback = Callback.objects.filter(order=delivered[0]).first()
        Complaint.objects.filter(pk=by_others.pk).update(cause_by=cast.manager, answered_by=cast.lena, source_callback=callback)
        client = client_as(cast.qc)
        same, _page = page_queries(client, by_qc)
        others, page = page_queries(client, by_others)
        # no query for any of them (nor for the people's roles: the pending round says who approves)
        assert others == same
        assert "manager" in page and "lena" in page
        assert 'data-testid="complaint-callback"' in page and delivered[0].number in page

    @pytest.mark.parametrize("who", ["qc", "vp", "alice"])
    def test_the_api_detail_costs_no_more_either(self, cast, api_as, customer, who):
        small, large = grown(cast, customer, 1), grown(cast, customer, 4)
        client = api_as(getattr(cast, who))
        assert api_queries(client, large) == api_queries(client, small), who
        assert len(client.get(f"/api/v1/complaints/{large.pk}/").json()["actions"]) == 12


# --- 2. who approves the answer -----------------------------------------------------------------------------------------
def hint_of(client, c) -> tuple[str, str]:
    page = client.get(c.get_absolute_url()).content.decode()
    start = page.index('data-testid="answer-approver-hint"')
    tag = page[start : page.index("</small>", start)]
    return tag.split('data-approver="', 1)[1].split('"', 1)[0], tag.split(">", 1)[1]


class TestApprover:
    def test_the_hint_per_approver(self):
        assert rules.complaint_answer_close_hint("sales_vp") == VP_HINT
        assert rules.complaint_answer_close_hint("gm") == GM_HINT
        assert NOBODY_HINT in rules.complaint_answer_close_hint(None)

    def test_qc_wrote_both_the_vp_approves(self, cast, client_as, api_as, customer):
        c = answered(cast, customer, cast.qc)
        assert permissions.complaint_answer_approver(c) == "sales_vp"
        assert hint_of(client_as(cast.qc), c) == ("sales_vp", VP_HINT)
        data = api_as(cast.qc).get(f"/api/v1/complaints/{c.pk}/").json()
        assert (data["answer_approver"], data["answer_approver_name"], data["answer_approver_hint"]) == (
            "sales_vp",
            "销售副总",
            VP_HINT,
        )

    @pytest.mark.parametrize("what", ["cause", "answer"])
    def test_the_vp_wrote_the_cause_or_the_answer_the_gm_approves(self, cast, client_as, api_as, customer, what):
        # given the VP wrote the root cause (QC the answer), or the answer
        c = answered(cast, customer, cast.vp if what == "answer" else cast.qc)
        if what == "cause":
            svc.complaint_record_cause(complaint=c, actor=cast.vp, root_cause=VP_CAUSE)
        c = fresh(c)
        # then the page and the API name the GM, before it is submitted, to everyone who reads it
        for reader in (cast.qc, cast.vp, cast.gm, cast.alice):
            assert hint_of(client_as(reader), c) == ("gm", GM_HINT), reader
        data = api_as(cast.qc).get(f"/api/v1/complaints/{c.pk}/").json()
        assert (data["answer_approver"], data["answer_approver_name"], data["answer_approver_hint"]) == ("gm", "总经理", GM_HINT)
        # and the round QC submits does go to the GM, as said; it still says so once the GM approved it
        svc.complaint_submit_answer(complaint=c, actor=cast.qc)
        step = permissions.complaint_answer_step(fresh(c))
        assert step.assignee_role == "gm"
        assert hint_of(client_as(cast.qc), c) == ("gm", GM_HINT)
        approvals.approval_decide(step_id=step.pk, actor=cast.gm, decision="approve")
        assert hint_of(client_as(cast.qc), c) == ("gm", GM_HINT)

    def test_a_round_the_vp_submitted_is_the_gms(self, cast, client_as, api_as, customer):
        """QC's answer goes to the VP — unless the VP submits it: then that round is the GM's, and the page says so."""
        c = answered(cast, customer, cast.qc)
        assert hint_of(client_as(cast.vp), c) == ("sales_vp", VP_HINT)
        client_as(cast.vp).post(reverse("aftersales:complaint_action", args=[c.pk, "submit_answer"]))
        assert permissions.complaint_answer_step(fresh(c)).assignee_role == "gm"
        assert hint_of(client_as(cast.qc), c) == ("gm", GM_HINT)
        assert api_as(cast.qc).get(f"/api/v1/complaints/{c.pk}/").json()["answer_approver"] == "gm"
        # rejected: the next round goes by the route again (whoever submits it, the VP approves QC's answer)
        step = permissions.complaint_answer_step(fresh(c))
        approvals.approval_decide(step_id=step.pk, actor=cast.gm, decision="reject", comment="补充")
        assert hint_of(client_as(cast.qc), c) == ("sales_vp", VP_HINT)

    def test_vp_cause_and_gm_answer_nobody_approves(self, cast, client_as, api_as, customer):
        c = answered(cast, customer, cast.gm)
        svc.complaint_record_cause(complaint=c, actor=cast.vp, root_cause=VP_CAUSE)
        approver, hint = hint_of(client_as(cast.qc), fresh(c))
        assert approver == "" and NOBODY_HINT in hint
        data = api_as(cast.qc).get(f"/api/v1/complaints/{c.pk}/").json()
        assert data["answer_approver"] is None and data["answer_approver_name"] is None
        assert NOBODY_HINT in data["answer_approver_hint"]

    def test_no_hint_before_there_is_an_answer(self, cast, client_as, customer):
        c = svc.complaint_create(actor=cast.service, customer=customer, data={"description": "泵体渗水"})
        page = client_as(cast.qc).get(c.get_absolute_url()).content.decode()
        assert 'data-testid="answer-approver-hint"' not in page and VP_HINT not in page
