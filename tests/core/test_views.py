"""Kernel pages: the approvals inbox (待我审批 / 我已处理), deciding from a page, the approval rounds partial,
notifications, and login throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from salesops.core import approvals
from salesops.core.approvals import StepSpec
from salesops.core.models import ApprovalRequest, ApprovalStep, Notification
from salesops.core.notifications import notify

from .conftest import step_of

pytestmark = pytest.mark.django_db

INBOX = "/core/approvals/"
NOTIFICATIONS = "/core/notifications/"


def decide_url(step):
    return reverse("core:approval_decide", args=[step.pk])


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


class TestInbox:
    def test_waiting_steps_are_listed_with_the_count_in_the_nav(self, cast, client_as, start):
        start()
        r = client_as(cast.rev_technical).get(INBOX)
        assert r.status_code == 200
        html = r.content.decode()
        assert 'data-testid="nav-approvals-count">1<' in html
        assert 'data-testid="count-waiting">1<' in html
        assert html.count('data-testid="inbox-step"') == 1
        assert "测试合同 HT-202611-0001" in html and "技术部评审" in html and 'href="/docs/1/"' in html
        # deciding happens on the document, at the step waiting for this user
        step = ApprovalStep.objects.get(status="pending", assignee_role="reviewer_technical")
        assert f'href="/docs/1/#approval-step-{step.pk}"' in html and 'data-testid="approval-decide-form"' not in html
        # someone with nothing to do sees an empty inbox and no badge
        empty = client_as(cast.bob).get(INBOX).content.decode()
        assert 'data-testid="inbox-empty"' in empty and "nav-approvals-count" not in empty

    def test_an_overdue_step_is_highlighted(self, cast, client_as, start):
        request = start()
        step_of(request, "technical").__class__.objects.filter(pk=step_of(request, "technical").pk).update(
            activated_at=timezone.now() - timedelta(hours=30)
        )
        html = client_as(cast.rev_technical).get(INBOX).content.decode()
        assert 'data-overdue="1"' in html and 'data-testid="overdue-badge"' in html
        fresh = client_as(cast.rev_quality).get(INBOX).content.decode()
        assert 'data-overdue="0"' in fresh and "overdue-badge" not in fresh
        # the "only overdue" filter keeps the old one
        assert client_as(cast.rev_quality).get(INBOX, {"overdue": "1"}).content.decode().count('data-testid="inbox-step"') == 0

    def test_the_done_tab_lists_what_i_decided(self, cast, client_as, start):
        request = start()
        approvals.approval_decide(
            step_id=step_of(request, "technical").pk, actor=cast.rev_technical, decision="reject", comment="精度达不到"
        )
        html = client_as(cast.rev_technical).get(INBOX, {"tab": "done"}).content.decode()
        assert 'data-testid="count-done">1<' in html and html.count('data-testid="done-step"') == 1
        assert "精度达不到" in html and 'data-status="rejected"' in html
        assert (
            client_as(cast.rev_technical)
            .get(INBOX, {"tab": "done", "result": "approved"})
            .content.decode()
            .count('data-testid="done-step"')
            == 0
        )

    def test_search_and_pagination(self, cast, client_as, doc, outcomes):
        route = [StepSpec(code="manager", label="销售部经理审批", stage=1, role="sales_manager")]
        for i in range(25):
            approvals.approval_start(
                target=doc, kind=f"k{i}", steps=route, actor=cast.alice, title=f"报价单 QT-202611-{i + 1:04d}"
            )
        client = client_as(cast.manager)
        first = client.get(INBOX).content.decode()
        assert first.count('data-testid="inbox-step"') == 20 and 'data-testid="page-next"' in first
        assert client.get(INBOX, {"page": 2}).content.decode().count('data-testid="inbox-step"') == 5
        assert client.get(INBOX, {"q": "QT-202611-0007"}).content.decode().count('data-testid="inbox-step"') == 1

    def test_the_filter_bar_filters_by_kind_and_an_unknown_kind_is_a_visible_error(self, cast, client_as, start, outcomes):
        start()
        client = client_as(cast.rev_technical)
        page = client.get(INBOX)
        html = page.content.decode()
        assert 'data-testid="list-filters"' in html and 'name="tab" value="waiting"' in html
        assert '<select name="kind" class="form-select" data-testid="filter-kind"' in html
        assert '<option value="test_review">测试评审</option>' in html and "只看超时（超过 24 小时）" in html
        assert client.get(INBOX, {"kind": "test_review"}).content.decode().count('data-testid="inbox-step"') == 1
        bad = client.get(INBOX, {"kind": "no_such_kind"})
        html = bad.content.decode()
        assert bad.status_code == 400 and 'data-testid="filter-errors"' in html and "no_such_kind" in html
        assert html.count('data-testid="inbox-step"') == 0 and "is-invalid" in html
        assert client.get(INBOX, {"tab": "done", "result": "maybe"}).status_code == 400

    def test_the_inbox_needs_a_login(self, client):
        r = client.get(INBOX)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


class TestDecideFromThePage:
    def test_approve_redirects_back_with_a_message(self, cast, client_as, start):
        request = start()
        step = step_of(request, "technical")
        r = client_as(cast.rev_technical).post(decide_url(step), {"decision": "approve", "next": INBOX}, follow=True)
        assert r.redirect_chain[-1][0] == INBOX
        assert "已处理“技术部评审”：同意。" in messages_of(r)
        step.refresh_from_db()
        assert step.status == ApprovalStep.Status.APPROVED and step.decided_by == cast.rev_technical

    def test_a_refusal_is_shown_as_the_chinese_message_and_changes_nothing(self, cast, client_as, start):
        request = start()
        step = step_of(request, "technical")
        client = client_as(cast.rev_technical)
        # reject without a reason
        r = client.post(decide_url(step), {"decision": "reject", "comment": "", "next": INBOX}, follow=True)
        assert "不同意或有条件同意时必须填写意见。" in messages_of(r)
        assert ApprovalStep.objects.get(pk=step.pk).status == ApprovalStep.Status.PENDING
        # not my step
        r = client_as(cast.rev_quality).post(decide_url(step), {"decision": "approve"}, follow=True)
        assert "“技术部评审”不是分配给您的审批步骤。" in messages_of(r)
        # twice
        client.post(decide_url(step), {"decision": "approve"})
        r = client.post(decide_url(step), {"decision": "approve"}, follow=True)
        assert any("已由 rev_technical 于" in m for m in messages_of(r))

    def test_an_unknown_step_is_404_and_get_is_not_allowed(self, cast, client_as, start):
        request = start()
        client = client_as(cast.rev_technical)
        assert client.post("/core/approvals/steps/999999/decide/", {"decision": "approve"}).status_code == 404
        assert client.get(decide_url(step_of(request, "technical"))).status_code == 405

    def test_next_must_be_on_this_site(self, cast, client_as, start):
        request = start()
        r = client_as(cast.rev_technical).post(
            decide_url(step_of(request, "technical")), {"decision": "approve", "next": "https://evil.example/"}
        )
        assert r.status_code == 302 and r["Location"] == INBOX


class TestApprovalRoundsPartial:
    def render(self, user, doc):
        request = RequestFactory().get("/docs/1/")
        request.user = user
        return Template("{% load core_tags %}{% approval_rounds obj %}").render(
            Context({"request": request, "obj": doc, "csrf_token": "t"})
        )

    def test_rounds_newest_first_with_stages_side_by_side_and_a_form_only_where_the_user_may_decide(self, cast, doc, start):
        first = start()
        approvals.approval_decide(
            step_id=step_of(first, "technical").pk, actor=cast.rev_technical, decision="reject", comment="图纸不全"
        )
        start()

        html = self.render(cast.rev_technical, doc)
        assert html.index('data-round="2"') < html.index('data-round="1"')
        assert html.count('data-testid="approval-step"') == 12 and html.count('data-testid="approval-stage"') == 8
        assert "图纸不全" in html and "rev_technical" in html and "并行评审" in html
        # the technical reviewer may act on round 2's technical step only
        assert html.count('data-testid="approval-decide-form"') == 1
        round2_technical = step_of(ApprovalRequest.objects.get(round=2), "technical")
        assert f'action="{decide_url(round2_technical)}"' in html and 'data-testid="approval-submit"' in html
        # the requester and a bystander see the opinions but no form
        assert 'data-testid="approval-decide-form"' not in self.render(cast.alice, doc)
        assert 'data-testid="approval-decide-form"' not in self.render(cast.manager, doc)

    def test_statuses_are_badges_in_the_colours_of_the_engine(self, cast, doc, start):
        first = start()
        approvals.approval_decide(
            step_id=step_of(first, "technical").pk, actor=cast.rev_technical, decision="reject", comment="否"
        )
        start()
        html = self.render(cast.alice, doc)

        def badge(css, testid, status, label):
            return f'<span class="badge status-badge {css}" data-testid="{testid}" data-status="{status}">{label}</span>'

        assert badge("bg-danger", "approval-round-status", "rejected", "已驳回") in html
        assert badge("bg-warning text-dark", "approval-round-status", "pending", "审批中") in html
        assert badge("bg-danger", "approval-step-status", "rejected", "不同意") in html
        assert badge("bg-warning text-dark", "approval-step-status", "pending", "待处理") in html
        assert badge("bg-secondary", "approval-step-status", "waiting", "未开始") in html

    def test_no_rounds_yet(self, cast, doc):
        assert 'data-testid="approval-rounds-empty"' in self.render(cast.alice, doc)


class TestNotificationsPage:
    def test_unread_first_then_mark_one_then_all_read(self, cast, client_as):
        n1 = notify(recipients=[cast.alice], title="审批已通过：QT-1", url="/q/1/", email=False)[0]
        notify(recipients=[cast.alice], title="审批被驳回：QT-2", url="/q/2/", email=False)
        notify(recipients=[cast.bob], title="bob 的通知", email=False)
        client = client_as(cast.alice)

        html = client.get(NOTIFICATIONS).content.decode()
        assert html.count('data-testid="notification"') == 2 and "bob 的通知" not in html
        assert 'data-testid="nav-unread-count">2<' in html

        r = client.post(reverse("core:notification_mark_read", args=[n1.pk]), {"next": NOTIFICATIONS})
        assert r.status_code == 302 and Notification.objects.get(pk=n1.pk).read_at is not None
        html = client.get(NOTIFICATIONS, {"show": "unread"}).content.decode()
        assert html.count('data-testid="notification"') == 1 and "QT-2" in html

        client.post(reverse("core:notifications_mark_all_read"))
        assert not Notification.objects.filter(recipient=cast.alice, read_at__isnull=True).exists()
        assert "nav-unread-count" not in client.get(NOTIFICATIONS).content.decode()
        assert Notification.objects.get(recipient=cast.bob).read_at is None

    def test_an_unknown_show_value_is_a_visible_error_not_every_notification(self, cast, client_as):
        notify(recipients=[cast.alice], title="一条通知", email=False)
        r = client_as(cast.alice).get(NOTIFICATIONS, {"show": "bogus"})
        html = r.content.decode()
        assert r.status_code == 400 and 'data-testid="filter-errors"' in html
        assert 'data-testid="notification"' not in html and 'data-testid="filter-show"' in html

    def test_click_through_marks_read_and_goes_to_the_document(self, cast, client_as):
        n = notify(recipients=[cast.alice], title="待您审批", url="/contracts/7/", email=False)[0]
        r = client_as(cast.alice).get(reverse("core:notification_open", args=[n.pk]))
        assert r.status_code == 302 and r["Location"] == "/contracts/7/"
        assert Notification.objects.get(pk=n.pk).read_at is not None

    def test_someone_elses_notification_is_404(self, cast, client_as):
        n = notify(recipients=[cast.bob], title="bob 的", url="/x/", email=False)[0]
        client = client_as(cast.alice)
        assert client.get(reverse("core:notification_open", args=[n.pk])).status_code == 404
        assert client.post(reverse("core:notification_mark_read", args=[n.pk])).status_code == 404
        assert Notification.objects.get(pk=n.pk).read_at is None

    def test_pagination(self, cast, client_as):
        for i in range(23):
            notify(recipients=[cast.alice], title=f"通知{i}", email=False)
        client = client_as(cast.alice)
        assert client.get(NOTIFICATIONS).content.decode().count('data-testid="notification"') == 20
        assert client.get(NOTIFICATIONS, {"page": 2}).content.decode().count('data-testid="notification"') == 3


class TestTimelineForms:
    """The comment and attachment forms of the timeline partial post to the generic views (visibility-checked)."""

    def test_comment_and_upload_from_a_document_page(self, cast, client_as):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.factories import CustomerFactory

        customer = CustomerFactory(owner=cast.alice)
        ct = ContentType.objects.get_for_model(customer).pk
        client = client_as(cast.alice)
        r = client.post(reverse("core:comment_add", args=[ct, customer.pk]), {"text": "已电话沟通"}, HTTP_REFERER="/customers/")
        assert r.status_code == 302 and r["Location"] == "/customers/"
        r = client.post(reverse("core:comment_add", args=[ct, customer.pk]), {"text": " "}, follow=True)
        assert "评论内容不能为空。" in messages_of(r)
        r = client.post(
            reverse("core:attachment_add", args=[ct, customer.pk]),
            {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")},
            follow=True,
        )
        assert "附件已上传。" in messages_of(r)
        # carol may not see the customer: 404, nothing written
        carol = client_as(cast.carol)
        assert carol.post(reverse("core:comment_add", args=[ct, customer.pk]), {"text": "x"}).status_code == 404


class TestLoginThrottling:
    def test_after_five_failures_the_right_password_is_refused(self, cast):
        client = Client()
        # given five failed logins for alice from this address (the fifth already answers with the lockout page)
        statuses = [
            client.post("/accounts/login/", {"username": "alice", "password": "wrong-password"}).status_code for _ in range(5)
        ]
        assert statuses == [200, 200, 200, 200, 429] and "_auth_user_id" not in client.session
        # when she then types the right password
        r = client.post("/accounts/login/", {"username": "alice", "password": "pass12345"})
        # then she is still refused, with the lockout page, and not logged in
        assert r.status_code == 429
        assert "登录失败次数过多" in r.content.decode()
        assert "_auth_user_id" not in client.session
        # while bob, from the same address, can still log in
        r = client.post("/accounts/login/", {"username": "bob", "password": "pass12345"})
        assert r.status_code == 302 and client.session["_auth_user_id"] == str(cast.bob.pk)

    def test_four_failures_then_the_right_password_logs_in(self, cast):
        client = Client()
        for _ in range(4):
            client.post("/accounts/login/", {"username": "alice", "password": "wrong-password"})
        r = client.post("/accounts/login/", {"username": "alice", "password": "pass12345"})
        assert r.status_code == 302 and client.session["_auth_user_id"] == str(cast.alice.pk)
