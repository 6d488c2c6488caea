"""/api/v1/ of the kernel: errors as {"code", "detail"}, approvals, the timeline of any visible document, notifications, me, token."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from customers.models import Customer
from salesops.core import approvals
from salesops.core.approvals import StepSpec
from salesops.core.models import ApprovalStep, Attachment, Event, Notification
from salesops.core.notifications import notify
from salesops.core.timeline import record_event
from tests.factories import CustomerFactory

from .conftest import KIND, special_route

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def customer(cast):
    return CustomerFactory(owner=cast.alice, name="苏州恒达机械有限公司")


@pytest.fixture
def ct_id():
    return ContentType.objects.get_for_model(Customer).pk


@pytest.fixture
def review(cast, customer, outcomes):
    """A special-contract style review of alice's customer, submitted by alice."""
    return approvals.approval_start(
        target=customer, kind=KIND, steps=special_route(), actor=cast.alice, title="合同评审 HT-202611-0007", url="/c/7/"
    )


def decide_url(step):
    return f"/api/v1/approval-steps/{step.pk}/decide/"


class TestErrorShape:
    def test_unauthenticated_is_refused_with_code_not_authenticated(self):
        # (403, not 401: session authentication comes first and sends no WWW-Authenticate header)
        r = APIClient().get("/api/v1/me/")
        assert r.status_code == 403 and r.json()["code"] == "not_authenticated" and r.json()["detail"]
        bad_token = APIClient()
        bad_token.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
        r = bad_token.get("/api/v1/me/")
        assert r.status_code == 403 and r.json()["code"] == "authentication_failed"

    def test_a_domain_error_is_400_with_the_chinese_message(self, cast, api_as, customer, ct_id):
        r = api_as(cast.alice).post(f"/api/v1/timeline/{ct_id}/{customer.pk}/comments/", {"text": "   "}, format="json")
        assert r.status_code == 400 and r.json() == {"code": "invalid", "detail": "评论内容不能为空。"}

    def test_a_serializer_error_is_400_invalid_naming_the_field(self, cast, api_as, review):
        step = review.steps.get(code="technical")
        r = api_as(cast.rev_technical).post(decide_url(step), {"decision": "maybe"}, format="json")
        assert r.status_code == 400 and r.json()["code"] == "invalid" and r.json()["detail"].startswith("审批结论（decision）：")


