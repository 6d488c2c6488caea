"""A claim waiting too long: the clerk checks it within 报销审核时限 (2 working days of its submission), finance pays it
within 报销付款时限 (5 working days of its approval); past that day the people who act on it are reminded once per stage,
by the morning task; the claim's page and the API show the day and whether it has passed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from expenses import selectors
from expenses import services as svc
from expenses.models import ExpenseClaim
from expenses.tasks import remind_waiting_claims
from salesops.core.models import Notification, Threshold

from .test_claims import decide, submitted, verified

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 11, 27)


def at(day: date, hour=10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def reminded(*users) -> dict[str, list[str]]:
    return {
        u.username: list(Notification.objects.filter(recipient=u, title__contains="期限").values_list("title", flat=True))
        for u in users
    }


def test_a_claim_not_checked_within_two_working_days_is_reported_once_to_the_clerks_and_the_managers(cast):
    claim = submitted(cast.alice)
    ExpenseClaim.objects.filter(pk=claim.pk).update(submitted_at=at(FRIDAY))
    claim.refresh_from_db()
    assert selectors.claim_due(claim) == date(2026, 12, 1)  # Friday + 2 working days: Tuesday

    assert svc.claims_remind_overdue(today=date(2026, 12, 1)) == 0
    assert svc.claims_remind_overdue(today=date(2026, 12, 2)) == 1
    seen = reminded(cast.clerk, cast.manager, cast.alice, cast.finance)
    assert (
        seen["clerk"] == seen["manager"] == [f"报销单 {claim.number} 已超过审核期限（2026-12-01），请尽快处理：alice 120.00 元"]
    )
    assert seen["alice"] == seen["finance"] == []
    assert svc.claims_remind_overdue(today=date(2026, 12, 3)) == 0  # once per stage
    assert reminded(cast.clerk)["clerk"] == seen["clerk"]


def test_the_limit_is_the_admins_threshold(cast):
    Threshold.objects.filter(code="expense_check_days").update(value=4)
    claim = submitted(cast.alice)
    ExpenseClaim.objects.filter(pk=claim.pk).update(submitted_at=at(FRIDAY))
    assert svc.claims_remind_overdue(today=date(2026, 12, 3)) == 0
    assert svc.claims_remind_overdue(today=date(2026, 12, 4)) == 1


def test_a_claim_sent_back_and_handed_in_again_waits_anew(cast):
    claim = submitted(cast.alice)
    ExpenseClaim.objects.filter(pk=claim.pk).update(submitted_at=at(FRIDAY))
    assert svc.claims_remind_overdue(today=date(2026, 12, 2)) == 1
    svc.claim_send_back(claim=claim, actor=cast.clerk, reason="缺发票")
    svc.claim_submit(claim=claim, actor=cast.alice)
    assert svc.claims_remind_overdue(today=date(2026, 12, 2)) == 0  # handed in today: not due yet
    ExpenseClaim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() + timedelta(seconds=1))
    later = timezone.localdate() + timedelta(days=30)
    assert svc.claims_remind_overdue(today=later) == 1
    assert len(reminded(cast.clerk)["clerk"]) == 2


def test_an_approved_claim_not_paid_within_five_working_days_is_reported_to_finance(cast):
    claim = decide(verified(cast), cast.manager)
    assert claim.status == ExpenseClaim.Status.APPROVED
    ExpenseClaim.objects.filter(pk=claim.pk).update(approved_at=at(date(2026, 11, 23)))  # a Monday
    claim.refresh_from_db()
    assert selectors.claim_due(claim) == date(2026, 11, 30)
    assert svc.claims_remind_overdue(today=date(2026, 11, 30)) == 0
    assert remind_waiting_claims.apply().get() == 1  # the morning task, today (after 2026-11-30)
    assert remind_waiting_claims.apply().get() == 0
    seen = reminded(cast.finance, cast.clerk, cast.manager, cast.alice)
    assert seen["finance"] == [f"报销单 {claim.number} 已超过付款期限（2026-11-30），请尽快处理：alice 120.00 元"]
    assert seen["clerk"] == seen["manager"] == seen["alice"] == []


def test_a_claim_checked_drafted_paid_or_returned_owes_nobody_anything(cast):
    claim = verified(cast)
    assert selectors.claim_due(claim) is None and selectors.claim_wait(claim) is None
    ExpenseClaim.objects.filter(pk=claim.pk).update(submitted_at=at(FRIDAY))
    assert svc.claims_remind_overdue(today=date(2027, 1, 1)) == 0


def test_the_morning_task_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["expenses-remind-waiting-claims"]
    assert entry["task"] == remind_waiting_claims.name == "expenses.tasks.remind_waiting_claims"


def test_the_claims_page_and_the_api_show_the_day_it_was_due(cast, client, api):
    claim = submitted(cast.alice)
    ExpenseClaim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() - timedelta(days=30))
    claim.refresh_from_db()
    due = selectors.claim_due(claim)

    client.force_login(cast.clerk)
    page = client.get(reverse("expenses:claim_detail", args=[claim.pk])).content.decode()
    assert "审核期限" in page and due.isoformat() in page and 'data-testid="claim-overdue"' in page
    api.force_authenticate(cast.clerk)
    body = api.get(f"/api/v1/expense-claims/{claim.pk}/").json()
    assert (body["due_on"], body["overdue"]) == (due.isoformat(), True)

    fresh = submitted(cast.bob)
    page = client.get(reverse("expenses:claim_detail", args=[fresh.pk])).content.decode()
    assert "审核期限" in page and 'data-testid="claim-overdue"' not in page
    assert api.get(f"/api/v1/expense-claims/{fresh.pk}/").json()["overdue"] is False
