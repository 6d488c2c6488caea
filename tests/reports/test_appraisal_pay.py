"""绩效考核, what follows from it and when (seed 002): the 薪酬激励标准 (each grade's factor of the performance pay and
change of sales level, fixed on the table when it goes to the GM); the grade of the round before and 连续不合格; the
timetable of 考核实施程序 (the 2nd, 3rd and 5th working day after the period, on the working calendar) on the pages and
through the API."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.models import CalendarDay
from aftersales.rules import make_calendar, nth_working_day
from reports import appraisal_rules as rules
from reports import appraisal_selectors
from reports.models import Appraisal, AppraisalRound, PayRule
from reports.services import appraisals as svc
from tests.reports.test_appraisals import LAST_QUARTER, confirm_all, gm_decides, of, opened, scored

pytestmark = pytest.mark.django_db

S = Appraisal.Status


def graded(round_, **grades) -> None:
    """Give the people named their grade (alice="A"), as the scores would."""
    for username, grade in grades.items():
        Appraisal.objects.filter(round=round_, employee__username=username).update(grade=grade)


# --- the working days --------------------------------------------------------------------------------------------------
def test_the_nth_working_day_skips_weekends_and_holidays_and_counts_make_up_days():
    week = [(wd, time(9), time(17)) for wd in range(5)]
    plain = make_calendar(week, timezone.get_current_timezone())
    assert nth_working_day(plain, date(2025, 9, 30), 2) == date(2025, 10, 2)  # Tuesday → Thursday
    assert nth_working_day(plain, date(2025, 9, 30), 5) == date(2025, 10, 7)  # over the weekend
    national_day = [(date(2025, 10, d), False) for d in range(1, 9)] + [(date(2025, 10, 11), True)]
    holidays = make_calendar(week, timezone.get_current_timezone(), national_day)
    assert [nth_working_day(holidays, date(2025, 9, 30), n) for n in (1, 2, 3, 5)] == [
        date(2025, 10, 9),
        date(2025, 10, 10),
        date(2025, 10, 11),  # 调休上班 (a Saturday)
        date(2025, 10, 14),
    ]
    assert nth_working_day(make_calendar([], timezone.get_current_timezone()), date(2025, 9, 30), 3) == date(2025, 10, 3)


def test_a_milestone_is_done_late_overdue_or_due():
    due = date(2025, 10, 10)
    assert rules.milestone("send", "发", due, date(2025, 10, 10), date(2025, 12, 1)).state == "done"
    assert rules.milestone("send", "发", due, date(2025, 10, 11), date(2025, 12, 1)).state == "late"
    assert rules.milestone("send", "发", due, None, date(2025, 10, 11)).state == "overdue"
    assert rules.milestone("send", "发", due, None, date(2025, 10, 10)).state == "due"


# --- the timetable of a round ------------------------------------------------------------------------------------------
def test_the_round_is_due_on_the_working_days_after_its_period_and_each_step_is_marked_done_when_it_is(cast):
    for d in range(1, 9):
        CalendarDay.objects.create(day=date(2025, 10, d), is_working=False, name="国庆")
    CalendarDay.objects.create(day=date(2025, 10, 11), is_working=True, name="调休上班")
    round_ = svc.round_open(actor=cast.manager, period_key="2025-Q3")

    early = appraisal_selectors.round_schedule(round_, today=date(2025, 10, 9))
    assert [(m.code, m.due, m.state) for m in early] == [
        ("send", date(2025, 10, 10), "due"),
        ("confirm", date(2025, 10, 11), "due"),
        ("submit", date(2025, 10, 14), "due"),
    ]
    assert [m.state for m in appraisal_selectors.round_schedule(round_)] == ["overdue"] * 3  # opened long after

    confirm_all(round_, cast)
    on_time = timezone.make_aware(timezone.datetime(2025, 10, 10, 10))
    Appraisal.objects.filter(round=round_).update(sent_at=on_time, answered_at=on_time + timedelta(days=1))
    done = {m.code: (m.done_on, m.state) for m in appraisal_selectors.round_schedule(round_)}
    assert done["send"] == (date(2025, 10, 10), "done")
    assert done["confirm"] == (date(2025, 10, 11), "done")
    assert done["submit"] == (None, "overdue")

    svc.round_submit(round_=round_, actor=cast.manager)
    late = {m.code: m for m in appraisal_selectors.round_schedule(AppraisalRound.objects.get(pk=round_.pk))}
    assert late["submit"].done_on == timezone.localdate() and late["submit"].state == "late"


def test_a_draft_left_keeps_the_sending_open_and_an_objection_keeps_the_confirming_open_until_settled(cast):
    round_ = opened(cast)
    alice = svc.appraisal_send(appraisal=scored(of(round_, cast.alice), cast.manager), actor=cast.manager)
    steps = {m.code: m.done_on for m in appraisal_selectors.round_schedule(round_)}
    assert steps == {"send": None, "confirm": None, "submit": None}

    for appraisal in round_.appraisals.filter(status=S.DRAFT):
        svc.appraisal_exclude(appraisal=appraisal, actor=cast.manager, reason="缺岗")
    svc.appraisal_object(appraisal=alice, actor=cast.alice, reason="回款率有误")
    steps = {m.code: m.done_on for m in appraisal_selectors.round_schedule(round_)}
    assert steps["send"] == timezone.localdate() and steps["confirm"] is None

    settled = svc.appraisal_settle(appraisal=of(round_, cast.alice), actor=cast.manager, reply="已核对")
    assert settled.settled_at is not None
    assert {m.code: m.done_on for m in appraisal_selectors.round_schedule(round_)}["confirm"] == timezone.localdate()


# --- 薪酬激励 ------------------------------------------------------------------------------------------------------------------
def test_the_pay_standard_starts_with_a_factor_and_a_level_change_for_each_grade_of_a_quarter_and_a_year():
    table = {(r.kind, r.grade): (r.pay_factor, r.level_change) for r in PayRule.objects.all()}
    assert len(table) == 8
    assert table[("quarter", "A")] == (D("1.20"), 0) and table[("quarter", "D")] == (D("0.50"), 0)
    assert table[("year", "A")] == (D("1.20"), 1) and table[("year", "D")] == (D("0.50"), -1)


def test_the_pay_of_each_grade_is_fixed_when_the_table_goes_to_the_gm_and_cleared_when_it_comes_back(cast):
    round_ = confirm_all(opened(cast), cast)
    svc.appraisal_reopen(appraisal=of(round_, cast.bob), actor=cast.manager, reason="缺岗")
    svc.appraisal_exclude(appraisal=of(round_, cast.bob), actor=cast.manager, reason="缺岗")
    graded(round_, alice="A", carol="D", lena="B", clerk="C")
    alice_row = next(r for r in appraisal_selectors.round_rows(cast.manager, round_) if r.employee == cast.alice)
    assert alice_row.pay == {"factor": D("1.20"), "level": 0, "level_label": "不变", "fixed": False}  # the standard in force
    assert of(round_, cast.alice).pay_factor is None

    svc.round_submit(round_=round_, actor=cast.manager)
    PayRule.objects.filter(kind="quarter", grade="A").update(pay_factor=D("1.50"))  # changed after the submission

    fixed = {a.employee.username: (a.pay_factor, a.level_change) for a in round_.appraisals.select_related("employee")}
    assert fixed == {
        "alice": (D("1.20"), 0),
        "carol": (D("0.50"), 0),
        "lena": (D("1.00"), 0),
        "clerk": (D("0.80"), 0),
        "bob": (None, None),  # left out
    }
    rows = {r.employee.username: r.pay for r in appraisal_selectors.round_rows(cast.manager, round_)}
    assert rows["alice"]["factor"] == D("1.20") and rows["alice"]["fixed"] and rows["bob"] is None

    back = gm_decides(round_, cast, decision="reject", comment="再议")
    assert not back.appraisals.exclude(pay_factor=None).exists()
    svc.round_submit(round_=back, actor=cast.manager)
    gm_decides(back, cast)
    assert of(back, cast.alice).pay_factor == D("1.50")  # the standard in force at the second submission


def test_a_year_moves_the_sales_level_and_a_grade_the_standard_does_not_name_gets_no_pay(cast):
    last_year = str(timezone.localdate().year - 1)
    round_ = confirm_all(svc.round_open(actor=cast.manager, period_key=last_year), cast)
    graded(round_, alice="A", carol="D")
    PayRule.objects.filter(kind="year", grade="B").delete()
    graded(round_, lena="B")

    svc.round_submit(round_=round_, actor=cast.manager)

    assert (of(round_, cast.alice).pay_factor, of(round_, cast.alice).get_level_change_display()) == (D("1.20"), "晋升一级")
    assert of(round_, cast.carol).get_level_change_display() == "降一级"
    assert (of(round_, cast.lena).pay_factor, of(round_, cast.lena).level_change) == (None, None)


# --- the round before ----------------------------------------------------------------------------------------------------
def test_the_grade_of_the_round_before_shows_and_two_fails_in_a_row_are_marked(cast, client_as):
    before = confirm_all(svc.round_open(actor=cast.manager, period_key=LAST_QUARTER.previous().key), cast)
    graded(before, carol="D", alice="D")
    now = confirm_all(opened(cast), cast)
    graded(now, carol="D", alice="B")

    rows = {r.employee.username: r for r in appraisal_selectors.round_rows(cast.manager, now)}
    assert (rows["carol"].previous_grade, rows["carol"].failed_twice) == ("D", True)
    assert (rows["alice"].previous_grade, rows["alice"].failed_twice) == ("D", False)
    assert appraisal_selectors.previous_round(now) == before
    assert appraisal_selectors.previous_round(before) is None
    leads = {r.employee.username: r.previous_grade for r in appraisal_selectors.round_rows(cast.lena, now)}
    assert "carol" not in leads and leads["alice"] == "D"  # a lead reads the team's only

    page = client_as(cast.manager).get(now.get_absolute_url()).content.decode()
    assert page.count('data-testid="failed-twice"') == 1
    assert f'href="{before.get_absolute_url()}"' in page


def test_the_round_before_a_first_quarter_is_the_last_quarter_of_the_year_before(cast):
    year = timezone.localdate().year - 1
    q4 = svc.round_open(actor=cast.manager, period_key=f"{year - 1}-Q4")
    q1 = svc.round_open(actor=cast.manager, period_key=f"{year}-Q1")
    annual = svc.round_open(actor=cast.manager, period_key=str(year))
    assert appraisal_selectors.previous_round(q1) == q4
    assert appraisal_selectors.previous_round(annual) is None  # no year before held


# --- pages and the API -------------------------------------------------------------------------------------------------
def test_the_pages_show_the_timetable_the_pay_and_the_day_to_confirm_by(cast, client_as):
    round_ = opened(cast)
    alice = svc.appraisal_send(appraisal=scored(of(round_, cast.alice), cast.manager), actor=cast.manager)
    send_due = appraisal_selectors.round_milestone(round_, "send").due

    page = client_as(cast.manager).get(round_.get_absolute_url()).content.decode()
    assert 'data-testid="milestone-send" data-state="overdue"' in page
    assert send_due.strftime("%m-%d") in page and "已逾期" in page
    assert 'data-testid="pay-note"' in page and "按现行《薪酬激励标准》" in page

    rounds = client_as(cast.manager).get(reverse("reports:appraisal_rounds")).content.decode()
    due = appraisal_selectors.round_milestone(round_, "submit").due
    assert f'data-testid="round-submit-due">{due:%Y-%m-%d} <span class="badge text-bg-danger">' in rounds

    hers = client_as(cast.alice).get(alice.get_absolute_url()).content.decode()
    assert 'data-testid="appraisal-confirm-by"' in hers
    assert appraisal_selectors.round_milestone(round_, "confirm").due.strftime("%Y-%m-%d") in hers
    assert 'data-testid="appraisal-pay"' in hers and "提交审批时确定" in hers

    svc.appraisal_confirm(appraisal=alice, actor=cast.alice)
    assert 'data-testid="appraisal-confirm-by"' not in client_as(cast.alice).get(alice.get_absolute_url()).content.decode()


def test_finance_reads_the_fixed_pay_on_the_approved_table_and_in_the_export(cast, client_as):
    from tests.core.test_exports import sheet_of

    round_ = confirm_all(opened(cast), cast)
    graded(round_, alice="A")
    svc.round_submit(round_=round_, actor=cast.manager)
    gm_decides(round_, cast)

    page = client_as(cast.finance).get(round_.get_absolute_url()).content.decode()
    assert "财务按此发放" in page and 'data-testid="round-row-factor">1.20<' in page
    ws = sheet_of(client_as(cast.finance).get(reverse("core:list_export", args=["appraisals"]), {"round": round_.pk}))
    header = [c.value for c in ws[1]]
    rows = {r[1]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["alice"]["绩效工资系数"] == 1.2 and rows["alice"]["销售级别调整"] == "不变"


def test_the_api_gives_the_timetable_of_a_round_and_the_pay_of_each_appraisal(cast, api_as):
    round_ = confirm_all(opened(cast), cast)
    boss = api_as(cast.manager)

    got = boss.get(f"/api/v1/appraisal-rounds/{round_.pk}/").json()
    assert [m["code"] for m in got["schedule"]] == ["send", "confirm", "submit"]
    assert got["schedule"][2]["done_on"] is None and got["schedule"][0]["done_on"] == timezone.localdate().isoformat()
    assert {r["pay_factor"] for r in boss.get("/api/v1/appraisals/", {"round": round_.pk}).json()["results"]} == {None}

    boss.post(f"/api/v1/appraisal-rounds/{round_.pk}/submit/")
    rows = boss.get("/api/v1/appraisals/", {"round": round_.pk}).json()["results"]
    assert all(r["pay_factor"] is not None and r["level_change_display"] == "不变" for r in rows)
    alice = next(r for r in rows if r["employee_name"] == "alice")
    assert boss.get(f"/api/v1/appraisals/{alice['id']}/").json()["settled_at"] is None


def test_the_pay_standard_is_edited_in_admin(cast, client_as):
    admin_client = client_as(cast.admin)
    assert admin_client.get("/admin/reports/payrule/").status_code == 200
    rule = PayRule.objects.get(kind="quarter", grade="B")
    changed = admin_client.post(
        f"/admin/reports/payrule/{rule.pk}/change/",
        {"kind": "quarter", "grade": "B", "pay_factor": "1.05", "level_change": "0", "note": "全额"},
    )
    assert changed.status_code == 302
    assert PayRule.objects.get(pk=rule.pk).pay_factor == D("1.05")
    refused = admin_client.post(
        f"/admin/reports/payrule/{rule.pk}/change/",
        {"kind": "quarter", "grade": "B", "pay_factor": "-1", "level_change": "0", "note": ""},
    )
    assert refused.status_code == 200 and PayRule.objects.get(pk=rule.pk).pay_factor == D("1.05")


def test_the_pages_are_in_english_for_an_english_reader(cast, client_as):
    round_ = opened(cast)
    client = client_as(cast.manager)
    client.cookies["django_language"] = "en"
    page = client.get(round_.get_absolute_url()).content.decode()
    for english in ("Appraisal procedure", "Performance pay factor", "Sales level change", "Previous grade"):
        assert english in page, english


def test_a_round_past_its_day_to_submit_is_reported_to_the_sales_managers_once(cast):
    from salesops.core.models import Notification

    svc.round_open(actor=cast.manager, period_key="2025-Q3")  # to be submitted by 2025-10-07
    done = confirm_all(svc.round_open(actor=cast.manager, period_key="2025-Q2"), cast)
    svc.round_submit(round_=done, actor=cast.manager)

    assert svc.rounds_remind_overdue(today=date(2025, 10, 7)) == 0  # its day, not past it
    assert svc.rounds_remind_overdue() == 1
    assert svc.rounds_remind_overdue() == 0  # once

    note = Notification.objects.get(recipient=cast.manager, title__contains="超过提交总经理的期限")
    assert "2025年第3季度" in note.title and "2025-10-07" in note.title and "5 人未确认" in note.title


# --- the year and its quarters ----------------------------------------------------------------------------------------
def test_a_years_round_shows_each_persons_quarters_of_that_year(cast, client_as):
    year = timezone.localdate().year - 1
    q1 = confirm_all(svc.round_open(actor=cast.manager, period_key=f"{year}-Q1"), cast)
    graded(q1, alice="A")
    Appraisal.objects.filter(round=q1, employee=cast.alice).update(total=D("91.50"))
    q3 = svc.round_open(actor=cast.manager, period_key=f"{year}-Q3")  # still being scored: not shown
    annual = svc.round_open(actor=cast.manager, period_key=str(year))

    rows = {r.employee.username: r for r in appraisal_selectors.round_rows(cast.manager, annual)}
    assert rows["alice"].quarters == [(D("91.50"), "A"), None, None, None]
    assert rows["carol"].quarters[0] is not None and rows["carol"].quarters[2] is None
    assert all(r.quarters is None for r in appraisal_selectors.round_rows(cast.manager, q3))
    leads = {r.employee.username: r.quarters for r in appraisal_selectors.round_rows(cast.lena, annual)}
    assert "carol" not in leads  # a lead reads the team's

    page = client_as(cast.manager).get(annual.get_absolute_url()).content.decode()
    assert page.count('data-testid="round-quarter-head"') == 4 and "91.50 A" in page
    svc.appraisal_send(appraisal=scored(of(annual, cast.alice), cast.manager), actor=cast.manager)
    hers = client_as(cast.alice).get(of(annual, cast.alice).get_absolute_url()).content.decode()
    assert 'data-testid="appraisal-quarters"' in hers and "91.50" in hers
    assert (
        'data-testid="appraisal-quarters"'
        not in client_as(cast.alice).get(of(q1, cast.alice).get_absolute_url()).content.decode()
    )
