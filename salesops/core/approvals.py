"""The approvals engine (ARCHITECTURE.md rule 2).

The owning app's `rules.py` computes a route — a list of `StepSpec`s; steps with the same stage run in parallel
(e.g. the department reviews of a special contract), stages run in order (sales manager → VP → GM).
This module records the request and its steps, decides who may act, takes decisions and tells the owning app the outcome
through the handler it registered for its `kind` (`register_outcome_handler`), inside the same transaction.

Lock order (ARCHITECTURE.md rule 11, salesops.core.locking): the document first, then its approval request, then the
step. A decision that may end the round therefore locks the target document first, through the LOCKER the owning app
registered with its handler (e.g. the contract then its change; the order then its emergency release), then the
request, then the step. `approval_start` and `approval_cancel` are called by services that already hold the document
lock. A deadlock that happens anyway is run again once, then answered 409 (`retry_on_lock_conflict`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from . import batch
from .access import has_visibility, visible_queryset
from .errors import Conflict, DomainError, Forbidden, NotFound
from .eventtext import msgid_of, sentence, source_text, store_param
from .locking import retry_on_lock_conflict
from .models import ApprovalRequest, ApprovalStep, Department, Event
from .names import display_name
from .notifications import notify
from .roles import user_roles, users_with_role
from .thresholds import threshold
from .timeline import T, choice, record_event


@dataclass(frozen=True)
class StepSpec:
    code: str
    label: str | Promise  # gettext_lazy(…): stored as its msgid, shown in each reader's language
    stage: int
    role: str = ""
    department: str = ""  # Department.Code of the reviewing department, for display and filtering
    user_id: int | None = None
    # why the route reaches this step: a msgid (gettext_noop, with %(name)s placeholders) and its parameters
    reason: str = ""
    reason_params: dict = field(default_factory=dict)


OutcomeHandler = Callable[[ApprovalRequest, str, object], None]
Locker = Callable[[object], None]
# summary(target, user) -> [(label, value)]: what is being approved, shown beside the step (each figure only to whom may see it)
Summary = Callable[[object, object], list[tuple[str, str]]]
_HANDLERS: dict[str, OutcomeHandler] = {}
_LOCKERS: dict[str, Locker] = {}
_KIND_LABELS: dict[str, str] = {}
_SUMMARIES: dict[str, Summary] = {}


def register_outcome_handler(
    kind: str, handler: OutcomeHandler, *, label=None, locker: Locker | None = None, summary: Summary | None = None
) -> None:
    """The owning app registers (in AppConfig.ready) what happens to its document when a request of `kind` ends.

    The handler is called as handler(request, outcome, actor) with outcome "approved" or "rejected", exactly once per round,
    inside the transaction of the deciding step, so the document and the approval change together or not at all.
    `label` (e.g. _("合同评审")) names the kind in the approvals inbox.
    `locker(target)` locks the document rows the handler will write, in the lock order (the document, then its child
    rows); the engine calls it before it locks the request and the step, so a decision and a withdrawal of the same
    document wait on each other instead of deadlocking.
    `summary(target, user)` lists what is being approved (amount, discount, margin…) for the inbox, each figure only
    for a user allowed to see it.
    """
    _HANDLERS[kind] = handler
    if summary:
        _SUMMARIES[kind] = summary
    if locker:
        _LOCKERS[kind] = locker
    if label:
        _KIND_LABELS[kind] = label


def kinds() -> list[str]:
    """The kinds of request the engine can end (each registered by its owning app), e.g. for the inbox's kind filter."""
    return list(_HANDLERS)


def kind_label(kind: str) -> str:
    """The human name of an approval kind (its code if the owning app gave none)."""
    return str(_KIND_LABELS.get(kind, kind))


def summary_for(request: ApprovalRequest, user) -> list[tuple[str, str]]:
    """What the request approves, as (label, value) pairs for `user` (empty when the owner registered no summary)."""
    summary = _SUMMARIES.get(request.kind)
    target = request.target if summary else None
    return [(str(label), str(value)) for label, value in summary(target, user)] if target is not None else []