class TestApprovalSteps:
    def test_waiting_for_me_lists_only_my_current_steps(self, cast, api_as, review):
        body = api_as(cast.rev_technical).get("/api/v1/approval-steps/").json()
        assert [s["code"] for s in body["results"]] == ["technical"]
        step = body["results"][0]
        assert step["title"] == "合同评审 HT-202611-0007" and step["url"] == "/c/7/" and step["can_decide"] is True
        assert step["kind_label"] == "测试评审" and step["requested_by_name"] == "alice" and step["overdue"] is False
        assert api_as(cast.manager).get("/api/v1/approval-steps/").json()["results"] == []

    def test_decide_approves_then_a_second_decision_is_409_naming_who(self, cast, api_as, review):
        step = review.steps.get(code="technical")
        client = api_as(cast.rev_technical)
        r = client.post(decide_url(step), {"decision": "approve_with_conditions", "comment": "需提供图纸"}, format="json")
        assert r.status_code == 200, r.json()
        assert r.json()["status"] == "approved_with_conditions" and r.json()["decided_by_name"] == "rev_technical"
        # the same click again
        r = client.post(decide_url(step), {"decision": "approve"}, format="json")
        assert r.status_code == 409 and r.json()["code"] == "conflict"
        assert "已由 rev_technical 于" in r.json()["detail"]
        assert [s["id"] for s in client.get("/api/v1/approval-steps/decided/").json()["results"]] == [step.pk]

    def test_decide_by_someone_not_assigned_is_403(self, cast, api_as, review):
        # the sales manager sees alice's customer, so the step is no secret to him, but it is not his
        step = review.steps.get(code="technical")
        r = api_as(cast.manager).post(decide_url(step), {"decision": "approve"}, format="json")
        assert r.status_code == 403 and r.json()["code"] == "forbidden" and "不是分配给您的审批步骤" in r.json()["detail"]
        assert ApprovalStep.objects.get(pk=step.pk).status == ApprovalStep.Status.PENDING

    def test_a_step_of_a_document_the_user_may_not_see_is_404_and_names_nothing(self, cast, api_as, review):
        # carol (another team's rep) may not see alice's customer: its steps do not exist for her, pending or decided
        step = review.steps.get(code="technical")
        for _round in range(2):
            r = api_as(cast.carol).post(decide_url(step), {"decision": "approve"}, format="json")
            assert r.status_code == 404 and r.json()["code"] == "not_found", r.json()
            assert "技术" not in r.json()["detail"] and "rev_technical" not in r.json()["detail"]
            api_as(cast.rev_technical).post(decide_url(step), {"decision": "approve"}, format="json")
        assert ApprovalStep.objects.get(pk=step.pk).decided_by == cast.rev_technical

    def test_decide_a_later_stage_too_early_is_409_and_unknown_step_404(self, cast, api_as, review):
        r = api_as(cast.manager).post(decide_url(review.steps.get(code="manager")), {"decision": "approve"}, format="json")
        assert r.status_code == 409 and "还没有轮到" in r.json()["detail"]
        r = api_as(cast.manager).post("/api/v1/approval-steps/999999/decide/", {"decision": "approve"}, format="json")
        assert r.status_code == 404 and r.json()["code"] == "not_found"

    def test_reject_without_comment_is_400(self, cast, api_as, review):
        r = api_as(cast.rev_technical).post(decide_url(review.steps.get(code="technical")), {"decision": "reject"}, format="json")
        assert r.status_code == 400 and r.json()["detail"] == "不同意或有条件同意时必须填写意见。"

    def test_the_rounds_of_a_document_with_their_steps(self, cast, api_as, review, customer, ct_id):
        r = api_as(cast.alice).get(f"/api/v1/approval-requests/{ct_id}/{customer.pk}/")
        assert r.status_code == 200
        [round1] = r.json()
        assert round1["round"] == 1 and round1["status"] == "pending" and round1["kind_label"] == "测试评审"
        assert [s["code"] for s in round1["steps"]] == ["technical", "production", "quality", "manager", "vp", "gm"]
        assert all(s["can_decide"] is False for s in round1["steps"])  # alice is the requester
        # a rep of another team may not see alice's customer: its approvals do not exist for her
        r = api_as(cast.carol).get(f"/api/v1/approval-requests/{ct_id}/{customer.pk}/")
        assert r.status_code == 404 and r.json()["code"] == "not_found"


class TestListFilters:
    """The inbox and the notifications filter with their filter sets; an invalid value is a 400 naming it, never ignored."""

    def test_the_inbox_filters_by_kind_overdue_and_my_decision(self, cast, api_as, review):
        client = api_as(cast.rev_technical)
        assert [s["code"] for s in client.get("/api/v1/approval-steps/", {"kind": KIND}).json()["results"]] == ["technical"]
        assert client.get("/api/v1/approval-steps/", {"overdue": "true"}).json()["results"] == []
        assert [s["code"] for s in client.get("/api/v1/approval-steps/", {"overdue": "false"}).json()["results"]] == ["technical"]
        step = review.steps.get(code="technical")
        client.post(decide_url(step), {"decision": "approve"}, format="json")
        assert [s["id"] for s in client.get("/api/v1/approval-steps/decided/", {"result": "approved"}).json()["results"]] == [
            step.pk
        ]
        assert (
            client.get("/api/v1/approval-steps/decided/", {"result": "rejected", "q": "HT-202611-0007"}).json()["results"] == []
        )

    @pytest.mark.parametrize(
        ("url", "params", "named"),
        [
            ("/api/v1/approval-steps/", {"kind": "no_such_kind"}, "kind"),
            ("/api/v1/approval-steps/", {"overdue": "perhaps"}, "overdue"),
            ("/api/v1/approval-steps/decided/", {"result": "maybe"}, "result"),
            ("/api/v1/notifications/", {"show": "some"}, "show"),
        ],
    )
    def test_an_invalid_value_is_a_400_naming_the_parameter(self, cast, api_as, review, url, params, named):
        r = api_as(cast.rev_technical).get(url, params)
        assert r.status_code == 400 and r.json()["code"] == "invalid" and f"（{named}）：" in r.json()["detail"]
        assert named in r.json()["errors"]

    def test_show_all_is_still_everything_unread_first(self, cast, api_as):
        notify(recipients=[cast.alice], title="一", email=False)
        assert [n["title"] for n in api_as(cast.alice).get("/api/v1/notifications/", {"show": "all"}).json()["results"]] == ["一"]


