"""Sales opportunities (销售机会): open one on a customer, edit it while it is open, move it through the pipeline's
stages, win or lose it (with the reason and the competitor), reopen it; for a 比价/投标, ask the leaders whether to take
part (seed 003: 由部门领导决定是否参加比价或投标，重大比价或投标需向公司领导请示) through the approvals engine.

Seed 001 (销售控制程序): 确定潜在客户并建立销售机会；分析客户需求，并为每个销售机会制定详细的销售计划 … 跟进销售机会并完成销售。
Who may do what: access.opportunity_allowed_actions (the opportunity's rep, the lead of the rep's or the customer's team,
clerks, managers). Every change is a timeline event; moves lock the row and check the stage (core.transitions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core import approvals
from salesops.core.editing import assign_fields, required_text, save_as
from salesops.core.errors import DomainError, NotFound
from salesops.core.models import ApprovalRequest, Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.roles import user_roles
from salesops.core.thresholds import threshold
from salesops.core.timeline import changes_between, choice, record_event, snapshot
from salesops.core.transitions import transition

from .. import rules
from ..models import Customer, Opportunity
from .access import OPPORTUNITY_NOT_YOURS, _require, can_create_opportunity, opportunity_allowed_actions
from .common import _ensure_contact_of, _ensure_open, _validate, hand_over

# what a user writes on an opportunity, in the order its form shows it (forms.OpportunityForm)
OPPORTUNITY_FIELDS = (
    "contact",
    "title",
    "needs",
    "plan",
    "amount",
    "probability",
    "expected_close",
    "competitor",
    "bidding",
    "bid_deadline",
)
BID_KIND = "opportunity_bid"  # the approvals engine's kind of the decision to take part in a 比价/投标
Bidding, BidDecision = Opportunity.Bidding, Opportunity.BidDecision


def _check_fields(opportunity: Opportunity, data: dict[str, Any], *, today) -> None:
    """`data` cleaned in place: required texts stripped, the contact of the customer, a chance of 0–100 % or none (the
    stage's), a close date not before `today` (when it is set or changed)."""
    for name, message in (("title", _("请填写机会名称。")), ("needs", _("请填写客户需求。"))):
        if name in data:
            data[name] = required_text(data[name], message)
    if "expected_close" in data:
        if data["expected_close"] is None:
            raise DomainError(_("请填写预计成交日期。"))
        if data["expected_close"] < today and data["expected_close"] != opportunity.expected_close:
            raise DomainError(_("预计成交日期不能早于今天。"), code="close_in_past")
    if data.get("amount") is None and "amount" in data:
        raise DomainError(_("请填写预计金额（可填 0）。"))
    if data.get("probability") is not None and not 0 <= data["probability"] <= 100:
        raise DomainError(_("赢率须在 0 到 100 之间（留空则按阶段赢率）。"), code="invalid_probability")
    _check_bidding(opportunity, data, today=today)
    _ensure_contact_of(data.get("contact"), opportunity.customer)


def _check_bidding(opportunity: Opportunity, data: dict[str, Any], *, today) -> None:
    """The 比价/投标 fields: its kind is not changed while the leaders decide; a tender has its deadline; a deadline set or
    changed is not in the past; without a 比价/投标 there is no deadline."""
    bidding = data.get("bidding") or opportunity.bidding
    if "bidding" in data:
        if data["bidding"] not in Bidding.values:
            raise DomainError(_("请选择比价/投标类型。"), code="invalid_bidding")
        if bidding != opportunity.bidding and opportunity.bid_decision == BidDecision.PENDING:
            raise DomainError(_("参与决策正在等待领导决定，不能修改比价/投标类型。"), code="bid_pending")
    if bidding == Bidding.NONE:
        if "bidding" in data or "bid_deadline" in data:
            data["bid_deadline"] = None
        return
    deadline = data.get("bid_deadline", opportunity.bid_deadline)
    if bidding == Bidding.TENDER and deadline is None:
        raise DomainError(_("招标投标须填写投标截止日期。"), code="bid_deadline_required")
    if deadline is not None and deadline < today and deadline != opportunity.bid_deadline:
        raise DomainError(_("报价/投标截止日期不能早于今天。"), code="bid_deadline_in_past")


def opportunity_create(*, actor, customer: Customer, data: Mapping[str, Any]) -> Opportunity:
    """Open an opportunity on a customer, owned by the customer's rep, at the first stage (初步接洽).

    Rule: whoever may edit the customer's file (its rep, the team's lead, clerks, managers); not on a deactivated
    customer; the needs and the expected close date are required (seed: 分析客户需求 … 制定详细的销售计划).
    """
    _require(can_create_opportunity(actor, customer), _("您没有为该客户新建销售机会的权限。"))
    _ensure_open(customer)
    data = {name: data[name] for name in OPPORTUNITY_FIELDS if name in data}
    opportunity = Opportunity(customer=customer, owner=customer.owner, created_by=actor)
    for name in ("title", "needs", "expected_close"):
        data.setdefault(name, None if name == "expected_close" else "")
    _check_fields(opportunity, data, today=timezone.localdate())
    with transaction.atomic():
        assign_fields(opportunity, data, OPPORTUNITY_FIELDS)
        opportunity.number = next_number("JH")
        _validate(opportunity)
        save_as(opportunity, actor)
        record_event(
            target=opportunity,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("新建销售机会：%(title)s，预计金额 %(amount)s，负责业务员：%(owner)s"),
            params={"title": opportunity.title, "amount": opportunity.amount, "owner": display_name(opportunity.owner)},
        )
        if opportunity.owner_id != actor.pk:  # the rep learns of an opportunity opened for them (in the outbox, if e-mailed)
            notify(
                recipients=[opportunity.owner],
                title=gettext_lazy("%(actor)s 为您的客户“%(customer)s”新建了销售机会：%(title)s"),
                params={"actor": display_name(actor), "customer": customer.name, "title": opportunity.title},
                url=opportunity.get_absolute_url(),
            )
    return opportunity


def _lock(opportunity: Opportunity) -> Opportunity:
    found = (
        Opportunity.objects.select_for_update(of=("self",)).select_related("customer", "owner").filter(pk=opportunity.pk).first()
    )
    if found is None:
        raise NotFound(_("销售机会不存在或已被删除。"))
    return found


def _require_action(opportunity: Opportunity, actor, action: str) -> None:
    """The actor may take `action` now (access.opportunity_allowed_actions), else a 403 or why not in this state."""
    allowed = opportunity_allowed_actions(opportunity, actor)
    if not allowed:
        _require(False, str(OPPORTUNITY_NOT_YOURS))
    if action in allowed:
        return
    if action == "win" and opportunity.is_open:
        _require_bid_decided(opportunity)  # the one reason an open opportunity is not won
    if action == "reopen":
        message = _("销售机会 %(number)s 仍在跟进中，不需要重新打开。") % {"number": opportunity}
    elif not opportunity.is_open:
        message = _("销售机会 %(number)s 已结束（%(stage)s），请先重新打开。") % {
            "number": opportunity,
            "stage": opportunity.get_status_display(),
        }
    elif opportunity.bidding == Bidding.NONE:
        message = _("销售机会 %(number)s 不涉及比价/投标，无需报请参与决策。") % {"number": opportunity}
    else:
        message = _("销售机会 %(number)s 的参与决策已是“%(decision)s”。") % {
            "number": opportunity,
            "decision": opportunity.get_bid_decision_display(),
        }
    raise DomainError(message, code="opportunity_state")


def _require_bid_decided(opportunity: Opportunity) -> None:
    """Seed 003: nothing is quoted for a 比价/投标, nor is it moved on, before the leaders decided to take part."""
    if rules.bid_undecided(opportunity.bidding, opportunity.bid_decision):
        raise DomainError(
            _("销售机会 %(number)s 是%(bidding)s，须先报请领导决定参加（目前：%(decision)s）。")
            % {
                "number": opportunity,
                "bidding": opportunity.get_bidding_display(),
                "decision": opportunity.get_bid_decision_display(),
            },
            code="bid_undecided",
        )


def opportunity_update(*, opportunity: Opportunity, actor, data: Mapping[str, Any]) -> Opportunity:
    """Edit an open opportunity; the timeline keeps every changed field old → new. A closed one is reopened first."""
    data = {name: data[name] for name in OPPORTUNITY_FIELDS if name in data}
    with transaction.atomic():
        locked = _lock(opportunity)
        _require_action(locked, actor, "edit")
        _check_fields(locked, data, today=timezone.localdate())
        before = snapshot(locked, [*data, "bid_decision"])
        if data.get("bidding", locked.bidding) != locked.bidding:  # another kind of 比价/投标 is decided again
            locked.bid_decision = BidDecision.UNASKED
        assign_fields(locked, data, OPPORTUNITY_FIELDS)
        _validate(locked)
        changes = changes_between(locked, before)
        if changes:
            save_as(locked, actor)
            record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("修改销售机会"), changes=changes)
    return locked


