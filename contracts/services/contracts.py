"""Contracts: create (directly or from an accepted quotation) and edit a draft, classify it (rules.classify), fill in
the review form, upgrade to special, submit for review and approval (rules.contract_route), sign with the scanned copy,
activate, complete, terminate and cancel (SPEC.md "Contract and its review")."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from customers.services import customer_lock, customer_won, opportunity_won_by_contract
from salesops.core import approvals
from salesops.core.editing import assign_fields, required_text, save_as
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import ApprovalRequest, Attachment, Event
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.once import create_once, once_fingerprint
from salesops.core.timeline import (
    attachment_add,
    attachments_for,
    changes_between,
    choice,
    line_changes,
    record_event,
    snapshot,
)
from salesops.core.transitions import transition

from .. import rules
from ..models import Contract, ContractLine, ContractReview, Quotation
from ..permissions import can_create_contract, can_upgrade, works_on
from ..selectors import (
    contract_facts,
    contract_pending_change,
    contract_review_missing,
    contract_route_for,
    quotation_conditions,
)
from .common import (
    check_header,
    check_owner_change,
    default_owner,
    notify_clerks_signed,
    page_url,
    rejection_reasons,
    require,
    stamp,
    start_review,
    visible_customer,
    withdraw_from_review,
)
from .lines import LINE_FIELDS, LINE_HISTORY_FIELDS, build_lines, replace_lines, set_totals

CONTRACT_KIND = "contract_review"

CONTRACT_FIELDS = (
    "contact",
    "owner",
    "customer_contract_no",
    "project_name",
    "contract_date",
    "delivery_date",
    "currency",
    "exchange_rate",
    "payment_terms",
    "deposit_rate",
    "credit_days",
    "payment_terms_text",
    "delivery_terms",
    "quality_terms",
    "other_terms",
    "customer_supplied_materials",
    "beyond_technical_capability",
)
REVIEW_FIELDS = (
    "explicit_requirements",
    "implicit_requirements",
    "legal_requirements",
    "additional_commitments",
    "oral_order_confirmed",
    "quotation_differences_resolved",
    "capability_confirmed",
    "notes",
)


def contract_create(
    *, actor, customer, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]], quotation: Quotation | None = None
) -> Contract:
    """A new draft contract, directly or from an accepted quotation (see contract_create_from_quotation).
    `data["once_key"]` (the form's hidden key, the API's Idempotency-Key): the same submission again makes nothing and
    raises core.once.Replayed with the contract it made; the key again with other input is refused (409) and makes
    nothing (salesops.core.once)."""
    customer = _customer_for_contract(actor, customer, quotation)
    lines = list(lines)
    key = data.get("once_key")
    return create_once(
        Contract,
        key=key,
        actor=actor,
        by="created_by",
        fingerprint=once_fingerprint(customer=customer, data=data, lines=lines, quotation=quotation),
        create=lambda: _create(actor, customer, data, lines, quotation, key),
        replayed=_replayed,
    )


def _customer_for_contract(actor, customer, quotation: Quotation | None):
    """The customer, visible to the actor, for whom they may draft a contract (from `quotation` when given)."""
    customer = visible_customer(actor, customer)
    require(can_create_contract(actor, customer, quotation), _("您没有为该客户创建合同的权限。"))
    return customer


def _replayed(contract: Contract) -> str:
    return _("这份合同已经提交过，已保存为合同 %(number)s，没有重复新建。") % {"number": contract.number}


def _create(actor, customer, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]], quotation, key) -> Contract:
    with transaction.atomic():
        contract = Contract(
            customer=customer,
            quotation=quotation,
            created_by=actor,
            once_key=key,
            owner=quotation.owner if quotation else default_owner(actor, customer),
            contract_date=timezone.localdate(),
            payment_terms=customer.payment_terms,
            deposit_rate=customer.deposit_rate,
            credit_days=customer.credit_days,
            currency=customer.currency or rules.BASE_CURRENCY,
        )
        check_owner_change(actor, data, contract.owner_id)
        assign_fields(contract, data, CONTRACT_FIELDS)
        check_header(contract)
        built = build_lines(
            ContractLine,
            lines,
            customer=customer,
            on_date=contract.contract_date,
            actor=actor,
            copied=quotation is not None,
            currency=contract.currency,
            exchange_rate=contract.exchange_rate,
        )
        set_totals(contract, built)
        contract.number = next_number("HT")
        _classify(contract, built)
        save_as(contract, actor)
        replace_lines(contract, built)
        ContractReview.objects.create(contract=contract, notes=_conditions_note(quotation))
        record_event(
            target=contract,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("由报价单 %(q)s 生成合同") if quotation else gettext_noop("新建合同"),
            params={"q": quotation.display_number} if quotation else None,
        )
    return contract


def _conditions_note(quotation: Quotation | None) -> str:
    """The conditions the quotation was approved with (有条件同意), for the review sheet's 评审说明: the rep drafting the
    contract sees them and the reviewers read how they were met."""
    conditions = quotation_conditions(quotation)
    if not conditions:
        return ""
    head = _("报价单 %(number)s 审批附加条件：") % {"number": quotation.display_number}
    return "\n".join([head, *(f"- {c['step']}（{c['who']}）：{c['condition']}" for c in conditions)])


def contract_create_from_quotation(*, quotation: Quotation, actor, once_key: uuid.UUID | None = None) -> Contract:
    """Copy an accepted quotation's lines and terms into a new draft contract (one contract per quotation). `once_key`
    (the 生成合同 button's hidden key, the API's Idempotency-Key): the same submission again makes nothing and raises
    core.once.Replayed with the contract it made — checked under the quotation's lock, before "already made", so a
    resent 生成合同 goes to its contract instead of a 409; the key again on another quotation is refused (409)."""
    with transaction.atomic():
        locked = Quotation.objects.select_for_update(of=("self",)).get(pk=quotation.pk)
        return create_once(
            Contract,
            key=once_key,
            actor=actor,
            by="created_by",
            fingerprint=once_fingerprint(quotation=locked),
            create=lambda: _from_quotation(locked, actor, once_key),
            replayed=_replayed,
        )


def _from_quotation(locked: Quotation, actor, key) -> Contract:
    if locked.status != Quotation.Status.ACCEPTED:
        raise Conflict(_("只有客户已接受的报价单才能生成合同（当前：%(status)s）。") % {"status": locked.get_status_display()})
    existing = locked.contracts.exclude(status=Contract.Status.CANCELLED).first()
    if existing:
        raise Conflict(_("该报价单已生成合同 %(number)s。") % {"number": existing.number})
    data = {
        name: getattr(locked, name)
        for name in (
            "contact",
            "owner",
            "project_name",
            "currency",
            "exchange_rate",
            "payment_terms",
            "payment_terms_text",
            "delivery_terms",
            "other_terms",
        )
    }
    rows = [
        {**{name: getattr(ln, name) for name in LINE_FIELDS}, "product": ln.product_id, "quotation_line": ln.pk}
        for ln in locked.lines.all()
    ]
    customer = _customer_for_contract(actor, locked.customer, locked)
    return _create(actor, customer, data, rows, locked, key)


def lock_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update(of=("self",)).select_related("customer").get(pk=contract.pk)


def contract_update(
    *, contract: Contract, actor, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]] | None = None
) -> Contract:
    """Edit a draft or returned contract; the classification is recomputed from the rules. Lines, when given, replace
    all of them; a kept line keeps its stored cost unless a cost reader types another (build_lines `kept`)."""
    with transaction.atomic():
        locked = lock_contract(contract)
        require(works_on(actor, locked), _("您没有修改该合同的权限。"))
        if not locked.is_editable:
            raise Conflict(
                _("合同当前状态为“%(status)s”，不能直接修改；已签订的合同请提交变更申请。")
                % {"status": locked.get_status_display()}
            )
        check_owner_change(actor, data, locked.owner_id)
        before = snapshot(locked, [n for n in CONTRACT_FIELDS if n in data] + ["amount_incl", "classification"])
        assign_fields(locked, data, CONTRACT_FIELDS)
        check_header(locked)
        line_diff = []
        if lines is not None:
            stored = list(locked.lines.all())
            built = build_lines(
                ContractLine,
                lines,
                customer=locked.customer,
                on_date=locked.contract_date,
                actor=actor,
                kept=stored,
                currency=locked.currency,
                exchange_rate=locked.exchange_rate,
            )
            set_totals(locked, built)
            replace_lines(locked, built)
            line_diff = line_changes(stored, built, LINE_HISTORY_FIELDS)
        else:
            built = list(locked.lines.all())
        _classify(locked, built)
        save_as(locked, actor)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("修改合同"),
            changes=changes_between(locked, before) + line_diff,
        )
    return locked


def contract_review_update(*, contract: Contract, actor, data: Mapping[str, Any]) -> ContractReview:
    """Fill in the review form (合同评审单) while the contract can be edited."""
    with transaction.atomic():
        locked = lock_contract(contract)
        require(works_on(actor, locked), _("您没有填写该合同评审单的权限。"))
        if not locked.is_editable:
            raise Conflict(_("合同已提交评审，评审单不能再修改。"))
        review, _created = ContractReview.objects.get_or_create(contract=locked)
        before = snapshot(review, [n for n in REVIEW_FIELDS if n in data])
        assign_fields(review, data, REVIEW_FIELDS)
        save_as(review, actor)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("填写合同评审单"),
            changes=changes_between(review, before),
        )
    return review


def _classify(contract: Contract, lines) -> None:
    """Store which rules fire and the resulting class; a manager's upgrade stays, nothing downgrades a rule-made special."""
    findings = rules.classify(contract_facts(contract, lines))
    contract.classification_reasons = [{"code": f.code, "detail": f.detail} for f in findings]
    special = bool(findings) or bool(contract.upgraded_by_id)
    contract.classification = Contract.Classification.SPECIAL if special else Contract.Classification.GENERAL