def test_a_user_name_field_without_a_user_is_an_empty_string_not_null(cast, api_as, customer, ct_id):
    record_event(target=customer, verb=Event.Verb.COMMENT, actor=None, message="系统记录")
    events = api_as(cast.alice).get(f"/api/v1/timeline/{ct_id}/{customer.pk}/").json()["results"]
    assert [e["actor_name"] for e in events if e["message"] == "系统记录"] == [""]


class TestTimeline:
    def test_the_owner_reads_the_timeline_newest_first(self, cast, api_as, customer, ct_id):
        client = api_as(cast.alice)
        assert (
            client.post(f"/api/v1/timeline/{ct_id}/{customer.pk}/comments/", {"text": "第一条"}, format="json").status_code == 201
        )
        r = client.post(f"/api/v1/timeline/{ct_id}/{customer.pk}/comments/", {"text": "第二条"}, format="json")
        assert r.status_code == 201 and r.json()["verb"] == "comment" and r.json()["actor_name"] == "alice"
        body = client.get(f"/api/v1/timeline/{ct_id}/{customer.pk}/").json()
        assert [e["message"] for e in body["results"]][:2] == ["第二条", "第一条"] and body["count"] >= 2

    def test_upload_an_attachment_multipart_and_download_it(self, cast, api_as, customer, ct_id):
        client = api_as(cast.alice)
        upload = SimpleUploadedFile("签字合同.pdf", PDF, content_type="application/pdf")
        r = client.post(
            f"/api/v1/timeline/{ct_id}/{customer.pk}/attachments/",
            {"file": upload, "kind": "signed_contract"},
            format="multipart",
        )
        assert r.status_code == 201, r.json()
        assert r.json()["name"] == "签字合同.pdf" and r.json()["kind_display"] == "签字盖章合同扫描件"
        assert [a["name"] for a in client.get(f"/api/v1/timeline/{ct_id}/{customer.pk}/attachments/").json()] == ["签字合同.pdf"]
        download = client.get(r.json()["download_url"])
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    def test_a_bad_attachment_is_400_with_the_reason(self, cast, api_as, customer, ct_id):
        upload = SimpleUploadedFile("tool.exe", b"MZ\x90\x00")
        r = api_as(cast.alice).post(f"/api/v1/timeline/{ct_id}/{customer.pk}/attachments/", {"file": upload}, format="multipart")
        assert r.status_code == 400 and "不支持的文件类型“.exe”" in r.json()["detail"]
        assert not Attachment.objects.exists()

    def test_a_rep_cannot_see_or_touch_another_reps_customer(self, cast, api_as, customer, ct_id):
        # given alice's customer has a comment and a file
        client = api_as(cast.alice)
        client.post(f"/api/v1/timeline/{ct_id}/{customer.pk}/comments/", {"text": "内部备注"}, format="json")
        r = client.post(
            f"/api/v1/timeline/{ct_id}/{customer.pk}/attachments/", {"file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart"
        )
        attachment_url = r.json()["download_url"]
        # when carol (another team) tries to read or write it, then it does not exist for her
        carol = api_as(cast.carol)
        base = f"/api/v1/timeline/{ct_id}/{customer.pk}/"
        assert carol.get(base).status_code == 404
        assert carol.get(base).json() == {"code": "not_found", "detail": "未找到，或您无权查看。"}
        assert carol.post(base + "comments/", {"text": "偷看"}, format="json").status_code == 404
        assert (
            carol.post(base + "attachments/", {"file": SimpleUploadedFile("b.pdf", PDF)}, format="multipart").status_code == 404
        )
        assert carol.get(base + "attachments/").status_code == 404
        assert carol.get(attachment_url).status_code == 404
        assert Event.objects.filter(actor=cast.carol).count() == 0
        # while alice's team lead and the clerk may
        assert api_as(cast.lena).get(base).status_code == 200
        assert api_as(cast.clerk).get(base).status_code == 200

    def test_an_unknown_content_type_or_unregistered_model_is_404(self, cast, api_as):
        assert api_as(cast.admin).get("/api/v1/timeline/999999/1/").status_code == 404
        group_ct = ContentType.objects.get(app_label="auth", model="group").pk
        assert api_as(cast.admin).get(f"/api/v1/timeline/{group_ct}/1/").status_code == 404


class TestNotifications:
    def test_list_mark_read_and_unread_count_are_per_user(self, cast, api_as):
        a1 = notify(recipients=[cast.alice], title="一", email=False)[0]
        notify(recipients=[cast.alice], title="二", email=False)
        notify(recipients=[cast.bob], title="bob 的", email=False)
        client = api_as(cast.alice)

        assert [n["title"] for n in client.get("/api/v1/notifications/").json()["results"]] == ["二", "一"]
        assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
        assert client.post("/api/v1/notifications/mark-read/", {"ids": [a1.pk]}, format="json").json() == {
            "marked": 1,
            "unread": 1,
        }
        assert [n["title"] for n in client.get("/api/v1/notifications/", {"show": "unread"}).json()["results"]] == ["二"]
        assert client.post("/api/v1/notifications/mark-read/", {}, format="json").json() == {"marked": 1, "unread": 0}
        # bob's notification is untouched and invisible to alice
        bob_note = Notification.objects.get(recipient=cast.bob)
        assert bob_note.read_at is None
        assert client.get(f"/api/v1/notifications/{bob_note.pk}/").status_code == 404


class TestMeAndToken:
    def test_me_describes_the_user_with_counts(self, cast, api_as, review):
        notify(recipients=[cast.rev_technical], title="另一条", email=False)
        body = api_as(cast.rev_technical).get("/api/v1/me/").json()
        assert (
            body["username"] == "rev_technical"
            and body["roles"] == ["reviewer_technical"]
            and body["role_labels"] == ["技术部评审"]
        )
        assert body["department"]["code"] == "technical" and body["team"] is None
        assert body["counts"] == {"approvals": 1, "unread": 2}  # the review request + the other one
        alice = api_as(cast.alice).get("/api/v1/me/").json()
        assert alice["team"]["name"] == "华东组" and alice["counts"]["approvals"] == 0

    def test_a_token_is_obtained_with_username_and_password_and_works(self, cast):
        client = APIClient()
        r = client.post("/api/v1/auth/token/", {"username": "alice", "password": "pass12345"}, format="json")
        assert r.status_code == 200 and len(r.json()["token"]) == 40
        token_client = APIClient()
        token_client.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
        assert token_client.get("/api/v1/me/").json()["username"] == "alice"

    def test_a_wrong_password_gets_no_token(self, cast):
        r = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
        assert r.status_code == 400 and r.json()["code"] == "invalid"


class TestDocs:
    def test_the_schema_and_the_offline_swagger_ui_are_served(self, cast, client_as):
        client = client_as(cast.alice)
        schema = client.get("/api/schema/")
        assert schema.status_code == 200
        text = schema.content.decode()
        for path in (
            "/api/v1/approval-steps/{id}/decide/",
            "/api/v1/timeline/{ct_id}/{obj_id}/",
            "/api/v1/me/",
            "/api/v1/auth/token/",
        ):
            assert path in text
        docs = client.get("/api/docs/")
        assert docs.status_code == 200
        html = docs.content.decode()
        assert "swagger-ui" in html and "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_a_named_user_step_shows_in_that_users_inbox_only(cast, api_as, customer, outcomes):
    approvals.approval_start(
        target=customer,
        kind=KIND,
        steps=[StepSpec(code="lead", label="组长确认", stage=1, user_id=cast.lena.pk)],
        actor=cast.alice,
        title="x",
    )
    assert [s["code"] for s in api_as(cast.lena).get("/api/v1/approval-steps/").json()["results"]] == ["lead"]
    assert api_as(cast.bob).get("/api/v1/approval-steps/").json()["results"] == []