# --- who may act --------------------------------------------------------------------------------------------------
OWNER_FIELDS = ("owner", "claimant", "author")


def users_for_step(step: ApprovalStep):
    User = get_user_model()
    if step.assignee_user_id:
        return User.objects.filter(pk=step.assignee_user_id, is_active=True)
    return users_with_role(step.assignee_role)


def is_assignee(step: ApprovalStep, user) -> bool:
    if step.assignee_user_id:
        return step.assignee_user_id == user.pk
    return bool(step.assignee_role) and step.assignee_role in user_roles(user)


def knows_of(step: ApprovalStep, user) -> bool:
    """May `user` learn that `step` exists and how it stands? Its assignee, whoever decided it, the request's submitter
    and owner, and whoever may see the document under review; anybody else is told there is no such step (404), not
    who decided it or that it is someone else's (ARCHITECTURE.md rule 5). A document whose app registers no visibility
    rule (core.access) is no secret."""
    request = step.request
    if is_assignee(step, user) or user.pk in (step.decided_by_id, request.requested_by_id, request.owner_id):
        return True
    model = request.target_type.model_class()
    return not has_visibility(model) or visible_queryset(model, user).filter(pk=request.target_id).exists()


def can_decide(step: ApprovalStep, user) -> bool:
    """May `user` decide `step` now? Assignee, step active in the current stage, and never the requester themself."""
    request = step.request
    return (
        request.status == ApprovalRequest.Status.PENDING
        and step.status == ApprovalStep.Status.PENDING
        and step.stage == request.current_stage
        and user.pk not in (request.requested_by_id, request.owner_id)
        and is_assignee(step, user)
    )


def document_owner(target):
    """The person a document belongs to, when it names one: its owner (a rep's quotation, contract, order,
    opportunity), claimant (an expense claim) or author (a sales plan)."""
    for name in OWNER_FIELDS:
        if hasattr(target, f"{name}_id"):
            return getattr(target, name)
    return None


# --- writes -------------------------------------------------------------------------------------------------------
@retry_on_lock_conflict
def approval_start(
    *,
    target,
    kind: str,
    steps: list[StepSpec],
    actor,
    title,
    title_params: dict | None = None,
    url: str = "",
    owner=None,
) -> ApprovalRequest:
    """Open a new round of approval on `target` (round = previous rounds of this kind + 1; earlier rounds are kept).

    `title` is the sentence that names the document in inboxes and notifications — `gettext_lazy("报价单 %(number)s…")`
    with `title_params`, kept as msgid and parameters so each reader reads it in their own language (a plain string is
    kept as it is); step labels likewise (`StepSpec(label=gettext_lazy(…))`): stored as their msgid.

    Fails with 409 if a round of the same kind is already pending — also when two submissions race (the partial unique
    constraint `uniq_pending_approval_per_target` decides). The first stage's assignees are notified after commit.
    Neither `actor` nor the document's own person may decide any of its steps: `owner` when the caller names who wrote
    what is approved (the author of a complaint's answer), else document_owner(target).
    """
    if not steps:
        raise DomainError(_("审批路线为空。"))
    codes = [s.code for s in steps]
    if len(set(codes)) != len(codes):
        raise DomainError(_("审批路线中有重复的步骤。"))
    for s in steps:
        if not s.role and not s.user_id:
            raise DomainError(_("审批步骤“%(step)s”没有指定处理角色或处理人。") % {"step": str(s.label)})
    title_msgid = msgid_of(title) if title_params is not None or isinstance(title, Promise) else ""
    stored_params = {k: store_param(v) for k, v in (title_params or {}).items()}
    title_src = source_text(title_msgid, stored_params) if title_msgid else str(title)
    ct = ContentType.objects.get_for_model(target)
    departments = {d.code: d for d in Department.objects.filter(code__in={s.department for s in steps if s.department})}
    now = timezone.now()
    first_stage = min(s.stage for s in steps)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the unique constraints below are the guard against double submission
                last_round = (
                    ApprovalRequest.objects.filter(target_type=ct, target_id=target.pk, kind=kind).aggregate(m=Max("round"))["m"]
                    or 0
                )
                request = ApprovalRequest.objects.create(
                    target_type=ct,
                    target_id=target.pk,
                    kind=kind,
                    round=last_round + 1,
                    title=title_src[:200],
                    title_msgid=title_msgid,
                    title_params=stored_params,
                    url=url,
                    requested_by=actor,
                    owner=owner if owner is not None else document_owner(target),
                    current_stage=first_stage,
                )
        except IntegrityError:
            # Either another round of this kind is pending, or a concurrent submission took this round number.
            raise Conflict(_("该单据已有进行中的审批，不能重复提交。")) from None
        ApprovalStep.objects.bulk_create(
            [
                ApprovalStep(
                    request=request,
                    stage=s.stage,
                    code=s.code,
                    label=msgid_of(s.label)[:100],
                    assignee_role=s.role,
                    assignee_department=departments.get(s.department),
                    assignee_user_id=s.user_id,
                    status=ApprovalStep.Status.PENDING if s.stage == first_stage else ApprovalStep.Status.WAITING,
                    activated_at=now if s.stage == first_stage else None,
                    reason={"msgid": s.reason, "params": {k: store_param(v) for k, v in s.reason_params.items()}}
                    if s.reason
                    else {},
                )
                for s in sorted(steps, key=lambda s: s.stage)
            ]
        )
        record_event(
            target=target,
            verb=Event.Verb.APPROVAL,
            actor=actor,
            text=gettext_noop("提交审批（第 %(round)d 轮）：%(steps)s"),
            params={"round": request.round, "steps": [T(s.label) for s in steps]},
        )
        _notify_active_steps(request)
    return request