def opportunity_move(*, opportunity: Opportunity, actor, stage: str) -> Opportunity:
    """Move an open opportunity to another open stage, forward or back (需求确认 → 方案报价 …)."""
    if stage not in Opportunity.OPEN_STAGES:
        raise DomainError(_("请选择跟进中的阶段（赢单、输单请用对应的操作）。"), code="invalid_stage")

    def check(locked):
        _require_action(locked, actor, "move")
        if locked.status == stage:
            raise DomainError(
                _("销售机会 %(number)s 已处于“%(stage)s”阶段。") % {"number": locked, "stage": locked.get_status_display()}
            )
        if stage in rules.BID_GATED_STAGES:
            _require_bid_decided(locked)

    return transition(obj=opportunity, action="move", args=(stage,), actor=actor, check=check)


def _close(
    opportunity: Opportunity,
    *,
    actor,
    action: str,
    text,
    reason: str,
    competitor: str | None = None,
    checked=True,
    decision: str | None = None,
):
    """Win or lose: the note or reason and the close time kept on the row, the stage change on the timeline (with the
    reason; without one, "商务谈判 → 赢单"). `checked`: the actor's right is asked (not when a signed contract wins it,
    nor when the leaders decided not to take part, `decision`). A decision still pending is withdrawn: the deal is over."""

    def before_save(locked):
        locked.close_reason = reason[:300]
        locked.closed_at = timezone.now()
        if competitor is not None:
            locked.competitor = competitor.strip()[:100]
        if locked.bid_decision == BidDecision.PENDING and decision is None:
            _withdraw_bid(locked, actor, reason=_("销售机会已结束"))
        if decision is not None:
            locked.bid_decision = decision

    return transition(
        obj=opportunity,
        action=action,
        actor=actor,
        check=(lambda locked: _require_action(locked, actor, action)) if checked else None,
        before_save=before_save,
        text=text if reason else None,
        params={"reason": reason},
    )


