"""Every write of quotations and contracts (SPEC.md "Quotation", "Contract and its review"; ARCHITECTURE.md rules 1–3).

Pages, the API, admin and tasks call these functions; they check the actor's right, lock the row, check the state,
change it, write the timeline in the same transaction and notify after commit. Routes and classification come from
rules.py; thresholds and discount limits are data (salesops.core.thresholds, catalog.DiscountLimit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from catalog.models import DiscountLimit, Product
from catalog.rules import tax_rate_error
from catalog.selectors import discount_limit_for, resolve_price
from customers.models import Contact, Customer
from customers.selectors import customer_list_for
from salesops.core import approvals, hooks
from salesops.core.editing import assign_fields, required_text, save_as
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import ApprovalRequest, ApprovalStep, Attachment, Event
from salesops.core.money import ZERO, line_amounts, parse_decimal, quantize, sum_lines
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.roles import MANAGER_ROLES, Role, has_role, is_manager, user_roles
from salesops.core.thresholds import threshold
from salesops.core.timeline import attachment_add, changes_between, record_event, snapshot
from salesops.core.transitions import transition

from . import rules
from .models import (
    Contract,
    ContractChange,
    ContractLine,
    ContractReview,
    ContractVersion,
    Quotation,
    QuotationLine,
)
from .selectors import customer_open_exposure, review_department_rules

User = get_user_model()

QUOTATION_KIND = "quotation_review"
CONTRACT_KIND = "contract_review"
CHANGE_KIND = "contract_change"

QUOTATION_FIELDS = (
    "contact",
    "owner",
    "project_name",
    "quote_date",
    "valid_until",
    "currency",
    "exchange_rate",
    "payment_terms",
    "payment_terms_text",
    "delivery_terms",
    "other_terms",
    "notes",
)
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
LINE_FIELDS = (
    "product",
    "name",
    "model",
    "spec",
    "unit",
    "quantity",
    "unit_price",
    "discount_rate",
    "tax_rate",
    "unit_cost",
    "lead_time_days",
    "notes",
)


def display_name(user) -> str:
    return (user.get_full_name() or user.username) if user else _("系统")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


# --- who may do what (one place; pages and the API ask these to show the allowed actions) ---------------------------
def can_quote(user) -> bool:
    profile = getattr(user, "profile", None)
    return rules.may_quote(roles=user_roles(user), granted=bool(profile and profile.may_quote))


def _works_on(user, doc) -> bool:
    """Owner, creator, sales clerks and managers work on a document (edit, submit, send, sign…)."""
    return doc.owner_id == user.pk or doc.created_by_id == user.pk or has_role(user, Role.SALES_CLERK, *MANAGER_ROLES)


QUOTATION_ACTIONS = ("submit", "withdraw", "send", "accept", "reject", "revise", "cancel")
CONTRACT_ACTIONS = ("submit", "withdraw", "sign", "activate", "complete", "terminate", "cancel")


def quotation_allowed_actions(quotation: Quotation, user) -> list[str]:
    """The actions `user` may take on `quotation` now (status allows it and so does their role)."""
    if not _works_on(user, quotation):
        return []
    out = []
    for name in QUOTATION_ACTIONS:
        if name in ("submit", "revise") and not can_quote(user):
            continue
        if can_proceed(getattr(quotation, name)):
            out.append(name)
    if quotation.is_editable and can_quote(user):
        out.insert(0, "edit")
    if quotation.status == Quotation.Status.ACCEPTED and can_create_contract(user, quotation.customer, quotation):
        out.append("create_contract")
    return out


def contract_allowed_actions(contract: Contract, user) -> list[str]:
    out = []
    if _works_on(user, contract):
        out += [name for name in CONTRACT_ACTIONS if can_proceed(getattr(contract, name))]
        if contract.is_editable:
            out.insert(0, "edit")
        pending = contract_pending_change(contract)
        if contract.status in (Contract.Status.SIGNED, Contract.Status.ACTIVE) and not pending:
            out.append("request_change")
        if pending and (pending.requested_by_id == user.pk or is_manager(user)):
            out.append("withdraw_change")
    if contract.is_editable and not contract.upgraded_by_id and is_manager(user) and not contract.is_special:
        out.append("upgrade")
    return out


def can_create_contract(user, customer: Customer, quotation: Quotation | None = None) -> bool:
    if has_role(user, Role.SALES_CLERK, *MANAGER_ROLES):
        return True
    if quotation is not None and quotation.owner_id == user.pk:
        return True
    return customer.owner_id == user.pk


# --- lines and totals -------------------------------------------------------------------------------------------------


def _product(value) -> Product | None:
    if value in (None, ""):
        return None
    if isinstance(value, Product):
        return value
    product = Product.objects.filter(pk=value).first()
    if product is None:
        raise DomainError(_("产品不存在（编号 %(id)s）。") % {"id": value})
    return product


def build_lines(model, rows: Iterable[Mapping[str, Any]], *, customer: Customer, on_date: date) -> list:
    """Unsaved line objects of `model` from input rows, each validated, with exact amounts (Chinese messages name the line).

    A catalog line takes its name, model, spec, unit, tax rate, list price and cost from the product and — when no price
    is given — the price of the customer's price list; a free (custom) line must give a name and a price.
    """
    lines = []
    for index, row in enumerate(rows, start=1):
        where = _("第 %(n)d 行") % {"n": index}
        product = _product(row.get("product"))
        line = model(line_no=index)
        if product is not None:
            resolved = resolve_price(product=product, customer_type=customer.type, customer_grade=customer.grade, on_date=on_date)
            line.product = product
            line.name, line.model, line.spec, line.unit = product.name, product.model, product.spec, product.unit
            line.list_price, line.unit_cost, line.tax_rate = product.list_price, product.standard_cost, product.tax_rate
            line.unit_price = resolved.unit_price
        for name in ("name", "model", "spec", "unit", "notes"):
            if row.get(name) not in (None, ""):
                setattr(line, name, str(row[name]).strip())
        if not line.name:
            raise DomainError(_("%(where)s：请选择产品或填写品名。") % {"where": where})
        quantity = parse_decimal(row.get("quantity"), _("数量"))
        if quantity is None or quantity <= 0:
            raise DomainError(_("%(where)s（%(name)s）：数量必须大于 0。") % {"where": where, "name": line.name})
        line.quantity = quantity
        for name, label in (
            ("unit_price", _("含税单价")),
            ("discount_rate", _("折扣率")),
            ("tax_rate", _("税率")),
            ("unit_cost", _("单位成本")),
        ):
            value = parse_decimal(row.get(name), label, allow_blank=True)
            if value is not None:
                setattr(line, name, value)
        if product is None and row.get("unit_price") in (None, ""):
            raise DomainError(_("%(where)s（%(name)s）：非目录产品请填写含税单价。") % {"where": where, "name": line.name})
        if line.unit_price < 0 or line.unit_cost < 0:
            raise DomainError(_("%(where)s（%(name)s）：单价和成本不能为负数。") % {"where": where, "name": line.name})
        if not (Decimal(0) <= line.discount_rate < Decimal(1)):
            raise DomainError(
                _("%(where)s（%(name)s）：折扣率应在 0 到 1 之间（0.05 表示 5%%）。") % {"where": where, "name": line.name}
            )
        error = tax_rate_error(line.tax_rate)
        if error:
            raise DomainError(f"{where}（{line.name}）：{error}")
        if row.get("lead_time_days") not in (None, ""):
            line.lead_time_days = int(parse_decimal(row["lead_time_days"], _("交货期")))
        if hasattr(line, "delivery_date") and row.get("delivery_date"):
            line.delivery_date = row["delivery_date"]
        if hasattr(line, "quotation_line_id") and row.get("quotation_line"):
            line.quotation_line_id = row["quotation_line"]
        _price_line(line)
        lines.append(line)
    if not lines:
        raise DomainError(_("请至少填写一行明细。"))
    return lines


def _price_line(line) -> None:
    amounts = line_amounts(
        quantity=line.quantity, unit_price_incl=line.unit_price, tax_rate=line.tax_rate, discount_rate=line.discount_rate
    )
    line.amount_incl, line.amount_excl, line.tax = amounts.amount_incl, amounts.amount_excl, amounts.tax


def _set_totals(doc, lines) -> None:
    totals = sum_lines(lines)
    doc.amount_incl, doc.amount_excl, doc.tax_amount = totals.amount_incl, totals.amount_excl, totals.tax
    if hasattr(doc, "cost_total"):
        doc.cost_total = sum((quantize(ln.unit_cost * ln.quantity) for ln in lines), ZERO)


def amount_cny(doc) -> Decimal:
    return quantize(doc.amount_incl * doc.exchange_rate)


def _replace_lines(doc, lines) -> None:
    """Replace all lines of a draft document (its lines are only referenced once it is approved)."""
    doc.lines.all().delete()
    parent = "quotation" if isinstance(doc, Quotation) else "contract"
    for line in lines:
        setattr(line, parent, doc)
    type(lines[0]).objects.bulk_create(lines)


def _lines_summary(lines) -> list[dict]:
    return [
        {
            "name": ln.name,
            "quantity": str(ln.quantity),
            "unit_price": str(ln.unit_price),
            "discount_rate": str(ln.discount_rate),
            "amount_incl": str(ln.amount_incl),
        }
        for ln in lines
    ]


def _check_header(doc) -> None:
    if doc.contact_id and not Contact.objects.filter(pk=doc.contact_id, customer_id=doc.customer_id).exists():
        raise DomainError(_("联系人不属于该客户。"))
    if doc.exchange_rate is None or doc.exchange_rate <= 0:
        raise DomainError(_("汇率必须大于 0。"))
    if doc.currency == rules.BASE_CURRENCY and doc.exchange_rate != 1:
        raise DomainError(_("人民币单据的汇率应为 1。"))
    if not doc.owner_id:
        raise DomainError(_("请选择业务员。"))


def _check_owner_change(actor, doc, data: Mapping[str, Any], current_owner_id) -> None:
    """Crediting a document to another rep is for clerks and managers; a rep may keep or take it, not give it away."""
    new = data.get("owner")
    new_id = getattr(new, "pk", new)
    if "owner" in data and new_id not in (None, "", current_owner_id) and new_id != actor.pk:
        _require(has_role(actor, Role.SALES_CLERK, *MANAGER_ROLES), _("只有销售内勤和经理可以把单据转给其他业务员。"))


def _visible_customer(actor, customer) -> Customer:
    found = customer_list_for(actor).filter(pk=getattr(customer, "pk", customer)).first()
    if found is None:
        raise NotFound(_("客户不存在或您无权查看。"))
    return found


def _default_owner(actor, customer: Customer):
    return actor if has_role(actor, Role.SALES_REP, Role.TEAM_LEAD) and not has_role(actor, *MANAGER_ROLES) else customer.owner


# --- quotations -------------------------------------------------------------------------------------------------------
def quotation_create(*, actor, customer, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]]) -> Quotation:
    """A new draft quotation. Only those who may quote (rules.may_quote) can; the customer must be visible to them."""
    _require(can_quote(actor), _("您没有报价权限：只有销售内勤、经理及以上或经授权的业务员可以报价。"))
    customer = _visible_customer(actor, customer)
    today = timezone.localdate()
    with transaction.atomic():
        quotation = Quotation(
            customer=customer,
            created_by=actor,
            owner=_default_owner(actor, customer),
            quote_date=today,
            valid_until=today + timedelta(days=30),
            payment_terms=customer.payment_terms,
            currency=customer.currency or rules.BASE_CURRENCY,
        )
        _check_owner_change(actor, quotation, data, quotation.owner_id)
        assign_fields(quotation, data, QUOTATION_FIELDS)
        _check_quotation(quotation)
        built = build_lines(QuotationLine, lines, customer=customer, on_date=quotation.quote_date)
        _set_totals(quotation, built)
        quotation.number = next_number("QT")
        save_as(quotation, actor)
        _replace_lines(quotation, built)
        record_event(
            target=quotation,
            verb=Event.Verb.CREATED,
            actor=actor,
            message=_("新建报价单，含税总额 %(amount)s") % {"amount": quotation.amount_incl},
        )
    return quotation


def _check_quotation(quotation: Quotation) -> None:
    _check_header(quotation)
    if quotation.valid_until < quotation.quote_date:
        raise DomainError(
            _("有效期（%(to)s）不能早于报价日期（%(from)s）。") % {"to": quotation.valid_until, "from": quotation.quote_date}
        )


def quotation_update(
    *, quotation: Quotation, actor, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]] | None = None
) -> Quotation:
    """Edit a draft quotation (header and, when given, all its lines). A submitted one is revised instead (new version)."""
    with transaction.atomic():
        locked = Quotation.objects.select_for_update(of=("self",)).get(pk=quotation.pk)
        _require(_works_on(actor, locked) and can_quote(actor), _("您没有修改该报价单的权限。"))
        if not locked.is_editable:
            raise Conflict(
                _("报价单当前状态为“%(status)s”，不能直接修改；已审核或已发送的报价单请“修订”生成新版本。")
                % {"status": locked.get_status_display()}
            )
        _check_owner_change(actor, locked, data, locked.owner_id)
        before = snapshot(locked, [n for n in QUOTATION_FIELDS if n in data] + ["amount_incl"])
        assign_fields(locked, data, QUOTATION_FIELDS)
        _check_quotation(locked)
        if lines is not None:
            built = build_lines(QuotationLine, lines, customer=locked.customer, on_date=locked.quote_date)
            _set_totals(locked, built)
            _replace_lines(locked, built)
        save_as(locked, actor)
        changes = changes_between(locked, before)
        record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, message=_("修改报价单"), changes=changes)
    return locked


def quotation_route_for(quotation: Quotation, submitter) -> list[approvals.StepSpec]:
    """The review route this quotation would take if `submitter` submitted it now (also shown on the page)."""
    limits = dict(DiscountLimit.objects.values_list("role", "max_discount_rate"))
    return rules.quotation_route(
        lines=[rules.PricedLine(ln.name, ln.list_price, ln.net_unit_price) for ln in quotation.lines.all()],
        amount_cny=amount_cny(quotation),
        submitter_roles=user_roles(submitter),
        submitter_limit=discount_limit_for(submitter),
        tier_limits=limits,
        vp_amount=threshold("quotation_vp_amount"),
        gm_amount=threshold("quotation_gm_amount"),
    )


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def quotation_submit(*, quotation: Quotation, actor) -> Quotation:
    """Send a draft for review along rules.quotation_route; with no step needed (e.g. the GM's own) it is approved at once."""
    with transaction.atomic():

        def check(locked):
            _require(_works_on(actor, locked) and can_quote(actor), _("您没有提交该报价单的权限。"))
            if not locked.lines.exists():
                raise DomainError(_("报价单没有明细，不能提交。"))
            if locked.valid_until < timezone.localdate():
                raise DomainError(_("有效期（%(date)s）已过，请先修改有效期。") % {"date": locked.valid_until})

        locked = transition(
            obj=quotation,
            action="submit",
            actor=actor,
            check=check,
            before_save=lambda q: setattr(q, "submitted_at", timezone.now()),
        )
        steps = quotation_route_for(locked, actor)
        locked.approval_route = " → ".join(str(s.label) for s in steps)[:200]
        locked.save(update_fields=["approval_route"])
        if steps:
            approvals.approval_start(
                target=locked,
                kind=QUOTATION_KIND,
                steps=steps,
                actor=actor,
                title=_("报价单 %(number)s（%(customer)s）")
                % {"number": locked.display_number, "customer": locked.customer.name},
                url=_url("contracts:quotation_detail", locked.pk),
            )
        else:
            locked = transition(
                obj=locked,
                action="approve",
                actor=actor,
                message=_("提交人权限内，无需审批，自动通过"),
                before_save=_stamp("approved_at"),
            )
    return locked


def _stamp(field: str):
    return lambda obj: setattr(obj, field, timezone.now())


def _on_quotation_review(request: ApprovalRequest, outcome: str, actor) -> None:
    quotation = request.target
    if outcome == ApprovalRequest.Status.APPROVED:
        transition(
            obj=quotation, action="approve", actor=actor, message=_("审核通过，可以发送客户"), before_save=_stamp("approved_at")
        )
    else:
        transition(
            obj=quotation,
            action="return_to_owner",
            actor=actor,
            message=_("审核未通过，退回修改：%(reasons)s") % {"reasons": _rejection_reasons(request)},
        )


def _rejection_reasons(request: ApprovalRequest) -> str:
    return "；".join(f"{s.label}：{s.comment}" for s in request.steps.filter(status=ApprovalStep.Status.REJECTED))


def quotation_withdraw(*, quotation: Quotation, actor) -> Quotation:
    """Take a quotation back from review (the pending round is cancelled and kept in the history)."""
    return _withdraw(quotation, actor, QUOTATION_KIND, _("您没有撤回该报价单的权限。"))


def _withdraw(doc, actor, kind: str, refused: str):
    with transaction.atomic():
        locked = transition(obj=doc, action="withdraw", actor=actor, check=lambda d: _require(_works_on(actor, d), refused))
        pending = approvals.requests_for(locked, kind).filter(status=ApprovalRequest.Status.PENDING).first()
        if pending:
            approvals.approval_cancel(request_id=pending.pk, actor=actor, reason=_("提交人撤回"))
    return locked


def quotation_send(*, quotation: Quotation, actor) -> Quotation:
    def check(q):
        _require(_works_on(actor, q), _("您没有发送该报价单的权限。"))
        if q.valid_until < timezone.localdate():
            raise DomainError(_("报价单已过有效期，不能发送。"))

    return transition(obj=quotation, action="send", actor=actor, check=check, before_save=_stamp("sent_at"))


def quotation_accept(*, quotation: Quotation, actor) -> Quotation:
    return transition(
        obj=quotation,
        action="accept",
        actor=actor,
        message=_("客户接受报价"),
        check=lambda q: _require(_works_on(actor, q), _("您没有处理该报价单的权限。")),
        before_save=_stamp("closed_at"),
    )


def quotation_reject(*, quotation: Quotation, actor, reason: str) -> Quotation:
    reason = required_text(reason, _("请填写客户拒绝的原因。"))

    def before(q):
        q.closed_at, q.close_reason = timezone.now(), reason[:300]

    return transition(
        obj=quotation,
        action="reject",
        actor=actor,
        message=_("客户拒绝：%(reason)s") % {"reason": reason},
        check=lambda q: _require(_works_on(actor, q), _("您没有处理该报价单的权限。")),
        before_save=before,
    )


def quotation_cancel(*, quotation: Quotation, actor, reason: str) -> Quotation:
    """Void a draft quotation; the reason is required and kept, as for every other void."""
    reason = required_text(reason, _("请填写作废原因。"))

    def before(q):
        q.closed_at, q.close_reason = timezone.now(), reason[:300]

    return transition(
        obj=quotation,
        action="cancel",
        actor=actor,
        message=_("作废") + f"：{reason}",
        check=lambda q: _require(_works_on(actor, q), _("您没有作废该报价单的权限。")),
        before_save=before,
    )


def quotation_revise(*, quotation: Quotation, actor) -> Quotation:
    """Revise an approved or sent quotation: it becomes superseded (kept readable) and a draft v+1 with the same lines starts."""
    with transaction.atomic():
        old = transition(
            obj=quotation,
            action="revise",
            actor=actor,
            message=_("修订为新版本"),
            check=lambda q: _require(_works_on(actor, q) and can_quote(actor), _("您没有修订该报价单的权限。")),
        )
        copied = (
            "number",
            "customer_id",
            "contact_id",
            "owner_id",
            *QUOTATION_FIELDS[2:],
            "amount_excl",
            "tax_amount",
            "amount_incl",
        )
        new = Quotation(**{name: getattr(old, name) for name in copied}, version=old.version + 1, previous=old, created_by=actor)
        lines = list(old.lines.all())
        today = timezone.localdate()
        if new.valid_until < today:
            new.valid_until = today + (old.valid_until - old.quote_date)
        new.quote_date = today
        save_as(new, actor)
        for line in lines:
            line.pk = line.id = None
            line.quotation = new
        QuotationLine.objects.bulk_create(lines)
        record_event(target=new, verb=Event.Verb.CREATED, actor=actor, message=_("由 v%(old)d 修订生成") % {"old": old.version})
    return new


def quotations_expire(*, today: date | None = None) -> int:
    """Expire approved or sent quotations past their validity date (daily Celery task; running twice changes nothing)."""
    today = today or timezone.localdate()
    count = 0
    for pk in Quotation.objects.filter(
        status__in=[Quotation.Status.APPROVED, Quotation.Status.SENT], valid_until__lt=today
    ).values_list("pk", flat=True):
        try:
            quotation = transition(
                obj=Quotation(pk=pk),
                action="expire",
                actor=None,
                message=_("超过有效期，自动过期"),
                before_save=_stamp("closed_at"),
            )
        except (Conflict, NotFound):
            continue  # changed by someone else meanwhile
        notify(
            recipients=[quotation.owner],
            title=_("报价单已过期：%(number)s") % {"number": quotation.display_number},
            url=_url("contracts:quotation_detail", pk),
        )
        count += 1
    return count


# --- contracts --------------------------------------------------------------------------------------------------------
def contract_create(
    *, actor, customer, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]], quotation: Quotation | None = None
) -> Contract:
    """A new draft contract, directly or from an accepted quotation (see contract_create_from_quotation)."""
    customer = _visible_customer(actor, customer)
    _require(can_create_contract(actor, customer, quotation), _("您没有为该客户创建合同的权限。"))
    with transaction.atomic():
        contract = Contract(
            customer=customer,
            quotation=quotation,
            created_by=actor,
            owner=quotation.owner if quotation else _default_owner(actor, customer),
            contract_date=timezone.localdate(),
            payment_terms=customer.payment_terms,
            deposit_rate=customer.deposit_rate,
            credit_days=customer.credit_days,
            currency=customer.currency or rules.BASE_CURRENCY,
        )
        _check_owner_change(actor, contract, data, contract.owner_id)
        assign_fields(contract, data, CONTRACT_FIELDS)
        _check_header(contract)
        built = build_lines(ContractLine, lines, customer=customer, on_date=contract.contract_date)
        _set_totals(contract, built)
        contract.number = next_number("HT")
        _classify(contract, built)
        save_as(contract, actor)
        _replace_lines(contract, built)
        ContractReview.objects.create(contract=contract)
        record_event(
            target=contract,
            verb=Event.Verb.CREATED,
            actor=actor,
            message=(_("由报价单 %(q)s 生成合同") % {"q": quotation.display_number}) if quotation else _("新建合同"),
        )
    return contract


