"""Complaints (投诉) with corrective and preventive action (CAPA).

Seed: 销售部负责接受顾客投诉 … 品管部负责顾客投诉的解答及回复，并在实际生产过程中监督纠正和预防措施落实情况；工程部 … 制定纠正和
预防措施予以控制 (销售和服务控制程序 3.5, 3.8, 3.9).

Seed of the answer's approval: 公司主管领导负责审批…用户投诉处理意见等 (服务过程控制程序 3.3).

Flow: registered (by service, sales or QC) → QC investigates → root cause recorded → actions (each with an owner and a due
day; done by the owner, verified effective by QC, or sent back) → answer to the customer (保存答复) → submitted for approval
(提交审批, complaint_submit_answer: the approvals engine, kind rules.COMPLAINT_ANSWER_KIND, the sales VP; the VP approves or
rejects with a reason in 待我审批, QC hears the outcome) → close, only when rules.complaint_close_blockers is empty (the
current answer approved among them). Nobody approves an answer they wrote or submitted, or whose root cause they wrote
(cause_by): the answer's author is the round's owner, and an answer or root cause by the VP goes to the GM. The approval
covers the root cause and the answer (rules.COMPLAINT_ANSWER_FIELDS; the actions are verified one by one instead): while
a round is pending they are not changed (409); revised after an approval or a rejection, the answer is NONE again
(recorded with what changed) and needs a new round. Lock order: the
complaint, then the approval (the engine's LOCKER is _lock_complaint). Overdue actions are reminded every morning, once a day.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core import approvals
from salesops.core.editing import required_text
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.locking import retry_on_lock_conflict
from salesops.core.models import ApprovalRequest, Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.once import create_once, once_fingerprint
from salesops.core.roles import Role, users_with_role
from salesops.core.timeline import changes_between, choice, record_event, snapshot
from salesops.core.transitions import transition

from .. import rules
from ..models import Channel, Complaint, CorrectiveAction
from ..permissions import (
    action_allowed_actions,
    complaint_allowed_actions,
    complaint_answer_route_for,
    is_qc,
    may_register_complaint,
)
from .common import lock, order_and_product, page, require, require_action, require_state, visible_customer

QC_ONLY = _("只有质检和经理可以处理投诉调查与整改。")
TEXT_LIMIT = 2000  # characters of each long text of a complaint and its actions (the page and the API alike)


def _text(value, label, missing: str) -> str:
    """`value` stripped, required (`missing`) and at most TEXT_LIMIT characters — refused, never cut, naming the field."""
    text = required_text(value, missing)
    refusal = rules.text_too_long_refusal(text, label=label, limit=TEXT_LIMIT)
    if refusal:
        raise DomainError(refusal)
    return text


def _qc_team():
    return users_with_role(Role.QC)


def complaint_create(*, actor, customer, data: Mapping[str, Any]) -> Complaint:
    """Register what the customer reported (with order, product and lot where known); QC is told to investigate.
    `data["once_key"]` (the form's hidden key, the API's Idempotency-Key): the same submission again registers nothing
    and raises core.once.Replayed with the complaint it registered; the key again with other input is refused (409) and
    registers nothing (salesops.core.once)."""
    require(may_register_complaint(actor), _("您不能登记投诉。"))
    customer = visible_customer(actor, customer)
    description = _text(data.get("description"), _("客户反映的问题"), _("请填写客户反映的问题。"))
    severity = data.get("severity") or Complaint.Severity.MINOR
    channel = data.get("channel") or Channel.PHONE
    if severity not in Complaint.Severity.values or channel not in Channel.values:
        raise DomainError(_("严重程度或反映方式不正确。"))
    order, product = order_and_product(customer, data)
    today = timezone.localdate()
    reported_on = data.get("reported_on") or today
    refusal = rules.past_day_refusal(
        reported_on,
        today=today,
        label=_("投诉日期"),
        not_before=order.received_on if order else None,
        before_what=_("订单 %(number)s 的接单日期") % {"number": order.number} if order else "",
    )
    if refusal:
        raise DomainError(refusal)
    key = data.get("once_key")
    return create_once(
        Complaint,
        key=key,
        actor=actor,
        by="created_by",
        fingerprint=once_fingerprint(customer=customer, data=data),
        create=lambda: _create(actor, customer, data, order, product, severity, channel, reported_on, description, key),
        replayed=lambda c: _("这份投诉已经提交过，已登记为投诉 %(number)s，没有重复登记。") % {"number": c.number},
    )


def _create(actor, customer, data, order, product, severity, channel, reported_on, description, key) -> Complaint:
    with transaction.atomic():
        complaint = Complaint.objects.create(
            number=next_number("TS"),
            customer=customer,
            order=order or None,
            product=product or None,
            lot_no=(data.get("lot_no") or "").strip()[:40],
            severity=severity,
            channel=channel,
            reported_on=reported_on,
            description=description,
            source_callback=data.get("source_callback"),
            created_by=actor,
            once_key=key,
        )
        record_event(
            target=complaint,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("登记投诉（%(severity)s）"),
            params={"severity": choice(complaint, "severity")},
        )
        notify(
            recipients=_qc_team(),
            title=gettext_lazy("新投诉 %(number)s（%(severity)s）：%(customer)s"),
            params={"number": complaint.number, "severity": choice(complaint, "severity"), "customer": customer.name},
            body=description,
            url=page("complaint_detail", complaint.pk),
        )
    return complaint


def complaint_investigate(*, complaint: Complaint, actor) -> Complaint:
    """QC takes the complaint (becomes its investigator)."""
    return transition(
        obj=complaint,
        action="investigate",
        actor=actor,
        check=lambda c: require_action("investigate", complaint_allowed_actions(c, actor), QC_ONLY),
        before_save=lambda c: setattr(c, "investigator", actor),
    )


@retry_on_lock_conflict
def complaint_record_cause(*, complaint: Complaint, actor, root_cause: str) -> Complaint:
    """QC's root-cause analysis (原因分析); from then on actions are planned. The root cause is part of the answer the
    leadership approves (rules.COMPLAINT_ANSWER_FIELDS): not changed while a round is pending (409), and a changed root
    cause after a decision needs a new round (_reopen_answer). A changed root cause is recorded with who wrote it and
    when (cause_by, cause_at; the same text again keeps its author): its author may not approve the answer either
    (complaint_answer_route_for)."""
    root_cause = _text(root_cause, _("原因分析"), _("请填写原因分析。"))
    before, reopened = {}, []

    def check(c):
        _refuse_while_pending(c)
        require_action("record_cause", complaint_allowed_actions(c, actor), QC_ONLY)

    def change(c):
        before.update(snapshot(c, [*rules.COMPLAINT_ANSWER_FIELDS, "answer_status"]))
        changed = root_cause != before["root_cause"]
        c.root_cause = root_cause
        if changed:
            c.cause_by, c.cause_at = actor, timezone.now()
        reopened.append(_reopen_answer(c, ["root_cause"] if changed else []))

    with transaction.atomic():
        c = transition(
            obj=complaint,
            action="record_cause",
            actor=actor,
            check=check,
            before_save=change,
            text=gettext_noop("原因分析：%(text)s"),
            params={"text": root_cause},
        )
        _record_reopened(c, actor, before, reopened[0])
    return c


def action_add(
    *,
    complaint: Complaint,
    actor,
    kind: str,
    description: str,
    owner,
    due_on: date,
    once_key: uuid.UUID | None = None,
) -> CorrectiveAction:
    """A corrective or preventive action with its owner and due day; the owner is told. `once_key` (the form's hidden
    key, the API's Idempotency-Key): the same submission again adds nothing and raises core.once.Replayed with the
    action it added — checked under the complaint's lock, so a twin sent at once waits there and then finds the first;
    the key again with other input is refused (409) and adds nothing."""
    sent = once_fingerprint(complaint=complaint, kind=kind, description=description, owner=owner, due_on=due_on)
    if kind not in CorrectiveAction.Kind.values:
        raise DomainError(_("请选择措施类型（纠正或预防）。"))
    description = _text(description, _("措施"), _("请填写措施内容。"))
    if owner is None or not owner.is_active:
        raise DomainError(_("请指定在职的责任人。"))
    if due_on is None:
        raise DomainError(_("请填写完成期限。"))
    refusal = rules.future_day_refusal(due_on, today=timezone.localdate(), label=_("完成期限"))
    if refusal:
        raise DomainError(refusal)
    with transaction.atomic():
        c = lock(Complaint, complaint)
        return create_once(
            CorrectiveAction,
            key=once_key,
            actor=actor,
            by="created_by",
            fingerprint=sent,
            create=lambda: _add_action(c, actor, kind, description, owner, due_on, once_key),
            replayed=lambda a: (
                _("这项措施已经提交过（%(kind)s，责任人 %(owner)s，期限 %(due)s），没有重复添加。")
                % {"kind": a.get_kind_display(), "owner": display_name(a.owner), "due": a.due_on}
            ),
        )


def _add_action(c: Complaint, actor, kind, description, owner, due_on, key) -> CorrectiveAction:
    require_state(c.status == Complaint.Status.ACTIONS, c, _("添加措施"))
    require_action("add_action", complaint_allowed_actions(c, actor), QC_ONLY)
    action = CorrectiveAction.objects.create(
        complaint=c, kind=kind, description=description, owner=owner, due_on=due_on, created_by=actor, once_key=key
    )
    record_event(
        target=c,
        verb=Event.Verb.NOTE,
        actor=actor,
        text=gettext_noop("%(kind)s：%(text)s（责任人 %(owner)s，期限 %(due)s）"),
        params={
            "kind": choice(action, "kind"),
            "text": description,
            "owner": display_name(owner),
            "due": due_on,
        },
    )
    notify(
        recipients=[owner],
        title=gettext_lazy("投诉 %(number)s 的%(kind)s待您完成（期限 %(due)s）"),
        params={"number": c.number, "kind": choice(action, "kind"), "due": due_on},
        body=description,
        url=page("complaint_detail", c.pk),
    )
    return action


# The sentence of each step of an action: on the action's own timeline, and on its complaint's (with the action's kind).
_STEP_TEXTS = {
    "finish": (gettext_noop("已完成：%(text)s"), gettext_noop("%(kind)s：已完成：%(text)s")),
    "verify": (gettext_noop("验证有效：%(text)s"), gettext_noop("%(kind)s：验证有效：%(text)s")),
    "send_back": (gettext_noop("验证无效，退回：%(text)s"), gettext_noop("%(kind)s：验证无效，退回：%(text)s")),
}


def _action_step(action, actor, name: str, note: str, before, after=None) -> CorrectiveAction:
    """Lock the complaint, then the action (parent first), check and move the action, note it (the user's `note`) on the
    complaint; `after(action)` notifies in the same transaction."""
    action_text, complaint_text = _STEP_TEXTS[name]
    with transaction.atomic():
        complaint = lock(Complaint, action.complaint_id)
        require_state(complaint.status == Complaint.Status.ACTIONS, complaint, _("处理其整改措施"))
        locked = transition(
            obj=action,
            action=name,
            actor=actor,
            check=lambda a: require_action(
                name, action_allowed_actions(a, actor), _("只有责任人可以完成措施，只有质检可以验证。")
            ),
            before_save=before,
            text=action_text,
            params={"text": note},
        )
        record_event(
            target=complaint,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=complaint_text,
            params={"kind": choice(locked, "kind"), "text": note},
        )
        if after:
            after(locked)
    return locked


def action_finish(*, action: CorrectiveAction, actor, result: str) -> CorrectiveAction:
    result = _text(result, _("完成情况"), _("请填写完成情况。"))

    def before(a):
        a.result, a.done_at = result, timezone.now()

    def tell(a):
        if a.complaint.investigator_id:
            notify(
                recipients=[a.complaint.investigator],
                title=gettext_lazy("投诉 %(number)s 的措施已完成，待验证"),
                params={"number": a.complaint.number},
                url=page("complaint_detail", a.complaint_id),
            )

    return _action_step(action, actor, "finish", result, before, tell)


def action_verify(*, action: CorrectiveAction, actor, effective: bool, verification: str) -> CorrectiveAction:
    """QC verifies the effect: effective closes the action; not effective sends it back to its owner."""
    verification = _text(verification, _("效果验证"), _("请填写效果验证情况。"))

    def before(a):
        a.verification, a.verified_by, a.verified_at = verification, actor, timezone.now()

    if effective:
        return _action_step(action, actor, "verify", verification, before)

    def tell(a):
        notify(
            recipients=[a.owner],
            title=gettext_lazy("投诉 %(number)s 的措施验证无效，请重新处理"),
            params={"number": a.complaint.number},
            body=verification,
            url=page("complaint_detail", a.complaint_id),
        )

    return _action_step(action, actor, "send_back", verification, before, tell)


def complaint_answer(*, complaint: Complaint, actor, answer: str) -> Complaint:
    """QC's answer to the customer (答复), recorded with who and when; it may be revised until the complaint is closed,
    except while the leadership is deciding on it (409). A revised answer needs a new approval round (its approval state
    becomes NONE); the same text again changes nothing (two clicks, one effect)."""
    answer = _text(answer, _("答复客户"), _("请填写答复内容。"))
    with transaction.atomic():
        c = lock(Complaint, complaint)
        require_state(c.status == Complaint.Status.ACTIONS, c, _("答复客户"))
        _refuse_while_pending(c)
        require_action("answer", complaint_allowed_actions(c, actor), QC_ONLY)
        if c.answer == answer:
            return c
        before = snapshot(c, [*rules.COMPLAINT_ANSWER_FIELDS, "answer_status"])
        c.answer, c.answered_by, c.answered_at = answer, actor, timezone.now()
        reopened = _reopen_answer(c, ["answer"])
        c.save(update_fields=["answer", "answered_by", "answered_at", "answer_status"])
        record_event(
            target=c, verb=Event.Verb.NOTE, actor=actor, text=gettext_noop("答复客户：%(text)s"), params={"text": answer}
        )
        _record_reopened(c, actor, before, reopened)
    return c


def _refuse_while_pending(c: Complaint) -> None:
    """409 while the leadership is deciding on the answer: what it approves (rules.COMPLAINT_ANSWER_FIELDS) stays as
    submitted."""
    if c.answer_status == Complaint.AnswerStatus.PENDING:
        raise Conflict(_("答复正在等待主管领导审批，审批结束前不能修改。"))


def _reopen_answer(c: Complaint, changed: list[str]) -> str:
    """`changed` fields of the locked complaint were just set: when they are part of the answer the leadership decided on
    (rules.complaint_answer_reopened), the decision no longer holds — the answer is "not submitted" again and the
    complaint closes only after a new round is approved. Returns the state undone ("" when none); the caller saves the
    row and calls _record_reopened."""
    if not rules.complaint_answer_reopened(answer_status=c.answer_status, changed=changed):
        return ""
    undone, c.answer_status = c.answer_status, Complaint.AnswerStatus.NONE
    return undone


def _record_reopened(c: Complaint, actor, before: dict, undone: str) -> None:
    """The history of a decision `undone` by an edit (nothing when none): one event naming what changed, old → new
    (`before`: the snapshot of the approved fields and the approval state taken before the edit)."""
    if not undone:
        return
    record_event(
        target=c,
        verb=Event.Verb.APPROVAL,
        actor=actor,
        text=gettext_noop("修改了已经审批的处理意见（原审批结果：%(status)s），需重新提交主管领导审批"),
        params={"status": choice(c, "answer_status", undone)},
        changes=changes_between(c, before),
    )


@retry_on_lock_conflict
def complaint_submit_answer(*, complaint: Complaint, actor) -> Complaint:
    """Submit the current answer to the leadership (the sales VP, rules.complaint_answer_route) for approval: a new round
    of the approvals engine. The complaint is locked first, then the engine opens the round (lock order); a second click,
    or a round already pending, is refused with 409 (the state is checked before the actor's right).
    Nobody approves an answer they wrote or submitted: the answer's author is the round's owner and the submitter its
    requester (the engine refuses both, in 待我审批, on the page and through the API), and the route skips them and the
    root cause's author (cause_by) — an answer the VP wrote or submits, or whose root cause the VP wrote, goes to the GM;
    when nobody is left to approve it the submission is refused (403), saying whether another submitter would help."""
    with transaction.atomic():
        c = lock(Complaint, complaint)
        require_state(c.status == Complaint.Status.ACTIONS, c, _("提交答复审批"))
        if c.answer_status == Complaint.AnswerStatus.PENDING:
            raise Conflict(_("答复已提交主管领导审批，请等待审批结果。"))
        if c.answer_status == Complaint.AnswerStatus.APPROVED:
            raise Conflict(_("答复已经主管领导批准；修改答复后才需要重新提交。"))
        if not (c.answer or "").strip():
            raise Conflict(_("请先填写答复客户的内容，再提交审批。"))
        # nobody approves an answer they wrote or submitted, or whose root cause they wrote: the VP's own goes to the GM
        # (salesops.core.approvals)
        steps = complaint_answer_route_for(c, actor)
        if not steps and is_qc(actor):
            if not complaint_answer_route_for(c, None):  # the authors alone leave nobody, whoever submits it
                raise Forbidden(
                    _("销售副总和总经理都不能审批本人撰写的原因分析或答复，无人可以审批：请由质检修改原因分析或答复后再提交。")
                )
            raise Forbidden(_("销售副总和总经理都不能审批本人撰写或提交的答复，无人可以审批：请由质检或销售部经理提交。"))
        require_action("submit_answer", complaint_allowed_actions(c, actor), _("只有质检和经理可以提交答复审批。"))
        approvals.approval_start(
            target=c,
            kind=rules.COMPLAINT_ANSWER_KIND,
            steps=steps,
            actor=actor,
            title=gettext_lazy("投诉 %(number)s 的处理意见（%(customer)s）"),
            title_params={"number": c.number, "customer": c.customer.name},
            url=page("complaint_detail", c.pk),
            owner=c.answered_by,
        )
        c.answer_status = Complaint.AnswerStatus.PENDING
        c.save(update_fields=["answer_status"])
    return c


def _lock_complaint(complaint: Complaint) -> None:
    """The engine's locker for a decision on the answer: the complaint, before the request and the step — the order of
    complaint_answer and complaint_submit_answer too, so a decision and a revision wait on each other."""
    lock(Complaint, complaint)


def _on_answer_decided(request: ApprovalRequest, outcome: str, actor) -> None:
    """The round ended: the answer is approved (the complaint may be closed) or rejected (QC revises it or submits it
    again). The engine tells the submitter, with the reason of a rejection."""
    c = lock(Complaint, request.target_id)
    approved = outcome == ApprovalRequest.Status.APPROVED
    c.answer_status = Complaint.AnswerStatus.APPROVED if approved else Complaint.AnswerStatus.REJECTED
    c.save(update_fields=["answer_status"])


def complaint_answer_summary(complaint: Complaint, user) -> list[tuple[str, str]]:
    """What the VP approves in 待我审批: the customer, the severity, the root cause, the answer and the actions (two
    queries: the complaint with its customer, then its actions with their owners)."""
    c = Complaint.objects.select_related("customer").get(pk=complaint.pk)
    actions = c.actions.select_related("owner").order_by("pk")
    return [
        (_("客户"), c.customer.name),
        (_("严重程度"), c.get_severity_display()),
        (_("原因分析"), c.root_cause or "—"),
        (_("答复客户"), c.answer or "—"),
        (
            _("纠正与预防措施"),
            _("；").join(
                _("%(kind)s：%(text)s（%(owner)s，%(status)s）")
                % {
                    "kind": a.get_kind_display(),
                    "text": a.description,
                    "owner": display_name(a.owner),
                    "status": a.get_status_display(),
                }
                for a in actions
            )
            or "—",
        ),
    ]


def register() -> None:
    approvals.register_outcome_handler(
        rules.COMPLAINT_ANSWER_KIND,
        _on_answer_decided,
        label=gettext_lazy("投诉处理意见"),
        locker=_lock_complaint,
        summary=complaint_answer_summary,
    )


def complaint_close(*, complaint: Complaint, actor) -> Complaint:
    """Close only with a root cause, a corrective action, every action verified effective and the customer answered,
    the answer approved by the leadership."""

    def check(c):
        require_action("close", complaint_allowed_actions(c, actor), QC_ONLY)
        blockers = rules.complaint_close_blockers(
            root_cause=c.root_cause,
            answer=c.answer,
            actions=c.actions.values_list("kind", "status"),
            answer_approved=c.answer_approved,
        )
        if blockers:
            raise Conflict(_("还不能关闭投诉：%(why)s。") % {"why": "；".join(blockers)})

    def before(c):
        c.closed_by, c.closed_at = actor, timezone.now()

    with transaction.atomic():
        c = transition(obj=complaint, action="close", actor=actor, check=check, before_save=before)
        notify(
            recipients=[c.created_by],
            title=gettext_lazy("投诉已关闭：%(number)s"),
            params={"number": c.number},
            url=page("complaint_detail", c.pk),
        )
    return c


def complaint_cancel(*, complaint: Complaint, actor, reason: str) -> Complaint:
    reason = required_text(reason, _("请填写撤销原因。"))
    return transition(
        obj=complaint,
        action="cancel",
        actor=actor,
        check=lambda c: require_action("cancel", complaint_allowed_actions(c, actor), _("只有登记人和客服可以撤销投诉。")),
        before_save=lambda c: setattr(c, "cancel_reason", reason[:300]),
        text=gettext_noop("撤销：%(reason)s"),
        params={"reason": reason},
    )


def actions_remind_overdue(*, today: date | None = None) -> int:
    """Every morning (beat): remind the owners of actions past their due day, at most once a day each
    (a conditional UPDATE of reminded_on decides who reminds)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # Locking the rows (pk order) makes a second run wait, then find them reminded today and skip them.
        actions = list(
            CorrectiveAction.objects.select_for_update(of=("self",))
            .filter(status=CorrectiveAction.Status.OPEN, due_on__lt=today, complaint__status=Complaint.Status.ACTIONS)
            .exclude(reminded_on=today)
            .select_related("complaint", "owner")
            .order_by("pk")
        )
        if not actions:
            return 0
        CorrectiveAction.objects.filter(pk__in=[a.pk for a in actions]).update(reminded_on=today)
        for a in actions:
            notify(
                recipients=[a.owner],
                title=gettext_lazy("投诉 %(number)s 的%(kind)s已过期限 %(due)s，请尽快完成"),
                params={"number": a.complaint.number, "kind": choice(a, "kind"), "due": a.due_on},
                body=a.description,
                url=page("complaint_detail", a.complaint_id),
            )
    return len(actions)
