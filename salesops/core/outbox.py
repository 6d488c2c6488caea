"""The transactional outbox (ARCHITECTURE.md rule 7): every outgoing message (e-mail, group robot webhook) is a row written in the transaction of the
change that causes it, so the message exists exactly when the change does.

- `outbox_email` / `outbox_enqueue` write the row in the caller's transaction and, once it commits, publish a delivery
  task for the row. Publishing never blocks or fails the request: no result is awaited, no retry, a short connect
  timeout, any error is logged and the row simply stays pending; after a failure publishing pauses for a few seconds.
- `outbox_deliver(id)` sends one row under its row lock (`skip_locked`: a second worker on the same row does nothing),
  marks it sent, and never sends a sent row again. A failure counts an attempt and schedules the next one with exponential
  back-off; after `OUTBOX_MAX_ATTEMPTS` the row is dead, with its error, until someone asks for a retry (admin).
- `outbox_sweep()` (beat, every minute) delivers the pending rows that are due: the ones whose task was never published
  (broker down) or was lost, and the retries.

Delivery is at least once: if the database fails after the mail server accepted a message, the row stays pending and the
message goes out again. This module never imports the tasks (the tasks import it): it publishes by task name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboxMessage, WebhookEndpoint
from .webhooks import WebhookError, post_robot, robot_body

logger = logging.getLogger(__name__)

DELIVER_TASK = "salesops.core.tasks.deliver_outbox"
# After a failed publish the next ones are skipped for this long (the sweeper delivers them): a broker that times out
# instead of refusing costs a request at most one connect timeout, not one per message.
PUBLISH_PAUSE_SECONDS = 10.0
_publish_paused_until = 0.0


# --- writing (inside the caller's transaction) ----------------------------------------------------------------------
def outbox_enqueue(
    *,
    channel: str,
    recipient: str,
    subject: str = "",
    body: str = "",
    payload: dict | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Queue one outgoing message. Call it inside the transaction of the change: the row commits or rolls back with it,
    and its delivery task is published only after the commit. With a `dedupe_key` already queued, nothing new is written
    and the existing row is returned."""
    message = OutboxMessage(
        channel=channel,
        recipient=recipient,
        subject=str(subject)[:255],
        body=str(body),
        payload=payload or {},
        dedupe_key=dedupe_key or None,
    )
    if dedupe_key:
        try:
            with transaction.atomic():  # a savepoint: a duplicate key must not break the caller's transaction
                message.save()
        except IntegrityError:
            return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    else:
        message.save()
    transaction.on_commit(lambda: _publish(message.pk))
    return message


def outbox_email(
    *, to: str, subject: str, body: str, payload: dict | None = None, dedupe_key: str | None = None
) -> OutboxMessage | None:
    """Queue an e-mail to one address (nothing when the address is empty); see `outbox_enqueue`."""
    to = (to or "").strip()
    if not to:
        return None
    return outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL, recipient=to, subject=subject, body=body, payload=payload, dedupe_key=dedupe_key
    )


def outbox_webhook(*, endpoint: WebhookEndpoint, title: str, text: str, dedupe_key: str | None = None) -> OutboxMessage:
    """Queue a message to a group robot (salesops/core/webhooks.py): the row keeps the robot and the body in its format;
    the delivery signs it when it is sent. Same idempotency, retries and dead-lettering as e-mail."""
    return outbox_enqueue(
        channel=OutboxMessage.Channel.WEBHOOK,
        recipient=endpoint.url,
        subject=title,
        body=text,
        payload={"endpoint": endpoint.pk, "body": robot_body(endpoint.kind, str(title), str(text))},
        dedupe_key=dedupe_key,
    )


def publish_task(task_name: str, *args, eager: Callable[..., Any]) -> None:
    """After commit: ask a worker to run the task `task_name(*args)` now, without making the caller wait or fail — no result
    awaited, no retry, a short connect timeout, a pause after a failure; what was not published is picked up by its
    beat sweeper. In eager mode (tests, CELERY_TASK_ALWAYS_EAGER) `eager(*args)` runs here, as an eager task would
    (`send_task` ignores eager mode). Never raises."""
    global _publish_paused_until
    from salesops.celery import app

    try:
        if app.conf.task_always_eager:
            eager(*args)
            return
        if time.monotonic() < _publish_paused_until:
            return
        app.send_task(task_name, args=list(args), ignore_result=True, retry=False)
    except Exception:
        _publish_paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
        logger.warning("outbox: %s%s not published, the sweeper will deliver it", task_name, args, exc_info=True)


def _publish(message_id: int) -> None:
    publish_task(DELIVER_TASK, message_id, eager=outbox_deliver)


# --- delivering (tasks) ---------------------------------------------------------------------------------------------
def _send_email(message: OutboxMessage) -> None:
    EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient]).send()


def _send_webhook(message: OutboxMessage) -> None:
    endpoint = WebhookEndpoint.objects.filter(pk=message.payload.get("endpoint")).first()
    if endpoint is None:
        raise WebhookError(f"robot {message.payload.get('endpoint')} no longer exists")
    post_robot(endpoint, message.payload["body"])


_SENDERS = {OutboxMessage.Channel.EMAIL: _send_email, OutboxMessage.Channel.WEBHOOK: _send_webhook}


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failures: the base, doubling each time (60 s, 2 min, 4 min …)."""
    return timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (max(attempts, 1) - 1))


def outbox_deliver(message_id: int) -> bool:
    """Send one pending row (a retry only once its time has come) and mark it sent; True if this call sent it.

    The row is locked for the send (skip_locked: if another worker holds it, this call does nothing), and only a pending
    row is sent, so running the task twice, or a task and the sweeper at once, sends the message once. A failure keeps
    the error, counts the attempt and sets the next one (`retry_delay`); the last allowed failure makes the row dead.
    """
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            # a first attempt goes at once, even if the clock of the server that queued it runs ahead of this one's
            .filter(Q(attempts=0) | Q(next_attempt_at__lte=now))
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        try:
            _SENDERS[message.channel](message)
        except Exception as e:  # noqa: BLE001 — any failure of the far side is recorded on the row, never raised
            message.last_error = f"{type(e).__name__}: {e}"[:2000]
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.DEAD
                logger.error("outbox: message %s dead after %s attempts: %s", message.pk, message.attempts, message.last_error)
            else:
                message.next_attempt_at = now + retry_delay(message.attempts)
                logger.warning("outbox: message %s attempt %s failed: %s", message.pk, message.attempts, message.last_error)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return False
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at"])
    return True


def outbox_sweep(*, limit: int | None = None) -> int:
    """Deliver the pending rows that are due, oldest first, at most `limit` (OUTBOX_SWEEP_BATCH) a run; returns how many
    were sent. Each row is delivered in its own transaction, so one bad row never holds up the others."""
    due = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)
    )
    return sum(outbox_deliver(pk) for pk in list(due[: limit or settings.OUTBOX_SWEEP_BATCH]))


def outbox_retry(*, ids) -> int:
    """Give dead rows a fresh set of attempts now (admin "retry now"); returns how many. Sent and pending rows are left."""
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update().filter(pk__in=list(ids), status=OutboxMessage.Status.DEAD).order_by("pk")
        )
        for message in rows:
            message.status, message.attempts, message.next_attempt_at = OutboxMessage.Status.PENDING, 0, timezone.now()
            message.save(update_fields=["status", "attempts", "next_attempt_at"])
            transaction.on_commit(lambda pk=message.pk: _publish(pk))
    return len(rows)