def contract_create_from_quotation(*, quotation: Quotation, actor) -> Contract:
    """Copy an accepted quotation's lines and terms into a new draft contract (one contract per quotation)."""
    with transaction.atomic():
        locked = Quotation.objects.select_for_update(of=("self",)).get(pk=quotation.pk)
        if locked.status != Quotation.Status.ACCEPTED:
            raise Conflict(
                _("只有客户已接受的报价单才能生成合同（当前：%(status)s）。") % {"status": locked.get_status_display()}
            )
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
        return contract_create(actor=actor, customer=locked.customer, data=data, lines=rows, quotation=locked)


def _lock_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update(of=("self",)).select_related("customer").get(pk=contract.pk)


def contract_update(
    *, contract: Contract, actor, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]] | None = None
) -> Contract:
    """Edit a draft or returned contract; the classification is recomputed from the rules."""
    with transaction.atomic():
        locked = _lock_contract(contract)
        _require(_works_on(actor, locked), _("您没有修改该合同的权限。"))
        if not locked.is_editable:
            raise Conflict(
                _("合同当前状态为“%(status)s”，不能直接修改；已签订的合同请提交变更申请。")
                % {"status": locked.get_status_display()}
            )
        _check_owner_change(actor, locked, data, locked.owner_id)
        before = snapshot(locked, [n for n in CONTRACT_FIELDS if n in data] + ["amount_incl", "classification"])
        assign_fields(locked, data, CONTRACT_FIELDS)
        _check_header(locked)
        if lines is not None:
            built = build_lines(ContractLine, lines, customer=locked.customer, on_date=locked.contract_date)
            _set_totals(locked, built)
            _replace_lines(locked, built)
        else:
            built = list(locked.lines.all())
        _classify(locked, built)
        save_as(locked, actor)
        record_event(
            target=locked, verb=Event.Verb.UPDATED, actor=actor, message=_("修改合同"), changes=changes_between(locked, before)
        )
    return locked


