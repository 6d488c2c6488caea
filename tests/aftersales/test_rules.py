"""aftersales.rules: the SLA clock across nights, lunch breaks, weekends, holidays, make-up working days and waiting for
the customer; callback follow-up, return approval routes and the complaint closing conditions. Pure functions."""

from datetime import date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from aftersales import rules

SH = ZoneInfo("Asia/Shanghai")


def at(day: str, hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=SH)


def calendar(days=()):
    """Mon–Fri 08:30–12:00 and 13:00–17:30 (8 working hours a day)."""
    return rules.make_calendar(rules.DEFAULT_WORKING_PERIODS, SH, days)


# 2026-11-27 is a Friday; 11-28/29 the weekend; 11-30 a Monday.
class TestWorkingClock:
    @pytest.mark.parametrize(
        "start, hours, expected",
        [
            (at("2026-11-30", "09:00"), 2, at("2026-11-30", "11:00")),  # inside the morning
            (at("2026-11-30", "11:00"), 2, at("2026-11-30", "14:00")),  # across lunch
            (at("2026-12-01", "20:00"), 1, at("2026-12-02", "09:30")),  # opened at night: counts from 08:30
            (at("2026-12-01", "06:00"), 1, at("2026-12-01", "09:30")),  # opened before work
            (at("2026-11-27", "16:30"), 4, at("2026-11-30", "11:30")),  # across the weekend
            (at("2026-11-28", "10:00"), 1, at("2026-11-30", "09:30")),  # opened on Saturday
            (at("2026-11-27", "16:30"), 24, at("2026-12-02", "16:30")),  # three working days
            (at("2026-11-30", "12:30"), 1, at("2026-11-30", "14:00")),  # opened in the lunch break
        ],
    )
    def test_adding_working_hours(self, start, hours, expected):
        assert rules.add_working_time(start, timedelta(hours=hours), calendar()) == expected

    def test_a_public_holiday_is_skipped(self):
        holiday = calendar([(date(2026, 11, 30), False)])
        assert rules.add_working_time(at("2026-11-27", "16:30"), timedelta(hours=4), holiday) == at("2026-12-01", "11:30")

    def test_a_make_up_working_saturday_counts_with_mondays_hours(self):
        makeup = calendar([(date(2026, 11, 28), True)])
        assert rules.add_working_time(at("2026-11-27", "16:30"), timedelta(hours=4), makeup) == at("2026-11-28", "11:30")

    def test_working_time_between_two_moments(self):
        cal = calendar()
        assert rules.working_time_between(at("2026-11-27", "17:00"), at("2026-11-30", "09:00"), cal) == timedelta(hours=1)
        assert rules.working_time_between(at("2026-11-30", "11:30"), at("2026-11-30", "13:30"), cal) == timedelta(hours=1)
        assert rules.working_time_between(at("2026-11-30", "13:30"), at("2026-11-30", "11:30"), cal) == timedelta(0)

    def test_waiting_for_the_customer_moves_open_deadlines_by_the_working_time_waited(self):
        # given a ticket responded to, due Monday 17:30, waiting from Friday 17:00 until Monday 09:00 (1 working hour)
        respond_by, resolve_by, held = rules.extend_after_pause(
            respond_by=at("2026-11-27", "10:00"),
            resolve_by=at("2026-11-30", "17:30"),
            responded=True,
            paused_since=at("2026-11-27", "17:00"),
            now=at("2026-11-30", "09:00"),
            cal=calendar(),
        )
        # then the resolve-by moves one working hour (to Tuesday 09:30), the met respond-by stays
        assert (respond_by, resolve_by, held) == (at("2026-11-27", "10:00"), at("2026-12-01", "09:30"), timedelta(hours=1))

    def test_an_unanswered_ticket_has_its_respond_by_moved_too(self):
        respond_by, _resolve_by, _held = rules.extend_after_pause(
            respond_by=at("2026-11-30", "10:00"),
            resolve_by=at("2026-12-02", "10:00"),
            responded=False,
            paused_since=at("2026-11-30", "09:00"),
            now=at("2026-11-30", "11:00"),
            cal=calendar(),
        )
        assert respond_by == at("2026-11-30", "12:00")

    def test_a_calendar_without_working_time_is_refused(self):
        with pytest.raises(ValueError):
            rules.add_working_time(at("2026-11-30", "09:00"), timedelta(hours=1), rules.make_calendar([], SH))

    def test_sla_deadlines_from_a_policy(self):
        deadlines = rules.sla_deadlines(
            opened_at=at("2026-11-27", "16:30"), response_hours=D(4), resolution_hours=D("0.5"), cal=calendar()
        )
        assert deadlines == rules.SlaDeadlines(respond_by=at("2026-11-30", "11:30"), resolve_by=at("2026-11-27", "17:00"))


