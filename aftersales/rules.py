"""The rules of the after-sales procedure as pure functions: no database, no request (services gather the facts).

- The SLA clock: working time on a calendar of weekly working periods, public holidays and make-up working days
  (调休上班), like ERPNext's service level agreements; respond-by / resolve-by deadlines and their extension by the
  working time a ticket spent waiting for the customer.
- Callbacks: which scores call for a complaint or a ticket; when a missed callback escalates.
- Returns: who approves (the sales VP; above the amount threshold also the GM) and when photos are required.
- Complaints: what must be true before one may be closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from salesops.core.approvals import StepSpec

# --- thresholds of this app (admin-editable core.Threshold rows; seeded by migration 0002) -------------------------------
THRESHOLDS: tuple[tuple[str, str, Decimal, str], ...] = (
    ("callback_escalate_days", "回访逾期上报天数", Decimal(3), "回访到期后超过此天数仍未完成，上报客服负责人（只报一次）"),
    ("callback_backfill_days", "回访补排天数", Decimal(60), "每天早上为最近这么多天内签收、尚未排回访的出货补排回访"),
    ("callback_retry_days", "未联系上再次回访间隔(天)", Decimal(1), "未联系上客户时，默认隔几天再回访"),
    ("sla_warn_hours", "SLA 预警提前(小时)", Decimal(2), "距响应/解决期限不足此小时数时提醒工程师"),
    ("ticket_reopen_days", "工单可重开天数", Decimal(7), "工单解决后此天数内可重新打开"),
    ("rma_gm_amount", "退换修需总经理审批的金额(元)", Decimal(20000), "退换修涉及金额超过此数时，销售副总批准后还需总经理批准"),
    ("rma_photo_max_mb", "退换修照片大小上限(MB)", Decimal(5), "单张照片的最大大小"),
)
THRESHOLD_DEFAULTS = {code: value for code, _name, value, _desc in THRESHOLDS}

DEFAULT_WORKING_PERIODS = [(wd, time(8, 30), time(12, 0)) for wd in range(5)] + [
    (wd, time(13, 0), time(17, 30)) for wd in range(5)
]
# (priority, response hours, resolution hours) in working hours, for every ticket type
DEFAULT_SLA = [("urgent", 1, 8), ("high", 2, 16), ("normal", 4, 24), ("low", 8, 40)]


# --- the working calendar -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkCalendar:
    """Weekly working periods (weekday 0 = Monday), holidays, and make-up working days that use Monday's periods."""

    periods: Mapping[int, tuple[tuple[time, time], ...]]
    tz: tzinfo
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def periods_on(self, day: date) -> tuple[tuple[time, time], ...]:
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.periods.get(0, ())
        return self.periods.get(day.weekday(), ())

    def has_working_time(self) -> bool:
        return any(self.periods.values()) or bool(self.workdays and self.periods.get(0))


def make_calendar(periods: Iterable[tuple[int, time, time]], tz: tzinfo, days: Iterable[tuple[date, bool]] = ()) -> WorkCalendar:
    """A calendar from (weekday, start, end) rows and (day, is_working) exceptions."""
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in periods:
        by_day.setdefault(weekday, []).append((start, end))
    days = list(days)
    return WorkCalendar(
        periods={wd: tuple(sorted(p)) for wd, p in by_day.items()},
        tz=tz,
        holidays=frozenset(d for d, working in days if not working),
        workdays=frozenset(d for d, working in days if working),
    )


_MAX_DAYS = 3 * 366  # a deadline further than this means the calendar has (almost) no working time


def _windows(cal: WorkCalendar, start: datetime):
    """The working windows (aware datetimes) from `start` on, in order, clipped at `start`."""
    local = start.astimezone(cal.tz)
    day = local.date()
    for _n in range(_MAX_DAYS):
        for begin, end in cal.periods_on(day):
            a = datetime.combine(day, begin, tzinfo=cal.tz)
            b = datetime.combine(day, end, tzinfo=cal.tz)
            if b <= local:
                continue
            yield max(a, local), b
        day += timedelta(days=1)
    raise ValueError("working calendar has no working time")


def add_working_time(start: datetime, amount: timedelta, cal: WorkCalendar) -> datetime:
    """The moment when `amount` of working time has passed after `start` (aware datetimes)."""
    if amount <= timedelta(0):
        return start
    if not cal.has_working_time():
        raise ValueError("working calendar has no working time")
    left = amount
    for a, b in _windows(cal, start):
        if b - a >= left:
            return a + left
        left -= b - a
    raise ValueError("unreachable")  # _windows raises first


def nth_working_day(cal: WorkCalendar, after: date, n: int) -> date:
    """The n-th working day after `after` (a day with working time: not a holiday, a working weekday or a make-up
    day); calendar days when the calendar has no working time at all."""
    if not cal.has_working_time():
        return after + timedelta(days=n)
    day, found = after, 0
    for _n in range(_MAX_DAYS):
        if found >= n:
            return day
        day += timedelta(days=1)
        found += bool(cal.periods_on(day))
    raise ValueError("working calendar has no working time")


def working_time_between(start: datetime, end: datetime, cal: WorkCalendar) -> timedelta:
    """Working time in [start, end) (zero when end ≤ start)."""
    if end <= start or not cal.has_working_time():
        return timedelta(0)
    total = timedelta(0)
    for a, b in _windows(cal, start):
        if a >= end:
            break
        total += min(b, end) - a
    return total