def contract_review_update(*, contract: Contract, actor, data: Mapping[str, Any]) -> ContractReview:
    """Fill in the review form (合同评审单) while the contract can be edited."""
    with transaction.atomic():
        locked = _lock_contract(contract)
        _require(_works_on(actor, locked), _("您没有填写该合同评审单的权限。"))
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
            message=_("填写合同评审单"),
            changes=changes_between(review, before),
        )
    return review


def contract_facts(contract: Contract, lines=None) -> rules.ContractFacts:
    """What the classification rules need, read from the contract, its lines, its customer and the thresholds."""
    lines = list(contract.lines.select_related("product")) if lines is None else lines
    customer = contract.customer
    return rules.ContractFacts(
        lines=tuple(
            rules.LineFacts(
                name=ln.name,
                quantity=ln.quantity,
                is_custom_line=ln.product is None or ln.product.kind == Product.Kind.CUSTOM,
                ever_produced=bool(ln.product and ln.product.ever_produced),
                monthly_capacity=ln.product.monthly_capacity if ln.product else None,
                product_key=ln.product_id,
            )
            for ln in lines
        ),
        amount_incl=contract.amount_incl,
        amount_cny=amount_cny(contract),
        cost_total=contract.cost_total,
        currency=contract.currency,
        payment_terms=contract.payment_terms,
        customer_has_credit=customer.payment_terms == Customer.PaymentTerms.CREDIT and customer.credit_limit > 0,
        credit_limit=customer.credit_limit,
        open_exposure=customer_open_exposure(customer, exclude_pk=contract.pk),
        normal_margin_rate=threshold("normal_margin_rate"),
        beyond_technical_capability=contract.beyond_technical_capability,
        customer_supplied_materials=contract.customer_supplied_materials,
    )


