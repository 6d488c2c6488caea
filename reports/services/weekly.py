"""销售周报: a rep opens the week's report, writes it and hands it in; the team lead or a sales manager comments on it
(点评) or sends it back to be completed (seed 003: 销售员…定期向公司提供市场分析及预测报告和个人工作周报).

One report per rep and week (a unique constraint: two clicks on 写本周周报 open one). Handing it in keeps the week's
figures as they are then (reports.selectors.week_figures), so the lead reads what the rep saw. Every change is on the
report's timeline; each hand-in, comment and return tells the other side (through the outbox when e-mailed).
Who may do what: reports.permissions.weekly_allowed_actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core.editing import assign_fields, required_text
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import Event, Team
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.roles import Role, users_with_role
from salesops.core.timeline import changes_between, record_event, snapshot
from salesops.core.transitions import transition

from ..models import WeeklyReport
from ..periods import Period
from ..permissions import WEEKLY_WRITER_ROLES, weekly_allowed_actions, writes_weekly
from ..selectors import week_figures

WEEKLY_FIELDS = ("summary", "market", "next_plan")


def weekly_open(*, actor, day: date) -> WeeklyReport:
    """The actor's report of the week `day` is in: the one already opened, else a new draft of their team as it is
    now. Only the field sales write one; a week that has not begun has no report yet."""
    if not writes_weekly(actor):
        raise Forbidden(_("只有业务员和销售组长写销售周报。"))
    week = Period.week(day)
    if week.start > timezone.localdate():
        raise DomainError(_("%(week)s 还没有开始，不能写它的周报。") % {"week": week.label}, code="week_not_begun")
    found = WeeklyReport.objects.filter(rep=actor, week=week.start).first()
    if found is not None:
        return found
    profile = getattr(actor, "profile", None)
    try:
        with transaction.atomic():
            report = WeeklyReport.objects.create(rep=actor, team_id=getattr(profile, "team_id", None), week=week.start)
            record_event(
                target=report,
                verb=Event.Verb.CREATED,
                actor=actor,
                text=gettext_noop("新建周报：%(week)s"),
                params={"week": week.key},
            )
    except IntegrityError:  # opened at the same moment by another click: that one is the week's report
        return WeeklyReport.objects.get(rep=actor, week=week.start)
    return report


def _lock(report: WeeklyReport) -> WeeklyReport:
    found = WeeklyReport.objects.select_for_update(of=("self",)).select_related("rep", "team").filter(pk=report.pk).first()
    if found is None:
        raise NotFound(_("周报不存在或已被删除。"))
    return found


def _require_action(report: WeeklyReport, actor, action: str) -> None:
    """The actor may take `action` now, else 403 (not theirs to take) or 409 (a week handed in is not edited)."""
    if action in weekly_allowed_actions(report, actor):
        return
    if action in ("edit", "submit"):
        if report.rep_id != actor.pk:
            raise Forbidden(_("只有业务员本人可以修改和提交自己的周报。"))
        raise Conflict(_("周报%(status)s，不能再修改或提交。") % {"status": report.get_status_display()}, code="weekly_state")
    # review / send_back: their transition refused any state but 已提交 before asking who may
    raise Forbidden(_("只有该业务员的组长和销售经理可以点评或退回周报（不能点评自己的周报）。"))


def weekly_update(*, report: WeeklyReport, actor, data: Mapping[str, Any]) -> WeeklyReport:
    """The rep writes a draft (or a week sent back): the summary, the market and the next week's plan."""
    data = {name: (data[name] or "").strip() for name in WEEKLY_FIELDS if name in data}
    with transaction.atomic():
        locked = _lock(report)
        _require_action(locked, actor, "edit")
        before = snapshot(locked, list(data))
        assign_fields(locked, data, WEEKLY_FIELDS)
        changes = changes_between(locked, before)
        if changes:
            locked.save()
            record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("修改周报"), changes=changes)
    return locked