@retry_on_lock_conflict
def approval_decide(*, step_id: int, actor, decision: str, comment: str = "") -> ApprovalStep:
    """Record `actor`'s decision on one step. Exactly one decision per step, even with many clicks at once.

    A rejection ends the round (the remaining steps are cancelled) and the owner gets the reasons; an approval of the last
    step of a stage opens the next stage; the last stage approved approves the request. Reject and approve-with-conditions
    need a comment.
    """
    comment = (comment or "").strip()
    with transaction.atomic():
        request_id = ApprovalStep.objects.filter(pk=step_id).values_list("request_id", flat=True).first()
        if request_id is None:
            raise NotFound(_("审批步骤不存在。"))
        # The lock order: the target document (through its app's locker), then the request, then the step — the order
        # of a withdrawal too (document, then approval_cancel). Locking the request before the step makes parallel steps
        # of one stage finish the stage exactly once and two clicks on one step give one decision.
        unlocked = ApprovalRequest.objects.get(pk=request_id)
        locker = _LOCKERS.get(unlocked.kind)
        if locker:
            locker(unlocked.target)
        request = ApprovalRequest.objects.select_for_update().get(pk=request_id)
        step = ApprovalStep.objects.select_for_update().get(pk=step_id)
        step.request = request
        if not knows_of(step, actor):
            raise NotFound(_("审批步骤不存在。"))
        if step.is_decided:
            raise Conflict(
                _("“%(step)s”已由 %(who)s 于 %(when)s 处理（%(result)s），不能重复处理。")
                % {
                    "step": step.label_text,
                    "who": display_name(step.decided_by, _("他人")),
                    "when": timezone.localtime(step.decided_at).strftime("%Y-%m-%d %H:%M") if step.decided_at else "",
                    "result": step.get_status_display(),
                }
            )
        if request.status != ApprovalRequest.Status.PENDING or step.status == ApprovalStep.Status.CANCELLED:
            raise Conflict(_("本轮审批已结束（%(status)s），不能再处理。") % {"status": request.get_status_display()})
        if not is_assignee(step, actor):
            raise Forbidden(_("“%(step)s”不是分配给您的审批步骤。") % {"step": step.label_text})
        if request.requested_by_id == actor.pk:
            raise Forbidden(_("不能审批自己提交的单据。"))
        if request.owner_id == actor.pk:
            raise Forbidden(_("不能审批自己的单据。"))
        if step.stage != request.current_stage:
            raise Conflict(_("还没有轮到“%(step)s”：请等待前面的审批完成。") % {"step": step.label_text})
        # Checked after the state so that a late second click hears "already decided", not "write a comment".
        if decision not in ApprovalStep.Decision.values:
            raise DomainError(_("审批结论不正确。"))
        if decision != ApprovalStep.Decision.APPROVE and not comment:
            raise DomainError(_("不同意或有条件同意时必须填写意见。"))

        now = timezone.now()
        step.status = {
            ApprovalStep.Decision.APPROVE: ApprovalStep.Status.APPROVED,
            ApprovalStep.Decision.APPROVE_WITH_CONDITIONS: ApprovalStep.Status.APPROVED_WITH_CONDITIONS,
            ApprovalStep.Decision.REJECT: ApprovalStep.Status.REJECTED,
        }[decision]
        step.decided_by, step.decided_at, step.comment = actor, now, comment
        step.save(update_fields=["status", "decided_by", "decided_at", "comment"])
        target = request.target
        record_event(
            target=target,
            verb=Event.Verb.APPROVAL,
            actor=actor,
            text=gettext_noop("%(step)s：%(status)s — %(comment)s") if comment else gettext_noop("%(step)s：%(status)s"),
            params={"step": T(step.label), "status": choice(step), **({"comment": comment} if comment else {})},
        )

        outcome = None
        if step.status == ApprovalStep.Status.REJECTED:
            outcome = ApprovalRequest.Status.REJECTED
            request.steps.filter(status__in=[ApprovalStep.Status.PENDING, ApprovalStep.Status.WAITING]).update(
                status=ApprovalStep.Status.CANCELLED
            )
        elif not request.steps.filter(stage=request.current_stage, status=ApprovalStep.Status.PENDING).exists():
            next_stage = (
                request.steps.filter(stage__gt=request.current_stage).order_by("stage").values_list("stage", flat=True).first()
            )
            if next_stage is None:
                outcome = ApprovalRequest.Status.APPROVED
            else:
                request.current_stage = next_stage
                request.save(update_fields=["current_stage"])
                request.steps.filter(stage=next_stage).update(status=ApprovalStep.Status.PENDING, activated_at=now)
                _notify_active_steps(request)

        if outcome:
            request.status, request.decided_at = outcome, now
            request.save(update_fields=["status", "decided_at"])
            record_event(
                target=target,
                verb=Event.Verb.APPROVAL,
                actor=actor,
                text=gettext_noop("审批结束（第 %(round)d 轮）：%(status)s"),
                params={"round": request.round, "status": choice(request)},
            )
            handler = _HANDLERS.get(request.kind)
            if handler:
                handler(request, outcome, actor)
            _notify_requester(request, outcome, step)
    return step