def _classify(contract: Contract, lines) -> list[rules.Finding]:
    """Store which rules fire and the resulting class; a manager's upgrade stays, nothing downgrades a rule-made special."""
    findings = rules.classify(contract_facts(contract, lines))
    contract.classification_reasons = [{"code": f.code, "detail": f.detail} for f in findings]
    special = bool(findings) or bool(contract.upgraded_by_id)
    contract.classification = Contract.Classification.SPECIAL if special else Contract.Classification.GENERAL
    return findings


def contract_reason_codes(contract: Contract) -> list[str]:
    codes = [r["code"] for r in contract.classification_reasons]
    if contract.upgraded_by_id:
        codes.append(rules.Reason.MANUAL)
    return codes


def contract_upgrade(*, contract: Contract, actor, reason: str) -> Contract:
    """A manager makes a general contract special, with a reason (it can never be made general again by hand)."""
    reason = required_text(reason, _("请填写升级为特殊合同的原因。"))
    with transaction.atomic():
        locked = _lock_contract(contract)
        _require(is_manager(actor), _("只有经理及以上可以把合同升级为特殊合同。"))
        if not locked.is_editable:
            raise Conflict(_("合同已提交评审，不能再改变类别；请先撤回。"))
        if locked.upgraded_by_id:
            raise Conflict(_("该合同已升级为特殊合同。"))
        locked.upgraded_by, locked.upgrade_reason = actor, reason[:300]
        locked.classification = Contract.Classification.SPECIAL
        save_as(locked, actor)
        record_event(
            target=locked, verb=Event.Verb.UPDATED, actor=actor, message=_("升级为特殊合同：%(reason)s") % {"reason": reason}
        )
    return locked