def opportunity_win(*, opportunity: Opportunity, actor, note: str = "") -> Opportunity:
    """The customer placed the deal (赢单); a note on how it was won is optional. A 比价/投标 is won only once it was
    decided to take part."""
    note = (note or "").strip()
    return _close(opportunity, actor=actor, action="win", text=gettext_noop("赢单：%(reason)s"), reason=note)


def opportunity_lose(*, opportunity: Opportunity, actor, reason: str, competitor: str = "") -> Opportunity:
    """The deal will not happen (输单): the reason is required, and the competitor who won it is kept when known."""
    reason = required_text(reason, _("请填写输单原因。"))
    return _close(
        opportunity,
        actor=actor,
        action="lose",
        text=gettext_noop("输单：%(reason)s"),
        reason=reason,
        competitor=competitor or None,
    )


def opportunity_reopen(*, opportunity: Opportunity, actor, reason: str) -> Opportunity:
    """A won or lost opportunity comes back to the pipeline at 初步接洽; the reason is required and kept."""
    reason = required_text(reason, _("请填写重新打开的原因。"))

    def before_save(locked):
        locked.closed_at = None

    return transition(
        obj=opportunity,
        action="reopen",
        actor=actor,
        check=lambda locked: _require_action(locked, actor, "reopen"),
        before_save=before_save,
        text=gettext_noop("重新打开：%(reason)s"),
        params={"reason": reason},
    )