def _reviewers(report: WeeklyReport) -> list:
    """Who is told of a report handed in: its team's lead, else the sales managers."""
    lead_id = Team.objects.filter(pk=report.team_id).values_list("lead_id", flat=True).first() if report.team_id else None
    if lead_id and lead_id != report.rep_id:
        return [report.team.lead]
    return [u for u in users_with_role(Role.SALES_MANAGER) if u.pk != report.rep_id]


def weekly_submit(*, report: WeeklyReport, actor) -> WeeklyReport:
    """Hand the week in: the summary and next week's plan are required; the week's figures are kept as they are now."""

    def check(locked):
        _require_action(locked, actor, "submit")
        required_text(locked.summary, _("请填写本周工作总结。"))
        required_text(locked.next_plan, _("请填写下周计划。"))

    def before_save(locked):
        locked.figures = week_figures(locked.rep_id, locked.period)
        locked.submitted_at = timezone.now()

    submitted = transition(obj=report, action="submit", actor=actor, check=check, before_save=before_save)
    notify(
        recipients=_reviewers(submitted),
        title=gettext_lazy("%(rep)s 提交了周报：%(week)s"),
        params={"rep": display_name(submitted.rep), "week": submitted.period.label_param},
        url=submitted.get_absolute_url(),
    )
    return submitted


def _reviewer_move(report: WeeklyReport, actor, *, action: str, text: str, before_save, told) -> WeeklyReport:
    """点评 or 退回, the reviewer's two moves: the transition (the row locked, the state and the right checked, `text` —
    the comment or the reason — on the timeline), then the rep told (`told`, with %(actor)s and %(week)s)."""
    done = transition(
        obj=report,
        action=action,
        actor=actor,
        check=lambda locked: _require_action(locked, actor, action),
        before_save=before_save,
        text=gettext_noop("点评：%(text)s") if action == "review" else gettext_noop("退回：%(text)s"),
        params={"text": text},
    )
    notify(
        recipients=[done.rep],
        title=told,
        params={"actor": display_name(actor), "week": done.period.label_param},
        body=text,
        url=done.get_absolute_url(),
    )
    return done


def weekly_review(*, report: WeeklyReport, actor, note: str) -> WeeklyReport:
    """点评: the team lead or a sales manager comments on a week handed in; the rep is told."""
    note = required_text(note, _("请填写点评。"))

    def before_save(locked):
        locked.review_note, locked.reviewed_by, locked.reviewed_at = note, actor, timezone.now()

    return _reviewer_move(
        report,
        actor,
        action="review",
        text=note,
        before_save=before_save,
        told=gettext_lazy("%(actor)s 点评了您的周报：%(week)s"),
    )


def weekly_send_back(*, report: WeeklyReport, actor, reason: str) -> WeeklyReport:
    """退回: back to the rep to complete, with the reason; they edit and hand it in again."""
    reason = required_text(reason, _("请填写退回原因。"))
    return _reviewer_move(
        report,
        actor,
        action="send_back",
        text=reason,
        before_save=lambda locked: setattr(locked, "return_reason", reason[:300]),
        told=gettext_lazy("%(actor)s 退回了您的周报：%(week)s"),
    )


def weekly_remind_missing(*, day: date | None = None) -> int:
    """Friday afternoon (beat): each of the field sales who has not handed in the week's report is reminded, once — their
    draft is opened (the reminder links to it) and marked reminded under a conditional update, so a second run, worker
    or retry reminds nobody twice. Returns how many were reminded."""
    day = day or timezone.localdate()
    week = Period.week(day)
    handed_in = WeeklyReport.objects.filter(
        week=week.start, status__in=(WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED)
    ).values("rep_id")
    reminded = 0
    for writer in users_with_role(*WEEKLY_WRITER_ROLES).exclude(pk__in=handed_in):
        report = weekly_open(actor=writer, day=day)
        with transaction.atomic():
            if not WeeklyReport.objects.filter(pk=report.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
                continue
            notify(
                recipients=[writer],
                title=gettext_lazy("请提交本周周报：%(week)s"),
                params={"week": week.label},
                url=report.get_absolute_url(),
            )
        reminded += 1
    return reminded
