"""In-app notifications with an e-mail copy after commit (ARCHITECTURE.md rule 7)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from salesops.core.models import Notification
from salesops.core.notifications import notification_mark_read, notify, unread_count
from salesops.core.selectors import notifications_for
from salesops.core.tasks import send_notification_emails
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class TestNotify:
    def test_one_notification_per_distinct_active_recipient(self, cast):
        gone = UserFactory(username="left_company", is_active=False)
        created = notify(recipients=[cast.alice, cast.alice, cast.bob, None, gone], title="待您审批：HT-202611-0001", url="/contracts/1/")
        assert sorted(n.recipient.username for n in created) == ["alice", "bob"]
        assert Notification.objects.filter(recipient=gone).count() == 0
        n = Notification.objects.get(recipient=cast.alice)
        assert (n.title, n.url, n.read_at) == ("待您审批：HT-202611-0001", "/contracts/1/", None)

    def test_the_email_goes_out_only_after_commit_and_only_once(self, cast, mailoutbox, django_capture_on_commit_callbacks, celery_results_dir):
        # when a notification is created inside a transaction
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notify(recipients=[cast.alice], title="审批已通过：HT-202611-0001", body="总经理已批准", url="/contracts/1/")
        # then nothing is sent before the commit
        assert mailoutbox == [] and len(callbacks) == 1
        # and after it, one e-mail with the title, the body and the link
        callbacks[0]()
        assert len(mailoutbox) == 1
        mail = mailoutbox[0]
        assert mail.to == ["alice@example.com"] and mail.subject == "审批已通过：HT-202611-0001"
        assert "总经理已批准" in mail.body and "/contracts/1/" in mail.body
        # a second run of the task (a retry) sends nothing more
        assert send_notification_emails(list(Notification.objects.values_list("pk", flat=True))) == 0
        assert len(mailoutbox) == 1 and Notification.objects.get().emailed_at is not None

    def test_no_email_when_asked_or_when_the_user_has_no_address(self, cast, mailoutbox, django_capture_on_commit_callbacks, celery_results_dir):
        nomail = UserFactory(username="nomail", email="")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            notify(recipients=[cast.alice], title="仅站内", email=False)
            notify(recipients=[nomail], title="没有邮箱")
        assert len(callbacks) == 1  # only the second one queued the e-mail task, which found no address
        assert mailoutbox == []
        assert Notification.objects.count() == 2


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