def contract_upgrade(*, contract: Contract, actor, reason: str) -> Contract:
    """A manager makes a general contract special, with a reason (it can never be made general again by hand)."""
    reason = required_text(reason, _("请填写升级为特殊合同的原因。"))
    with transaction.atomic():
        locked = lock_contract(contract)
        require(can_upgrade(actor), _("只有经理及以上可以把合同升级为特殊合同。"))
        if not locked.is_editable:
            raise Conflict(_("合同已提交评审，不能再改变类别；请先撤回。"))
        if locked.upgraded_by_id:
            raise Conflict(_("该合同已升级为特殊合同。"))
        locked.upgraded_by, locked.upgrade_reason = actor, reason[:300]
        locked.classification = Contract.Classification.SPECIAL
        save_as(locked, actor)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("升级为特殊合同：%(reason)s"),
            params={"reason": reason},
        )
    return locked


def contract_submit(*, contract: Contract, actor) -> Contract:
    """Submit for review (a returned contract starts a new round; earlier rounds stay readable).

    The classification is recomputed now; the review form must state the requirements and confirm capability, and
    differences from the accepted quotation must be marked resolved (the sales head confirms them first in the route).
    """
    with transaction.atomic():

        def check(locked):
            require(works_on(actor, locked), _("您没有提交该合同的权限。"))
            lines = list(locked.lines.select_related("product"))
            if not lines:
                raise DomainError(_("合同没有明细，不能提交评审。"))
            missing = contract_review_missing(locked)
            if missing:
                raise DomainError(_("请先完成合同评审单：%(fields)s。") % {"fields": "、".join(str(m) for m in missing)})
            _classify(locked, lines)

        locked = transition(obj=contract, action="submit", actor=actor, check=check, before_save=stamp("submitted_at"))
        steps = contract_route_for(locked, actor)
        return start_review(
            locked,
            actor,
            kind=CONTRACT_KIND,
            steps=steps,
            # no amount: the reviewers who judge the goods read the title, not the price (the inbox shows the amount
            # to those who see prices: selectors.approval_summary)
            title=gettext_lazy("%(cls)s %(number)s（%(customer)s）"),
            title_params={"cls": choice(locked, "classification"), "number": locked.number, "customer": locked.customer.name},
            url=page_url("contracts:contract_detail", locked.pk),
        )


