"""Sales opportunities (销售机会): open one on a customer, edit it while it is open, move it through the pipeline's
stages, win or lose it (with the reason and the competitor), reopen it.

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
from django.utils.translation import gettext_noop

from salesops.core.editing import assign_fields, required_text, save_as
from salesops.core.errors import DomainError, NotFound
from salesops.core.models import Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.timeline import changes_between, choice, record_event, snapshot
from salesops.core.transitions import transition

from ..models import Customer, Opportunity
from .access import OPPORTUNITY_NOT_YOURS, _require, can_create_opportunity, opportunity_allowed_actions
from .common import _ensure_contact_of, _ensure_open, _validate

OPPORTUNITY_FIELDS = ("title", "needs", "plan", "amount", "probability", "expected_close", "competitor", "contact")


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
    _ensure_contact_of(data.get("contact"), opportunity.customer)


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
                title=_("%(actor)s 为您的客户“%(customer)s”新建了销售机会：%(title)s")
                % {"actor": display_name(actor), "customer": customer.name, "title": opportunity.title},
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
    allowed = opportunity_allowed_actions(opportunity, actor)
    if not allowed:
        _require(False, str(OPPORTUNITY_NOT_YOURS))
    if action not in allowed:
        raise DomainError(
            _("销售机会 %(number)s 已结束（%(stage)s），请先重新打开。")
            % {"number": opportunity, "stage": opportunity.get_status_display()}
            if action in ("edit", "move", "win", "lose")
            else _("销售机会 %(number)s 仍在跟进中，不需要重新打开。") % {"number": opportunity},
            code="opportunity_state",
        )


def opportunity_update(*, opportunity: Opportunity, actor, data: Mapping[str, Any]) -> Opportunity:
    """Edit an open opportunity; the timeline keeps every changed field old → new. A closed one is reopened first."""
    data = {name: data[name] for name in OPPORTUNITY_FIELDS if name in data}
    with transaction.atomic():
        locked = _lock(opportunity)
        _require_action(locked, actor, "edit")
        _check_fields(locked, data, today=timezone.localdate())
        before = snapshot(locked, list(data))
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

    return transition(obj=opportunity, action="move", args=(stage,), actor=actor, check=check)


def _close(opportunity: Opportunity, *, actor, action: str, text, reason: str, competitor: str | None = None, checked=True):
    """Win or lose: the note or reason and the close time kept on the row, the stage change on the timeline (with the
    reason; without one, "商务谈判 → 赢单"). `checked`: the actor's right is asked (not when a signed contract wins it)."""

    def before_save(locked):
        locked.close_reason = reason[:300]
        locked.closed_at = timezone.now()
        if competitor is not None:
            locked.competitor = competitor.strip()[:100]

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
    """The customer placed the deal (赢单); a note on how it was won is optional."""
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


def opportunities_follow_the_customer(*, customer: Customer, old_owner, new_owner, actor, reason: str) -> int:
    """When a customer is handed to another rep (customers.customer_reassign, inside its transaction, the customer
    locked first), its open opportunities of the old rep go with it, each with a timeline event; won and lost ones keep
    the rep who worked them. Returns how many moved."""
    moved = list(
        Opportunity.objects.select_for_update()
        .filter(customer=customer, owner=old_owner, status__in=Opportunity.OPEN_STAGES)
        .order_by("pk")
    )
    for opportunity in moved:
        opportunity.owner = new_owner
        save_as(opportunity, actor, update_fields=["owner", "updated_at"])
        record_event(
            target=opportunity,
            verb=Event.Verb.ASSIGNED,
            actor=actor,
            text=gettext_noop("随客户转给 %(owner)s：%(reason)s"),
            params={"owner": display_name(new_owner), "reason": reason},
        )
    return len(moved)


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
    before 方案报价 moves there, and its timeline names the quotation either way."""
    with transaction.atomic():
        locked = _lock(opportunity)
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
                title=_("销售机会 %(opportunity)s 已赢单：合同 %(number)s 已签订") % {"opportunity": won, "number": number},
                url=won.get_absolute_url(),
            )
        return won