def contract_differences(contract: Contract) -> list[rules.Difference]:
    """Differences between the contract and the quotation it came from (empty for a direct contract)."""
    quotation = contract.quotation
    if quotation is None:
        return []
    quoted_lines = {ln.pk: _line_dict(ln) for ln in quotation.lines.all()}
    contract_lines = [{**_line_dict(ln), "quotation_line": ln.quotation_line_id} for ln in contract.lines.all()]
    terms = ("currency", "payment_terms", "payment_terms_text", "delivery_terms")
    return rules.quotation_differences(
        quoted_terms={k: getattr(quotation, k) for k in terms},
        contract_terms={k: getattr(contract, k) for k in terms},
        quoted_lines=quoted_lines,
        contract_lines=contract_lines,
    )


def _line_dict(line) -> dict:
    return {
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount_rate": line.discount_rate,
        "tax_rate": line.tax_rate,
    }


def contract_route_for(contract: Contract, submitter) -> list[approvals.StepSpec]:
    codes = contract_reason_codes(contract)
    return rules.contract_route(
        special=contract.is_special,
        departments=rules.review_departments(codes, review_department_rules()),
        amount_cny=amount_cny(contract),
        submitter_roles=user_roles(submitter),
        vp_amount=threshold("contract_vp_amount"),
        gm_amount=threshold("contract_gm_amount"),
        deviates=bool(contract_differences(contract)),
    )


