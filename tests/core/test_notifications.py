"""In-app notifications with an e-mail copy through the outbox, delivered after commit (ARCHITECTURE.md rule 7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from salesops.core.models import Notification, OutboxMessage
from salesops.core.notifications import absolute_url, notification_mark_read, notify, unread_count
from salesops.core.selectors import notifications_for
from salesops.core.tasks import deliver_outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class TestNotify:
    def test_one_notification_per_distinct_active_recipient(self, cast):
        gone = UserFactory(username="left_company", is_active=False)
        created = notify(
            recipients=[cast.alice, cast.alice, cast.bob, None, gone], title="待您审批：HT-202611-0001", url="/contracts/1/"
        )
        assert sorted(n.recipient.username for n in created) == ["alice", "bob"]
        assert Notification.objects.filter(recipient=gone).count() == 0
        n = Notification.objects.get(recipient=cast.alice)
        assert (n.title, n.url, n.read_at) == ("待您审批：HT-202611-0001", "/contracts/1/", None)

    def test_the_email_goes_out_only_after_commit_and_only_once(
        self, cast, mailoutbox, settings, django_capture_on_commit_callbacks
    ):
        settings.SITE_URL = "https://crm.example.com/"
        # when a notification is created inside a transaction
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notify(recipients=[cast.alice], title="审批已通过：HT-202611-0001", body="总经理已批准", url="/contracts/1/")
        # then its e-mail copy is an outbox row of the same transaction, and nothing is sent before the commit
        row = OutboxMessage.objects.get()
        n = Notification.objects.get()
        assert (row.status, row.recipient, row.dedupe_key) == ("pending", "alice@example.com", f"notification:{n.pk}")
        assert mailoutbox == [] and len(callbacks) == 1
        # and after it, one e-mail with the title, the body and the absolute link to the page
        callbacks[0]()
        assert len(mailoutbox) == 1
        mail = mailoutbox[0]
        assert mail.to == ["alice@example.com"] and mail.subject == "审批已通过：HT-202611-0001"
        assert "总经理已批准" in mail.body and "https://crm.example.com/contracts/1/" in mail.body
        row.refresh_from_db()
        assert row.status == OutboxMessage.Status.SENT and row.sent_at is not None and row.attempts == 1
        # a second run of the task (a retry, a duplicate) sends nothing more
        assert deliver_outbox(row.pk) is False
        assert len(mailoutbox) == 1

    def test_every_recipient_gets_one_email_with_the_context(self, cast, mailoutbox, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            notify(
                recipients=[cast.rev_technical, cast.rev_quality],
                title="待您审批：HT-202611-0002 — 技术部评审",
                url="/contracts/2/",
            )
        assert sorted(m.to[0] for m in mailoutbox) == ["rev_quality@example.com", "rev_technical@example.com"]
        for mail in mailoutbox:
            assert mail.subject == "待您审批：HT-202611-0002 — 技术部评审"
            assert mail.body.startswith(f"{mail.to[0].split('@')[0]} 您好") and "http://127.0.0.1:8000/contracts/2/" in mail.body
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}

    def test_no_email_when_asked_or_when_the_user_has_no_address(self, cast, mailoutbox, django_capture_on_commit_callbacks):
        nomail = UserFactory(username="nomail", email="")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            notify(recipients=[cast.alice], title="仅站内", email=False)
            notify(recipients=[nomail], title="没有邮箱")
        assert callbacks == [] and OutboxMessage.objects.count() == 0  # nothing queued: no copy asked, no address
        assert mailoutbox == []
        assert Notification.objects.count() == 2

    @pytest.mark.parametrize(
        ("site", "path", "link"),
        [
            ("http://127.0.0.1:8000", "/contracts/1/", "http://127.0.0.1:8000/contracts/1/"),
            ("https://crm.example.com/", "/orders/2/", "https://crm.example.com/orders/2/"),
            ("https://crm.example.com", "orders/2/", "https://crm.example.com/orders/2/"),
            ("https://crm.example.com", "https://other.example.com/x/", "https://other.example.com/x/"),
            ("https://crm.example.com", "", ""),
        ],
    )
    def test_absolute_url_joins_the_site_url(self, settings, site, path, link):
        settings.SITE_URL = site
        assert absolute_url(path) == link


class TestReadState:
    def test_mark_read_by_id_touches_only_own_unread_notifications(self, cast):
        mine = notify(recipients=[cast.alice], title="一", email=False)[0]
        notify(recipients=[cast.alice], title="二", email=False)
        theirs = notify(recipients=[cast.bob], title="别人的", email=False)[0]
        # when alice marks her first one and bob's as read
        assert notification_mark_read(user=cast.alice, ids=[mine.pk, theirs.pk]) == 1
        # then only hers changed
        assert unread_count(cast.alice) == 1 and unread_count(cast.bob) == 1
        # and "all" marks the rest; a second call changes nothing
        assert notification_mark_read(user=cast.alice) == 1
        assert notification_mark_read(user=cast.alice) == 0
        assert unread_count(cast.alice) == 0

    def test_the_list_shows_unread_first_then_newest(self, cast):
        old_unread = notify(recipients=[cast.alice], title="旧的未读", email=False)[0]
        read = notify(recipients=[cast.alice], title="新的已读", email=False)[0]
        new_unread = notify(recipients=[cast.alice], title="新的未读", email=False)[0]
        Notification.objects.filter(pk=old_unread.pk).update(created_at=timezone.now() - timedelta(days=2))
        notification_mark_read(user=cast.alice, ids=[read.pk])

        assert [n.pk for n in notifications_for(cast.alice)] == [new_unread.pk, old_unread.pk, read.pk]
        assert [n.pk for n in notifications_for(cast.alice, show="unread")] == [new_unread.pk, old_unread.pk]
        assert [n.pk for n in notifications_for(cast.alice, show="read")] == [read.pk]
        assert list(notifications_for(cast.bob)) == []
