"""Change requests of a signed or active contract: propose changed terms and lines, re-review by the departments the
changed fields concern (rules.CHANGE_DEPARTMENTS) and the sales manager, then apply them as a new version, keeping the
old one readable (SPEC.md "Contract changes"; ARCHITECTURE.md rule 3)."""

from __future__ import annotations

from collections.abc import Mapping
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
from salesops.core.roles import user_roles
from salesops.core.thresholds import threshold
from salesops.core.timeline import changes_between, record_event, snapshot

from .. import rules
from ..models import Contract, ContractChange, ContractLine, ContractVersion
from ..permissions import can_withdraw_change, works_on
from ..selectors import amount_cny, contract_pending_change
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


def contract_change_request(
    *, contract: Contract, actor, reason: str, header: Mapping[str, Any], lines: Mapping[int, Mapping[str, Any]]
) -> ContractChange:
    """Propose changes to a signed or active contract. Only the departments the changed fields concern re-review
    (rules.CHANGE_DEPARTMENTS), then the sales manager; the contract itself changes only when the change is approved."""
    reason = required_text(reason, _("请填写变更原因。"))
    with transaction.atomic():
        locked = lock_contract(contract)
        require(works_on(actor, locked), _("您没有为该合同申请变更的权限。"))
        if locked.status not in (Contract.Status.SIGNED, Contract.Status.ACTIVE):
            raise Conflict(_("只有已签订或执行中的合同可以变更（当前：%(status)s）。") % {"status": locked.get_status_display()})
        if contract_pending_change(locked):
            raise Conflict(_("该合同已有进行中的变更申请。"))
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
        departments = rules.change_departments(changed_fields)
        change = ContractChange.objects.create(
            contract=locked,
            from_version=locked.version,
            reason=reason,
            header_changes=header_changes,
            line_changes=line_changes,
            departments=departments,
            requested_by=actor,
        )
        preview = _apply_change(locked, change, save=False)
        steps = rules.change_route(
            departments=departments,
            old_amount_cny=amount_cny(locked),
            new_amount_cny=amount_cny(preview),
            submitter_roles=user_roles(actor),
            vp_amount=threshold("contract_vp_amount"),
            gm_amount=threshold("contract_gm_amount"),
        )
        approvals.approval_start(
            target=locked,
            kind=CHANGE_KIND,
            steps=steps,
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


def _apply_change(contract: Contract, change: ContractChange, *, save: bool) -> Contract:
    """The contract with the change applied (saved only when `save`; otherwise an unsaved preview for the route)."""
    target = contract if save else Contract.objects.get(pk=contract.pk)
    for name, (_old, new) in change.header_changes.items():
        setattr(target, name, _clean_change_value(Contract, name, new))
    lines = list(target.lines.all())
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
    return target


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
    before = snapshot(contract, list(change.header_changes) + ["amount_incl"])
    try:  # checked when it was asked for; a change asked for before those checks existed may still hold a wrong value
        _apply_change(contract, change, save=True)
    except DomainError as e:
        raise Conflict(_("该变更申请不能生效：%(error)s请驳回该变更申请。") % {"error": e}) from None
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