def contract_submit(*, contract: Contract, actor) -> Contract:
    """Submit for review (a returned contract starts a new round; earlier rounds stay readable).

    The classification is recomputed now; the review form must state the requirements and confirm capability, and
    differences from the accepted quotation must be marked resolved (the sales head confirms them first in the route).
    """
    with transaction.atomic():

        def check(locked):
            _require(_works_on(actor, locked), _("您没有提交该合同的权限。"))
            lines = list(locked.lines.select_related("product"))
            if not lines:
                raise DomainError(_("合同没有明细，不能提交评审。"))
            review = ContractReview.objects.filter(contract=locked).first()
            missing = []
            if review is None or not review.explicit_requirements.strip():
                missing.append(_("顾客明示的要求"))
            if review is None or not review.capability_confirmed:
                missing.append(_("已确认有能力满足要求"))
            if contract_differences(locked) and (review is None or not review.quotation_differences_resolved):
                missing.append(_("与报价的差异已解决"))
            if missing:
                raise DomainError(_("请先完成合同评审单：%(fields)s。") % {"fields": "、".join(str(m) for m in missing)})
            _classify(locked, lines)

        locked = transition(obj=contract, action="submit", actor=actor, check=check, before_save=_stamp("submitted_at"))
        steps = contract_route_for(locked, actor)
        if steps:
            approvals.approval_start(
                target=locked,
                kind=CONTRACT_KIND,
                steps=steps,
                actor=actor,
                title=_("%(cls)s %(number)s（%(customer)s，%(amount)s 元）")
                % {
                    "cls": locked.get_classification_display(),
                    "number": locked.number,
                    "customer": locked.customer.name,
                    "amount": amount_cny(locked),
                },
                url=_url("contracts:contract_detail", locked.pk),
            )
        else:
            locked = transition(
                obj=locked,
                action="approve",
                actor=actor,
                message=_("提交人权限内，无需审批，自动通过"),
                before_save=_stamp("approved_at"),
            )
    return locked