# --- 比价/投标: the decision to take part ----------------------------------------------------------------------------
def opportunity_request_bid(*, opportunity: Opportunity, actor, note: str = "") -> Opportunity:
    """报请参与决策: the rep reports the 比价/投标 and the leaders decide whether to take part (rules.bid_route: the sales
    department head; above bid_major_amount the sales VP too). A decider's own request skips their step; with none left
    it is decided to take part at once. The note (why it is worth it, the competitors…) goes on the timeline."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = _lock(opportunity)
        _require_action(locked, actor, "request_bid")
        steps = rules.bid_route(
            amount=locked.amount, major_amount=threshold("bid_major_amount"), requester_roles=user_roles(actor)
        )
        if note:
            record_event(
                target=locked, verb=Event.Verb.NOTE, actor=actor, text=gettext_noop("报请说明：%(note)s"), params={"note": note}
            )
        if not steps:
            locked.bid_decision = BidDecision.GO
            save_as(locked, actor, update_fields=["bid_decision", "updated_at"])
            record_event(
                target=locked,
                verb=Event.Verb.APPROVAL,
                actor=actor,
                text=gettext_noop("%(actor)s 决定参加%(bidding)s"),
                params={"actor": display_name(actor), "bidding": choice(locked, "bidding")},
            )
            return locked
        locked.bid_decision = BidDecision.PENDING
        save_as(locked, actor, update_fields=["bid_decision", "updated_at"])
        approvals.approval_start(
            target=locked,
            kind=BID_KIND,
            steps=steps,
            actor=actor,
            title=gettext_lazy("是否参加%(bidding)s：%(number)s %(title)s（%(customer)s）"),
            title_params={
                "bidding": choice(locked, "bidding"),
                "number": locked.number,
                "title": locked.title,
                "customer": locked.customer.name,
            },
            url=locked.get_absolute_url(),
        )
    return locked


def _withdraw_bid(locked: Opportunity, actor, *, reason: str) -> None:
    """The pending decision's round is withdrawn (the opportunity locked first: document, then request)."""
    request = approvals.requests_for(locked, BID_KIND).filter(status=ApprovalRequest.Status.PENDING).first()
    if request is not None:
        approvals.approval_cancel(request_id=request.pk, actor=actor, reason=reason)
    locked.bid_decision = BidDecision.UNASKED


def _on_bid_decided(request: ApprovalRequest, outcome: str, actor) -> None:
    """The engine's outcome, in the deciding transaction (the opportunity locked by `lock_opportunity`): agreed, it is
    decided to take part; refused, it is not, and the opportunity is lost with the leader's reason. The rep is told when
    someone else asked (the engine tells whoever asked)."""
    locked = _lock(Opportunity(pk=request.target_id))
    if outcome == ApprovalRequest.Status.APPROVED:
        locked.bid_decision = BidDecision.GO
        save_as(locked, actor, update_fields=["bid_decision", "updated_at"])
        title = gettext_lazy("销售机会 %(number)s：领导决定参加%(bidding)s")
    else:
        locked = _close(
            locked,
            actor=actor,
            action="lose",
            text=gettext_noop("输单：%(reason)s"),
            reason=_("领导决定不参加%(bidding)s：%(comment)s")
            % {"bidding": locked.get_bidding_display(), "comment": approvals.refusal_comment(request)},
            checked=False,
            decision=BidDecision.DECLINED,
        )
        title = gettext_lazy("销售机会 %(number)s：领导决定不参加%(bidding)s，已记为输单")
    if locked.owner_id != request.requested_by_id:
        notify(
            recipients=[locked.owner],
            title=title,
            params={"number": locked.number, "bidding": choice(locked, "bidding")},
            url=locked.get_absolute_url(),
        )


