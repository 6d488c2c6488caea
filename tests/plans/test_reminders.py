"""Next month's plans due (seed 002: 销售部门要根据公司的销售目标，合理制定月度、季度销售计划，并通报给上级主管): from
下月销售计划提交日 (the 25th unless the admin says otherwise; the month's last day at the latest) on, whoever has not
handed in their plan for next month is asked once, by the morning task."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings

from plans import services as svc
from plans.tasks import remind_missing_plans
from salesops.core.models import Notification, Threshold

from .test_plans import drafted, submitted

pytestmark = pytest.mark.django_db

DUE = date(2026, 11, 25)


def asked(*users) -> dict[str, list[tuple[str, str]]]:
    return {
        u.username: list(Notification.objects.filter(recipient=u, title__startswith="请提交").values_list("title", "url"))
        for u in users
    }


def test_from_the_due_day_each_writer_is_asked_once_for_next_months_plans(cast):
    assert svc.plans_remind_missing(today=date(2026, 11, 24)) == 0
    assert svc.plans_remind_missing(today=DUE) == 6  # the department's, 华东组's (华南组 has no lead), four sellers' own
    seen = asked(cast.manager, cast.lena, cast.alice, cast.clerk)
    assert seen["manager"] == [("请提交2026年12月的部门销售计划（每月 25 日前）", "/plans/new/?level=company&period=2026-12")]
    assert sorted(title for title, _url in seen["lena"]) == [
        "请提交2026年12月的个人销售计划（每月 25 日前）",
        "请提交2026年12月的销售组计划（每月 25 日前）",
    ]
    assert seen["alice"] == [("请提交2026年12月的个人销售计划（每月 25 日前）", "/plans/new/?level=rep&period=2026-12")]
    assert seen["clerk"] == []
    assert svc.plans_remind_missing(today=date(2026, 11, 26)) == 0  # once


def test_a_plan_handed_in_is_not_asked_for_and_a_draft_is(cast):
    submitted(cast.alice, period="2026-12")
    drafted(cast.bob, period="2026-12")
    submitted(cast.manager, level="company", period="2026-12")
    svc.plans_remind_missing(today=DUE)
    seen = asked(cast.alice, cast.bob, cast.manager, cast.carol)
    assert (len(seen["alice"]), len(seen["bob"]), len(seen["manager"]), len(seen["carol"])) == (0, 1, 0, 1)


def test_the_due_day_is_the_admins_and_never_past_the_months_end(cast):
    Threshold.objects.filter(code="plan_due_day").update(value=31)
    assert svc.plans_remind_missing(today=date(2027, 2, 27)) == 0
    assert svc.plans_remind_missing(today=date(2027, 2, 28)) == 6
    assert asked(cast.alice)["alice"][0][0] == "请提交2027年3月的个人销售计划（每月 28 日前）"


def test_the_morning_task_is_in_the_beat_schedule_and_runs_the_reminder(cast, monkeypatch):
    entry = settings.CELERY_BEAT_SCHEDULE["plans-remind-missing-plans"]
    assert entry["task"] == remind_missing_plans.name == "plans.tasks.remind_missing_plans"
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: DUE)
    assert remind_missing_plans.apply().get() == 6
    assert remind_missing_plans.apply().get() == 0
