"""In-app notifications with an e-mail copy through the outbox (ARCHITECTURE.md rule 7)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urljoin

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import override

from .eventtext import format_event_text, msgid_of, store_param
from .models import Notification, StaffProfile
from .names import display_name
from .outbox import outbox_email


def absolute_url(path: str) -> str:
    """A page's path (as reverse() gives it) as a link that works from outside the site, e.g. in an e-mail: joined with
    SITE_URL (scheme and host); full URLs stay as they are."""
    return urljoin(settings.SITE_URL, path) if path else ""


def languages_of(user_ids) -> dict[int, str]:
    """{user id: language} of those who chose one (个人资料 → 语言); the others read messages in zh-hans."""
    return dict(StaffProfile.objects.filter(user__in=user_ids).exclude(language="").values_list("user_id", "language"))


def notify(
    *, recipients: Iterable, title, body="", params: dict | None = None, url: str = "", email: bool = True
) -> list[Notification]:
    """Create one notification per distinct active recipient and, with `email`, queue its e-mail copy in the outbox in the
    caller's transaction (one per notification: dedupe key `notification:<id>`); users without an address, or who turned
    the copies off (个人资料 → 通知同时发邮件), get none.

    A system message is the untranslated sentence — `title=gettext_lazy("… %(number)s …"), params={"number": …}`, and a
    `body` likewise when it is a sentence of ours — stored as msgid and parameters, so each recipient reads it, on the
    page and in the e-mail, in their own language (ARCHITECTURE.md rule 12; parameters as for record_event: `T()`,
    `choice()`). Text a user typed (a reason, a note) is passed as a plain string and kept as typed."""
    title_msgid = msgid_of(title) if params is not None or isinstance(title, Promise) else ""
    body_msgid = msgid_of(body) if isinstance(body, Promise) else ""
    stored = {k: store_param(v) for k, v in (params or {}).items()}
    with override(settings.LANGUAGE_CODE):
        title_src = format_event_text(title_msgid, stored) if title_msgid else str(title)
        body_src = format_event_text(body_msgid, stored) if body_msgid else str(body)
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                title=title_src[:200],
                body=body_src,
                title_msgid=title_msgid,
                body_msgid=body_msgid,
                params=stored if (title_msgid or body_msgid) else {},
                url=url,
            )
        )
    created = Notification.objects.bulk_create(rows)
    if email and created:
        profiles = StaffProfile.objects.filter(user__in=seen).values_list("user_id", "email_notifications", "language")
        quiet = {uid for uid, copies, _lang in profiles if not copies}
        languages = {uid: lang for uid, _copies, lang in profiles if lang}
        for n in created:
            if n.recipient_id in quiet:
                continue
            with override(languages.get(n.recipient_id) or settings.LANGUAGE_CODE):
                outbox_email(
                    to=n.recipient.email,
                    subject=n.title_text,
                    body=_email_body(n),
                    payload={"notification": n.pk},
                    dedupe_key=f"notification:{n.pk}",
                )
    return created


def letter(user, *paragraphs: str) -> str:
    """An e-mail to a user: the greeting, the paragraphs, and the line saying it was sent by the system."""
    greeting = _("%(name)s 您好：") % {"name": display_name(user)}
    return "\n\n".join([greeting, *paragraphs, _("此邮件由系统自动发送，请勿直接回复。")])


def _email_body(n: Notification) -> str:
    """The notification's title and text, and the absolute link to the page it is about."""
    parts = [n.title_text]
    if n.body_text:
        parts.append(n.body_text)
    if n.url:
        parts.append(_("查看详情：%(link)s") % {"link": absolute_url(n.url)})
    return letter(n.recipient, *parts)


def notification_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all unread ones when ids is None) as read; returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def unread_notifications(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


def unread_count(user) -> int:
    return unread_notifications(user).count()