def lock_opportunity(opportunity: Opportunity) -> None:
    """The approvals engine's locker: the opportunity before the request and the step (the lock order)."""
    _lock(opportunity)


def register_handlers() -> None:
    """Called from CustomersConfig.ready: what the approvals engine does when the leaders decided on a 比价/投标."""
    from ..selectors import bid_summary

    approvals.register_outcome_handler(
        BID_KIND, _on_bid_decided, label=gettext_lazy("比价/投标参与决策"), locker=lock_opportunity, summary=bid_summary
    )


def opportunities_follow_the_customer(*, customer: Customer, old_owner, new_owner, actor, reason: str) -> int:
    """When a customer is handed to another rep (customers.customer_reassign, inside its transaction, the customer
    locked first), its open opportunities of the old rep go with it, each with a timeline event; won and lost ones keep
    the rep who worked them. Returns how many moved."""
    return hand_over(
        Opportunity.objects.filter(customer=customer, owner=old_owner, status__in=Opportunity.OPEN_STAGES),
        new_owner=new_owner,
        actor=actor,
        reason=reason,
    )


# --- what the quotations and contracts floor tells the opportunity (it calls down; nothing here imports it) ---------
def check_opportunity_of(opportunity: Opportunity | None, customer: Customer) -> Opportunity | None:
    """The opportunity a quotation or a visit names, re-read and locked until that transaction ends (so it cannot be
    closed meanwhile): an open one of the document's own customer, else a DomainError. None: no opportunity.
    Lock order: a quotation's edit and a contract's signing lock their document, then the opportunity it answers;
    nothing locks an opportunity and then a quotation or a contract, so the two orders never cross."""
    if opportunity is None:
        return None
    locked = _lock(opportunity)
    if locked.customer_id != customer.pk:
        raise DomainError(_("销售机会 %(number)s 不属于该客户。") % {"number": locked}, code="opportunity_customer")
    if not locked.is_open:
        raise DomainError(
            _("销售机会 %(number)s 已结束（%(stage)s）；如需继续跟进请先重新打开。")
            % {"number": locked, "stage": locked.get_status_display()},
            code="opportunity_state",
        )
    return locked


def opportunity_quoted(*, opportunity: Opportunity, actor, number: str) -> Opportunity:
    """A quotation `number` was made for the opportunity (contracts.quotation_create, in its transaction): one still
    before 方案报价 moves there, and its timeline names the quotation either way. A 比价/投标 not decided to take part
    in refuses it (the quotation's transaction is undone)."""
    with transaction.atomic():
        locked = _lock(opportunity)
        _require_bid_decided(locked)
        if locked.status in (Opportunity.Stage.LEAD, Opportunity.Stage.QUALIFIED):
            params = {"number": number, "from": choice(locked), "to": choice(locked, value=Opportunity.Stage.PROPOSAL)}
            return transition(
                obj=locked,
                action="move",
                args=(Opportunity.Stage.PROPOSAL,),
                actor=actor,
                text=gettext_noop("报价单 %(number)s：%(from)s → %(to)s"),
                params=params,
            )
        record_event(
            target=locked, verb=Event.Verb.NOTE, actor=actor, text=gettext_noop("报价单 %(number)s"), params={"number": number}
        )
    return locked


def opportunity_won_by_contract(*, opportunity: Opportunity, actor, number: str) -> Opportunity:
    """The contract `number` made from one of its quotations was signed (contracts.contract_sign, in its transaction,
    the contract locked first): an open opportunity is won; a closed one is left as it is."""
    with transaction.atomic():
        locked = _lock(opportunity)
        if not locked.is_open:
            return locked
        won = _close(
            locked,
            actor=actor,
            action="win",
            text=gettext_noop("赢单：%(reason)s"),
            reason=_("合同 %(number)s 已签订") % {"number": number},
            checked=False,
        )
        if won.owner_id != actor.pk:
            notify(
                recipients=[won.owner],
                title=gettext_lazy("销售机会 %(opportunity)s 已赢单：合同 %(number)s 已签订"),
                params={"opportunity": won, "number": number},
                url=won.get_absolute_url(),
            )
        return won
