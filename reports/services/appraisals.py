"""绩效考核: the sales department's quarterly and yearly appraisal of its sellers and clerks (seed 002 销售人员绩效考核方案:
考核期结束后…销售部经理完成考核表的统一汇总，并发给销售人员本人进行确认，如有异议由销售部经理进行再确认…将整体统计表提交公司
总经理…考核结果上报总经理审批后生效).

- round_open: the sales manager opens a period that has ended; everyone appraised (reports.appraisal_rules.POSTS) gets
  an appraisal with the lines of their post's form, the measured ones scored from the period's figures.
- appraisal_score: the appraiser (or the person's team lead, on a draft) scores the other lines and writes the comment.
- appraisal_send (or round_send_scored, every draft fully scored at once) → appraisal_confirm / appraisal_object → appraisal_settle: the person confirms or objects; the sales
  manager re-confirms (再确认), final. appraisal_reopen takes one back to scoring; appraisal_exclude leaves one out
  (考核期内累计不到岗时间超过三分之一的人员不参与考核), appraisal_include takes it back.
- appraisals_remind_unanswered (beat, daily): the person who has not answered within CONFIRM_DAYS is reminded once
  (确认工作必须在考核期结束后的第3个工作日完成); rounds_remind_overdue: a round still open after its day to be submitted
  is reported to the sales managers once.
- round_submit: every appraisal confirmed, re-confirmed or left out, the table goes to the GM (the approvals engine)
  with each grade's 薪酬激励 (reports.PayRule) fixed on it; approved it takes effect and finance and the people
  appraised are told; refused it is open again.

Lock order: the round, then the appraisal (a child after its parent), so an appraisal never changes while its round
is submitted. Who may do what: reports.permissions.appraisal_allowed_actions and round_allowed_actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core import approvals
from salesops.core.editing import required_text
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import ApprovalRequest, Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.roles import Role, users_with_role
from salesops.core.thresholds import threshold
from salesops.core.timeline import changes_between, record_event, snapshot
from salesops.core.transitions import transition

from .. import appraisal_rules as rules
from ..appraisal_selectors import appraisal_measures
from ..models import Appraisal, AppraisalCriterion, AppraisalRound, AppraisalScore, PayRule
from ..periods import Period
from ..permissions import (
    appraisal_allowed_actions,
    appraised_post,
    appraises,
    may_score_as_lead,
    round_allowed_actions,
)

CONFIRM_DAYS = 2  # the days a person has to confirm or object before being reminded
ROUND_KINDS = {"quarter": AppraisalRound.Kind.QUARTER, "year": AppraisalRound.Kind.YEAR}


# --- the round ---------------------------------------------------------------------------------------------------------
def round_open(*, actor, period_key: str) -> AppraisalRound:
    """考核: open the appraisal of a quarter ("2026-Q3") or a year ("2026") that has ended, with an appraisal for each
    active seller and clerk (their team as it is now). One round per period: a second one is refused."""
    if not appraises(actor):
        raise Forbidden(_("只有销售部经理可以发起绩效考核。"))
    try:
        period = Period.parse((period_key or "").strip())
    except ValueError as exc:
        raise DomainError(str(exc)) from None
    if period.kind not in ROUND_KINDS:
        raise DomainError(_("考核期应为季度（如 2026-Q3）或年度（如 2026）。"), code="appraisal_period")
    if period.end >= timezone.localdate():
        raise DomainError(
            _("%(period)s 还没有结束：考核在考核期结束后进行。") % {"period": period.label}, code="appraisal_period_open"
        )
    number = 0 if period.kind == "year" else (period.start.month - 1) // 3 + 1
    try:
        with transaction.atomic():
            round_ = AppraisalRound.objects.create(
                year=period.start.year, kind=ROUND_KINDS[period.kind], number=number, opened_by=actor
            )
            people = _appraised_people()
            for person in people:
                _open_appraisal(round_, person)
            record_event(
                target=round_,
                verb=Event.Verb.CREATED,
                actor=actor,
                text=gettext_noop("发起绩效考核：%(period)s，%(count)s 人"),
                params={"period": period.key, "count": len(people)},
            )
    except IntegrityError:
        raise Conflict(_("%(period)s 的绩效考核已经发起。") % {"period": period.label}, code="appraisal_round_exists") from None
    return round_


def _appraised_people() -> list:
    """The active sellers and clerks, each once (a team lead who also clerks is appraised as a seller)."""
    return list(users_with_role(*rules.POSTS).select_related("profile"))


def _open_appraisal(round_: AppraisalRound, person) -> Appraisal:
    post = appraised_post(person)
    appraisal = Appraisal.objects.create(
        round=round_, employee=person, post=post, team_id=getattr(getattr(person, "profile", None), "team_id", None)
    )
    criteria = AppraisalCriterion.objects.filter(post=post, active=True).order_by("position", "id")
    AppraisalScore.objects.bulk_create(
        AppraisalScore(
            appraisal=appraisal,
            criterion=c,
            part=c.part,
            name=c.name,
            standard=c.standard,
            max_points=c.max_points,
            measure=c.measure,
            position=i,
        )
        for i, c in enumerate(criteria, start=1)
    )
    _measure(appraisal)
    appraisal.save(update_fields=["total", "grade"])
    return appraisal


def _measure(appraisal: Appraisal) -> None:
    """Score the measured lines from the period's figures (a line whose figure is missing is left to the appraiser),
    then the total and the grade."""
    measured = [s for s in appraisal.scores.all() if s.measure]
    if measured:
        figures = appraisal_measures(appraisal.employee_id, appraisal.round.period, [s.measure for s in measured])
        for score in measured:
            value = figures.get(score.measure)
            if value is None and score.value is None:
                continue  # scored by hand, and still nothing to measure
            score.value = value
            score.points = rules.points_for(value, score.max_points)
        AppraisalScore.objects.bulk_update(measured, ["value", "points"])
    _total(appraisal)


def _total(appraisal: Appraisal) -> None:
    total = sum((s.points or Decimal(0) for s in appraisal.scores.all()), Decimal("0.00"))
    appraisal.total = total
    appraisal.grade = rules.grade_for(
        total, a=threshold("appraisal_grade_a"), b=threshold("appraisal_grade_b"), c=threshold("appraisal_grade_c")
    )


def _lock_round(round_id: int) -> AppraisalRound:
    found = AppraisalRound.objects.select_for_update().filter(pk=round_id).first()
    if found is None:
        raise NotFound(_("绩效考核不存在或已被删除。"))
    return found


def round_submit(*, round_: AppraisalRound, actor) -> AppraisalRound:
    """提交总经理审批: every appraisal confirmed by its person, re-confirmed by the manager or left out, and somebody
    appraised; the GM decides in 待我审批."""
    with transaction.atomic():
        locked = _lock_round(round_.pk)
        if "submit" not in round_allowed_actions(locked, actor):
            if not appraises(actor):
                raise Forbidden(_("只有销售部经理可以提交绩效考核。"))
            raise Conflict(_("绩效考核%(status)s，不能提交。") % {"status": locked.get_status_display()}, code="round_state")
        waiting = list(
            locked.appraisals.exclude(status__in=Appraisal.DONE).select_related("employee").order_by("employee__username")
        )
        if waiting:
            names = "、".join(display_name(a.employee) for a in waiting[:5]) + ("…" if len(waiting) > 5 else "")
            raise Conflict(
                _("还有 %(count)s 人的考核未确认：%(names)s。") % {"count": len(waiting), "names": names},
                code="appraisals_unconfirmed",
            )
        if not locked.appraisals.exclude(status=Appraisal.Status.EXCLUDED).exists():
            raise DomainError(_("没有参与考核的人员，不能提交。"), code="round_empty")

        def before_save(r):
            r.submitted_at = timezone.now()

        _fix_pay(locked)
        submitted = transition(obj=locked, action="submit", actor=actor, before_save=before_save)
        approvals.approval_start(
            target=submitted,
            kind=rules.ROUND_KIND,
            steps=rules.round_route(),
            actor=actor,
            title=gettext_lazy("绩效考核结果审批：%(period)s"),
            title_params={"period": submitted.period.label_param},
            url=submitted.get_absolute_url(),
        )
    return submitted


def _fix_pay(round_: AppraisalRound) -> None:
    """The 薪酬激励标准 in force for each grade goes with the table to the GM (what the GM approves is what finance
    pays, whatever the standard becomes later); a grade the standard does not name gets none."""
    rules_now = {rule.grade: rule for rule in PayRule.objects.filter(kind=round_.kind)}
    rows = list(round_.appraisals.exclude(status=Appraisal.Status.EXCLUDED).order_by("pk"))
    for row in rows:
        rule = rules_now.get(row.grade)
        row.pay_factor, row.level_change = (rule.pay_factor, rule.level_change) if rule else (None, None)
    Appraisal.objects.bulk_update(rows, ["pay_factor", "level_change"])


def _on_round_decided(request: ApprovalRequest, outcome: str, actor) -> None:
    """The GM's decision, in the deciding transaction (the round locked by lock_round): approved, the results take
    effect and finance (薪金发放) and each person appraised are told; refused, the round is open again for the sales
    manager to revise (the engine tells whoever submitted it, with the GM's comment)."""
    round_ = AppraisalRound(pk=request.target_id)
    if outcome == ApprovalRequest.Status.APPROVED:
        done = transition(
            obj=round_,
            action="approve",
            actor=actor,
            before_save=lambda r: setattr(r, "approved_at", timezone.now()),
        )
        label = done.period.label
        notify(
            recipients=users_with_role(Role.FINANCE),
            title=gettext_lazy("%(period)s 绩效考核结果已生效，请据此发放薪金"),
            params={"period": label},
            url=done.get_absolute_url(),
        )
        for appraisal in done.appraisals.exclude(status=Appraisal.Status.EXCLUDED).select_related("employee"):
            notify(
                recipients=[appraisal.employee],
                title=gettext_lazy("您的 %(period)s 绩效考核结果已生效：%(total)s 分"),
                params={"period": label, "total": appraisal.total},
                url=appraisal.get_absolute_url(),
            )
        return
    Appraisal.objects.filter(round_id=round_.pk).update(pay_factor=None, level_change=None)  # fixed again when resubmitted
    transition(
        obj=round_,
        action="send_back",
        actor=actor,
        text=gettext_noop("总经理退回：%(comment)s"),
        params={"comment": approvals.refusal_comment(request)},
    )


def lock_round(round_: AppraisalRound) -> None:
    """The approvals engine's locker: the round before the request and the step (the lock order)."""
    _lock_round(round_.pk)


def register_handlers() -> None:
    """Called from ReportsConfig.ready: what the approvals engine does when the GM decided on a round."""
    from ..appraisal_selectors import appraisal_round_summary

    approvals.register_outcome_handler(
        rules.ROUND_KIND,
        _on_round_decided,
        label=gettext_lazy("绩效考核结果审批"),
        locker=lock_round,
        summary=appraisal_round_summary,
    )


# --- one appraisal -----------------------------------------------------------------------------------------------------
def _require(appraisal: Appraisal, actor, action: str) -> None:
    """The actor may take `action` now, else 403 (not theirs to take) or 409 (not in this state, or the round is no
    longer open)."""
    if action in appraisal_allowed_actions(appraisal, actor):
        return
    mine = appraisal.employee_id == actor.pk
    if action in ("confirm", "object"):
        if not mine:
            raise Forbidden(_("只有被考核人本人可以确认考核结果或提出异议。"))
    elif mine or not (appraises(actor) or (action == "score" and may_score_as_lead(actor, appraisal))):
        raise Forbidden(_("只有销售部经理（草稿也可由被考核人的组长评分）处理考核，任何人不能处理自己的考核。"))
    if appraisal.round.status != AppraisalRound.Status.OPEN:
        raise Conflict(
            _("绩效考核%(status)s，考核表不能再改动。") % {"status": appraisal.round.get_status_display()}, code="round_state"
        )
    raise Conflict(_("考核%(status)s，不能执行此操作。") % {"status": appraisal.get_status_display()}, code="appraisal_state")


def _act(appraisal: Appraisal, actor, action: str, **kwargs) -> Appraisal:
    """Lock the round, then move the appraisal with `transition` (its row locked, the state and the right checked)."""
    with transaction.atomic():
        round_ = _lock_round(appraisal.round_id)
        before_save = kwargs.pop("before_save", None)

        def check(locked):
            locked.round = round_
            _require(locked, actor, action)

        return transition(obj=appraisal, action=action, actor=actor, check=check, before_save=before_save, **kwargs)


def _parse_points(raw, score: AppraisalScore) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        points = Decimal(str(raw))
    except InvalidOperation:
        raise DomainError(_("「%(name)s」的得分应为数字。") % {"name": score.name}) from None
    try:
        rules.check_points(points, score.max_points, score.name)
    except ValueError as exc:
        raise DomainError(str(exc)) from None
    return points


def appraisal_score(*, appraisal: Appraisal, actor, scores: Mapping[int, Mapping], comment: str | None = None) -> Appraisal:
    """评分: the points (and a note) of the lines scored by hand — `scores` maps a line's id to {"points", "note"}; a
    measured line keeps the points of its figure (its note may be written) — and the comment. The total and grade
    follow; the changes are on the appraisal's timeline."""
    with transaction.atomic():
        round_ = _lock_round(appraisal.round_id)
        locked = Appraisal.objects.select_for_update().filter(pk=appraisal.pk).first()
        if locked is None:
            raise NotFound(_("考核不存在或已被删除。"))
        locked.round = round_
        _require(locked, actor, "score")
        lines = {s.pk: s for s in locked.scores.all()}
        unknown = [key for key in scores if int(key) not in lines]
        if unknown:
            raise DomainError(_("考核项不属于这份考核：%(ids)s") % {"ids": ", ".join(map(str, unknown))})
        changed, changes = [], []
        for key, data in scores.items():
            score = lines[int(key)]
            old_points, old_note = score.points, score.note
            if "points" in data:
                points = _parse_points(data["points"], score)
                if score.measured and points != score.points:
                    raise DomainError(
                        _("「%(name)s」按考核期数据计分（%(points)s 分），不能手工修改。")
                        % {"name": score.name, "points": score.points}
                    )
                score.points = points
            if "note" in data:
                score.note = (data["note"] or "").strip()[:200]
            if (score.points, score.note) != (old_points, old_note):
                changed.append(score)
                changes.append(  # a line's name is data: shown as written
                    {
                        "field": f"line:{score.pk}",
                        "label": score.name,
                        "old": _shown(old_points, old_note),
                        "new": _shown(score.points, score.note),
                    }
                )
        AppraisalScore.objects.bulk_update(changed, ["points", "note"])
        if comment is not None:
            before = snapshot(locked, ["comment"])
            locked.comment = comment.strip()
            changes += changes_between(locked, before)  # labelled in each reader's language
        if changes:
            locked.appraiser = actor
            _total(locked)
            locked.save()
            record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("评分"), changes=changes)
    return locked