@retry_on_lock_conflict
def approval_cancel(*, request_id: int, actor, reason: str = "") -> ApprovalRequest:
    """Withdraw a pending request (the owning service checks that `actor` may, and holds the document's lock: document,
    then request, then its steps)."""
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise NotFound(_("审批不存在。"))
        if request.status != ApprovalRequest.Status.PENDING:
            raise Conflict(_("本轮审批已结束（%(status)s），不能撤销。") % {"status": request.get_status_display()})
        request.status, request.decided_at = ApprovalRequest.Status.CANCELLED, timezone.now()
        request.save(update_fields=["status", "decided_at"])
        request.steps.filter(status__in=[ApprovalStep.Status.PENDING, ApprovalStep.Status.WAITING]).update(
            status=ApprovalStep.Status.CANCELLED
        )
        record_event(
            target=request.target,
            verb=Event.Verb.APPROVAL,
            actor=actor,
            text=gettext_noop("撤销审批：%(reason)s") if reason else gettext_noop("撤销审批"),
            params={"reason": reason} if reason else {},
        )
    return request


def approvals_remind_overdue(*, now=None) -> int:
    """Notify the assignees of steps pending longer than `approval_overdue_hours`; at most once per that period per step."""
    now = now or timezone.now()
    hours = threshold("approval_overdue_hours")
    cutoff = now - timedelta(hours=float(hours))
    reminded = 0
    steps = (
        ApprovalStep.objects.select_related("request")
        .filter(status=ApprovalStep.Status.PENDING, request__status=ApprovalRequest.Status.PENDING, activated_at__lt=cutoff)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=cutoff))
    )
    for step in steps:
        with transaction.atomic():
            locked = ApprovalStep.objects.select_for_update().filter(pk=step.pk, status=ApprovalStep.Status.PENDING).first()
            if locked is None or (locked.reminded_at and locked.reminded_at >= cutoff):
                continue
            notify(
                recipients=users_for_step(locked).exclude(pk__in=_own_people(step.request)),
                title=gettext_lazy("审批超时提醒：%(title)s — %(step)s"),
                body=gettext_lazy("该审批已等待超过 %(hours)s 小时，请尽快处理。"),
                params={"title": step.request.title_param, "step": T(locked.label), "hours": format(hours.normalize(), "f")},
                url=step.request.url,
            )
            locked.reminded_at = now
            locked.save(update_fields=["reminded_at"])
            reminded += 1
    return reminded


