"""Reads of the performance appraisal (绩效考核): the rounds and appraisals a user may read, the figures that score the
measured lines, a round's table (parts, pay, the grade before, a year's quarters), its timetable, progress and chart,
a person's trend, what the GM approves and the 工作台 tiles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.rules import nth_working_day
from aftersales.selectors import working_calendar
from customers.selectors import led_team_ids
from salesops.core.charts import rows_chart, series_chart
from salesops.core.names import display_name
from salesops.core.roles import has_role
from salesops.core.thresholds import threshold

from . import appraisal_rules, kpis
from .models import Appraisal, AppraisalCriterion, AppraisalRound, PayRule
from .periods import Period
from .permissions import appraises, reads_all_appraisals, reads_rounds
from .scopes import Scope

Measure = AppraisalCriterion.Measure
PARTS = AppraisalCriterion.Part.choices  # the table's columns: 工作绩效, 工作态度, 工作能力


def appraisal_measures(employee_id: int, period: Period, measures) -> dict[str, Decimal | None]:
    """The figures that score the measured lines (`measures`: their codes) of `employee_id`'s appraisal over
    `period`, as rates 0..1 (None where there is nothing to measure against: no target set, nothing verified, no
    callback)."""
    scope = Scope.rep(employee_id)

    read = {
        Measure.ACHIEVEMENT: lambda: kpis.achievement(period, scope)["rate"],
        Measure.COLLECTION: lambda: kpis.collection_rate(period, scope),
        Measure.NEW_CUSTOMERS: lambda: kpis.new_customer_rate(period, employee_id),
        Measure.SATISFACTION: lambda: kpis.satisfaction_rate(period, scope),
        Measure.ORDER_ACCURACY: lambda: kpis.clerk_order_accuracy(period, employee_id),
    }
    return {code: read[code]() for code in set(measures)}


def appraisal_rounds_for(user) -> QuerySet[AppraisalRound]:
    """The rounds `user` may open: all (managers, VP, GM, admin, and a team lead — who sees the team's rows in them),
    the approved ones (finance), none otherwise."""
    qs = AppraisalRound.objects.select_related("opened_by")
    if reads_all_appraisals(user) or (reads_rounds(user) and led_team_ids(user)):
        return qs
    return qs.filter(status=AppraisalRound.Status.APPROVED) if reads_rounds(user) else qs.none()


def appraisal_round_get_for(user, pk) -> AppraisalRound:
    return get_object_or_404(appraisal_rounds_for(user), pk=pk)


def appraisals_for(user) -> QuerySet[Appraisal]:
    """The appraisals `user` may read: every one (managers, VP, GM, admin); those of approved rounds (finance); their
    team's (a team lead); and their own once sent to them."""
    qs = Appraisal.objects.select_related("round", "employee", "team", "appraiser")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if reads_all_appraisals(user):
        return qs
    seen = Q(employee=user) & ~Q(status=Appraisal.Status.DRAFT)
    if has_role(user, "finance"):
        seen |= Q(round__status=AppraisalRound.Status.APPROVED)
    teams = led_team_ids(user)
    if teams:
        seen |= Q(team_id__in=teams) & ~Q(employee=user)
    return qs.filter(seen)


def appraisal_get_for(user, pk) -> Appraisal:
    return get_object_or_404(appraisals_for(user), pk=pk)


def appraisal_parts(appraisal: Appraisal) -> list[dict]:
    """The appraisal's lines by part (工作绩效, 工作态度, 工作能力) in the form's order, each part with its points
    scored and its full points."""
    parts: dict[str, dict] = {}
    for score in appraisal.scores.all():
        part = parts.setdefault(
            score.part,
            {"code": score.part, "label": score.get_part_display(), "scores": [], "points": Decimal("0.00"), "max": 0},
        )
        part["scores"].append(score)
        part["points"] += score.points or 0
        part["max"] += score.max_points
    return list(parts.values())


def part_totals(appraisal: Appraisal) -> dict[str, Decimal]:
    """{part code: points} of an appraisal (the table's three columns)."""
    return {part["code"]: part["points"] for part in appraisal_parts(appraisal)}


def round_rows(user, round_: AppraisalRound) -> list[Appraisal]:
    """The round's appraisals `user` may read, by post, team and name, each with `parts` ({part: points}),
    `part_points` (in PARTS' order), `pay` (pay_of), `previous_grade` (the grade of the round before, as far as `user`
    may read it), `failed_twice` (不合格 in this round and the one before: 降级、调职和辞退的依据) and, in a year's round,
    `quarters` (quarter_results)."""
    rows = list(
        appraisals_for(user)
        .filter(round=round_)
        .prefetch_related("scores")
        .order_by("post", "team__name", "employee__first_name", "employee__username")
    )
    current = pay_rules() if round_.status == AppraisalRound.Status.OPEN else {}
    before = previous_round(round_)
    previous = (
        dict(
            appraisals_for(user)
            .filter(round=before)
            .exclude(status__in=(Appraisal.Status.DRAFT, Appraisal.Status.EXCLUDED))
            .values_list("employee_id", "grade")
        )
        if before
        else {}
    )
    quarters = quarter_results(user, round_)
    for row in rows:
        row.parts = part_totals(row)
        row.part_points = [row.parts.get(code, Decimal("0.00")) for code, _label in PARTS]
        row.quarters = quarters.get(row.employee_id, [None] * 4) if quarters is not None else None
        row.pay = pay_of(row, current)
        row.previous_grade = previous.get(row.employee_id, "")
        row.failed_twice = row.shows_grade and row.grade == row.previous_grade == Appraisal.Grade.D
    return rows


def quarter_results(user, round_: AppraisalRound, employee_id: int | None = None) -> dict[int, list] | None:
    """For a year's round (年度考核: 当年1~12月的工作业绩), each person's four quarters of that year as `user` may read
    them — {employee id: [(total, grade) or None for Q1..Q4]} (a quarter not held, not yet sent or left out is None);
    None for a quarter's round."""
    if round_.kind != AppraisalRound.Kind.YEAR:
        return None
    rows = (
        appraisals_for(user)
        .filter(round__year=round_.year, round__kind=AppraisalRound.Kind.QUARTER)
        .exclude(status__in=(Appraisal.Status.DRAFT, Appraisal.Status.EXCLUDED))
    )
    if employee_id is not None:
        rows = rows.filter(employee_id=employee_id)
    out: dict[int, list] = {}
    for employee, number, total, grade in rows.values_list("employee_id", "round__number", "total", "grade"):
        out.setdefault(employee, [None] * 4)[number - 1] = (total, grade)
    return out


def previous_round(round_: AppraisalRound) -> AppraisalRound | None:
    """The round of the period before (the quarter before a quarter, the year before a year), if it was held."""
    if round_.kind == AppraisalRound.Kind.YEAR:
        year, number = round_.year - 1, 0
    else:
        year, number = (round_.year, round_.number - 1) if round_.number > 1 else (round_.year - 1, 4)
    return AppraisalRound.objects.filter(year=year, kind=round_.kind, number=number).first()


def pay_rules() -> dict[tuple[str, str], PayRule]:
    """The 薪酬激励标准 in force, by (kind, grade)."""
    return {(rule.kind, rule.grade): rule for rule in PayRule.objects.all()}


def pay_of(appraisal: Appraisal, current: dict[tuple[str, str], PayRule]) -> dict | None:
    """What the appraisal's grade means for the pay: the factor and the level change fixed when the table went to the
    GM ("fixed"), or while the round is open those of the standard in force (`current`, pay_rules()); None while it is
    scored, for one left out and for a grade the standard does not name."""
    if not appraisal.shows_grade:
        return None
    if appraisal.pay_factor is not None:
        factor, level, fixed = appraisal.pay_factor, appraisal.level_change, True
    else:
        rule = current.get((appraisal.round.kind, appraisal.grade))
        if rule is None:
            return None
        factor, level, fixed = rule.pay_factor, rule.level_change, False
    return {"factor": factor, "level": level, "level_label": Appraisal.LevelChange(level).label, "fixed": fixed}


def round_schedule(round_: AppraisalRound, *, today: date | None = None) -> list[appraisal_rules.Milestone]:
    """考核实施程序: each step's day (the threshold's working day after the period's end, on the company's working
    calendar) and when it was done — sent to everyone (the last sending, no draft left), everyone's answer (the last
    confirmation, objection or re-confirmation, nobody left waiting), the table submitted to the GM."""
    end = round_.period.end
    calendar = working_calendar(around=end)
    facts = Appraisal.objects.filter(round=round_).aggregate(
        people=Count("pk"),
        drafts=Count("pk", filter=Q(status=Appraisal.Status.DRAFT)),
        waiting=Count("pk", filter=~Q(status__in=Appraisal.DONE)),
        sent=Max("sent_at"),
        answered=Max("answered_at"),
        settled=Max("settled_at"),
    )

    def day(moment):
        return timezone.localdate(moment) if moment else None

    answered = [d for d in (day(facts["answered"]), day(facts["settled"])) if d]
    everyone = facts["people"] > 0
    done = {
        "send": day(facts["sent"]) if everyone and not facts["drafts"] else None,
        "confirm": max(answered) if everyone and not facts["waiting"] and answered else None,
        "submit": day(round_.submitted_at) if round_.status != AppraisalRound.Status.OPEN else None,
    }
    today = today or timezone.localdate()
    return [
        appraisal_rules.milestone(code, label, nth_working_day(calendar, end, int(threshold(days))), done[code], today)
        for code, label, days in appraisal_rules.SCHEDULE
    ]


def round_milestone(round_: AppraisalRound, code: str, *, today: date | None = None) -> appraisal_rules.Milestone:
    return next(m for m in round_schedule(round_, today=today) if m.code == code)


def with_submit_due(rounds) -> list[AppraisalRound]:
    """The rounds (a page of the list), each with `submit_due` (提交总经理审批's day) and `submit_overdue` (still open
    after it), on one read of the working calendar."""
    rounds = list(rounds)
    if rounds:
        calendar = working_calendar(around=min(r.period.end for r in rounds))
        days, today = int(threshold("appraisal_submit_days")), timezone.localdate()
        for r in rounds:
            r.submit_due = nth_working_day(calendar, r.period.end, days)
            r.submit_overdue = r.status == AppraisalRound.Status.OPEN and today > r.submit_due
    return rounds


def round_progress(rows: list[Appraisal]) -> list[tuple[str, str, int]]:
    """(status, label, count) of the rows, in the statuses' order, those with none left out."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return [(code, label, counts[code]) for code, label in Appraisal.Status.choices if code in counts]


def round_chart(rows: list[Appraisal]) -> dict:
    """The totals side by side, by part (a stacked comparison of the people appraised; those left out are not)."""
    scored = [row for row in rows if row.status != Appraisal.Status.EXCLUDED]
    return rows_chart(
        "appraisal-totals",
        _("考核得分对比"),
        [{"name": display_name(row.employee), **row.parts} for row in scored],
        "name",
        [(code, label) for code, label in AppraisalCriterion.Part.choices],
    )


def appraisal_trend(appraisal: Appraisal) -> dict:
    """The person's totals in the rounds of the same kind they were appraised in (oldest first, up to this one)."""
    earlier = (
        Appraisal.objects.filter(employee=appraisal.employee_id, round__kind=appraisal.round.kind)
        .exclude(status=Appraisal.Status.EXCLUDED)
        .filter(
            Q(round__year__lt=appraisal.round.year)
            | Q(round__year=appraisal.round.year, round__number__lte=appraisal.round.number)
        )
        .select_related("round")
        .order_by("-round__year", "-round__number")[:8]
    )
    points = [(a.round.period.key, a.total) for a in reversed(list(earlier))]
    return series_chart("appraisal-trend", _("历次考核总分"), points, _("总分"), kind="line")


def appraisal_round_summary(round_: AppraisalRound, user) -> list[tuple[str, str]]:
    """What the GM approves in 待我审批: the period, how many were appraised and left out, the average, each grade's count."""
    rows = list(Appraisal.objects.filter(round=round_).values_list("status", "total", "grade"))
    scored = [(total, grade) for status, total, grade in rows if status != Appraisal.Status.EXCLUDED]
    average = sum((t for t, _g in scored), Decimal(0)) / len(scored) if scored else None
    grades = " · ".join(f"{label} {sum(1 for _t, g in scored if g == code)}" for code, label in Appraisal.Grade.choices)
    return [
        (_("考核期"), round_.period.label),
        (_("参与考核"), str(len(scored))),
        (_("不参与考核"), str(len(rows) - len(scored))),
        (_("平均分"), "—" if average is None else f"{average:.2f}"),
        (_("等级分布"), grades),
    ]


def appraisal_todo(user) -> list[tuple[str, str, int, str]]:
    """The 工作台 tiles of an open round: one's own appraisal to confirm; for the sales manager the objections to
    re-confirm and the drafts still to score and send — (key, label, count, list url), those with nothing left out."""
    open_ = Appraisal.objects.filter(round__status=AppraisalRound.Status.OPEN)
    base = reverse("reports:appraisal_list")
    tiles = [
        ("mine", _("待我确认的考核"), open_.filter(employee=user, status=Appraisal.Status.SENT).count(), f"{base}?status=sent")
    ]
    if appraises(user):
        tiles += [
            ("objected", _("考核异议待复核"), open_.filter(status=Appraisal.Status.OBJECTED).count(), f"{base}?status=objected"),
            ("draft", _("考核待评分"), open_.filter(status=Appraisal.Status.DRAFT).count(), f"{base}?status=draft"),
        ]
    return [tile for tile in tiles if tile[2]]
