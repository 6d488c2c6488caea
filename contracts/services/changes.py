"""Change requests of a signed or active contract: propose changed terms and lines, re-review by the departments the
changed fields concern (rules.CHANGE_DEPARTMENTS) and the sales manager, then apply them as a new version, keeping the
old one readable (SPEC.md "Contract changes"; ARCHITECTURE.md rule 3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core import approvals, hooks
from salesops.core.editing import required_text, save_as
from salesops.core.errors import Conflict, DomainError
from salesops.core.locking import retry_on_lock_conflict
from salesops.core.models import ApprovalRequest, Event
from salesops.core.money import (
    MAX_CREDIT_DAYS,
    PRICE_BOUNDS,
    QUANTITY_BOUNDS,
    RATE_BOUNDS,
    parse_decimal,
    plain,
)
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.ordered import ordered_per_contract_line
from salesops.core.timeline import changes_between, record_event, snapshot

from .. import rules
from ..models import Contract, ContractChange, ContractLine, ContractVersion
from ..permissions import can_withdraw_change, works_on
from ..selectors import change_route_for, contract_facts, contract_pending_change
from .common import page_url, rejection_reasons, require
from .contracts import CONTRACT_FIELDS, lock_contract
from .lines import discount_rate_of, price_line, set_totals

User = get_user_model()

CHANGE_KIND = "contract_change"


# The numbers a change may propose, with the bounds of their columns (a new contract's lines are checked against the
# same ones in lines.build_lines; the header's by the API's input and the contract form).
CHANGE_BOUNDS = {
    "quantity": QUANTITY_BOUNDS,
    "unit_price": PRICE_BOUNDS,
    "discount_rate": RATE_BOUNDS,
    "deposit_rate": RATE_BOUNDS,
}


def _clean_change_value(model, name: str, value, *, where: str = ""):
    """A proposed value of a contract field (`model` Contract or ContractLine) checked against the rules of a new
    contract: the choices, the bounds and the validators of the model field, a quantity above 0, a discount below
    100 %; a DomainError naming the field in Chinese (after `where`, the line's name) otherwise. Returns the value as the
    field holds it (a cleared date is None)."""
    field = model._meta.get_field(name)
    label = f"{where}：{field.verbose_name}" if where else str(field.verbose_name)
    if name == "delivery_date":
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError(
                _("%(label)s“%(value)s”不是有效的日期（格式如 2027-01-31）。") % {"label": label, "value": value}
            ) from None
    if value is None or value == "":
        if field.blank:
            return ""
        raise DomainError(_("请填写%(label)s。") % {"label": label})
    if name in CHANGE_BOUNDS:
        new = parse_decimal(value, label, bounds=CHANGE_BOUNDS[name])
        if name == "quantity" and new <= 0:
            raise DomainError(_("%(name)s：数量必须大于 0。") % {"name": where or label})
        if name == "discount_rate" and new >= 1:
            raise DomainError(
                _("%(label)s应小于 1（即折扣小于 100%%），填写的是 %(value)s。") % {"label": label, "value": plain(new)}
            )
    elif name == "credit_days":
        number = parse_decimal(value, label)
        if number != number.to_integral_value() or not 0 <= number <= MAX_CREDIT_DAYS:
            raise DomainError(
                _("%(label)s应为 0 到 %(max)d 的整数，填写的是 %(value)s。")
                % {"label": label, "max": MAX_CREDIT_DAYS, "value": plain(number)}
            )
        new = int(number)
    elif field.choices:
        new = value
        if not isinstance(value, str) or value not in dict(field.flatchoices):
            choices = "、".join(f"{code}（{text}）" for code, text in field.flatchoices)
            raise DomainError(
                _("%(label)s“%(value)s”不是可选的值，可选：%(choices)s。") % {"label": label, "value": value, "choices": choices}
            )
    else:
        if not isinstance(value, str):
            raise DomainError(_("%(label)s应填写文字。") % {"label": label})
        new = value.strip()
        if field.max_length and len(new) > field.max_length:
            raise DomainError(
                _("%(label)s最多 %(max)d 个字（填写了 %(n)d 个）。") % {"label": label, "max": field.max_length, "n": len(new)}
            )
    try:
        field.run_validators(new)
    except ValidationError as e:
        raise DomainError(f"{label}：{'；'.join(e.messages)}") from None
    return new


def _refuse_past_date(new, old, label: str) -> None:
    """A changed delivery date may not be in the past (an unchanged one may: it was agreed before)."""
    today = timezone.localdate()
    if new is not None and new != old and new < today:
        raise DomainError(
            _("%(label)s不能早于今天（%(today)s），填写的是 %(value)s。") % {"label": label, "today": today, "value": new}
        )


def _discount_as_rate(values: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """A line's proposed values with a discount typed as a percentage (`discount_percent`) turned into the rate the
    contract keeps, as when the lines are built (lines.discount_rate_of)."""
    if values.get("discount_percent") in (None, ""):
        return values
    rest = {k: v for k, v in values.items() if k != "discount_percent"}
    return {**rest, "discount_rate": discount_rate_of(values, name)}


def _line_id(value) -> int | None:
    """A line id as sent (an int, or its digits as text from JSON's keys); None for anything else."""
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _plain(value):
    if isinstance(value, (Decimal, date)):
        return str(value)
    return value


@dataclass
class ChangeOutcome:
    """What a change request would make of the contract: the new version's class and reasons (as a new contract is
    classified), the departments that review it and its whole route (rules.change_route)."""

    special: bool
    reasons: list[dict]
    departments: list[str]
    steps: list

    @property
    def classification(self) -> str:
        return Contract.Classification.SPECIAL if self.special else Contract.Classification.GENERAL

    @property
    def classification_label(self) -> str:
        return str(dict(Contract.Classification.choices)[self.classification])

    @property
    def reason_rows(self) -> list[dict]:
        return [{**r, "label": rules.reason_label(r["code"])} for r in self.reasons]

    @property
    def route(self) -> list[str]:
        return [str(step.label) for step in self.steps]


def _proposed(locked: Contract, header: Mapping[str, Any], lines: Mapping[int, Mapping[str, Any]]):
    """The changes asked for, checked as a new contract's values are: (header_changes, line_changes, changed_fields)."""
    header_changes, changed_fields = {}, set()
    for name in rules.CHANGEABLE_HEADER_FIELDS:
        if name in header:
            new = _clean_change_value(Contract, name, header[name])
            old = getattr(locked, name)
            if new != old and not (new in (None, "") and old in (None, "")):
                if name == "delivery_date":
                    _refuse_past_date(new, old, str(Contract._meta.get_field(name).verbose_name))
                header_changes[name] = [_plain(old), _plain(new)]
                changed_fields.add(name)
    line_changes = []
    current = {ln.pk: ln for ln in locked.lines.all()}
    for line_id, values in lines.items():
        line = current.get(_line_id(line_id))
        if line is None:
            raise DomainError(_("合同明细不存在（编号 %(id)s）。") % {"id": line_id})
        values = _discount_as_rate(values, line.name)
        diff = {}
        for name in rules.CHANGEABLE_LINE_FIELDS:
            if name in values and values[name] not in (None, ""):  # a line's blank value changes nothing
                new = _clean_change_value(ContractLine, name, values[name], where=line.name)
                if new != getattr(line, name):
                    if name == "delivery_date":
                        _refuse_past_date(
                            new, line.delivery_date, f"{line.name}：{ContractLine._meta.get_field(name).verbose_name}"
                        )
                    diff[name] = [_plain(getattr(line, name)), _plain(new)]
                    changed_fields.add("line_delivery_date" if name == "delivery_date" else name)
        if diff:
            line_changes.append({"line_id": line.pk, "name": line.name, **diff})
    if not header_changes and not line_changes:
        raise DomainError(_("没有任何变更内容。"))
    _refuse_below_ordered(locked, line_changes)
    return header_changes, line_changes, changed_fields


def _refuse_below_ordered(contract: Contract, line_changes) -> None:
    """A line's new quantity may not be below what orders already took of it (orders register what they took through
    salesops.core.ordered: contracts cannot import the floor above). Checked when the change is asked for and again,
    under the contract's lock, when it is applied — orders lock the contract before they take from it."""
    asked = [row for row in line_changes if "quantity" in row]
    if not asked:
        return
    ordered = ordered_per_contract_line(contract)
    for row in asked:
        taken, quantity = ordered.get(row["line_id"], Decimal(0)), Decimal(str(row["quantity"][1]))
        if quantity < taken:
            raise DomainError(
                _("%(name)s：订单已下 %(ordered)s，数量不能改为 %(qty)s（不能少于已下单的数量）。")
                % {"name": row["name"], "ordered": plain(taken), "qty": plain(quantity)}
            )


def _outcome(locked: Contract, change: ContractChange, changed_fields, actor) -> ChangeOutcome:
    """The new version classified as a new contract is and the route the change takes (selectors.change_route_for)."""
    preview, lines = _apply_change(locked, change, save=False)
    findings = rules.classify(contract_facts(preview, lines))
    special, reasons = rules.change_classification(
        findings, was_special=locked.is_special, upgraded=bool(locked.upgraded_by_id), old_reasons=locked.classification_reasons
    )
    codes = [r["code"] for r in reasons] + ([rules.Reason.MANUAL] if locked.upgraded_by_id else [])
    departments = rules.change_departments(changed_fields)
    repriced = {row["line_id"] for row in change.line_changes if {"unit_price", "discount_rate"} & set(row)}
    steps = change_route_for(
        locked, preview, lines, departments=departments, repriced=repriced, special=special, reason_codes=codes, submitter=actor
    )
    reviewing = [s.department for s in steps if s.department]
    return ChangeOutcome(special=special, reasons=reasons, departments=reviewing, steps=steps)


def contract_change_preview(
    *, contract: Contract, actor, header: Mapping[str, Any], lines: Mapping[int, Mapping[str, Any]]
) -> ChangeOutcome:
    """What a change request with these values would make of the contract — its class, reasons and route — without
    asking for it (the change page shows it before submission, as a draft contract's page shows its own)."""
    current = Contract.objects.select_related("customer").get(pk=contract.pk)  # nothing is written: no lock
    require(works_on(actor, current), _("您没有为该合同申请变更的权限。"))
    header_changes, line_changes, changed_fields = _proposed(current, header, lines)
    change = ContractChange(contract=current, header_changes=header_changes, line_changes=line_changes)
    return _outcome(current, change, changed_fields, actor)


def contract_change_request(
    *, contract: Contract, actor, reason: str, header: Mapping[str, Any], lines: Mapping[int, Mapping[str, Any]]
) -> ContractChange:
    """Propose changes to a signed or active contract; the contract itself changes only when the change is approved.

    The new version is classified as a new contract is (rules.classify: low margin, new product… → special, SPEC.md
    "Contract and its review") and the route applies a new contract's controls (rules.change_route): the departments
    the changed fields concern (rules.CHANGE_DEPARTMENTS) and, for a special result, those its reasons need; then the
    sales manager, the VP / GM by the amount, by the discount of a changed price (DiscountLimit) and for every special
    contract. A line's quantity never drops below what orders already took of it."""
    reason = required_text(reason, _("请填写变更原因。"))
    with transaction.atomic():
        locked = lock_contract(contract)
        require(works_on(actor, locked), _("您没有为该合同申请变更的权限。"))
        if locked.status not in (Contract.Status.SIGNED, Contract.Status.ACTIVE):
            raise Conflict(_("只有已签订或执行中的合同可以变更（当前：%(status)s）。") % {"status": locked.get_status_display()})
        if contract_pending_change(locked):
            raise Conflict(_("该合同已有进行中的变更申请。"))
        header_changes, line_changes, changed_fields = _proposed(locked, header, lines)
        change = ContractChange(
            contract=locked,
            from_version=locked.version,
            reason=reason,
            header_changes=header_changes,
            line_changes=line_changes,
            requested_by=actor,
        )
        outcome = _outcome(locked, change, changed_fields, actor)
        change.departments = outcome.departments
        change.classification, change.classification_reasons = outcome.classification, outcome.reasons
        change.save()
        approvals.approval_start(
            target=locked,
            kind=CHANGE_KIND,
            steps=outcome.steps,
            actor=actor,
            title=gettext_lazy("合同变更 %(number)s v%(v)d → v%(n)d"),
            title_params={"number": locked.number, "v": locked.version, "n": locked.version + 1},
            url=page_url("contracts:contract_detail", locked.pk),
        )
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("申请变更：%(reason)s"),
            params={"reason": reason},
        )
    return change


def _apply_change(contract: Contract, change: ContractChange, *, save: bool) -> tuple[Contract, list[ContractLine]]:
    """The contract with the change applied, and its lines (saved only when `save`; otherwise an unsaved preview)."""
    target = contract if save else Contract.objects.select_related("customer").get(pk=contract.pk)
    for name, (_old, new) in change.header_changes.items():
        setattr(target, name, _clean_change_value(Contract, name, new))
    lines = list(target.lines.select_related("product"))
    by_id = {ln.pk: ln for ln in lines}
    for row in change.line_changes:
        line = by_id[row["line_id"]]
        for name in rules.CHANGEABLE_LINE_FIELDS:
            if name in row:
                setattr(line, name, _clean_change_value(ContractLine, name, row[name][1], where=line.name))
        price_line(line)
    set_totals(target, lines)
    if save:
        ContractLine.objects.bulk_update(
            lines, ["quantity", "unit_price", "discount_rate", "delivery_date", "amount_incl", "amount_excl", "tax"]
        )
    return target, lines


def proposed_version(change: ContractChange) -> tuple[Contract, list[ContractLine]]:
    """The contract as `change` would make it (unsaved, priced and totalled): what its approvers weigh (the inbox's
    summary, contracts.selectors.approval_summary)."""
    return _apply_change(change.contract, change, save=False)


def _reclassify(contract: Contract, lines) -> None:
    """The applied version's class and reasons, from the facts as they are now (rules.change_classification)."""
    special, reasons = rules.change_classification(
        rules.classify(contract_facts(contract, lines)),
        was_special=contract.is_special,
        upgraded=bool(contract.upgraded_by_id),
        old_reasons=contract.classification_reasons,
    )
    contract.classification_reasons = reasons
    contract.classification = Contract.Classification.SPECIAL if special else Contract.Classification.GENERAL


def contract_snapshot(contract: Contract) -> dict:
    """A JSON copy of the contract's header, lines and totals (kept as ContractVersion when a change replaces it)."""
    header = {name: _plain(getattr(contract, name)) for name in CONTRACT_FIELDS if name not in ("contact", "owner")}
    header.update(
        {
            "number": contract.number,
            "version": contract.version,
            "classification": contract.classification,
            "amount_excl": str(contract.amount_excl),
            "tax_amount": str(contract.tax_amount),
            "amount_incl": str(contract.amount_incl),
            "owner": display_name(contract.owner),
        }
    )
    lines = [
        {
            "line_no": ln.line_no,
            "name": ln.name,
            "model": ln.model,
            "spec": ln.spec,
            "unit": ln.unit,
            "quantity": str(ln.quantity),
            "unit_price": str(ln.unit_price),
            "discount_rate": str(ln.discount_rate),
            "tax_rate": str(ln.tax_rate),
            "amount_incl": str(ln.amount_incl),
            "delivery_date": _plain(ln.delivery_date),
        }
        for ln in contract.lines.all()
    ]
    return {"header": header, "lines": lines}


def lock_contract_and_change(contract: Contract) -> None:
    """The engine's locker for a change review: the contract, then its change in review (the lock order every writer of
    a change follows), before the request and the step."""
    Contract.objects.select_for_update(of=("self",)).filter(pk=contract.pk).first()
    list(ContractChange.objects.select_for_update().filter(contract=contract, status=ContractChange.Status.IN_REVIEW))


def change_review_outcome(request: ApprovalRequest, outcome: str, actor) -> None:
    """What the end of a change review does (registered with the approvals engine): rejected, the contract stays as it
    was; approved, the current version is kept as a ContractVersion, the change applied as v+1, everyone who acted on the
    contract told, and higher floors hear of it through the `contract_changed` hook."""
    contract = Contract.objects.select_for_update(of=("self",)).get(pk=request.target_id)
    change = ContractChange.objects.select_for_update().get(contract=contract, status=ContractChange.Status.IN_REVIEW)
    change.decided_at = timezone.now()
    if outcome != ApprovalRequest.Status.APPROVED:
        change.reject()
        change.save()
        record_event(
            target=contract,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("变更申请被驳回：%(reasons)s"),
            params={"reasons": rejection_reasons(request)},
        )
        return
    ContractVersion.objects.create(
        contract=contract, version=contract.version, snapshot=contract_snapshot(contract), change=change
    )
    before = snapshot(contract, list(change.header_changes) + ["amount_incl", "classification"])
    try:  # checked when it was asked for; a change asked for before those checks existed may still hold a wrong value,
        # and an order may have taken from a line meanwhile (orders lock the contract, held here, before they take)
        _refuse_below_ordered(contract, change.line_changes)
        _contract, lines = _apply_change(contract, change, save=True)
    except DomainError as e:
        raise Conflict(_("该变更申请不能生效：%(error)s请驳回该变更申请。") % {"error": e}) from None
    _reclassify(contract, lines)
    contract.version += 1
    save_as(contract, actor)
    change.apply()
    change.save()
    record_event(
        target=contract,
        verb=Event.Verb.UPDATED,
        actor=actor,
        text=gettext_noop("变更生效，合同升为 v%(v)d"),
        params={"v": contract.version},
        changes=changes_between(contract, before),
    )
    notify(
        recipients=_people_who_acted(contract),
        title=gettext_lazy("合同已变更：%(number)s v%(v)d"),
        params={"number": contract.number, "v": contract.version},
        body=change.reason,
        url=request.url,
    )
    hooks.emit("contract_changed", contract=contract, version=contract.version)


def _people_who_acted(contract: Contract):
    """Everyone who acted on an earlier version: owner, signer, submitters and deciders of every approval round."""
    ids = {contract.owner_id, contract.signed_by_id, contract.created_by_id}
    for request in approvals.requests_for(contract):
        ids.add(request.requested_by_id)
        ids.update(s.decided_by_id for s in request.steps.all())
    ids.discard(None)
    return User.objects.filter(pk__in=ids, is_active=True)


@retry_on_lock_conflict
def contract_change_withdraw(*, change: ContractChange, actor) -> ContractChange:
    """Take a change request back while it is in review (its pending round is cancelled); by whoever asked or a manager.
    Lock order: the contract, then the change, then the request and its steps — as the change review's decision."""
    with transaction.atomic():
        Contract.objects.select_for_update(of=("self",)).filter(pk=change.contract_id).first()
        locked = ContractChange.objects.select_for_update().get(pk=change.pk)
        require(can_withdraw_change(actor, locked), _("只有申请人或经理可以撤回变更申请。"))
        if locked.status != ContractChange.Status.IN_REVIEW:
            raise Conflict(_("变更申请当前状态为“%(status)s”，不能撤回。") % {"status": locked.get_status_display()})
        pending = approvals.requests_for(locked.contract, CHANGE_KIND).filter(status=ApprovalRequest.Status.PENDING).first()
        if pending:
            approvals.approval_cancel(request_id=pending.pk, actor=actor, reason=_("申请人撤回变更"))
        locked.withdraw()
        locked.decided_at = timezone.now()
        locked.save()
    return locked