def _notify_active_steps(request: ApprovalRequest) -> None:
    for step in request.steps.filter(stage=request.current_stage, status=ApprovalStep.Status.PENDING):
        notify(
            recipients=users_for_step(step).exclude(pk__in=_own_people(request)),
            title=gettext_lazy("待您审批：%(title)s — %(step)s"),
            params={"title": request.title_param, "step": T(step.label)},
            url=request.url,
        )


def _own_people(request: ApprovalRequest) -> list[int]:
    """Who may not decide a step of `request`: who submitted it and whose document it is."""
    return [pk for pk in (request.requested_by_id, request.owner_id) if pk]


def _notify_requester(request: ApprovalRequest, outcome: str, step: ApprovalStep) -> None:
    if outcome == ApprovalRequest.Status.REJECTED:
        title, body = gettext_lazy("审批被驳回：%(title)s"), gettext_lazy("%(step)s 不同意：%(comment)s")
    else:
        title, body = gettext_lazy("审批已通过：%(title)s"), ""
    params = {"title": request.title_param, "step": T(step.label), "comment": step.comment}
    conditions = approval_conditions(request)
    if outcome != ApprovalRequest.Status.REJECTED and conditions:  # 有条件同意: the owner must read what was set
        body, params["conditions"] = gettext_lazy("附条件：%(conditions)s"), conditions
    notify(recipients=[request.requested_by], title=title, body=body, params=params, url=request.url)


def notify_owner_approved(request: ApprovalRequest, owner, *, title, params: dict) -> None:
    """Tell a document's owner it was approved, with every condition set (有条件同意), when someone else submitted it
    (the submitter hears it from _notify_requester). `title`: a lazy sentence over `params`."""
    if owner.pk == request.requested_by_id:
        return
    conditions = approval_conditions(request)
    notify(
        recipients=[owner],
        title=title,
        body=gettext_lazy("附条件：%(conditions)s") if conditions else "",
        params={**params, "conditions": conditions},
        url=request.url,
    )


# --- reads --------------------------------------------------------------------------------------------------------
def approval_conditions(request: ApprovalRequest) -> list[dict]:
    """The conditions of the steps approved with conditions (有条件同意), in their order, each a stored sentence
    「step（who）：condition」 rendered in the reader's language (a notification's parameter)."""
    steps = request.steps.filter(status=ApprovalStep.Status.APPROVED_WITH_CONDITIONS).select_related("decided_by")
    return [
        sentence(
            gettext_noop("%(step)s（%(who)s）：%(comment)s"),
            {"step": T(s.label), "who": display_name(s.decided_by), "comment": s.comment},
        )
        for s in steps.order_by("stage", "id")
    ]


