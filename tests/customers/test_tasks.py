"""The 08:00 reminder of intent customers due for a follow-up: one notification per rep and day."""

from __future__ import annotations

from datetime import timedelta

import pytest

from customers import services
from customers.models import Customer, FollowUpReminder
from customers.tasks import remind_intent_followups_due
from salesops.celery import app
from salesops.core.models import Notification
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(cast, today):
    """alice: one overdue and one due today; bob: one due today; carol: one due next week; an active customer is never due."""
    return {
        "alice": [
            CustomerFactory(
                owner=cast.alice, status=Customer.Status.INTENT, next_contact_date=today - timedelta(days=1), name="甲意向"
            ),
            CustomerFactory(owner=cast.alice, status=Customer.Status.INTENT, next_contact_date=today, name="乙意向"),
        ],
        "bob": [CustomerFactory(owner=cast.bob, status=Customer.Status.INTENT, next_contact_date=today, name="丙意向")],
        "carol": [CustomerFactory(owner=cast.carol, status=Customer.Status.INTENT, next_contact_date=today + timedelta(days=7))],
        "active": [CustomerFactory(owner=cast.carol, status=Customer.Status.ACTIVE, next_contact_date=today)],
    }


def test_the_task_is_registered_under_the_beat_schedule_name():
    assert "customers.tasks.remind_intent_followups_due" in app.tasks
    assert remind_intent_followups_due.name == "customers.tasks.remind_intent_followups_due"


def test_each_due_rep_gets_one_notification_listing_their_customers(cast, due):
    assert remind_intent_followups_due() == 2

    alice_note = Notification.objects.get(recipient=cast.alice)
    assert alice_note.title == "今日待跟进意向客户：2 家"
    assert "甲意向" in alice_note.body and "乙意向" in alice_note.body and "丙意向" not in alice_note.body
    assert alice_note.url == "/customers/follow-ups/due/"
    assert Notification.objects.filter(recipient=cast.bob).count() == 1
    assert not Notification.objects.filter(recipient=cast.carol).exists()


def test_running_twice_the_same_day_notifies_nobody_twice(cast, due):
    remind_intent_followups_due()
    assert remind_intent_followups_due() == 0
    assert Notification.objects.filter(recipient=cast.alice).count() == 1
    assert FollowUpReminder.objects.count() == 2


def test_the_next_day_reminds_again(cast, due, today):
    services.followups_remind_due(day=today)
    assert services.followups_remind_due(day=today + timedelta(days=1)) == 2
    assert Notification.objects.filter(recipient=cast.alice).count() == 2


def test_inactive_reps_are_not_reminded(cast, due):
    cast.bob.is_active = False
    cast.bob.save()
    assert services.followups_remind_due() == 1
    assert not Notification.objects.filter(recipient=cast.bob).exists()