def _shown(points, note: str) -> str:
    shown = "—" if points is None else f"{points}"
    return f"{shown}（{note}）" if note else shown


def appraisal_send(*, appraisal: Appraisal, actor) -> Appraisal:
    """发本人确认: the measured lines are scored again from the figures as they are now, every line must have its
    points; the person is told."""

    def before_save(locked):
        _measure(locked)
        missing = [s.name for s in locked.scores.all() if s.points is None]
        if missing:
            raise DomainError(_("还有考核项未评分：%(names)s。") % {"names": "、".join(missing)}, code="appraisal_unscored")
        locked.sent_at, locked.reminded_at = timezone.now(), None
        locked.appraiser = locked.appraiser or actor

    sent = _act(appraisal, actor, "send", before_save=before_save)
    notify(
        recipients=[sent.employee],
        title=gettext_lazy("请确认您的 %(period)s 绩效考核：%(total)s 分"),
        params={"period": sent.round.period.label_param, "total": sent.total},
        url=sent.get_absolute_url(),
    )
    return sent


def appraisal_confirm(*, appraisal: Appraisal, actor) -> Appraisal:
    """确认: the person agrees with the scores."""
    return _act(appraisal, actor, "confirm", before_save=lambda a: setattr(a, "answered_at", timezone.now()))