def steps_waiting_for(user):
    """The approval steps `user` must act on now ("waiting for me"), oldest first: pending, assigned to the user by name
    or, without a named user, to one of the user's roles (a department review is a role: reviewer_technical…), of a
    request still pending that the user did not submit.

    Decided on the step's own columns (the covering index step_pending_covering_idx gives the order, the assignee and
    the request), the request consulted only in one anti-join: NOT EXISTS a request of this step that the user submitted
    or that has ended (approval_ended_idx; the engine cancels a request's open steps when it ends, so the second is a
    guard). A COUNT of the inbox no longer joins every pending step to its request (issue 12);
    tests/core/test_waiting_steps.py pins the rows."""
    roles = list(user_roles(user))
    own_or_ended = ApprovalRequest.objects.filter(pk=OuterRef("request_id")).filter(
        Q(requested_by=user) | Q(owner=user) | ~Q(status=ApprovalRequest.Status.PENDING)
    )
    return (
        ApprovalStep.objects.filter(status=ApprovalStep.Status.PENDING)
        .filter(Q(assignee_user=user) | Q(assignee_user__isnull=True, assignee_role__in=roles))
        .exclude(Exists(own_or_ended))
        .select_related("request", "request__requested_by", "assignee_department", "assignee_user")
        .order_by("activated_at", "id")
    )


def refusal_comment(request: ApprovalRequest) -> str:
    """What the approver who refused the request wrote ("" when nobody refused or nobody wrote anything): the reason an
    outcome handler gives the document's owner."""
    step = request.steps.filter(status=ApprovalStep.Status.REJECTED).first()
    return step.comment if step else ""


def last_decisions(target, kind: str) -> list[ApprovalStep]:
    """The decided steps of the document's latest round of approval (not withdrawn), in their order: who signed what,
    for its printed form."""
    request = requests_for(target, kind).exclude(status=ApprovalRequest.Status.CANCELLED).order_by("-id").first()
    if request is None:
        return []
    return list(request.steps.exclude(decided_by=None).select_related("decided_by").order_by("stage", "id"))


def requests_for(target, kind: str | None = None):
    """Every round of approval of one document with its steps, newest round first (for side-by-side opinions)."""
    qs = ApprovalRequest.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
    if kind:
        qs = qs.filter(kind=kind)
    return (
        qs.select_related("requested_by")
        .prefetch_related("steps__decided_by", "steps__assignee_department", "steps__assignee_user")
        .order_by("-created_at", "-id")
    )


# --- 批量同意: many routine steps approved at once (salesops.core.batch) ------------------------------------------------


def batch_step_ids(step_ids) -> list[int]:
    """The steps of a batch, each once, in the order given; a DomainError when there is none or more than batch.MAX, or
    an id is not a positive whole number."""
    return batch.ids_of(
        step_ids,
        field="step_ids",
        invalid=_("审批步骤编号必须是正整数。"),
        empty=_("请选择要同意的审批。"),
        too_many=_("一次最多批量同意 %(max)d 项，您选择了 %(n)d 项；请分批处理。"),
    )


def approval_decide_many(*, step_ids, actor, comment: str = "") -> list[batch.Outcome]:
    """批量同意: `actor` approves each of `step_ids` (batch_step_ids: else a DomainError and nothing is done), with the
    same optional `comment`, and hears per step what became of it, in the order given (salesops.core.batch.each).

    Each step is decided by approval_decide on its own — its lock order, its checks, its outcome handler — so a step
    that is refused (decided meanwhile by someone else, not the actor's, not yet its turn, a round withdrawn or ended, a
    document whose owner's handler refuses the approval now) leaves that step and its document exactly as they were.
    Only "approve": refusing and approving with conditions need a reason of their own for each document and stay one by
    one. A step the actor may not know of (knows_of) and one that does not exist read alike, naming nothing."""
    ids = batch_step_ids(step_ids)
    comment = (comment or "").strip()
    outcomes = batch.each(
        ids,
        lambda pk: approval_decide(step_id=pk, actor=actor, decision=ApprovalStep.Decision.APPROVE, comment=comment),
        unknown=_("审批步骤不存在或无权查看。"),
        failed=_("处理时出错，未同意；请打开单据单独处理。"),
    )
    steps = ApprovalStep.objects.select_related("request").in_bulk(ids)
    return [
        replace(o, title=steps[o.pk].request.title_text)
        if o.pk in steps and o.code != NotFound.code and (o.done or knows_of(steps[o.pk], actor))
        else o
        for o in outcomes
    ]