def _on_contract_review(request: ApprovalRequest, outcome: str, actor) -> None:
    contract = request.target
    if outcome == ApprovalRequest.Status.APPROVED:
        locked = transition(
            obj=contract, action="approve", actor=actor, message=_("评审通过，可以签订"), before_save=_stamp("approved_at")
        )
        if locked.owner_id != request.requested_by_id:
            notify(recipients=[locked.owner], title=_("合同评审通过：%(number)s") % {"number": locked.number}, url=request.url)
    else:
        reasons = _rejection_reasons(request)
        locked = transition(
            obj=contract, action="return_to_owner", actor=actor, message=_("评审未通过，退回：%(reasons)s") % {"reasons": reasons}
        )
        if locked.owner_id != request.requested_by_id:
            notify(
                recipients=[locked.owner],
                title=_("合同被退回：%(number)s") % {"number": locked.number},
                body=reasons,
                url=request.url,
            )


def contract_withdraw(*, contract: Contract, actor) -> Contract:
    """Take a contract back from review (the pending round is cancelled and kept in the history)."""
    return _withdraw(contract, actor, CONTRACT_KIND, _("您没有撤回该合同的权限。"))


def contract_sign(*, contract: Contract, actor, signed_on: date | None, scan=None) -> Contract:
    """Record that the approved contract was signed, with the scanned signed copy (uploaded now or already attached)."""
    signed_on = signed_on or timezone.localdate()
    with transaction.atomic():

        def check(c):
            _require(_works_on(actor, c), _("您没有登记该合同签订的权限。"))
            if signed_on > timezone.localdate():
                raise DomainError(_("签订日期不能晚于今天。"))
            if scan is None and not _has_signed_scan(c):
                raise DomainError(_("请上传签字盖章的合同扫描件。"))

        def before(c):
            c.signed_on, c.signed_by = signed_on, actor

        locked = transition(obj=contract, action="sign", actor=actor, check=check, before_save=before)
        if scan is not None:
            attachment_add(target=locked, actor=actor, upload=scan, kind=Attachment.Kind.SIGNED_CONTRACT)
    return locked


def _has_signed_scan(contract: Contract) -> bool:
    from salesops.core.timeline import attachments_for

    return attachments_for(contract).filter(kind=Attachment.Kind.SIGNED_CONTRACT).exists()


def contract_activate(*, contract: Contract, actor) -> Contract:
    return transition(
        obj=contract, action="activate", actor=actor, check=lambda c: _require(_works_on(actor, c), _("您没有操作该合同的权限。"))
    )


def contract_complete(*, contract: Contract, actor) -> Contract:
    def check(c):
        _require(_works_on(actor, c), _("您没有操作该合同的权限。"))
        if contract_pending_change(c):
            raise Conflict(_("合同有进行中的变更申请，请先处理。"))

    return transition(obj=contract, action="complete", actor=actor, check=check, before_save=_stamp("closed_at"))


def contract_terminate(*, contract: Contract, actor, reason: str) -> Contract:
    """End a signed or active contract early; the reason is required and kept."""
    return _close(contract, actor, "terminate", reason, missing=_("请填写终止原因。"), message=_("合同终止：%(reason)s"))


def contract_cancel(*, contract: Contract, actor, reason: str) -> Contract:
    """Void a contract that was never signed."""
    return _close(contract, actor, "cancel", reason, missing=_("请填写作废原因。"), message=_("合同作废：%(reason)s"))


def _close(contract: Contract, actor, action: str, reason: str, *, missing: str, message: str) -> Contract:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(missing)

    def before(c):
        c.closed_at, c.close_reason = timezone.now(), reason[:300]

    return transition(
        obj=contract,
        action=action,
        actor=actor,
        message=message % {"reason": reason},
        check=lambda c: _require(_works_on(actor, c), _("您没有操作该合同的权限。")),
        before_save=before,
    )


# --- change requests --------------------------------------------------------------------------------------------------
def contract_pending_change(contract: Contract) -> ContractChange | None:
    return contract.changes.filter(status=ContractChange.Status.IN_REVIEW).first()