def appraisal_object(*, appraisal: Appraisal, actor, reason: str) -> Appraisal:
    """提出异议: the person disagrees, with the reason; the sales managers are told to re-confirm."""
    reason = required_text(reason, _("请填写异议内容。"))

    def before_save(a):
        a.objection, a.answered_at = reason, timezone.now()

    done = _act(
        appraisal, actor, "object", before_save=before_save, text=gettext_noop("提出异议：%(text)s"), params={"text": reason}
    )
    notify(
        recipients=users_with_role(Role.SALES_MANAGER),
        title=gettext_lazy("%(name)s 对 %(period)s 绩效考核提出异议"),
        params={"name": display_name(actor), "period": done.round.period.label_param},
        body=reason,
        url=done.get_absolute_url(),
    )
    return done


def appraisal_settle(*, appraisal: Appraisal, actor, reply: str) -> Appraisal:
    """复核确认 (再确认): the sales manager answers the objection, the scores changed or not; final. The person is told."""
    reply = required_text(reply, _("请填写复核意见。"))
    done = _act(
        appraisal,
        actor,
        "settle",
        before_save=lambda a: _answer(a, reply),
        text=gettext_noop("复核确认：%(text)s"),
        params={"text": reply},
    )
    notify(
        recipients=[done.employee],
        title=gettext_lazy("您的 %(period)s 绩效考核已复核：%(total)s 分"),
        params={"period": done.round.period.label_param, "total": done.total},
        body=reply,
        url=done.get_absolute_url(),
    )
    return done


