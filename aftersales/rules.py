"""The rules of the after-sales procedure as pure functions: no database, no request (services gather the facts).

- The SLA clock: working time on a calendar of weekly working periods, public holidays and make-up working days
  (调休上班), like ERPNext's service level agreements; respond-by / resolve-by deadlines and their extension by the
  working time a ticket spent waiting for the customer.
- Callbacks: which scores call for a complaint or a ticket; when a missed callback escalates.
- Returns: who approves (the sales VP; above the amount threshold also the GM) and when photos are required.
- Complaints: who approves the answer (the sales VP; the GM when the VP wrote its root cause, wrote it or submits it),
  which changes call for a new approval, and what must be true before one may be closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from customers.validators import validate_phone
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


# --- dates people type ------------------------------------------------------------------------------------------------
# A day that happened (a complaint reported, a call made) is never after today and at most a year back (like an expense's
# 报销时效); a day ahead (an action's due day, a callback's next try) is never in the past and at most a year ahead: a
# typo such as 2099 or 1990 is refused instead of leaving the work lists or counting in another month's figures.
MAX_BACK_DAYS = 366
MAX_AHEAD_DAYS = 366


def past_day_refusal(day: date, *, today: date, label: str, not_before: date | None = None, before_what: str = "") -> str:
    """Why `day` (something that happened: `label`, e.g. 投诉日期) is refused, "" when it is fine: after today, more than
    a year back, or before `not_before` (the day of `before_what`, e.g. the order's)."""
    if day > today:
        return str(_("%(label)s不能晚于今天（%(today)s），填写的是 %(day)s。") % {"label": label, "today": today, "day": day})
    earliest = today - timedelta(days=MAX_BACK_DAYS)
    if day < earliest:
        return str(
            _("%(label)s不能早于一年前（%(earliest)s），填写的是 %(day)s。") % {"label": label, "earliest": earliest, "day": day}
        )
    if not_before is not None and day < not_before:
        return str(
            _("%(label)s不能早于%(what)s（%(earliest)s），填写的是 %(day)s。")
            % {"label": label, "what": before_what, "earliest": not_before, "day": day}
        )
    return ""


def future_day_refusal(day: date, *, today: date, label: str, allow_today: bool = True) -> str:
    """Why `day` (a day ahead: `label`, e.g. 完成期限) is refused, "" when it is fine: in the past (or today, unless
    `allow_today`), or more than a year ahead."""
    if day < today or (day == today and not allow_today):
        message = (
            _("%(label)s不能早于今天（%(today)s），填写的是 %(day)s。")
            if allow_today
            else _("%(label)s应晚于今天（%(today)s），填写的是 %(day)s。")
        )
        return str(message % {"label": label, "today": today, "day": day})
    latest = today + timedelta(days=MAX_AHEAD_DAYS)
    if day > latest:
        return str(
            _("%(label)s不能晚于一年后（%(latest)s），填写的是 %(day)s。") % {"label": label, "latest": latest, "day": day}
        )
    return ""


# --- the monthly service statistics ------------------------------------------------------------------------------------
def stats_query(params: Mapping[str, str], *, today: date) -> dict[str, str]:
    """The statistics' query (page and API alike): `year` and `month` as asked, a missing or blank one this year's / this
    month's (`?year=2026` is this month of 2026, not a refusal on one side and a figure on the other)."""
    out = {name: value for name, value in params.items()}
    for name, value in (("year", today.year), ("month", today.month)):
        if not str(out.get(name) or "").strip():
            out[name] = str(value)
    return out


# --- phone numbers ----------------------------------------------------------------------------------------------------
# A mobile, a landline with its area code or a 400/800 number: the customers app's rule (customers.validators.validate_phone).
PHONE_REFUSAL = _("联系电话“%(phone)s”格式不正确：请填写手机号（如 13812345678）或带区号的座机号（如 0512-65432100）。")


def valid_phone(value: str) -> bool:
    """Whether `value` is a telephone number as customers.validators.validate_phone accepts one (spaces ignored)."""
    try:
        validate_phone(value)
        return True
    except ValidationError:
        return False


# --- callbacks --------------------------------------------------------------------------------------------------------
LOW_SCORE = 2  # a score at or below this calls for a complaint or a ticket (seed: 回访时顾客提出的质量问题…办理索赔或退换)


def needs_follow_up(*, scores: Iterable[int | None], quality_problem: bool) -> bool:
    """A callback whose lowest score is ≤ 2 or that reported a quality problem needs a complaint or a ticket."""
    given = [s for s in scores if s is not None]
    return quality_problem or (bool(given) and min(given) <= LOW_SCORE)


def valid_score(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def callback_record_refusal(*, due_on: date, today: date) -> str:
    """Why a callback may not be recorded yet, "" when it may: a callback is made from its due day on (签收后第 N 天回访),
    never before — a day-30 satisfaction callback recorded on the day of delivery says nothing about the 30 days."""
    if today >= due_on:
        return ""
    return str(_("该回访应于 %(day)s 进行，%(day)s 起才能记录回访结果。") % {"day": due_on.isoformat()})


def callback_requeue_day(*, due_on: date, retry_on: date) -> date:
    """The day a callback not reached comes back to the queue: the day asked for, never before its due day."""
    return max(due_on, retry_on)


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
# Why a route reaches a step (stored on the step as msgid + parameters, shown in the reader's language, like the contract route).
WHY_RMA_VP = gettext_noop("退换修须报销售副总同意")
WHY_RMA_AMOUNT = gettext_noop("金额 %(amount)s 元超过 %(limit)s 元")
WHY_RMA_VP_OWN = gettext_noop("申请人是销售副总，本人不能审批，报总经理审批")
WHY_RMA_GM_OWN = gettext_noop("金额 %(amount)s 元超过 %(limit)s 元，但申请人是总经理，由销售副总审批")


def rma_route(*, amount: Decimal, gm_amount: Decimal, own_roles: Iterable[str] = ()) -> list[StepSpec]:
    """The sales VP approves every return/exchange/repair (seed: 报告到销售副总处，经同意后…); above `gm_amount` the GM too.

    Nobody approves their own request (salesops.core.approvals): `own_roles` are the roles of the requester and of who
    submits it. The VP's own request goes to the next level, the GM, whatever the amount; the GM's own request above the
    threshold has no level above, so the VP alone approves it. When both the VP and the GM are the request's own people
    nobody may approve it: the route is empty (the service refuses the submission)."""
    own = set(own_roles)
    figures = {"amount": f"{Decimal(amount):,.2f}", "limit": f"{Decimal(gm_amount):,.2f}"}
    vp = StepSpec(code="sales_vp", label=_("销售副总审批"), stage=10, role="sales_vp", department="management", reason=WHY_RMA_VP)
    gm = StepSpec(
        code="gm",
        label=_("总经理审批"),
        stage=20,
        role="gm",
        department="management",
        reason=WHY_RMA_AMOUNT,
        reason_params=figures,
    )
    if "sales_vp" in own:
        return [] if "gm" in own else [replace(gm, reason=WHY_RMA_VP_OWN, reason_params={})]
    if amount <= gm_amount:
        return [vp]
    if "gm" in own:
        return [replace(vp, reason=WHY_RMA_GM_OWN, reason_params=figures)]
    return [vp, gm]


RMA_REASON_MAX = 1000  # characters of a request's 原因 (what the VP reads in 待我审批; the field itself is unbounded text)


def text_too_long_refusal(text: str, *, label: str, limit: int) -> str:
    """Why `text` (the field `label`, e.g. 退换修原因) is refused, "" when it is fine: longer than `limit` characters."""
    if len(text) <= limit:
        return ""
    return str(_("%(label)s不能超过 %(limit)d 个字（现有 %(n)d 个）。") % {"label": label, "limit": limit, "n": len(text)})


def rma_outcome_action(kind: str) -> str:
    """The one way a request is closed, as approved (SPEC 退/换/修): a return is refunded (a credit note), an exchange gets a
    replacement order, a repair is sent back. The kind is fixed when the request is made and approved as it is."""
    return {"return": "refund", "exchange": "exchange", "repair": "repair_return"}[kind]


def photos_required(customer_type: str) -> bool:
    """A franchise store's request needs photos (seed: 专卖店的退、换、维修货物要求，原则上需有照片并制表)."""
    return customer_type == "franchise_store"


def rma_tag(number: str, line_index: int) -> str:
    """The tag written on the returned goods so they can be followed back (seed: 在货物上予以备注，以便跟进返还)."""
    return f"{number}-{line_index:02d}"


# --- complaints -------------------------------------------------------------------------------------------------------
COMPLAINT_ANSWER_KIND = "complaint_answer"  # the approvals engine's kind of a complaint's answer (处理意见)
COMPLAINT_ANSWER_APPROVER_ROLES = ("sales_vp", "gm")  # the roles of complaint_answer_route's steps
WHY_COMPLAINT_ANSWER = gettext_noop("用户投诉处理意见由公司主管领导审批（服务过程控制程序 3.3）")
WHY_COMPLAINT_ANSWER_VP_OWN = gettext_noop("答复由销售副总撰写或提交，本人不能审批，报总经理审批")
WHY_COMPLAINT_ANSWER_VP_CAUSE = gettext_noop("原因分析由销售副总撰写，本人不能审批，报总经理审批")
# What the leadership approves (用户投诉处理意见): the complaint's root cause and its answer to the customer — the texts
# QC writes on the complaint. Changing either after a decision (approved or rejected) makes the answer "not submitted"
# again (complaint_answer_reopened). The corrective/preventive actions are documents of their own, each done by its
# owner and verified effective by QC (every one verified is a close blocker of its own): adding or finishing one does
# not touch the approval.
COMPLAINT_ANSWER_FIELDS = ("root_cause", "answer")


def complaint_answer_route(*, own_roles: Iterable[str] = (), cause_roles: Iterable[str] = ()) -> list[StepSpec]:
    """The complaint's answer to the customer (用户投诉处理意见) is approved by the company's leadership in charge — the
    sales VP, every severity alike (seed: 公司主管领导负责审批年度售后服务计划、重大服务行动(现场保障)的策划以及用户投诉
    处理意见等, 服务过程控制程序 3.3).

    Nobody approves their own answer (salesops.core.approvals): `own_roles` are the roles of who wrote the answer and of
    who submits it, `cause_roles` those of who wrote its root cause (part of what is approved, COMPLAINT_ANSWER_FIELDS).
    An answer the VP wrote or submits, or whose root cause the VP wrote, goes to the next level, the GM (a GM among them
    leaves it with the VP); when both the VP and the GM are its own people nobody may approve it: the route is empty (the
    service refuses the submission)."""
    answer_own = set(own_roles)
    own = answer_own | set(cause_roles)
    vp = StepSpec(
        code="sales_vp",
        label=_("销售副总审批"),
        stage=10,
        role="sales_vp",
        department="management",
        reason=WHY_COMPLAINT_ANSWER,
    )
    if "sales_vp" not in own:
        return [vp]
    if "gm" in own:
        return []
    return [
        StepSpec(
            code="gm",
            label=_("总经理审批"),
            stage=10,
            role="gm",
            department="management",
            reason=WHY_COMPLAINT_ANSWER_VP_OWN if "sales_vp" in answer_own else WHY_COMPLAINT_ANSWER_VP_CAUSE,
        )
    ]


# The complaint page's note beside the answer's approval, by who approves it (complaint_answer_route's step role; None:
# nobody may — the service's refusal of such a submission says the same)
COMPLAINT_ANSWER_CLOSE_HINTS = {
    "sales_vp": _("主管领导（销售副总）批准答复后方可关闭投诉"),
    "gm": _("总经理批准答复后方可关闭投诉"),
    None: _("销售副总和总经理都不能审批本人撰写的原因分析或答复，无人可以审批：请由质检修改原因分析或答复后再提交。"),
}


def complaint_answer_close_hint(approver: str | None) -> str:
    """What must happen to the answer before the complaint may close, naming who approves it: `approver` is the role of
    complaint_answer_route's step for this complaint (aftersales.permissions.complaint_answer_approver), None when the
    route is empty (a role the route does not know, none today: the leadership unnamed)."""
    hint = COMPLAINT_ANSWER_CLOSE_HINTS.get(approver, _("主管领导批准答复后方可关闭投诉"))
    return str(hint)


def complaint_answer_reopened(*, answer_status: str, changed: Iterable[str]) -> bool:
    """Does saving the fields `changed` undo the leadership's decision on the answer (approved or rejected → not
    submitted, a new round needed)? Only the fields the approval covers count (COMPLAINT_ANSWER_FIELDS); while a round is
    pending they are not changed at all (the services refuse it)."""
    return answer_status in ("approved", "rejected") and bool(set(changed) & set(COMPLAINT_ANSWER_FIELDS))


def complaint_close_blockers(
    *, root_cause: str, answer: str, actions: Iterable[tuple[str, str]], answer_approved: bool
) -> list[str]:
    """Why a complaint may not be closed yet (empty = it may): a root cause, at least one corrective action, every action
    verified effective, and the answer to the customer, approved by the leadership (`answer_approved`: the current
    answer's latest round was approved). `actions` are (kind, status) pairs."""
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
    elif not answer_approved:
        out.append(str(_("答复未经主管领导批准")))
    return out