def contract_review_outcome(request: ApprovalRequest, outcome: str, actor) -> None:
    """What the end of a review round does to the contract (registered with the approvals engine): approved and ready
    to sign, or returned to its owner with the reviewers' reasons; the owner is told when someone else submitted it."""
    contract = request.target
    if outcome == ApprovalRequest.Status.APPROVED:
        locked = transition(
            obj=contract,
            action="approve",
            actor=actor,
            text=gettext_noop("评审通过，可以签订"),
            before_save=stamp("approved_at"),
        )
        approvals.notify_owner_approved(
            request, locked.owner, title=gettext_lazy("合同评审通过：%(number)s"), params={"number": locked.number}
        )
    else:
        reasons = rejection_reasons(request)
        locked = transition(
            obj=contract,
            action="return_to_owner",
            actor=actor,
            text=gettext_noop("评审未通过，退回：%(reasons)s"),
            params={"reasons": reasons},
        )
        if locked.owner_id != request.requested_by_id:
            notify(
                recipients=[locked.owner],
                title=gettext_lazy("合同被退回：%(number)s"),
                params={"number": locked.number},
                body=reasons,
                url=request.url,
            )


def contract_withdraw(*, contract: Contract, actor) -> Contract:
    """Take a contract back from review (the pending round is cancelled and kept in the history)."""
    return withdraw_from_review(contract, actor, CONTRACT_KIND, _("您没有撤回该合同的权限。"))