def _answer(appraisal: Appraisal, reply: str) -> None:
    appraisal.reply, appraisal.settled_at = reply, timezone.now()


def appraisal_reopen(*, appraisal: Appraisal, actor, reason: str) -> Appraisal:
    """重新评分: back to scoring, with the reason; it is sent to the person again afterwards."""
    reason = required_text(reason, _("请填写重新评分的原因。"))
    return _act(appraisal, actor, "reopen", text=gettext_noop("重新评分：%(text)s"), params={"text": reason})


def appraisal_exclude(*, appraisal: Appraisal, actor, reason: str) -> Appraisal:
    """不参与考核, with the reason (e.g. 考核期内累计不到岗时间超过三分之一)."""
    reason = required_text(reason, _("请填写不参与考核的原因。"))
    return _act(
        appraisal,
        actor,
        "exclude",
        before_save=lambda a: setattr(a, "exclude_reason", reason[:200]),
        text=gettext_noop("不参与考核：%(text)s"),
        params={"text": reason},
    )


def appraisal_include(*, appraisal: Appraisal, actor) -> Appraisal:
    """恢复考核: appraised after all."""
    return _act(appraisal, actor, "include", before_save=lambda a: setattr(a, "exclude_reason", ""))


def appraisals_remind_unanswered(*, now=None) -> int:
    """Each person whose appraisal was sent CONFIRM_DAYS days ago or more and is still waiting for them is reminded
    once (marked under a conditional update: a second run, worker or retry reminds nobody twice; sending it again after
    re-scoring clears the mark). Returns how many were reminded."""
    now = now or timezone.now()
    waiting = Appraisal.objects.filter(
        round__status=AppraisalRound.Status.OPEN,
        status=Appraisal.Status.SENT,
        sent_at__lte=now - timedelta(days=CONFIRM_DAYS),
        reminded_at__isnull=True,
    ).select_related("employee", "round")
    reminded = 0
    for appraisal in waiting:
        with transaction.atomic():
            if not Appraisal.objects.filter(pk=appraisal.pk, status=Appraisal.Status.SENT, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            notify(
                recipients=[appraisal.employee],
                title=gettext_lazy("请尽快确认您的 %(period)s 绩效考核，或提出异议"),
                params={"period": appraisal.round.period.label_param},
                url=appraisal.get_absolute_url(),
            )
        reminded += 1
    return reminded


def rounds_remind_overdue(*, today=None) -> int:
    """Each open round past its day to be submitted to the GM (考核期结束后第5个工作日, reports.appraisal_selectors.round_schedule)
    is reported to the sales managers once, with how many have not confirmed yet (marked under a conditional update, as
    the reminders to confirm). Returns how many rounds were reported."""
    from ..appraisal_selectors import round_milestone

    today = today or timezone.localdate()
    reported = 0
    for round_ in AppraisalRound.objects.filter(status=AppraisalRound.Status.OPEN, overdue_reminded_at__isnull=True):
        due = round_milestone(round_, "submit", today=today)
        if due.state != "overdue":
            continue
        with transaction.atomic():
            if not AppraisalRound.objects.filter(
                pk=round_.pk, status=AppraisalRound.Status.OPEN, overdue_reminded_at__isnull=True
            ).update(overdue_reminded_at=timezone.now()):
                continue
            waiting = round_.appraisals.exclude(status__in=Appraisal.DONE).count()
            notify(
                recipients=users_with_role(Role.SALES_MANAGER),
                title=gettext_lazy("%(period)s 绩效考核已超过提交总经理的期限（%(due)s），还有 %(count)s 人未确认"),
                params={"period": round_.period.label_param, "due": due.due.isoformat(), "count": waiting},
                url=round_.get_absolute_url(),
            )
        reported += 1
    return reported


def round_send_scored(*, round_: AppraisalRound, actor) -> tuple[list[Appraisal], list[Appraisal]]:
    """全部发本人确认: each draft of the round with every line scored is sent, one by one as appraisal_send sends it
    (a draft someone else sent meanwhile is passed over). Returns (those sent, the drafts left: lines still unscored)."""
    if not appraises(actor):
        raise Forbidden(_("只有销售部经理可以发本人确认。"))
    if round_.status != AppraisalRound.Status.OPEN:
        raise Conflict(_("绩效考核%(status)s，考核表不能再改动。") % {"status": round_.get_status_display()}, code="round_state")
    sent, left = [], []
    for appraisal in round_.appraisals.filter(status=Appraisal.Status.DRAFT).select_related("employee").order_by("id"):
        try:
            sent.append(appraisal_send(appraisal=appraisal, actor=actor))
        except DomainError as exc:
            if exc.code == "appraisal_unscored":
                left.append(appraisal)
            elif exc.code != "appraisal_state":
                raise
    return sent, left