def hours(value: Decimal | int) -> timedelta:
    return timedelta(seconds=int(Decimal(value) * 3600))


@dataclass(frozen=True)
class SlaDeadlines:
    respond_by: datetime
    resolve_by: datetime


def sla_deadlines(*, opened_at: datetime, response_hours, resolution_hours, cal: WorkCalendar) -> SlaDeadlines:
    return SlaDeadlines(
        respond_by=add_working_time(opened_at, hours(response_hours), cal),
        resolve_by=add_working_time(opened_at, hours(resolution_hours), cal),
    )


def pick_sla(policies: Iterable[tuple[str, str, Decimal, Decimal]], ticket_type: str, priority: str) -> tuple[Decimal, Decimal]:
    """(response hours, resolution hours) from (type, priority, response, resolution) rows: the row for the type first,
    else the row for every type (blank), else the built-in default for the priority."""
    rows = {(t, p): (r, s) for t, p, r, s in policies}
    if (ticket_type, priority) in rows:
        return rows[(ticket_type, priority)]
    if ("", priority) in rows:
        return rows[("", priority)]
    for p, r, s in DEFAULT_SLA:
        if p == priority:
            return Decimal(r), Decimal(s)
    return Decimal(4), Decimal(24)


def extend_after_pause(
    *, respond_by: datetime, resolve_by: datetime, responded: bool, paused_since: datetime, now: datetime, cal: WorkCalendar
) -> tuple[datetime, datetime, timedelta]:
    """Waiting for the customer does not count: both open deadlines move by the working time spent waiting.
    Returns (respond_by, resolve_by, working time paused)."""
    held = working_time_between(paused_since, now, cal)
    return (
        respond_by if responded else add_working_time(respond_by, held, cal),
        add_working_time(resolve_by, held, cal),
        held,
    )


def sla_state(*, deadline: datetime | None, done_at: datetime | None, now: datetime, warn: timedelta) -> str:
    """'met' / 'missed' once done; while open 'ok', 'warning' (less than `warn` left) or 'breached'."""
    if deadline is None:
        return "ok"
    if done_at is not None:
        return "met" if done_at <= deadline else "missed"
    if now > deadline:
        return "breached"
    if now >= deadline - warn:
        return "warning"
    return "ok"


# --- callbacks --------------------------------------------------------------------------------------------------------
LOW_SCORE = 2  # a score at or below this calls for a complaint or a ticket (seed: 回访时顾客提出的质量问题…办理索赔或退换)


def needs_follow_up(*, scores: Iterable[int | None], quality_problem: bool) -> bool:
    """A callback whose lowest score is ≤ 2 or that reported a quality problem needs a complaint or a ticket."""
    given = [s for s in scores if s is not None]
    return quality_problem or (bool(given) and min(given) <= LOW_SCORE)


def valid_score(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def escalation_cutoff(today: date, escalate_days: int) -> date:
    """Callbacks due on or before this day and still not done escalate (N days after they were due)."""
    return today - timedelta(days=escalate_days)


def callback_assignee(*, assign_to: str, service_user_id: int | None) -> tuple[str, int | None]:
    """Who makes a callback under a rule: ("rep", None) the rep the order is credited to; ("user", id) the named service
    user; ("team", None) the service team's shared queue."""
    if assign_to == "rep":
        return "rep", None
    return ("user", service_user_id) if service_user_id else ("team", None)


# --- returns ----------------------------------------------------------------------------------------------------------
def rma_route(*, amount: Decimal, gm_amount: Decimal) -> list[StepSpec]:
    """The sales VP approves every return/exchange/repair (seed: 报告到销售副总处，经同意后…); above `gm_amount` the GM too."""
    steps = [StepSpec(code="sales_vp", label=str(_("销售副总审批")), stage=10, role="sales_vp", department="management")]
    if amount > gm_amount:
        steps.append(StepSpec(code="gm", label=str(_("总经理审批")), stage=20, role="gm", department="management"))
    return steps


def photos_required(customer_type: str) -> bool:
    """A franchise store's request needs photos (seed: 专卖店的退、换、维修货物要求，原则上需有照片并制表)."""
    return customer_type == "franchise_store"


def rma_tag(number: str, line_index: int) -> str:
    """The tag written on the returned goods so they can be followed back (seed: 在货物上予以备注，以便跟进返还)."""
    return f"{number}-{line_index:02d}"


# --- complaints -------------------------------------------------------------------------------------------------------
def complaint_close_blockers(*, root_cause: str, answer: str, actions: Iterable[tuple[str, str]]) -> list[str]:
    """Why a complaint may not be closed yet (empty = it may): a root cause, at least one corrective action, every action
    verified effective, and the answer to the customer. `actions` are (kind, status) pairs."""
    actions = list(actions)
    out = []
    if not (root_cause or "").strip():
        out.append(str(_("尚未填写原因分析")))
    if not any(kind == "corrective" for kind, _status in actions):
        out.append(str(_("至少需要一项纠正措施")))
    pending = sum(1 for _kind, status in actions if status != "verified")
    if pending:
        out.append(str(_("还有 %(n)d 项措施未完成或未验证有效") % {"n": pending}))
    if not (answer or "").strip():
        out.append(str(_("尚未答复客户")))
    return out