def contract_sign(*, contract: Contract, actor, signed_on: date | None, scan=None) -> Contract:
    """Record that the approved contract was signed, with the scanned signed copy (uploaded now or already attached);
    the signing date (today when not given) may be neither after today nor before the contract's date
    (rules.signing_date_error). An intent customer (意向客户) becomes 正式客户 (customers.services.customer_won)."""
    signed_on = signed_on or timezone.localdate()
    with transaction.atomic():
        customer_lock(contract.customer_id)  # the customer before its contract (customer_won below)

        def check(c):
            require(works_on(actor, c), _("您没有登记该合同签订的权限。"))
            problem = rules.signing_date_error(signed_on=signed_on, contract_date=c.contract_date, today=timezone.localdate())
            if problem:
                raise DomainError(problem)
            if scan is None and not _has_signed_scan(c):
                raise DomainError(_("请上传签字盖章的合同扫描件。"))

        def before(c):
            c.signed_on, c.signed_by = signed_on, actor

        locked = transition(obj=contract, action="sign", actor=actor, check=check, before_save=before)
        if scan is not None:
            attachment_add(target=locked, actor=actor, upload=scan, kind=Attachment.Kind.SIGNED_CONTRACT)
        opportunity = locked.quotation.opportunity if locked.quotation_id else None
        if opportunity is not None:  # the deal is made: the opportunity its quotation was for is won (customers floor)
            opportunity_won_by_contract(opportunity=opportunity, actor=actor, number=locked.number)
        notify_clerks_signed(locked)  # signed: the clerks take the order (their queue 已签订待下单)
        customer_won(
            customer=locked.customer,
            actor=actor,
            text=gettext_noop("签订合同 %(number)s，转为正式客户"),
            params={"number": locked.number},
        )
    return locked


def _has_signed_scan(contract: Contract) -> bool:
    return attachments_for(contract).filter(kind=Attachment.Kind.SIGNED_CONTRACT).exists()


def contract_activate(*, contract: Contract, actor) -> Contract:
    return transition(
        obj=contract, action="activate", actor=actor, check=lambda c: require(works_on(actor, c), _("您没有操作该合同的权限。"))
    )


def contract_complete(*, contract: Contract, actor) -> Contract:
    def check(c):
        require(works_on(actor, c), _("您没有操作该合同的权限。"))
        if contract_pending_change(c):
            raise Conflict(_("合同有进行中的变更申请，请先处理。"))

    return transition(obj=contract, action="complete", actor=actor, check=check, before_save=stamp("closed_at"))


def contract_terminate(*, contract: Contract, actor, reason: str) -> Contract:
    """End a signed or active contract early; the reason is required and kept."""
    return _close(contract, actor, "terminate", reason, missing=_("请填写终止原因。"), text=gettext_noop("合同终止：%(reason)s"))


def contract_cancel(*, contract: Contract, actor, reason: str) -> Contract:
    """Void a contract that was never signed."""
    return _close(contract, actor, "cancel", reason, missing=_("请填写作废原因。"), text=gettext_noop("合同作废：%(reason)s"))


def _close(contract: Contract, actor, action: str, reason: str, *, missing: str, text: str) -> Contract:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(missing)

    def before(c):
        c.closed_at, c.close_reason = timezone.now(), reason[:300]

    return transition(
        obj=contract,
        action=action,
        actor=actor,
        text=text,
        params={"reason": reason},
        check=lambda c: require(works_on(actor, c), _("您没有操作该合同的权限。")),
        before_save=before,
    )
