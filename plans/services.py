"""销售计划: a plan written by its author, handed in to the approvers (plans.rules.route) and, approved, in force.

- plan_create / plan_update: the author writes the plan (its level and period when created; the analysis, the measures,
  why it falls short of the target) and its lines (replaced as a whole); the planned total follows the lines. Each line
  is checked (plans.rules.check_line), so a wrong one is refused with its row and nothing is saved.
- plan_submit (提交审批): the plan is checked as a whole against its target (the sales target of the same period and
  owner, copied onto it now) and the approvals engine tells the approvers. Approved, the author is told and the plan is
  in force; refused, it is back with the author with the approver's comment.
- plan_cancel: the author withdraws a draft or a plan sent back (a new one may then be written for the period).
- plans_remind_missing (the morning task): from the due day on, next month's plans not handed in are asked for, once.

One lock: the plan (its lines are written only under it). Who may do what: plans.permissions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from customers.selectors import customer_list_for, led_team_ids
from reports.periods import Period
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import ApprovalRequest, Event, Team
from salesops.core.money import MONEY_BOUNDS, parse_decimal
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.roles import Role, users_with_role
from salesops.core.thresholds import threshold
from salesops.core.timeline import choice, record_event, record_revision
from salesops.core.transitions import send_back, transition

from . import rules
from .models import PlanLine, PlanReminder, SalesPlan
from .permissions import plan_allowed_actions, writable_levels
from .rules import Level
from .selectors import plan_target

NUMBER_PREFIX = "XSJH"
REFUSALS = {
    "edit": gettext_lazy("只有制定人本人可以修改草稿或被退回的销售计划。"),
    "submit": gettext_lazy("只有制定人本人可以提交草稿或被退回的销售计划。"),
    "cancel": gettext_lazy("只有制定人本人可以作废草稿或被退回的销售计划。"),
}
ACTION_NAMES = {"edit": gettext_lazy("修改"), "submit": gettext_lazy("提交审批"), "cancel": gettext_lazy("作废")}
LEVEL_WRITERS = {
    Level.COMPANY: gettext_lazy("部门销售计划由销售部经理制定。"),
    Level.TEAM: gettext_lazy("销售组计划由该组组长制定。"),
    Level.REP: gettext_lazy("个人销售计划由业务员和销售组长制定。"),
}


def _lock(plan_or_pk) -> SalesPlan:
    found = SalesPlan.objects.select_for_update(of=("self",)).filter(pk=getattr(plan_or_pk, "pk", plan_or_pk)).first()
    if found is None:
        raise NotFound(_("销售计划不存在或已被删除。"))
    return found


def _require(plan: SalesPlan, actor, action: str) -> None:
    """The actor may `action` the plan now, else 409 (their plan, but not in this state) or 403 (not theirs)."""
    if action in plan_allowed_actions(plan, actor):
        return
    if plan.author_id == actor.pk:
        raise Conflict(
            _("销售计划%(status)s，不能%(action)s。") % {"status": plan.get_status_display(), "action": ACTION_NAMES[action]},
            code="plan_state",
        )
    raise Forbidden(str(REFUSALS[action]))


# --- writing ---------------------------------------------------------------------------------------------------------
def _clean_lines(actor, lines: Iterable[Mapping[str, Any]]) -> list[dict]:
    """The lines as saved, each checked (plans.rules.check_line); the first wrong one is refused with its row. A key
    customer is one the author may see."""
    rows = [
        {
            "customer_id": getattr(line.get("customer"), "pk", line.get("customer")) or line.get("customer_id") or None,
            "item": (line.get("item") or "").strip()[:120],
            "amount": line.get("amount"),
            "measures": (line.get("measures") or "").strip()[:300],
        }
        for line in lines
    ]
    asked = {int(r["customer_id"]) for r in rows if str(r["customer_id"] or "").isdigit()}
    visible = set(customer_list_for(actor).filter(pk__in=asked).values_list("pk", flat=True))
    for n, row in enumerate(rows, start=1):
        try:
            row["amount"] = parse_decimal(row["amount"], _("计划金额"), allow_blank=True)
            if row["customer_id"] is not None:
                if not str(row["customer_id"]).isdigit() or int(row["customer_id"]) not in visible:
                    raise ValueError(_("客户不存在，或不是您可以选择的客户。"))
                row["customer_id"] = int(row["customer_id"])
            rules.check_line(**row)
        except (ValueError, DomainError) as exc:
            raise DomainError(_("第 %(n)s 行：%(reason)s") % {"n": n, "reason": exc}, code="plan_line") from None
    if sum(row["amount"] for row in rows) > MONEY_BOUNDS.maximum:
        raise DomainError(_("计划合计超过 %(max)s 元，请检查金额。") % {"max": f"{MONEY_BOUNDS.maximum:,.2f}"}, code="plan_line")
    return rows


def _texts(data: Mapping[str, Any]) -> dict:
    return {
        "analysis": (data.get("analysis") or "").strip(),
        "strategy": (data.get("strategy") or "").strip(),
        "gap_reason": (data.get("gap_reason") or "").strip()[:300],
    }


def _owner(actor, level: str, team) -> dict:
    """The level, and the team of a team's or a rep's plan: a team the author leads, or the rep's own team."""
    if level not in dict(Level.choices):
        raise DomainError(_("请选择计划层级。"), code="plan_level")
    if level not in writable_levels(actor):
        raise Forbidden(str(LEVEL_WRITERS[level]))
    if level == Level.COMPANY:
        return {"level": level, "team_id": None}
    if level == Level.TEAM:
        led = led_team_ids(actor)
        team_id = getattr(team, "pk", team) or (next(iter(led)) if len(led) == 1 else None)
        if team_id is None or int(team_id) not in led:
            raise DomainError(_("请选择您带领的销售组。"), code="plan_team")
        return {"level": level, "team_id": int(team_id)}
    return {"level": level, "team_id": getattr(getattr(actor, "profile", None), "team_id", None)}


