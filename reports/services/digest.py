"""The daily digest (日报, the clerk's end-of-day "这一天的销售额，接单额和未发货额"): once a day, after the configured time
(admin: 日报设置, default 18:00), managers and clerks get the day's figures in the app and by e-mail, and every group robot
subscribed to it (企业微信 / 钉钉 / 飞书, admin: 群机器人) gets the company's — all through the outbox, in one transaction
with the day's DailyDigest row, whose unique day makes a second beat tick or worker send nothing."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from salesops.core.models import WebhookEndpoint
from salesops.core.money import money_text
from salesops.core.notifications import languages_of, notify
from salesops.core.outbox import outbox_webhook
from salesops.core.roles import Role

from ..models import DailyDigest, DigestSchedule
from ..selectors import digest_for

User = get_user_model()
RECIPIENT_ROLES = (Role.SALES_MANAGER, Role.SALES_VP, Role.GM, Role.SALES_CLERK)


def digest_schedule() -> DigestSchedule:
    """The configured schedule, or the default one (18:00, with e-mail) when nobody configured it."""
    return DigestSchedule.objects.order_by("pk").first() or DigestSchedule()


def digest_recipients() -> list:
    """Managers (sales manager, VP, GM) and sales clerks, active, in a stable order."""
    return list(User.objects.filter(groups__name__in=RECIPIENT_ROLES, is_active=True).distinct().order_by("pk"))


def digest_title(day: date) -> str:
    return _("日报 %(day)s") % {"day": day.isoformat()}


def digest_text(figures: dict) -> str:
    """The digest as markdown lines (the same text in the app, the e-mail and the group robots)."""
    lines = [
        _("- 范围：%(scope)s") % {"scope": figures["scope"].label},
        _("- 今日销售额（按发货）：¥%(v)s") % {"v": money_text(figures["sales"])},
        _("- 今日接单额：¥%(v)s") % {"v": money_text(figures["intake"])},
        _("- 未发货额：¥%(v)s") % {"v": money_text(figures["unshipped"])},
        _("- 今日赢单：%(won)s 个 ¥%(v)s；输单：%(lost)s 个")
        % {
            "won": figures["opportunities"]["won_count"],
            "v": money_text(figures["opportunities"]["won_amount"]),
            "lost": figures["opportunities"]["lost_count"],
        },
        _("- 核单超期：%(n)s 单") % {"n": figures["verify_overdue_count"]},
        _("- 交期风险：%(n)s 单") % {"n": figures["at_risk_count"]},
    ]
    lines += [f"  - {order.number} {order.customer}：{reason}" for order, reason in figures["at_risk"]]
    return "\n".join(lines)


def _stored(figures: dict) -> dict:
    return {
        "scope": figures["scope"].key,
        **{key: str(figures[key]) for key in ("sales", "intake", "unshipped")},
        "verify_overdue_count": figures["verify_overdue_count"],
        "at_risk_count": figures["at_risk_count"],
    }


def digest_send(*, day: date) -> DailyDigest | None:
    """Send the digest of `day` unless it went out already; the DailyDigest row, or None when it had been sent."""
    schedule = digest_schedule()
    recipients = digest_recipients()
    url = reverse("reports:digest") + f"?day={day.isoformat()}"
    languages = languages_of([u.pk for u in recipients])
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = DailyDigest.objects.create(day=day, recipients=len(recipients))
        except IntegrityError:
            return None
        company = None
        for user in recipients:
            figures = digest_for(user, day)
            if figures is None:
                continue
            if company is None and figures["scope"].kind == "company":
                company = figures
            with override(languages.get(user.pk) or settings.LANGUAGE_CODE):  # the reader's figures in their language
                notify(recipients=[user], title=digest_title(day), body=digest_text(figures), url=url, email=schedule.email)
        if company is not None:
            digest.figures = _stored(company)
            digest.save(update_fields=["figures"])
            with override(settings.LANGUAGE_CODE):  # a group robot's readers: the site's language
                title, text = digest_title(day), digest_text(company)
            for endpoint in WebhookEndpoint.objects.filter(active=True, daily_digest=True).order_by("pk"):
                outbox_webhook(endpoint=endpoint, title=title, text=text, dedupe_key=f"digest:{day.isoformat()}:{endpoint.pk}")
    return digest


def digest_send_if_due(*, now: datetime | None = None) -> bool:
    """Beat, every few minutes: send today's digest once the configured time has passed (once a day)."""
    schedule = digest_schedule()
    local = timezone.localtime(now or timezone.now())
    if not schedule.active or local.time() < schedule.send_at:
        return False
    return digest_send(day=local.date()) is not None
