"""The transactional outbox (ARCHITECTURE.md rule 7): a message exists exactly when its change does, goes out once,
is retried with back-off, dead-lettered with its error, swept when its task was never published, and retried from admin."""

from __future__ import annotations

import smtplib
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from salesops.core import outbox
from salesops.core.models import OutboxMessage
from salesops.core.outbox import outbox_deliver, outbox_email, outbox_retry, outbox_sweep
from salesops.core.tasks import deliver_outbox, sweep_outbox
from tests.core.conftest import run_in_threads

pytestmark = pytest.mark.django_db


def queue(n=1, **kw):
    """n e-mails queued without running their after-commit publish (as when the broker is down)."""
    return [outbox_email(to=f"c{i}@customer.example", subject=f"通知 {i}", body="正文", **kw) for i in range(n)]


@pytest.fixture
def failing_mail(monkeypatch):
    """The mail server refuses every message until `.fixed = True`."""

    class Server:
        fixed = False
        calls = 0

    def send(message):
        Server.calls += 1
        if not Server.fixed:
            raise smtplib.SMTPServerDisconnected("421 mail server busy")
        mail.send_mail(message.subject, message.body, None, [message.recipient])

    monkeypatch.setitem(outbox._SENDERS, OutboxMessage.Channel.EMAIL, send)
    return Server


def overdue(row):
    """The row's back-off has passed."""
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


class TestWriting:
    def test_the_row_is_part_of_the_transaction_a_rollback_leaves_none(self, django_capture_on_commit_callbacks):
        # given a change that queues an e-mail and then fails
        with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), transaction.atomic():
            outbox_email(to="wang@customer.example", subject="发货通知", body="货已发出")
            assert OutboxMessage.objects.count() == 1  # visible inside the transaction
            raise RuntimeError("the change failed")
        # then no row, no publish, no mail
        assert OutboxMessage.objects.count() == 0 and callbacks == [] and mail.outbox == []

    def test_committed_rows_are_published_after_commit_and_delivered_in_eager_mode(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            row = outbox_email(to="wang@customer.example", subject="发货通知", body="货已发出")
        assert mail.outbox == [] and len(callbacks) == 1
        callbacks[0]()
        assert [m.to for m in mail.outbox] == [["wang@customer.example"]]
        row.refresh_from_db()
        assert row.status == OutboxMessage.Status.SENT and row.attempts == 1 and row.sent_at is not None

    def test_a_dedupe_key_queues_the_logical_message_once(self):
        first = outbox_email(to="wang@customer.example", subject="发货通知", body="一", dedupe_key="shipment-notice:7")
        again = outbox_email(to="wang@customer.example", subject="发货通知", body="二", dedupe_key="shipment-notice:7")
        assert again.pk == first.pk and OutboxMessage.objects.get().body == "一"

    def test_no_row_without_an_address(self):
        assert outbox_email(to="  ", subject="x", body="y") is None and OutboxMessage.objects.count() == 0


class TestDelivery:
    def test_running_the_task_twice_sends_once(self):
        [row] = queue()
        assert deliver_outbox(row.pk) is True
        assert deliver_outbox(row.pk) is False
        assert len(mail.outbox) == 1
        assert OutboxMessage.objects.get().attempts == 1

    def test_the_first_attempt_does_not_wait_for_the_clock(self):
        # given a row queued by a web server whose clock runs 5 s ahead of the worker's
        [row] = queue()
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=5))
        # then its after-commit task still sends it at once
        assert deliver_outbox(row.pk) is True and len(mail.outbox) == 1

    def test_back_off_then_dead_letter_with_the_error_kept(self, settings, failing_mail):
        settings.OUTBOX_MAX_ATTEMPTS, settings.OUTBOX_RETRY_BASE_SECONDS = 3, 60
        [row] = queue()
        # first failure: counted, the error kept, the next attempt in 60 s
        before = timezone.now()
        assert outbox_deliver(row.pk) is False
        row.refresh_from_db()
        assert (row.status, row.attempts) == ("pending", 1) and "421 mail server busy" in row.last_error
        assert timedelta(seconds=59) < row.next_attempt_at - before < timedelta(seconds=62)
        # a task or a sweep before that time does nothing
        assert outbox_deliver(row.pk) is False and outbox_sweep() == 0 and failing_mail.calls == 1
        # second failure: twice the wait
        overdue(row)
        before = timezone.now()
        assert outbox_sweep() == 0
        row.refresh_from_db()
        assert row.attempts == 2 and timedelta(seconds=119) < row.next_attempt_at - before < timedelta(seconds=122)
        # third failure: dead, with the error, and never tried again by the sweeper
        overdue(row)
        assert outbox_deliver(row.pk) is False
        row.refresh_from_db()
        assert (row.status, row.attempts) == ("dead", 3) and "SMTPServerDisconnected: 421 mail server busy" == row.last_error
        overdue(row)
        assert outbox_sweep() == 0 and failing_mail.calls == 3 and mail.outbox == []

    def test_retry_now_revives_only_dead_rows(self, settings, failing_mail, django_capture_on_commit_callbacks):
        settings.OUTBOX_MAX_ATTEMPTS = 1
        dead, pending = queue(2)
        outbox_deliver(dead.pk)
        sent = queue()[0]
        failing_mail.fixed = True
        outbox_deliver(sent.pk)
        # when someone retries all three now
        with django_capture_on_commit_callbacks(execute=True):
            assert outbox_retry(ids=[dead.pk, pending.pk, sent.pk]) == 1
        # then the dead one was delivered right away (eager here), the others were not touched
        assert [m.to for m in mail.outbox] == [["c0@customer.example"], ["c0@customer.example"]]
        dead.refresh_from_db()
        assert (dead.status, dead.attempts) == ("sent", 1) and "421" in dead.last_error
        assert OutboxMessage.objects.get(pk=pending.pk).status == "pending"

    def test_an_unknown_channel_is_a_failure_not_a_crash(self, settings):
        settings.OUTBOX_MAX_ATTEMPTS = 1
        row = outbox.outbox_enqueue(channel="fax", recipient="0571-1234", body="x")
        assert outbox_deliver(row.pk) is False
        row.refresh_from_db()
        assert row.status == "dead" and "KeyError" in row.last_error


