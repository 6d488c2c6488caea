"""费用报销: a claim written, submitted, checked by the sales clerk, approved through the approvals engine and paid.

- claim_create / claim_update: the claimant writes the claim (the title, the customer entertained) and its lines
  (replaced as a whole); the total follows the lines. Each line is checked as the clerk would (expenses.rules), so a
  wrong one is refused with its reason and nothing is saved.
- claim_submit → the clerks are told; claim_verify (审核通过) starts the approval (the sales manager; above the
  threshold also the sales VP) or claim_send_back returns it with the reason. The approvers decide in 待我审批:
  approved, finance is told to pay; refused, it is back with the claimant with the approver's comment.
- claim_pay: finance records the payment (the day and the voucher number); the claimant is told.
- claim_cancel: the claimant withdraws a draft or a claim sent back.
- claims_remind_overdue (the morning task): a claim waiting past its day for the clerk or for finance is reported
  to them once per stage (expenses.rules.WAITING).

One lock: the claim (its lines are written only under it). Who may do what: expenses.permissions.claim_allowed_actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from aftersales.selectors import working_calendar
from customers.selectors import customer_list_for
from salesops.core import approvals
from salesops.core.editing import required_text
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import ApprovalRequest, Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.roles import Role, has_role, users_with_role
from salesops.core.timeline import record_event, record_revision
from salesops.core.transitions import send_back, transition

from . import rules
from .models import ExpenseClaim, ExpenseLine
from .permissions import checks_claims, claim_allowed_actions, claims, pays_claims
from .selectors import claim_due, setting

NUMBER_PREFIX = "BX"
REFUSALS = {
    "edit": gettext_lazy("只有报销人本人可以修改草稿或被退回的报销单。"),
    "submit": gettext_lazy("只有报销人本人可以提交草稿或被退回的报销单。"),
    "cancel": gettext_lazy("只有报销人本人可以作废草稿或被退回的报销单。"),
    "verify": gettext_lazy("只有销售内勤可以审核报销单（不能审核自己的）。"),
    "send_back": gettext_lazy("只有销售内勤可以退回待审核的报销单（不能退回自己的）。"),
    "pay": gettext_lazy("只有财务可以为批准的报销单付款。"),
}


def _lock(claim_or_pk) -> ExpenseClaim:
    found = ExpenseClaim.objects.select_for_update(of=("self",)).filter(pk=getattr(claim_or_pk, "pk", claim_or_pk)).first()
    if found is None:
        raise NotFound(_("报销单不存在或已被删除。"))
    return found


ACTION_NAMES = {
    "edit": gettext_lazy("修改"),
    "submit": gettext_lazy("提交"),
    "cancel": gettext_lazy("作废"),
    "verify": gettext_lazy("审核"),
    "send_back": gettext_lazy("退回"),
    "pay": gettext_lazy("付款"),
}


def _require(claim: ExpenseClaim, actor, action: str) -> None:
    """The actor may `action` the claim now, else 409 (theirs to do, but not in this state) or 403 (not theirs)."""
    if action in claim_allowed_actions(claim, actor):
        return
    mine = claim.claimant_id == actor.pk
    theirs = {
        "edit": mine,
        "submit": mine,
        "cancel": mine,
        "verify": checks_claims(actor) and not mine,
        "send_back": checks_claims(actor) and not mine,
        "pay": pays_claims(actor),
    }[action]
    if theirs:
        raise Conflict(
            _("报销单%(status)s，不能%(action)s。") % {"status": claim.get_status_display(), "action": ACTION_NAMES[action]},
            code="claim_state",
        )
    raise Forbidden(str(REFUSALS[action]))


# --- writing ---------------------------------------------------------------------------------------------------------
def _amount(raw) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("金额“%(value)s”不是数字。") % {"value": raw}) from None


def _clean_lines(lines: Iterable[Mapping[str, Any]]) -> list[dict]:
    """The lines as saved, each checked (expenses.rules.check_line); the first wrong one is refused with its row."""
    today, max_age = timezone.localdate(), int(setting("expense_max_age_days"))
    out = []
    for n, line in enumerate(lines, start=1):
        row = {
            "spent_on": line.get("spent_on"),
            "category": line.get("category") or "",
            "amount": _amount(line.get("amount")),
            "description": (line.get("description") or "").strip()[:200],
        }
        if isinstance(row["spent_on"], str):
            try:
                row["spent_on"] = date.fromisoformat(row["spent_on"])
            except ValueError:
                raise DomainError(_("第 %(n)s 行：日期应写作 2026-12-01。") % {"n": n}) from None
        try:
            rules.check_line(**row, today=today, max_age_days=max_age)
        except ValueError as exc:
            raise DomainError(_("第 %(n)s 行：%(reason)s") % {"n": n, "reason": exc}, code="expense_line") from None
        out.append(row)
    return out


def _customer(actor, value):
    """The customer named (an id or a Customer), among those the claimant may see; None when blank."""
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    found = customer_list_for(actor).filter(pk=pk).first()
    if found is None:
        raise DomainError(_("客户不存在，或不是您可以选择的客户。"), code="expense_customer")
    return found


def _fields(actor, data: Mapping[str, Any]) -> dict:
    return {
        "title": required_text(data.get("title"), _("请填写报销事由。"))[:200],
        "customer": _customer(actor, data.get("customer")),
    }


def _write_lines(claim: ExpenseClaim, rows: list[dict]) -> None:
    claim.lines.all().delete()
    ExpenseLine.objects.bulk_create(ExpenseLine(claim=claim, position=i, **row) for i, row in enumerate(rows, start=1))
    claim.total = sum((row["amount"] for row in rows), Decimal("0.00"))


def _lines_text(claim: ExpenseClaim) -> str:
    return "；".join(f"{line.spent_on:%m-%d} {line.get_category_display()} {line.amount}" for line in claim.lines.all())


def claim_create(*, actor, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]]) -> ExpenseClaim:
    """A draft claim of the actor's, numbered BX-yyyymm-nnnn, in the actor's team."""
    if not claims(actor):
        raise Forbidden(_("只有业务员、销售组长、销售部经理和销售内勤可以报销销售费用。"))
    fields, rows = _fields(actor, data), _clean_lines(lines)
    profile = getattr(actor, "profile", None)
    with transaction.atomic():
        claim = ExpenseClaim(
            number=next_number(NUMBER_PREFIX), claimant=actor, team_id=getattr(profile, "team_id", None), **fields
        )
        claim.save()
        _write_lines(claim, rows)
        claim.save(update_fields=["total"])
        record_event(
            target=claim,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("新建报销单：%(title)s，%(total)s 元"),
            params={"title": claim.title, "total": f"{claim.total:,.2f}"},
        )
    return claim


def claim_update(
    *, claim: ExpenseClaim, actor, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]] | None = None
) -> ExpenseClaim:
    """The claimant revises a draft or a claim sent back; `lines` (when given) replace the lines."""
    fields = _fields(actor, data)
    rows = None if lines is None else _clean_lines(lines)
    with transaction.atomic():
        locked = _lock(claim)
        _require(locked, actor, "edit")

        def change():
            for name, value in fields.items():
                setattr(locked, name, value)
            if rows is not None:
                _write_lines(locked, rows)

        record_revision(
            locked,
            actor=actor,
            tracked=["title", "customer", "total"],
            change=change,
            lines_text=_lines_text,
            texts=(gettext_noop("修改报销单：%(lines)s"), gettext_noop("修改报销单")),
        )
    return locked


# --- the moves ---------------------------------------------------------------------------------------------------------
def claim_submit(*, claim: ExpenseClaim, actor) -> ExpenseClaim:
    """提交: the lines are checked again (a day may have passed the claim period since it was written) and the claim as a
    whole (some line; the customer of 业务招待); the clerks are told."""

    def check(locked):
        _require(locked, actor, "submit")
        lines = list(locked.lines.all())
        _clean_lines(line.values() for line in lines)
        try:
            rules.check_claim(categories=[line.category for line in lines], has_customer=locked.customer_id is not None)
        except ValueError as exc:
            raise DomainError(str(exc), code="expense_claim") from None

    def before_save(locked):
        locked.submitted_at, locked.return_reason = timezone.now(), ""

    done = transition(obj=claim, action="submit", actor=actor, check=check, before_save=before_save)
    notify(
        recipients=[u for u in users_with_role(Role.SALES_CLERK) if u.pk != done.claimant_id],
        title=gettext_lazy("%(name)s 提交了报销单 %(number)s：%(total)s 元"),
        params={"name": display_name(actor), "number": done.number, "total": f"{done.total:,.2f}"},
        url=done.get_absolute_url(),
    )
    return done


def claim_verify(*, claim: ExpenseClaim, actor) -> ExpenseClaim:
    """审核通过: the clerk passes it to the approvers (the sales manager; above the threshold also the sales VP)."""
    with transaction.atomic():

        def before_save(locked):
            locked.checked_by, locked.checked_at = actor, timezone.now()

        done = transition(
            obj=claim, action="verify", actor=actor, check=lambda c: _require(c, actor, "verify"), before_save=before_save
        )
        approvals.approval_start(
            target=done,
            kind=rules.KIND,
            steps=rules.route(done.total, setting("expense_vp_amount"), by_manager=has_role(done.claimant, Role.SALES_MANAGER)),
            actor=actor,
            title=gettext_lazy("费用报销审批：%(number)s %(name)s %(total)s 元"),
            title_params={"number": done.number, "name": display_name(done.claimant), "total": f"{done.total:,.2f}"},
            url=done.get_absolute_url(),
        )
    return done


def _back(claim: ExpenseClaim, actor, reason: str, *, check=None) -> ExpenseClaim:
    return send_back(
        obj=claim, actor=actor, reason=reason, owner="claimant", title=gettext_lazy("您的报销单 %(number)s 被退回"), check=check
    )


def claim_send_back(*, claim: ExpenseClaim, actor, reason: str) -> ExpenseClaim:
    """退回 (the clerk): back to the claimant to correct, with the reason (不符合公司规定的报销申请)."""
    reason = required_text(reason, _("请填写退回原因。"))
    return _back(claim, actor, reason, check=lambda c: _require(c, actor, "send_back"))


def claim_pay(*, claim: ExpenseClaim, actor, reference: str, paid_on: date | None = None) -> ExpenseClaim:
    """付款: finance paid the claimant — the voucher number required, the day today unless given (not in the future)."""
    reference = required_text(reference, _("请填写付款凭证号。"))[:60]
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise DomainError(_("付款日期不能晚于今天。"))

    def before_save(c):
        c.paid_by, c.paid_on, c.payment_ref = actor, paid_on, reference

    done = transition(
        obj=claim,
        action="pay",
        actor=actor,
        check=lambda c: _require(c, actor, "pay"),
        before_save=before_save,
        text=gettext_noop("付款：%(day)s，凭证 %(ref)s"),
        params={"day": paid_on.isoformat(), "ref": reference},
    )
    notify(
        recipients=[done.claimant],
        title=gettext_lazy("您的报销单 %(number)s 已付款：%(total)s 元"),
        params={"number": done.number, "total": f"{done.total:,.2f}"},
        url=done.get_absolute_url(),
    )
    return done


def claim_cancel(*, claim: ExpenseClaim, actor) -> ExpenseClaim:
    """作废: the claimant withdraws a draft or a claim sent back."""
    return transition(obj=claim, action="cancel", actor=actor, check=lambda c: _require(c, actor, "cancel"))


# --- waiting too long --------------------------------------------------------------------------------------------------
def claims_remind_overdue(*, today: date | None = None) -> int:
    """Each claim still waiting for the clerk or for finance after its day (expenses.selectors.claim_due; 报销审核时限 and
    报销付款时限, in working days) is reported once per stage to the people who act on it (rules.WAITING: the clerks and
    the sales managers, or finance), marked under a conditional update so two runs report it once. Returns how many
    claims were reported. The approvers' own wait is the approvals engine's (approvals_remind_overdue)."""
    today = today or timezone.localdate()
    S = ExpenseClaim.Status
    not_yet = Q(reminded_at__isnull=True)
    waiting = ExpenseClaim.objects.filter(
        Q(status=S.SUBMITTED, submitted_at__isnull=False) & (not_yet | Q(reminded_at__lt=F("submitted_at")))
        | Q(status=S.APPROVED, approved_at__isnull=False) & (not_yet | Q(reminded_at__lt=F("approved_at")))
    ).select_related("claimant")
    claims_ = list(waiting.order_by("id"))
    if not claims_:
        return 0
    calendar = working_calendar(around=min(timezone.localdate(getattr(c, rules.WAITING[c.status].since)) for c in claims_))
    reported = 0
    for claim in claims_:
        due = claim_due(claim, calendar)
        if due is None or today <= due:
            continue
        stage = rules.WAITING[claim.status]
        with transaction.atomic():
            marked = ExpenseClaim.objects.filter(
                not_yet | Q(reminded_at__lt=F(stage.since)), pk=claim.pk, status=claim.status
            ).update(reminded_at=timezone.now())
            if not marked:
                continue
            notify(
                recipients=users_with_role(*stage.roles).exclude(pk=claim.claimant_id),
                title=gettext_lazy("报销单 %(number)s 已超过%(label)s（%(due)s），请尽快处理：%(name)s %(total)s 元"),
                params={
                    "number": claim.number,
                    "label": stage.label,
                    "due": due.isoformat(),
                    "name": display_name(claim.claimant),
                    "total": f"{claim.total:,.2f}",
                },
                url=claim.get_absolute_url(),
            )
        reported += 1
    return reported


# --- the approvers' decision -------------------------------------------------------------------------------------------
def _on_decided(request: ApprovalRequest, outcome: str, actor) -> None:
    """In the deciding transaction (the claim locked by lock_claim): approved, finance is told to pay and the claimant
    that it was approved; refused, it is back with the claimant with the approver's comment."""
    claim = ExpenseClaim(pk=request.target_id)
    if outcome == ApprovalRequest.Status.APPROVED:
        done = transition(
            obj=claim, action="approve", actor=actor, before_save=lambda c: setattr(c, "approved_at", timezone.now())
        )
        notify(
            recipients=users_with_role(Role.FINANCE),
            title=gettext_lazy("报销单 %(number)s 已批准，请付款：%(total)s 元"),
            params={"number": done.number, "total": f"{done.total:,.2f}"},
            url=done.get_absolute_url(),
        )
        notify(
            recipients=[done.claimant],
            title=gettext_lazy("您的报销单 %(number)s 已批准，等待财务付款"),
            params={"number": done.number},
            url=done.get_absolute_url(),
        )
        return
    _back(claim, actor, approvals.refusal_comment(request) or str(_("审批未通过")))


def lock_claim(claim: ExpenseClaim) -> None:
    """The approvals engine's locker: the claim before the request and the step."""
    _lock(claim)


def register_handlers() -> None:
    from .selectors import claim_summary

    approvals.register_outcome_handler(
        rules.KIND, _on_decided, label=gettext_lazy("费用报销审批"), locker=lock_claim, summary=claim_summary
    )