def _period_key(value) -> str:
    try:
        period = value if isinstance(value, Period) else Period.parse(str(value or ""))
    except ValueError as exc:
        raise DomainError(str(exc), code="plan_period") from None
    if period.kind not in rules.PERIOD_KINDS:
        raise DomainError(_("销售计划按月度、季度或年度制定（例如 2027-01、2027-Q1、2027）。"), code="plan_period")
    return period.key


def _write_lines(plan: SalesPlan, rows: list[dict]) -> None:
    plan.lines.all().delete()
    PlanLine.objects.bulk_create(PlanLine(plan=plan, position=i, **row) for i, row in enumerate(rows, start=1))
    plan.planned = sum((row["amount"] for row in rows), Decimal("0.00"))


def _lines_text(plan: SalesPlan) -> str:
    return "；".join(f"{line.label} {line.amount}" for line in plan.lines.select_related("customer"))


def _taken(plan_fields: dict) -> DomainError:
    return DomainError(
        _("%(period)s 已有这份销售计划（未作废），请打开原计划修改。")
        % {"period": Period.parse(plan_fields["period_key"]).label},
        code="plan_exists",
    )


def plan_create(*, actor, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]]) -> SalesPlan:
    """A draft plan of the actor's, numbered XSJH-yyyymm-nnnn; one live plan per level, period and owner."""
    fields = {**_owner(actor, data.get("level") or "", data.get("team")), "period_key": _period_key(data.get("period"))}
    rows = _clean_lines(actor, lines)
    try:
        with transaction.atomic():
            plan = SalesPlan(number=next_number(NUMBER_PREFIX), author=actor, **fields, **_texts(data))
            plan.save()
            _write_lines(plan, rows)
            plan.save(update_fields=["planned"])
            record_event(
                target=plan,
                verb=Event.Verb.CREATED,
                actor=actor,
                text=gettext_noop("新建%(level)s：%(period)s，计划合计 %(planned)s 元"),
                params={"level": choice(plan, "level"), "period": plan.period.label_param, "planned": f"{plan.planned:,.2f}"},
            )
    except IntegrityError:
        raise _taken(fields) from None
    return plan


def plan_update(
    *, plan: SalesPlan, actor, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]] | None = None
) -> SalesPlan:
    """The author revises a draft or a plan sent back: its texts, and its lines when given (they replace the lines)."""
    rows = None if lines is None else _clean_lines(actor, lines)
    with transaction.atomic():
        locked = _lock(plan)
        _require(locked, actor, "edit")

        def change():
            for name, value in _texts(data).items():
                setattr(locked, name, value)
            if rows is not None:
                _write_lines(locked, rows)

        record_revision(
            locked,
            actor=actor,
            tracked=["analysis", "strategy", "gap_reason", "planned"],
            change=change,
            lines_text=_lines_text,
            texts=(gettext_noop("修改销售计划：%(lines)s"), gettext_noop("修改销售计划")),
        )
    return locked