class TestSweeper:
    def test_the_sweeper_delivers_every_due_pending_row_once(self):
        rows = queue(3)
        later = queue()[0]
        OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
        assert sweep_outbox() == 3
        assert sorted(m.to[0] for m in mail.outbox) == [r.recipient for r in rows]
        assert sweep_outbox() == 0 and len(mail.outbox) == 3
        assert OutboxMessage.objects.get(pk=later.pk).status == "pending"

    def test_a_run_is_bounded_oldest_first(self, settings):
        settings.OUTBOX_SWEEP_BATCH = 2
        rows = queue(3)
        assert outbox_sweep() == 2 and [m.to[0] for m in mail.outbox] == [rows[0].recipient, rows[1].recipient]
        assert outbox_sweep() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_on_the_same_row_send_it_once(on_postgres, monkeypatch):
    """Given a slow mail server and a row that the task and the sweeper (or two tasks) deliver at the same moment,
    the row lock with skip_locked lets one send and the other pass."""
    row = OutboxMessage.objects.create(recipient="wang@customer.example", subject="发货通知", body="货已发出")  # not published

    def slow_send(message):
        time.sleep(0.5)
        mail.send_mail(message.subject, message.body, None, [message.recipient])

    monkeypatch.setitem(outbox._SENDERS, OutboxMessage.Channel.EMAIL, slow_send)
    results = run_in_threads(4, lambda i: outbox_deliver(row.pk) if i % 2 else outbox_sweep())
    assert sorted(results, key=int) == [0, 0, 0, 1], results
    assert len(mail.outbox) == 1 and OutboxMessage.objects.get().attempts == 1


class TestAdmin:
    @pytest.fixture
    def admin_client(self, cast, client_as):
        return client_as(cast.admin)

    def test_the_list_shows_status_attempts_and_error_and_filters_by_status(self, settings, admin_client, failing_mail):
        settings.OUTBOX_MAX_ATTEMPTS = 1
        dead, pending = queue(2)
        outbox_deliver(dead.pk)
        page = admin_client.get("/admin/core/outboxmessage/")
        assert page.status_code == 200
        html = page.content.decode()
        assert dead.recipient in html and pending.recipient in html and "421 mail server busy" in html
        html = admin_client.get("/admin/core/outboxmessage/?status__exact=dead").content.decode()
        assert dead.recipient in html and pending.recipient not in html

    def test_retry_now_action_and_otherwise_read_only(
        self, settings, admin_client, failing_mail, django_capture_on_commit_callbacks
    ):
        settings.OUTBOX_MAX_ATTEMPTS = 1
        [dead] = queue()
        outbox_deliver(dead.pk)
        failing_mail.fixed = True
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/admin/core/outboxmessage/", {"action": "retry_now", "_selected_action": [dead.pk]}, follow=True
            )
        assert response.status_code == 200 and "已重新排队 1 条消息" in response.content.decode()
        assert OutboxMessage.objects.get().status == "sent" and len(mail.outbox) == 1
        assert admin_client.get("/admin/core/outboxmessage/add/").status_code == 403
        page = admin_client.get(f"/admin/core/outboxmessage/{dead.pk}/change/")
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert admin_client.post(f"/admin/core/outboxmessage/{dead.pk}/delete/", {"post": "yes"}).status_code == 403