class TestSlaState:
    @pytest.mark.parametrize(
        "now, done_at, expected",
        [
            (at("2026-11-30", "08:00"), None, "ok"),
            (at("2026-11-30", "09:30"), None, "warning"),
            (at("2026-11-30", "10:01"), None, "breached"),
            (at("2026-11-30", "12:00"), at("2026-11-30", "09:59"), "met"),
            (at("2026-11-30", "12:00"), at("2026-11-30", "10:30"), "missed"),
        ],
    )
    def test_states(self, now, done_at, expected):
        assert rules.sla_state(deadline=at("2026-11-30", "10:00"), done_at=done_at, now=now, warn=timedelta(hours=1)) == expected

    def test_policy_for_the_type_then_for_every_type_then_the_default(self):
        rows = [("repair", "urgent", D(1), D(4)), ("", "urgent", D(2), D(8))]
        assert rules.pick_sla(rows, "repair", "urgent") == (D(1), D(4))
        assert rules.pick_sla(rows, "training", "urgent") == (D(2), D(8))
        assert rules.pick_sla(rows, "training", "low") == (D(8), D(40))


class TestCallbackRules:
    @pytest.mark.parametrize(
        "scores, problem, expected",
        [
            ((4, 5, 3), False, False),
            ((4, 2, 5), False, True),
            ((1, 1, 1), False, True),
            ((5, 5, 5), True, True),
            ((None,), False, False),
        ],
    )
    def test_follow_up_needed_at_2_or_a_quality_problem(self, scores, problem, expected):
        assert rules.needs_follow_up(scores=scores, quality_problem=problem) is expected

    def test_assignment_rule(self):
        assert rules.callback_assignee(assign_to="rep", service_user_id=5) == ("rep", None)
        assert rules.callback_assignee(assign_to="service", service_user_id=5) == ("user", 5)
        assert rules.callback_assignee(assign_to="service", service_user_id=None) == ("team", None)

    def test_escalation_cutoff(self):
        assert rules.escalation_cutoff(date(2026, 12, 10), 3) == date(2026, 12, 7)


class TestReturnsAndComplaints:
    def test_the_vp_approves_and_above_the_threshold_the_gm_too(self):
        assert [s.role for s in rules.rma_route(amount=D("20000.00"), gm_amount=D(20000))] == ["sales_vp"]
        assert [s.role for s in rules.rma_route(amount=D("20000.01"), gm_amount=D(20000))] == ["sales_vp", "gm"]

    def test_only_franchise_stores_must_send_photos(self):
        assert rules.photos_required("franchise_store") and not rules.photos_required("end_customer")

    def test_closing_a_complaint_needs_cause_corrective_action_all_verified_and_an_answer(self):
        assert len(rules.complaint_close_blockers(root_cause="", answer="", actions=[], answer_approved=False)) == 3
        blockers = rules.complaint_close_blockers(
            root_cause="焊点虚焊",
            answer="已更换",
            actions=[("corrective", "done"), ("preventive", "verified")],
            answer_approved=True,
        )
        assert blockers == ["还有 1 项措施未完成或未验证有效"]
        assert (
            rules.complaint_close_blockers(
                root_cause="焊点虚焊", answer="已更换", actions=[("corrective", "verified")], answer_approved=True
            )
            == []
        )