def plan_submit(*, plan: SalesPlan, actor) -> SalesPlan:
    """提交审批: the target of its period and owner is copied onto the plan, the plan is checked against it and the
    approvers are asked (the sales VP then the GM for the department's; the sales manager for a team's or a rep's)."""

    def check(locked):
        _require(locked, actor, "submit")
        locked.target = plan_target(locked.level, locked.period, team_id=locked.team_id, author_id=locked.author_id)
        try:
            rules.check_plan(
                lines=locked.lines.count(),
                analysis=locked.analysis,
                strategy=locked.strategy,
                planned=locked.planned,
                target=locked.target,
                gap=locked.gap_reason,
            )
        except ValueError as exc:
            raise DomainError(str(exc), code="plan_incomplete") from None

    def before_save(locked):
        locked.submitted_at, locked.return_reason = timezone.now(), ""

    with transaction.atomic():
        done = transition(obj=plan, action="submit", actor=actor, check=check, before_save=before_save)
        approvals.approval_start(
            target=done,
            kind=rules.KIND,
            steps=rules.route(done.level),
            actor=actor,
            title=gettext_lazy("销售计划审批：%(period)s %(owner)s（%(level)s）"),
            title_params={"period": done.period.label_param, "owner": done.owner_label, "level": choice(done, "level")},
            url=done.get_absolute_url(),
        )
    return done


def plan_cancel(*, plan: SalesPlan, actor) -> SalesPlan:
    """作废: the author withdraws a draft or a plan sent back."""
    return transition(obj=plan, action="cancel", actor=actor, check=lambda p: _require(p, actor, "cancel"))


# --- next month's plans due ---------------------------------------------------------------------------------------------
def plans_remind_missing(*, today: date | None = None) -> int:
    """From 下月销售计划提交日 (a threshold: the day of the month, the month's last day at the latest) on, whoever writes
    a plan for next month and has not handed it in (none, or a draft) is reminded once (PlanReminder): the sales managers
    of the department's plan, each team's lead of the team's, every rep and team lead of their own. Returns how many
    were reminded (the morning task; a run again the same day or the next reminds nobody twice)."""
    today = today or timezone.localdate()
    month = Period.month(today.year, today.month)
    due = min(int(threshold("plan_due_day", default=rules.THRESHOLD_DEFAULTS["plan_due_day"])), month.end.day)
    if today.day < due:
        return 0
    after = month.end + timedelta(days=1)
    period = Period.month(after.year, after.month)
    handed_in = SalesPlan.objects.filter(
        period_key=period.key, status__in=(SalesPlan.Status.SUBMITTED, SalesPlan.Status.APPROVED)
    )
    wanted: list[tuple[Any, str, str]] = []  # (user, whose plan, level)
    if not handed_in.filter(level=Level.COMPANY).exists():
        wanted += [(user, Level.COMPANY, Level.COMPANY) for user in users_with_role(Role.SALES_MANAGER)]
    teams_done = handed_in.filter(level=Level.TEAM).values("team_id")
    for team in Team.objects.filter(lead__is_active=True).exclude(pk__in=teams_done).select_related("lead").order_by("pk"):
        wanted.append((team.lead, f"team:{team.pk}", Level.TEAM))
    reps_done = handed_in.filter(level=Level.REP).values("author_id")
    wanted += [(user, Level.REP, Level.REP) for user in users_with_role(Role.SALES_REP, Role.TEAM_LEAD).exclude(pk__in=reps_done)]
    labels, reminded = dict(Level.choices), 0
    for user, plan_of, level in wanted:
        with transaction.atomic():
            _reminder, created = PlanReminder.objects.get_or_create(user=user, plan_of=plan_of, period_key=period.key)
            if not created:
                continue
            notify(
                recipients=[user],
                title=gettext_lazy("请提交%(period)s的%(level)s（每月 %(day)s 日前）"),
                params={"period": period.label_param, "level": labels[level], "day": due},
                url=f"{reverse('plans:plan_create')}?level={level}&period={period.key}",
            )
        reminded += 1
    return reminded


# --- the approvers' decision -------------------------------------------------------------------------------------------
def _on_decided(request: ApprovalRequest, outcome: str, actor) -> None:
    """In the deciding transaction (the plan locked by lock_plan): approved, the plan is in force and its author told;
    refused, it is back with the author with the approver's comment."""
    plan = SalesPlan(pk=request.target_id)
    if outcome == ApprovalRequest.Status.APPROVED:
        done = transition(
            obj=plan, action="approve", actor=actor, before_save=lambda p: setattr(p, "approved_at", timezone.now())
        )
        notify(
            recipients=[done.author],
            title=gettext_lazy("您的销售计划 %(number)s 已批准"),
            params={"number": done.number},
            url=done.get_absolute_url(),
        )
        return
    reason = approvals.refusal_comment(request) or str(_("审批未通过"))
    send_back(obj=plan, actor=actor, reason=reason, owner="author", title=gettext_lazy("您的销售计划 %(number)s 被退回"))


def lock_plan(plan: SalesPlan) -> None:
    """The approvals engine's locker: the plan before the request and the step."""
    _lock(plan)


def register_handlers() -> None:
    from .selectors import plan_summary

    approvals.register_outcome_handler(
        rules.KIND, _on_decided, label=gettext_lazy("销售计划审批"), locker=lock_plan, summary=plan_summary
    )
