"""Intent customers' follow-ups (意向客户跟进) and the daily reminder of those due."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core.errors import DomainError
from salesops.core.models import Event
from salesops.core.notifications import notify
from salesops.core.timeline import choice, record_event

from ..models import Contact, Customer, FollowUp, FollowUpReminder
from ..selectors import intent_followups_due_by_owner
from .access import _require, can_edit_customer
from .common import _ensure_contact_of, _ensure_next_date, _ensure_open, _lock_customer, _set_next_contact_date, _validate


def followup_create(
    *,
    actor,
    customer: Customer,
    channel: str,
    happened_on: date,
    summary: str,
    next_contact_date: date | None = None,
    contact: Contact | None = None,
) -> FollowUp:
    """Record a follow-up (意向客户跟进) by phone/SMS/e-mail/…; the customer's next contact date becomes this one's
    (unless a later follow-up already exists). Rule: whoever may edit the customer; not for deactivated customers;
    no future follow-ups, no next contact in the past. Source: SPEC.md "Customers" (intent customers … next-contact dates).
    """
    today = timezone.localdate()
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_("请填写跟进内容。"), code="summary_required")
    if happened_on > today:
        raise DomainError(_("跟进日期不能晚于今天。"), code="followup_in_future")
    _ensure_next_date(next_contact_date, today)
    with transaction.atomic():
        locked = _lock_customer(customer)
        _require(can_edit_customer(actor, locked), _("您没有跟进该客户的权限。"))
        _ensure_open(locked)
        _ensure_contact_of(contact, locked)
        followup = FollowUp(
            customer=locked,
            contact=contact,
            channel=channel,
            happened_on=happened_on,
            summary=summary,
            next_contact_date=next_contact_date,
            created_by=actor,
        )
        _validate(followup)
        followup.save()
        changes = []
        if not locked.followups.filter(happened_on__gt=happened_on).exists():
            changes = _set_next_contact_date(locked, next_contact_date, actor)
        record_event(
            target=locked,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("跟进（%(channel)s）：%(summary)s"),
            params={"channel": choice(followup, "channel"), "summary": summary},
            changes=changes,
        )
    return followup


def followups_remind_due(*, day: date | None = None) -> int:
    """Tell each rep, once per day, which intent customers are due for a follow-up today or overdue.

    Idempotent: a FollowUpReminder row (unique per rep and day) is written with the notification, so a second run on the
    same day sends nothing. Returns how many reps were notified. Source: SPEC.md "Customers" (next-contact dates).
    """
    day = day or timezone.localdate()
    url = reverse("customers:followups_due")
    sent = 0
    for owner_id, customers in intent_followups_due_by_owner(day).items():
        with transaction.atomic():
            _reminder, created = FollowUpReminder.objects.get_or_create(
                user_id=owner_id, day=day, defaults={"customer_count": len(customers)}
            )
            if not created:
                continue
            lines = [
                _("%(code)s %(name)s（应联系：%(date)s）")
                % {"code": c.code, "name": c.name, "date": f"{c.next_contact_date:%Y-%m-%d}"}
                for c in customers
            ]
            notify(
                recipients=[customers[0].owner],
                title=gettext_lazy("今日待跟进意向客户：%(n)d 家"),
                params={"n": len(customers)},
                body="\n".join(lines),
                url=url,
            )
            sent += 1
    return sent