def _parse_change_value(field: str, value):
    if value in (None, ""):
        return None if field in ("delivery_date",) else value
    if field in ("quantity", "unit_price", "discount_rate", "deposit_rate", "tax_rate"):
        return parse_decimal(value, field)
    if field == "credit_days":
        return int(parse_decimal(value, field))
    if field == "delivery_date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


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
        locked = _lock_contract(contract)
        _require(_works_on(actor, locked), _("您没有为该合同申请变更的权限。"))
        if locked.status not in (Contract.Status.SIGNED, Contract.Status.ACTIVE):
            raise Conflict(_("只有已签订或执行中的合同可以变更（当前：%(status)s）。") % {"status": locked.get_status_display()})
        if contract_pending_change(locked):
            raise Conflict(_("该合同已有进行中的变更申请。"))
        header_changes, changed_fields = {}, set()
        for name in rules.CHANGEABLE_HEADER_FIELDS:
            if name in header:
                new = _parse_change_value(name, header[name])
                old = getattr(locked, name)
                if new != old and not (new in (None, "") and old in (None, "")):
                    header_changes[name] = [_plain(old), _plain(new)]
                    changed_fields.add(name)
        line_changes = []
        current = {ln.pk: ln for ln in locked.lines.all()}
        for line_id, values in lines.items():
            line = current.get(int(line_id))
            if line is None:
                raise DomainError(_("合同明细不存在（编号 %(id)s）。") % {"id": line_id})
            diff = {}
            for name in rules.CHANGEABLE_LINE_FIELDS:
                if name in values:
                    new = _parse_change_value(name, values[name])
                    if new != getattr(line, name) and new not in (None, ""):
                        diff[name] = [_plain(getattr(line, name)), _plain(new)]
                        changed_fields.add("line_delivery_date" if name == "delivery_date" else name)
            if "quantity" in diff and Decimal(diff["quantity"][1]) <= 0:
                raise DomainError(_("%(name)s：数量必须大于 0。") % {"name": line.name})
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
            title=_("合同变更 %(number)s v%(v)d → v%(n)d")
            % {"number": locked.number, "v": locked.version, "n": locked.version + 1},
            url=_url("contracts:contract_detail", locked.pk),
        )
        record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, message=_("申请变更：%(reason)s") % {"reason": reason})
    return change


def _apply_change(contract: Contract, change: ContractChange, *, save: bool) -> Contract:
    """The contract with the change applied (saved only when `save`; otherwise an unsaved preview for the route)."""
    target = contract if save else Contract.objects.get(pk=contract.pk)
    for name, (_old, new) in change.header_changes.items():
        setattr(target, name, _parse_change_value(name, new))
    lines = list(target.lines.all())
    by_id = {ln.pk: ln for ln in lines}
    for row in change.line_changes:
        line = by_id[row["line_id"]]
        for name in rules.CHANGEABLE_LINE_FIELDS:
            if name in row:
                setattr(line, name, _parse_change_value(name, row[name][1]))
        _price_line(line)
    _set_totals(target, lines)
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


def _on_change_review(request: ApprovalRequest, outcome: str, actor) -> None:
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
            message=_("变更申请被驳回：%(reasons)s") % {"reasons": _rejection_reasons(request)},
        )
        return
    ContractVersion.objects.create(
        contract=contract, version=contract.version, snapshot=contract_snapshot(contract), change=change
    )
    before = snapshot(contract, list(change.header_changes) + ["amount_incl"])
    _apply_change(contract, change, save=True)
    contract.version += 1
    save_as(contract, actor)
    change.apply()
    change.save()
    record_event(
        target=contract,
        verb=Event.Verb.UPDATED,
        actor=actor,
        message=_("变更生效，合同升为 v%(v)d") % {"v": contract.version},
        changes=changes_between(contract, before),
    )
    notify(
        recipients=_people_who_acted(contract),
        title=_("合同已变更：%(number)s v%(v)d") % {"number": contract.number, "v": contract.version},
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


def contract_change_withdraw(*, change: ContractChange, actor) -> ContractChange:
    with transaction.atomic():
        locked = ContractChange.objects.select_for_update().get(pk=change.pk)
        _require(locked.requested_by_id == actor.pk or is_manager(actor), _("只有申请人或经理可以撤回变更申请。"))
        if locked.status != ContractChange.Status.IN_REVIEW:
            raise Conflict(_("变更申请当前状态为“%(status)s”，不能撤回。") % {"status": locked.get_status_display()})
        pending = approvals.requests_for(locked.contract, CHANGE_KIND).filter(status=ApprovalRequest.Status.PENDING).first()
        if pending:
            approvals.approval_cancel(request_id=pending.pk, actor=actor, reason=_("申请人撤回变更"))
        locked.withdraw()
        locked.decided_at = timezone.now()
        locked.save()
    return locked


def register_handlers() -> None:
    """Called from AppConfig.ready: what the approvals engine does to our documents when a round ends."""
    approvals.register_outcome_handler(QUOTATION_KIND, _on_quotation_review, label=gettext_lazy("报价审核"))
    approvals.register_outcome_handler(CONTRACT_KIND, _on_contract_review, label=gettext_lazy("合同评审"))
    approvals.register_outcome_handler(CHANGE_KIND, _on_change_review, label=gettext_lazy("合同变更评审"))
