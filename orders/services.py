"""Every write of orders, inspections, shipments, invoices and payments (SPEC.md "Sales order" … "Invoices and payments").

Quantities per order line (passed, released, shipped, delivered) change only here, under the order's row lock, so
"shipped ≤ ordered", "ship only passed or released goods" and "invoiced ≤ delivered" hold under any interleaving;
the database constraints on SalesOrderLine are the last guard. Locks are always taken order first, then the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Product
from contracts.models import Contract
from contracts.services import build_lines
from customers.models import Contact, Customer, InvoiceTitle, ShipToAddress
from customers.selectors import customer_list_for
from salesops.core import approvals
from salesops.core.approvals import StepSpec
from salesops.core.editing import assign_fields, required_text, save_as
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.hooks import emit
from salesops.core.models import ApprovalRequest, Event
from salesops.core.money import ZERO, line_amounts, parse_decimal, plain, quantize, sum_lines
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.roles import MANAGER_ROLES, Role, has_role
from salesops.core.thresholds import threshold
from salesops.core.timeline import changes_between, record_event, snapshot
from salesops.core.transitions import transition

from . import rules
from .credit_notes import order_credited
from .models import (
    CreditException,
    EmergencyRelease,
    Inspection,
    InvoiceRequest,
    OrderChange,
    OrderCheck,
    Payment,
    PaymentAllocation,
    ProductionUpdate,
    RiskAlert,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
)

User = get_user_model()

EMERGENCY_KIND = "emergency_release"
CREDIT_KIND = "credit_exception"
ORDER_FIELDS = (
    "owner",
    "project_name",
    "customer_po",
    "contact",
    "ship_to",
    "invoice_title",
    "prices_include_tax",
    "payment_terms",
    "deposit_amount",
    "credit_days",
    "promised_ship_date",
    "notes",
)
OPEN_SHIPMENT = (Shipment.Status.DRAFT, Shipment.Status.RELEASED)


def display_name(user) -> str:
    return (user.get_full_name() or user.username) if user else _("系统")


# --- who may do what --------------------------------------------------------------------------------------------------
def is_clerk(user) -> bool:
    """Sales clerks and managers process orders (接单、核单、下单、跟单、发货准备)."""
    return has_role(user, Role.SALES_CLERK, *MANAGER_ROLES)


def is_finance(user) -> bool:
    return has_role(user, Role.FINANCE)


QUEUE_REFUSALS = {
    "clerk": gettext_lazy("内勤工作台只对销售内勤和经理开放。"),
    "finance": gettext_lazy("财务工作台只对财务和经理开放。"),
    "warehouse": gettext_lazy("仓库工作台只对仓库、质检员和经理开放。"),
}


def sees_queue(user, queue: str) -> bool:
    """Who opens which work queue: clerk — clerks and managers; finance — finance and managers; warehouse — warehouse,
    QC and managers."""
    if queue == "clerk":
        return is_clerk(user)
    if queue == "finance":
        return is_finance(user) or has_role(user, *MANAGER_ROLES)
    if queue == "warehouse":
        return has_role(user, Role.WAREHOUSE, Role.QC, *MANAGER_ROLES)
    return False


def require_queue(user, queue: str) -> None:
    _require(sees_queue(user, queue), str(QUEUE_REFUSALS[queue]))


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def _require_clerk(user) -> None:
    _require(is_clerk(user), _("只有销售内勤和经理可以处理订单。"))


def order_allowed_actions(order: SalesOrder, user) -> list[str]:
    """What `user` may do on `order` now (pages and the API show exactly these)."""
    out = []
    clerk = is_clerk(user)
    S = SalesOrder.Status
    if clerk and (order.status == S.RECEIVED or order.needs_reverification):
        out += ["check", "verify"]
    if clerk and order.status == S.VERIFIED and not order.needs_reverification:
        out.append("place")
    if clerk and order.status in (S.PLACED, S.PARTIALLY_SHIPPED):
        out.append("production_update")
    if (clerk or has_role(user, Role.WAREHOUSE)) and order.status in (S.PLACED, S.PARTIALLY_SHIPPED):
        out += ["create_shipment", "emergency_release"]
    if clerk and order.is_open and order.status != S.SHIPPED:
        out.append("edit")
    if (clerk or order.owner_id == user.pk) and order.is_open and order.status != S.RECEIVED:
        out.append("credit_exception")
    if has_role(user, Role.QC, Role.WAREHOUSE) and order.status in (S.PLACED, S.PARTIALLY_SHIPPED, S.SHIPPED):
        out.append("inspect")
    if (clerk or order.owner_id == user.pk) and order.lines.filter(delivered_quantity__gt=0).exists():
        out.append("request_invoice")
    if clerk and order.status == S.SHIPPED:
        out.append("close")
    if clerk and order.status in (S.RECEIVED, S.VERIFIED, S.PLACED):
        out.append("cancel")
    return out


# --- helpers ----------------------------------------------------------------------------------------------------------


def _lock_order(order) -> SalesOrder:
    found = (
        SalesOrder.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=getattr(order, "pk", order))
        .first()
    )
    if found is None:
        raise NotFound(_("订单不存在。"))
    return found


def _url(order: SalesOrder) -> str:
    return reverse("orders:order_detail", args=[order.pk])


def _stamp(field: str, actor=None, by_field: str | None = None):
    def apply(obj):
        setattr(obj, field, timezone.now())
        if by_field:
            setattr(obj, by_field, actor)

    return apply


def net_amount(line, quantity) -> Decimal:
    """Tax-inclusive amount of `quantity` units of an order line at its discounted price (rounded to the fen)."""
    return line_amounts(
        quantity=quantity, unit_price_incl=line.unit_price, tax_rate=line.tax_rate, discount_rate=line.discount_rate
    ).amount_incl


def _set_totals(order: SalesOrder, lines) -> None:
    totals = sum_lines(lines)
    order.amount_incl, order.amount_excl, order.tax_amount = totals.amount_incl, totals.amount_excl, totals.tax


def _defaults_from_customer(order: SalesOrder, customer: Customer) -> None:
    order.contact = customer.contacts.order_by("-is_primary", "id").first()
    order.ship_to = customer.addresses.order_by("-is_default", "id").first()
    order.invoice_title = customer.invoice_titles.order_by("-is_default", "id").first()


def _check_header(order: SalesOrder) -> None:
    for field, model, label in (
        (order.contact_id, Contact, _("联系人")),
        (order.ship_to_id, ShipToAddress, _("收货地址")),
        (order.invoice_title_id, InvoiceTitle, _("发票抬头")),
    ):
        if field and not model.objects.filter(pk=field, customer_id=order.customer_id).exists():
            raise DomainError(_("%(label)s不属于该客户。") % {"label": label})
    if order.deposit_amount < 0:
        raise DomainError(_("定金不能为负数。"))


def _create_checklist(order: SalesOrder) -> None:
    OrderCheck.objects.bulk_create([OrderCheck(order=order, item=code) for code in rules.CHECK_CODES])


# --- orders -----------------------------------------------------------------------------------------------------------
def can_order_from_contract(user, contract: Contract) -> bool:
    """Orders are taken from signed or active contracts, by clerks and managers."""
    return contract.status in (Contract.Status.SIGNED, Contract.Status.ACTIVE) and is_clerk(user)


def on_contract_changed(*, contract: Contract, version: int) -> None:
    """A contract got a new version: the clerks who verified or placed its open orders, and their reps, are told to check
    them (the order pages show the same warning). Subscribed to the core hook "contract_changed"."""
    orders = SalesOrder.objects.filter(contract=contract, contract_version__lt=version).exclude(
        status__in=[SalesOrder.Status.CLOSED, SalesOrder.Status.CANCELLED]
    )
    for order in orders.select_related("verified_by", "placed_by", "created_by", "owner"):
        notify(
            recipients=[order.verified_by or order.created_by, order.placed_by, order.owner],
            title=_("合同 %(contract)s 已变更为 v%(v)d，请核对订单 %(order)s")
            % {"contract": contract.number, "v": version, "order": order.number},
            url=_url(order),
        )


def ordered_per_contract_line(contract: Contract) -> dict[int, Decimal]:
    """How much of each contract line is already on orders that are not cancelled (contract line id → quantity)."""
    rows = (
        SalesOrderLine.objects.filter(contract_line__contract=contract)
        .exclude(order__status=SalesOrder.Status.CANCELLED)
        .values("contract_line")
        .annotate(s=Sum("quantity"))
    )
    return {row["contract_line"]: row["s"] for row in rows}


def order_create_from_contract(
    *, contract: Contract, actor, data: Mapping[str, Any], lines: Mapping[int, Any] | None = None
) -> SalesOrder:
    """An order from a signed or active contract: its lines (or the given contract-line quantities), prices, terms and
    rep are copied. Quantities never exceed what the contract still has unordered."""
    _require_clerk(actor)
    with transaction.atomic():
        contract = Contract.objects.select_for_update(of=("self",)).select_related("customer").get(pk=contract.pk)
        # the same rule as can_order_from_contract, with the clearer message for a contract in the wrong state
        if contract.status not in (Contract.Status.SIGNED, Contract.Status.ACTIVE):
            raise Conflict(
                _("只有已签订或执行中的合同可以下订单（当前：%(status)s）。") % {"status": contract.get_status_display()}
            )
        rows = []
        already = ordered_per_contract_line(contract)
        for cl in contract.lines.select_related("product"):
            left = cl.quantity - already.get(cl.pk, ZERO)
            wanted = left if lines is None else parse_decimal(lines.get(cl.pk, lines.get(str(cl.pk), 0)) or 0, _("数量"))
            if wanted <= 0:
                continue
            if wanted > left:
                raise DomainError(
                    _("%(name)s：合同剩余可下单数量为 %(left)s，不能下 %(qty)s。")
                    % {"name": cl.name, "left": plain(left), "qty": plain(wanted)}
                )
            rows.append(cl)
            cl.order_quantity = wanted
        if not rows:
            raise DomainError(_("合同的数量已全部下单。"))
        order = SalesOrder(
            contract=contract,
            contract_version=contract.version, customer=contract.customer, owner=contract.owner, project_name=contract.project_name,
            received_on=timezone.localdate(), currency=contract.currency, exchange_rate=contract.exchange_rate,
            payment_terms=contract.payment_terms, credit_days=contract.credit_days, promised_ship_date=contract.delivery_date,
            contact=contract.contact, created_by=actor,
        )  # fmt: skip
        _defaults_from_customer(order, contract.customer)
        order.contact = contract.contact or order.contact
        built = []
        for index, cl in enumerate(rows, start=1):
            line = SalesOrderLine(
                line_no=index, contract_line=cl, product=cl.product, name=cl.name, model=cl.model, spec=cl.spec, unit=cl.unit,
                quantity=cl.order_quantity, list_price=cl.list_price, unit_price=cl.unit_price, discount_rate=cl.discount_rate,
                tax_rate=cl.tax_rate, unit_cost=cl.unit_cost, lead_time_days=cl.lead_time_days, notes=cl.notes,
            )  # fmt: skip
            amounts = line_amounts(
                quantity=line.quantity, unit_price_incl=line.unit_price, tax_rate=line.tax_rate, discount_rate=line.discount_rate
            )
            line.amount_incl, line.amount_excl, line.tax = amounts.amount_incl, amounts.amount_excl, amounts.tax
            built.append(line)
        _set_totals(order, built)
        order.deposit_amount = (
            quantize(order.amount_incl * contract.deposit_rate) if contract.payment_terms == "deposit" else ZERO
        )
        assign_fields(order, data, ORDER_FIELDS)
        return _save_new_order(order, built, actor, _("由合同 %(number)s 生成订单") % {"number": contract})


def order_create(*, actor, customer, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]]) -> SalesOrder:
    """A direct order for standard catalog items (stock sale or under a general contract); custom items need a contract."""
    _require_clerk(actor)
    customer = customer_list_for(actor).filter(pk=getattr(customer, "pk", customer)).first()
    if customer is None:
        raise NotFound(_("客户不存在或您无权查看。"))
    with transaction.atomic():
        order = SalesOrder(
            customer=customer, owner=customer.owner, received_on=timezone.localdate(), payment_terms=customer.payment_terms,
            credit_days=customer.credit_days, currency=customer.currency or "CNY", created_by=actor,
        )  # fmt: skip
        _defaults_from_customer(order, customer)
        built = build_lines(SalesOrderLine, lines, customer=customer, on_date=order.received_on)
        for line in built:
            if line.product is None or line.product.kind != Product.Kind.STANDARD:
                raise DomainError(_("“%(name)s”不是标准品：定制或非目录产品请先签订合同，再由合同下订单。") % {"name": line.name})
        _set_totals(order, built)
        if customer.payment_terms == "deposit":
            order.deposit_amount = quantize(order.amount_incl * customer.deposit_rate)
        assign_fields(order, data, ORDER_FIELDS)
        return _save_new_order(order, built, actor, _("直接接单（标准品）"))


def _save_new_order(order: SalesOrder, lines, actor, message: str) -> SalesOrder:
    _check_header(order)
    order.number = next_number("SO")
    save_as(order, actor)
    for line in lines:
        line.order = order
    SalesOrderLine.objects.bulk_create(lines)
    _create_checklist(order)
    record_event(target=order, verb=Event.Verb.CREATED, actor=actor, message=f"{message}，{_('含税金额')} {order.amount_incl}")
    return order


def order_check(*, order: SalesOrder, actor, item: str, parties: Iterable[str], note: str = "") -> OrderCheck:
    """Tick one item of the verification checklist with the parties it was confirmed with (rep, customer, production)."""
    if item not in rules.CHECK_CODES:
        raise DomainError(_("核单项目不正确。"))
    parties = set(parties)
    if not parties <= {rules.REP, rules.CUSTOMER, rules.PRODUCTION}:
        raise DomainError(_("确认对象不正确。"))
    with transaction.atomic():
        locked = _lock_order(order)
        _require_clerk(actor)
        if locked.status != SalesOrder.Status.RECEIVED and not locked.needs_reverification:
            raise Conflict(_("订单已核单，不能再修改核单记录。"))
        check = OrderCheck.objects.select_for_update().get(order=locked, item=item)
        check.with_rep, check.with_customer, check.with_production = (
            rules.REP in parties,
            rules.CUSTOMER in parties,
            rules.PRODUCTION in parties,
        )
        check.note, check.checked_by, check.checked_at = note.strip()[:200], actor, timezone.now()
        check.save()
    return check


def order_missing_checks(order: SalesOrder) -> list[str]:
    confirmed = {
        c.item: {
            p
            for p, ok in ((rules.REP, c.with_rep), (rules.CUSTOMER, c.with_customer), (rules.PRODUCTION, c.with_production))
            if ok
        }
        for c in order.checks.all()
    }
    return rules.missing_confirmations(confirmed)


def order_verify(*, order: SalesOrder, actor) -> SalesOrder:
    """Finish verification (核单): every checklist item confirmed with the parties it needs. A changed order is verified
    again the same way (its status stays; the change is marked re-verified)."""
    with transaction.atomic():
        locked = _lock_order(order)
        _require_clerk(actor)
        missing = order_missing_checks(locked)
        if missing:
            raise DomainError(_("核单未完成，尚未确认：%(items)s。") % {"items": "、".join(missing)})
        if locked.status == SalesOrder.Status.RECEIVED:
            return transition(obj=locked, action="verify", actor=actor, before_save=_stamp("verified_at", actor, "verified_by"))
        if not locked.needs_reverification:
            raise Conflict(_("订单已核单。"))
        locked.needs_reverification = False
        locked.verified_by, locked.verified_at = actor, timezone.now()
        save_as(locked, actor)
        locked.changes.filter(reverified_at__isnull=True).update(reverified_by=actor, reverified_at=timezone.now())
        record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, message=_("变更后重新核单完成"))
    return locked


def order_update(
    *, order: SalesOrder, actor, data: Mapping[str, Any], lines: Mapping[int, Mapping[str, Any]] | None = None, reason: str = ""
) -> SalesOrder:
    """Edit an order. Before verification it is a plain edit; after it, a change with a reason that must be verified
    again (the checklist restarts) and counts against order accuracy. Shipped quantities can never be ordered away."""
    with transaction.atomic():
        locked = _lock_order(order)
        _require_clerk(actor)
        if not locked.is_open or locked.status == SalesOrder.Status.SHIPPED:
            raise Conflict(_("订单当前状态为“%(status)s”，不能修改。") % {"status": locked.get_status_display()})
        verified = locked.status != SalesOrder.Status.RECEIVED
        reason = (reason or "").strip()
        if verified and not reason:
            raise DomainError(_("订单已核单，修改需要填写变更原因。"))
        before = snapshot(locked, [n for n in ORDER_FIELDS if n in data] + ["amount_incl"])
        assign_fields(locked, data, ORDER_FIELDS)
        _check_header(locked)
        line_changes = []
        if lines:
            current = {ln.pk: ln for ln in locked.lines.all()}
            for line_id, values in lines.items():
                line = current.get(int(line_id))
                if line is None:
                    raise DomainError(_("订单明细不存在（编号 %(id)s）。") % {"id": line_id})
                for name in ("quantity", "unit_price", "discount_rate"):
                    if name in values and values[name] not in (None, ""):
                        new = parse_decimal(values[name], name)
                        if new != getattr(line, name):
                            line_changes.append(
                                {"line": line.name, "field": name, "old": str(getattr(line, name)), "new": str(new)}
                            )
                            setattr(line, name, new)
                if line.quantity < line.shipped_quantity or line.quantity <= 0:
                    raise DomainError(
                        _("%(name)s：数量不能小于已发货数量 %(shipped)s，且必须大于 0。")
                        % {"name": line.name, "shipped": plain(line.shipped_quantity)}
                    )
                amounts = line_amounts(
                    quantity=line.quantity,
                    unit_price_incl=line.unit_price,
                    tax_rate=line.tax_rate,
                    discount_rate=line.discount_rate,
                )
                line.amount_incl, line.amount_excl, line.tax = amounts.amount_incl, amounts.amount_excl, amounts.tax
            SalesOrderLine.objects.bulk_update(
                list(current.values()), ["quantity", "unit_price", "discount_rate", "amount_incl", "amount_excl", "tax"]
            )
            _set_totals(locked, list(current.values()))
        changes = changes_between(locked, before)
        if not changes and not line_changes:
            raise DomainError(_("没有任何修改。"))
        if verified:
            OrderChange.objects.create(order=locked, reason=reason, changes=changes + line_changes, changed_by=actor)
            locked.needs_reverification = True
            locked.change_count += 1
            locked.checks.update(with_rep=False, with_customer=False, with_production=False, checked_by=None, checked_at=None)
        save_as(locked, actor)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            changes=changes,
            message=(_("核单后变更（需重新核单）：%(reason)s") % {"reason": reason}) if verified else _("修改订单"),
        )
    return locked


def order_place(*, order: SalesOrder, actor, requested_date: date | None, from_stock: bool = False) -> SalesOrder:
    """Place a verified order with production (下单) with the date it is needed, or mark it shipped from stock."""

    def check(o):
        _require_clerk(actor)
        if o.needs_reverification:
            raise Conflict(_("订单变更后尚未重新核单，不能下单。"))
        if not from_stock and requested_date is None:
            raise DomainError(_("请填写要求生产完成日期。"))

    def before(o):
        o.placed_by, o.placed_at, o.requested_date = actor, timezone.now(), requested_date
        o.production_status = SalesOrder.ProductionStatus.FROM_STOCK if from_stock else SalesOrder.ProductionStatus.PLACED
        o.expected_date = requested_date

    return transition(obj=order, action="place", actor=actor, check=check, before_save=before)


def production_update(*, order: SalesOrder, actor, status: str, expected_date: date | None, reason: str = "") -> ProductionUpdate:
    """Record production progress (跟单): scheduled / in production / done / delayed (with a reason) and the expected date."""
    allowed = {s for s in SalesOrder.ProductionStatus.values} - {SalesOrder.ProductionStatus.NOT_PLACED}
    if status not in allowed:
        raise DomainError(_("生产状态不正确。"))
    if status == SalesOrder.ProductionStatus.DELAYED and not (reason or "").strip():
        raise DomainError(_("延误必须填写原因。"))
    with transaction.atomic():
        locked = _lock_order(order)
        _require_clerk(actor)
        if locked.status not in (SalesOrder.Status.PLACED, SalesOrder.Status.PARTIALLY_SHIPPED):
            raise Conflict(_("订单尚未下单生产或已发完，不能记录生产进度。"))
        update = ProductionUpdate.objects.create(
            order=locked, status=status, expected_date=expected_date, reason=(reason or "").strip()[:300], reported_by=actor
        )
        before = snapshot(locked, ["production_status", "expected_date"])
        locked.production_status = status
        if expected_date:
            locked.expected_date = expected_date
        save_as(locked, actor)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            message=_("生产跟单：%(status)s %(reason)s") % {"status": update.get_status_display(), "reason": update.reason},
            changes=changes_between(locked, before),
        )
    return update


def orders_warn_at_risk(*, today: date | None = None) -> int:
    """Warn the clerk who placed each order and its rep about promised ship dates at risk (daily; once per order and day)."""
    today = today or timezone.localdate()
    warn_days = int(threshold("production_warn_days"))
    warned = 0
    orders = SalesOrder.objects.filter(
        status__in=[SalesOrder.Status.PLACED, SalesOrder.Status.PARTIALLY_SHIPPED], promised_ship_date__isnull=False
    )
    for order in orders.select_related("owner", "placed_by"):
        last = order.production_updates.order_by("-reported_at").values_list("reported_at", flat=True).first()
        reason = rules.production_risk(
            promised=order.promised_ship_date, expected=order.expected_date, today=today, warn_days=warn_days,
            last_progress=timezone.localtime(last).date() if last else (timezone.localtime(order.placed_at).date() if order.placed_at else None),
            done=order.production_status in (SalesOrder.ProductionStatus.DONE, SalesOrder.ProductionStatus.FROM_STOCK),
        )  # fmt: skip
        if not reason:
            continue
        try:
            with transaction.atomic():
                RiskAlert.objects.create(order=order, day=today, reason=reason[:300])
                notify(
                    recipients=[order.owner, order.placed_by or order.verified_by],
                    title=_("交期风险：%(number)s（%(customer)s）") % {"number": order.number, "customer": order.customer.name},
                    body=reason,
                    url=_url(order),
                )
        except IntegrityError:
            continue  # already warned today
        warned += 1
    return warned


def order_cancel(*, order: SalesOrder, actor, reason: str) -> SalesOrder:
    """Cancel an order before anything shipped; the reason is kept."""
    reason = required_text(reason, _("请填写取消原因。"))

    def check(o):
        _require_clerk(actor)
        if o.shipments.exclude(status=Shipment.Status.CANCELLED).exists():
            raise Conflict(_("订单已有出货单，不能取消；请先作废未发出的出货单。"))

    def before(o):
        o.cancel_reason, o.closed_at = reason[:300], timezone.now()

    return transition(
        obj=order,
        action="cancel",
        actor=actor,
        check=check,
        before_save=before,
        message=_("取消订单：%(reason)s") % {"reason": reason},
    )


def order_close(*, order: SalesOrder, actor) -> SalesOrder:
    return transition(
        obj=order, action="close", actor=actor, check=lambda o: _require_clerk(actor), before_save=_stamp("closed_at")
    )


# --- inspection -------------------------------------------------------------------------------------------------------
def inspection_side(user) -> str | None:
    """Which signature of an inspection `user` gives: "qc", "warehouse", or None."""
    if has_role(user, Role.QC):
        return "qc"
    if has_role(user, Role.WAREHOUSE):
        return "warehouse"
    return None


def can_sign_inspection(inspection: Inspection, user) -> bool:
    """The other side's signature is missing, `user` gives it, and did not sign the first side."""
    side = inspection_side(user)
    if side is None or getattr(inspection, f"{side}_signed_by_id"):
        return False
    first = inspection.warehouse_signed_by_id if side == "qc" else inspection.qc_signed_by_id
    return first != user.pk


def _sign_field(actor) -> str:
    side = inspection_side(actor)
    if side is None:
        raise Forbidden(_("只有质检员和仓库可以记录和签署检验。"))
    return side


def _refresh_passed(line: SalesOrderLine) -> None:
    """Passed = signed passing lots that were not emergency-released (those are already in released_quantity)."""
    passed = sum((i.quantity for i in line.inspections.filter(emergency_release__isnull=True) if i.counts_as_passed), ZERO)
    line.passed_quantity = passed
    line.save(update_fields=["passed_quantity"])


def inspection_record(
    *,
    order: SalesOrder,
    actor,
    line_id: int,
    lot_no: str,
    quantity,
    result: str,
    note: str = "",
    emergency_release_id: int | None = None,
) -> Inspection:
    """Record the inspection of one lot; the recorder (QC or warehouse) signs their side, the other side signs after."""
    side = _sign_field(actor)
    if result not in Inspection.Result.values:
        raise DomainError(_("检验结果不正确。"))
    quantity = parse_decimal(quantity, _("数量"))
    if quantity <= 0:
        raise DomainError(_("检验数量必须大于 0。"))
    if not (lot_no or "").strip():
        raise DomainError(_("请填写批号。"))
    with transaction.atomic():
        locked = _lock_order(order)
        line = locked.lines.filter(pk=line_id).first()
        if line is None:
            raise NotFound(_("订单明细不存在。"))
        if locked.status not in (SalesOrder.Status.PLACED, SalesOrder.Status.PARTIALLY_SHIPPED, SalesOrder.Status.SHIPPED):
            raise Conflict(_("订单尚未下单生产，不能检验。"))
        release = None
        if emergency_release_id:
            release = locked.emergency_releases.filter(pk=emergency_release_id, line=line).first()
            if release is None:
                raise DomainError(_("紧急放行记录不属于该订单明细。"))
        elif result == Inspection.Result.PASS:
            others = sum(
                (i.quantity for i in line.inspections.filter(result=Inspection.Result.PASS, emergency_release__isnull=True)), ZERO
            )
            if others + quantity > line.quantity:
                raise DomainError(
                    _("%(name)s：合格数量合计 %(total)s 超过订单数量 %(qty)s。")
                    % {"name": line.name, "total": plain(others + quantity), "qty": plain(line.quantity)}
                )
        now = timezone.now()
        inspection = Inspection(
            order=locked,
            line=line,
            lot_no=lot_no.strip(),
            quantity=quantity,
            result=result,
            note=(note or "").strip()[:300],
            emergency_release=release,
            created_by=actor,
        )
        setattr(inspection, f"{side}_signed_by", actor)
        setattr(inspection, f"{side}_signed_at", now)
        save_as(inspection, actor)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            message=_("检验 %(line)s 批号 %(lot)s × %(qty)s：%(result)s")
            % {
                "line": line.name,
                "lot": inspection.lot_no,
                "qty": plain(quantity),
                "result": inspection.get_result_display(),
            },
        )
    return inspection


def inspection_sign(*, inspection: Inspection, actor) -> Inspection:
    """The second signature (QC or warehouse, a different person); a signed pass adds to the line's passed quantity."""
    side = _sign_field(actor)
    with transaction.atomic():
        order = _lock_order(inspection.order_id)
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if getattr(locked, f"{side}_signed_by_id"):
            raise Conflict(_("该检验记录已有%(side)s签字。") % {"side": _("质检") if side == "qc" else _("仓库")})
        other = locked.warehouse_signed_by_id if side == "qc" else locked.qc_signed_by_id
        if other == actor.pk:
            raise Forbidden(_("质检和仓库必须由两个人分别签字。"))
        setattr(locked, f"{side}_signed_by", actor)
        setattr(locked, f"{side}_signed_at", timezone.now())
        save_as(locked, actor)
        _refresh_passed(locked.line)
        record_event(
            target=order,
            verb=Event.Verb.UPDATED,
            actor=actor,
            message=_("检验批号 %(lot)s 双方签字完成：%(result)s")
            % {"lot": locked.lot_no, "result": locked.get_result_display()},
        )
    return locked


def emergency_release_request(
    *, order: SalesOrder, actor, line_id: int, quantity, reason: str, lot_no: str = ""
) -> EmergencyRelease:
    """Ask a manager to release uninspected goods (紧急放行); the approval goes through the engine."""
    quantity = parse_decimal(quantity, _("数量"))
    reason = (reason or "").strip()
    if quantity <= 0 or not reason:
        raise DomainError(_("请填写放行数量（大于 0）和原因。"))
    with transaction.atomic():
        locked = _lock_order(order)
        _require(is_clerk(actor) or has_role(actor, Role.WAREHOUSE), _("只有销售内勤、仓库和经理可以申请紧急放行。"))
        line = locked.lines.filter(pk=line_id).first()
        if line is None:
            raise NotFound(_("订单明细不存在。"))
        pending = sum((r.quantity for r in line.emergency_releases.filter(status=EmergencyRelease.Status.PENDING)), ZERO)
        room = line.quantity - line.shipped_quantity - line.shippable_quantity - pending
        if quantity > room:
            raise DomainError(_("%(name)s：最多还可申请放行 %(room)s。") % {"name": line.name, "room": plain(max(room, ZERO))})
        release = EmergencyRelease.objects.create(
            order=locked, line=line, quantity=quantity, reason=reason, lot_no=(lot_no or "").strip(), requested_by=actor
        )
        approvals.approval_start(
            target=release, kind=EMERGENCY_KIND, actor=actor, url=_url(locked),
            steps=[StepSpec(code="sales_manager", label=str(gettext_lazy("经理批准紧急放行")), stage=10, role=Role.SALES_MANAGER)],
            title=_("紧急放行 %(order)s %(line)s × %(qty)s") % {"order": locked.number, "line": line.name, "qty": plain(quantity)},
        )  # fmt: skip
        record_event(
            target=locked,
            verb=Event.Verb.APPROVAL,
            actor=actor,
            message=_("申请紧急放行 %(line)s × %(qty)s：%(reason)s")
            % {"line": line.name, "qty": plain(quantity), "reason": reason},
        )
    return release


def _decide_request(model, request: ApprovalRequest, outcome: str):
    """Apply the engine's outcome to an ApprovedRequest row, locking the order first (the order-then-document lock order
    every writer here follows). Returns (row, locked order)."""
    order_id = model.objects.filter(pk=request.target_id).values_list("order_id", flat=True).get()
    order = _lock_order(order_id)
    row = model.objects.select_for_update().get(pk=request.target_id)
    row.decided_at = timezone.now()
    row.approve() if outcome == ApprovalRequest.Status.APPROVED else row.reject()
    row.save()
    return row, order


def _on_emergency_release(request: ApprovalRequest, outcome: str, actor) -> None:
    release, order = _decide_request(EmergencyRelease, request, outcome)
    if release.status == EmergencyRelease.Status.APPROVED:
        line = SalesOrderLine.objects.select_for_update().get(pk=release.line_id)
        line.released_quantity += release.quantity
        line.save(update_fields=["released_quantity"])
        order.has_emergency_release = True
        save_as(order, actor)
    record_event(
        target=order,
        verb=Event.Verb.APPROVAL,
        actor=actor,
        message=_("紧急放行 %(line)s × %(qty)s：%(status)s")
        % {"line": release.line.name, "qty": plain(release.quantity), "status": release.get_status_display()},
    )


# --- shipments --------------------------------------------------------------------------------------------------------
def reserved_quantity(line: SalesOrderLine, exclude_shipment=None) -> Decimal:
    """Quantity of `line` on open (draft or released) outbound notes, besides `exclude_shipment`."""
    qs = ShipmentLine.objects.filter(order_line=line, shipment__status__in=OPEN_SHIPMENT)
    if exclude_shipment is not None:
        qs = qs.exclude(shipment=exclude_shipment)
    return qs.aggregate(s=Sum("quantity"))["s"] or ZERO


def shipment_create(*, order: SalesOrder, actor, lines: Mapping[int, Any], data: Mapping[str, Any] | None = None) -> Shipment:
    """Prepare an outbound note (出货单) for one order: quantities per line within what passed inspection or was released
    and is not yet shipped or on another open note; the ship-to address is copied so later edits do not change it."""
    data = data or {}
    with transaction.atomic():
        locked = _lock_order(order)
        _require(is_clerk(actor) or has_role(actor, Role.WAREHOUSE), _("只有销售内勤、仓库和经理可以制作出货单。"))
        if locked.status not in (SalesOrder.Status.PLACED, SalesOrder.Status.PARTIALLY_SHIPPED):
            raise Conflict(_("订单当前状态为“%(status)s”，不能发货。") % {"status": locked.get_status_display()})
        if locked.needs_reverification:
            raise Conflict(_("订单变更后尚未重新核单，不能发货。"))
        shipment = Shipment(order=locked, created_by=actor)
        for name in ("carrier", "route", "freight_payer", "packages", "tracking_no", "planned_on", "notes"):
            if name in data and data[name] not in (None, ""):
                setattr(shipment, name, data[name])
        address = locked.ship_to
        if address is None:
            raise DomainError(_("订单没有收货地址，请先补充。"))
        shipment.ship_to_province, shipment.ship_to_city = address.province, address.city
        shipment.ship_to_address = " ".join(p for p in (address.district, address.address, address.floor) if p)
        shipment.consignee, shipment.consignee_phone = address.consignee, address.phone
        shipment.carrier = shipment.carrier or address.preferred_carrier
        built = _shipment_lines(locked, shipment, lines)
        shipment.amount_incl = sum((sl.amount_incl for sl in built), ZERO)
        shipment.number = next_number("FH")
        save_as(shipment, actor)
        for sl in built:
            sl.shipment = shipment
        ShipmentLine.objects.bulk_create(built)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            message=_("制作出货单 %(number)s，金额 %(amount)s") % {"number": shipment.number, "amount": shipment.amount_incl},
        )
    return shipment


def _shipment_lines(order: SalesOrder, shipment: Shipment, wanted: Mapping[int, Any]) -> list[ShipmentLine]:
    by_id = {ln.pk: ln for ln in order.lines.all()}
    built, emergency = [], False
    for line_id, value in wanted.items():
        qty, lot = (value.get("quantity"), value.get("lot_no", "")) if isinstance(value, Mapping) else (value, "")
        if qty in (None, "", 0, "0"):
            continue
        line = by_id.get(int(line_id))
        if line is None:
            raise DomainError(_("订单明细不存在（编号 %(id)s）。") % {"id": line_id})
        qty = parse_decimal(qty, _("发货数量"))
        if qty <= 0:
            raise DomainError(_("%(name)s：发货数量必须大于 0。") % {"name": line.name})
        available = line.shippable_quantity - reserved_quantity(line, exclude_shipment=shipment if shipment.pk else None)
        if qty > available:
            raise DomainError(
                _("%(name)s：本次最多可发 %(available)s（订购 %(ordered)s，已发 %(shipped)s，检验合格 %(passed)s，紧急放行 %(released)s，其他出货单占用 %(reserved)s）。")
                % {"name": line.name, "available": plain(max(available, ZERO)), "ordered": plain(line.quantity), "shipped": plain(line.shipped_quantity), "passed": plain(line.passed_quantity), "released": plain(line.released_quantity), "reserved": plain(reserved_quantity(line, shipment if shipment.pk else None))}
            )  # fmt: skip
        if line.shipped_quantity + reserved_quantity(line, shipment if shipment.pk else None) + qty > line.passed_quantity:
            emergency = True
        built.append(
            ShipmentLine(order_line=line, quantity=qty, lot_no=str(lot or "").strip()[:40], amount_incl=net_amount(line, qty))
        )
    if not built:
        raise DomainError(_("请至少填写一行发货数量。"))
    shipment.has_emergency_release = emergency
    return built


def order_paid(order: SalesOrder, *, confirmed_only: bool = True) -> Decimal:
    statuses = [Payment.Status.CONFIRMED] if confirmed_only else [Payment.Status.CONFIRMED, Payment.Status.RECORDED]
    return quantize(
        PaymentAllocation.objects.filter(order=order, payment__status__in=statuses).aggregate(s=Sum("amount"))["s"] or ZERO
    )


def order_gate(order: SalesOrder, *, paid: Decimal | None = None, exception: Decimal | None = None) -> rules.Gate:
    """Whether goods of `order` may leave now, and why not (payment due before shipment vs confirmed payments + exceptions).

    Lists pass `paid` / `exception` already summed for many orders at once (selectors.with_gate_figures)."""
    due = rules.due_before_shipment(
        payment_terms=order.payment_terms, order_amount=order.amount_incl, deposit_amount=order.deposit_amount
    )
    if exception is None:
        exception = order.credit_exceptions.filter(status=CreditException.Status.APPROVED).aggregate(s=Sum("amount"))["s"] or ZERO
    if paid is None:
        paid = order_paid(order)
    return rules.shipment_gate(due=due, confirmed_paid=quantize(paid), approved_exception=quantize(exception))


GATE_UNBLOCKERS = gettext_lazy("财务确认到账（财务），或申请信用放行并经销售部经理和财务批准。")


def shipment_release(*, shipment: Shipment, actor) -> Shipment:
    """Release an outbound note for the warehouse: only with the payment due confirmed by finance or an approved credit
    exception, and with quantities still available (rechecked under the order lock)."""
    with transaction.atomic():
        order = _lock_order(shipment.order_id)
        _require_clerk(actor)
        gate = order_gate(order)

        def check(s):
            if not gate.open:
                raise Conflict(_("不能放行：%(reason)s 可解除者：%(who)s") % {"reason": gate.reason, "who": GATE_UNBLOCKERS})
            if order.needs_reverification:
                raise Conflict(_("订单变更后尚未重新核单，不能放行。"))
            _shipment_lines(order, s, {sl.order_line_id: sl.quantity for sl in s.lines.all()})

        def before(s):
            s.released_by, s.released_at = actor, timezone.now()
            s.release_basis = (
                (
                    _("信用放行")
                    if gate.exception and gate.paid < gate.due
                    else _("财务已确认到账 %(paid)s 元") % {"paid": gate.paid}
                )
                if gate.due
                else _("信用账期客户，发货前无需付款")
            )

        return transition(obj=shipment, action="release", actor=actor, check=check, before_save=before)


def shipment_ship(
    *, shipment: Shipment, actor, tracking_no: str = "", carrier: str = "", packages: int | None = None
) -> Shipment:
    """The warehouse sends released goods: shipped quantities go up (never above ordered, passed + released), the order
    becomes partially or fully shipped, the rep is told in-app and the customer's contact by e-mail after commit."""
    with transaction.atomic():
        order = _lock_order(shipment.order_id)
        _require(has_role(actor, Role.WAREHOUSE), _("只有仓库可以确认发货。"))

        def before(s):
            for sl in s.lines.select_related("order_line"):
                line = SalesOrderLine.objects.select_for_update().get(pk=sl.order_line_id)
                if line.shipped_quantity + sl.quantity > min(line.quantity, line.passed_quantity + line.released_quantity):
                    raise Conflict(_("%(name)s：发货数量超过可发数量，请重新制单。") % {"name": line.name})
                line.shipped_quantity += sl.quantity
                line.save(update_fields=["shipped_quantity"])
            s.shipped_by, s.shipped_at = actor, timezone.now()
            if tracking_no:
                s.tracking_no = tracking_no.strip()[:60]
            if carrier:
                s.carrier = carrier.strip()[:100]
            if packages:
                s.packages = packages

        locked = transition(obj=shipment, action="ship", actor=actor, before_save=before)
        everything = not order.lines.filter(shipped_quantity__lt=F("quantity")).exists()
        transition(
            obj=order,
            action="ship_all" if everything else "ship_part",
            actor=actor,
            before_save=_stamp("shipped_at") if everything else None,
        )
        notify(
            recipients=[order.owner],
            title=_("已发货：%(number)s（%(order)s，%(customer)s）")
            % {"number": locked.number, "order": order.number, "customer": order.customer.name},
            url=_url(order),
            email=False,
        )
        transaction.on_commit(lambda: _email_customer(locked.pk), robust=True)
    return locked


def _email_customer(shipment_id: int) -> None:
    from .tasks import email_shipment_notice

    email_shipment_notice.delay(shipment_id)


def shipment_notify_customer(*, shipment_id: int) -> bool:
    """E-mail the order's contact that the goods left, with the after-sales contact and claims rules (once)."""
    from django.core.mail import send_mail

    with transaction.atomic():
        shipment = (
            Shipment.objects.select_for_update(of=("self",))
            .select_related("order__contact", "order__customer")
            .get(pk=shipment_id)
        )
        contact = shipment.order.contact
        if shipment.customer_notified_at or contact is None or not contact.email:
            return False
        lines = "\n".join(
            f"- {sl.order_line.name} {sl.order_line.spec} × {plain(sl.quantity)} {sl.order_line.unit}"
            for sl in shipment.lines.select_related("order_line")
        )
        body = _(
            "%(contact)s 您好：\n\n贵司订单 %(order)s 的货物已于 %(date)s 发出（出货单 %(number)s，承运：%(carrier)s，运单号：%(tracking)s，共 %(packages)s 件）：\n%(lines)s\n\n%(claims)s\n%(aftersales)s\n\n%(company)s"
        ) % {
            "contact": contact.name, "order": shipment.order.customer_po or shipment.order.number, "number": shipment.number,
            "date": timezone.localtime(shipment.shipped_at).strftime("%Y-%m-%d") if shipment.shipped_at else "", "carrier": shipment.carrier or "-",
            "tracking": shipment.tracking_no or "-", "packages": shipment.packages, "lines": lines, "claims": settings.CLAIMS_RULES,
            "aftersales": settings.AFTERSALES_CONTACT, "company": settings.COMPANY_NAME,
        }  # fmt: skip
        send_mail(_("发货通知：%(number)s") % {"number": shipment.number}, body, None, [contact.email])
        shipment.customer_notified_at = timezone.now()
        shipment.save(update_fields=["customer_notified_at"])
    return True


def shipment_deliver(
    *,
    shipment: Shipment,
    actor,
    delivered_on: date | None,
    signer: str,
    exceptions: str = "",
    quantities: Mapping[int, Any] | None = None,
) -> Shipment:
    """Record delivery acceptance (验收): date, who signed, exceptions; delivered quantities per line (default: all)."""
    signer = required_text(signer, _("请填写签收人。"))
    delivered_on = delivered_on or timezone.localdate()
    with transaction.atomic():
        order = _lock_order(shipment.order_id)
        _require(is_clerk(actor) or has_role(actor, Role.WAREHOUSE) or order.owner_id == actor.pk, _("您没有登记签收的权限。"))

        def before(s):
            if s.shipped_at and delivered_on < timezone.localtime(s.shipped_at).date():
                raise DomainError(_("签收日期不能早于发货日期。"))
            for sl in s.lines.all():
                got = (
                    sl.quantity
                    if quantities is None
                    else parse_decimal(quantities.get(sl.pk, quantities.get(str(sl.pk), sl.quantity)), _("签收数量"))
                )
                if got < 0 or got > sl.quantity:
                    raise DomainError(_("签收数量应在 0 到发货数量之间。"))
                if got < sl.quantity and not exceptions.strip():
                    raise DomainError(_("签收数量少于发货数量，请填写签收异常。"))
                sl.delivered_quantity = got
                sl.save(update_fields=["delivered_quantity"])
                line = SalesOrderLine.objects.select_for_update().get(pk=sl.order_line_id)
                line.delivered_quantity += got
                line.save(update_fields=["delivered_quantity"])
            s.delivered_on, s.signed_by_name, s.delivery_exceptions = delivered_on, signer[:50], exceptions.strip()

        locked = transition(
            obj=shipment,
            action="deliver",
            actor=actor,
            before_save=before,
            message=_("客户签收（%(signer)s）%(exc)s") % {"signer": signer, "exc": exceptions},
        )
        emit("order_delivered", shipment=locked)
        return locked


def shipment_cancel(*, shipment: Shipment, actor, reason: str) -> Shipment:
    reason = required_text(reason, _("请填写作废原因。"))
    return transition(
        obj=shipment,
        action="cancel",
        actor=actor,
        check=lambda s: _require_clerk(actor),
        message=_("作废出货单：%(reason)s") % {"reason": reason},
    )


# --- credit exceptions ------------------------------------------------------------------------------------------------
def credit_exception_request(*, order: SalesOrder, actor, amount, reason: str) -> CreditException:
    """Ask to ship before the payment due is confirmed (信用放行): sales manager, then finance, approve."""
    amount = parse_decimal(amount, _("金额"))
    reason = (reason or "").strip()
    if amount <= 0 or not reason:
        raise DomainError(_("请填写允许欠款金额（大于 0）和理由。"))
    with transaction.atomic():
        locked = _lock_order(order)
        _require(is_clerk(actor) or locked.owner_id == actor.pk, _("只有销售内勤、经理和订单业务员可以申请信用放行。"))
        exception = CreditException.objects.create(order=locked, amount=amount, reason=reason, requested_by=actor)
        approvals.approval_start(
            target=exception, kind=CREDIT_KIND, actor=actor, url=_url(locked),
            steps=[
                StepSpec(code="sales_manager", label=str(gettext_lazy("销售部经理审批")), stage=10, role=Role.SALES_MANAGER),
                StepSpec(code="finance", label=str(gettext_lazy("财务审批")), stage=20, role=Role.FINANCE),
            ],
            title=_("信用放行 %(order)s（%(customer)s）%(amount)s 元") % {"order": locked.number, "customer": locked.customer.name, "amount": amount},
        )  # fmt: skip
        record_event(
            target=locked,
            verb=Event.Verb.APPROVAL,
            actor=actor,
            message=_("申请信用放行 %(amount)s 元：%(reason)s") % {"amount": amount, "reason": reason},
        )
    return exception


def _on_credit_exception(request: ApprovalRequest, outcome: str, actor) -> None:
    exception, order = _decide_request(CreditException, request, outcome)
    record_event(
        target=order,
        verb=Event.Verb.APPROVAL,
        actor=actor,
        message=_("信用放行 %(amount)s 元：%(status)s") % {"amount": exception.amount, "status": exception.get_status_display()},
    )


# --- invoices ---------------------------------------------------------------------------------------------------------
def order_delivered_amount(order: SalesOrder) -> Decimal:
    return sum((net_amount(ln, ln.delivered_quantity) for ln in order.lines.all() if ln.delivered_quantity), ZERO)


def order_invoiced_amount(order: SalesOrder) -> Decimal:
    return quantize(order.invoices.exclude(status=InvoiceRequest.Status.CANCELLED).aggregate(s=Sum("amount"))["s"] or ZERO)


def invoice_request(
    *, order: SalesOrder, actor, amount, invoice_type: str = "", invoice_title_id: int | None = None
) -> InvoiceRequest:
    """Ask finance to invoice delivered goods; all invoices of an order together never exceed what was delivered."""
    amount = parse_decimal(amount, _("开票金额"))
    if amount <= 0:
        raise DomainError(_("开票金额必须大于 0。"))
    with transaction.atomic():
        locked = _lock_order(order)
        _require(is_clerk(actor) or locked.owner_id == actor.pk, _("只有销售内勤、经理和订单业务员可以申请开票。"))
        room = order_delivered_amount(locked) - order_invoiced_amount(locked)
        if amount > room:
            raise DomainError(
                _("开票金额 %(amount)s 超过已签收未开票金额 %(room)s。") % {"amount": amount, "room": max(room, ZERO)}
            )
        title = InvoiceTitle.objects.filter(
            pk=invoice_title_id or locked.invoice_title_id, customer_id=locked.customer_id
        ).first()
        if title is None:
            raise DomainError(_("请先为客户维护发票抬头。"))
        invoice = InvoiceRequest(
            order=locked, title=title.title, tax_id=title.tax_id, bank_account=" ".join(p for p in (title.bank, title.account) if p),
            address_phone=title.address_phone, invoice_type=invoice_type or title.invoice_type, amount=amount, requested_by=actor,
        )  # fmt: skip
        save_as(invoice, actor)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            message=_("申请开票 %(amount)s 元（%(type)s）") % {"amount": amount, "type": invoice.get_invoice_type_display()},
        )
    return invoice


def invoice_issue(*, invoice: InvoiceRequest, actor, numbers: str, issued_on: date | None = None) -> InvoiceRequest:
    numbers = required_text(numbers, _("请填写发票号码。"))

    def before(i):
        i.invoice_numbers, i.issued_on, i.issued_by = numbers[:300], issued_on or timezone.localdate(), actor

    with transaction.atomic():
        _lock_order(invoice.order_id)
        return transition(
            obj=invoice,
            action="issue",
            actor=actor,
            check=lambda i: _require(is_finance(actor), _("只有财务可以开票。")),
            before_save=before,
            message=_("已开票：%(numbers)s") % {"numbers": numbers},
        )


def invoice_cancel(*, invoice: InvoiceRequest, actor, reason: str) -> InvoiceRequest:
    reason = required_text(reason, _("请填写作废原因。"))
    with transaction.atomic():
        _lock_order(invoice.order_id)
        return transition(
            obj=invoice,
            action="cancel",
            actor=actor,
            check=lambda i: _require(is_finance(actor), _("只有财务可以作废发票。")),
            before_save=lambda i: setattr(i, "cancel_reason", reason[:300]),
            message=_("作废：%(reason)s") % {"reason": reason},
        )


# --- payments ---------------------------------------------------------------------------------------------------------
def order_outstanding(order: SalesOrder) -> Decimal:
    """The order amount not yet covered by live (recorded or confirmed) payment allocations or credit notes."""
    return order.amount_incl - order_paid(order, confirmed_only=False) - order_credited(order)


def direct_orders_exposure(customer) -> Decimal:
    """What the customer's open orders without a contract still owe, in CNY (contracts count their own orders' value)."""
    total = ZERO
    for order in SalesOrder.objects.filter(customer=customer, contract__isnull=True).exclude(status=SalesOrder.Status.CANCELLED):
        owed = order.amount_incl - order_paid(order)
        if owed > 0:
            total += quantize(owed * order.exchange_rate)
    return total


def payment_record(*, actor, customer, data: Mapping[str, Any], allocations: Mapping[int, Any]) -> Payment:
    """Record money received and allocate all of it to the customer's orders, exactly; a bank reference already entered,
    or more than an order still owes, is refused. Finance confirms it afterwards (the shipment gate counts confirmed money)."""
    _require(is_clerk(actor) or is_finance(actor), _("只有销售内勤、财务和经理可以登记回款。"))
    customer = customer_list_for(actor).filter(pk=getattr(customer, "pk", customer)).first()
    if customer is None:
        raise NotFound(_("客户不存在或您无权查看。"))
    amount = quantize(parse_decimal(data.get("amount"), _("金额")))
    reference = "".join(str(data.get("bank_reference") or "").split()).upper()
    if amount <= 0:
        raise DomainError(_("回款金额必须大于 0。"))
    if not reference:
        raise DomainError(_("请填写银行流水号或票据号。"))
    parsed = {int(k): quantize(parse_decimal(v, _("分配金额"))) for k, v in allocations.items() if v not in (None, "", 0, "0")}
    if any(v <= 0 for v in parsed.values()):
        raise DomainError(_("分配金额必须大于 0。"))
    if sum(parsed.values(), ZERO) != amount:
        raise DomainError(
            _("分配合计 %(sum)s 与回款金额 %(amount)s 不一致，必须全部分配到订单。")
            % {"sum": sum(parsed.values(), ZERO), "amount": amount}
        )
    with transaction.atomic():
        orders = {
            o.pk: o for o in SalesOrder.objects.select_for_update(of=("self",)).filter(pk__in=sorted(parsed)).order_by("pk")
        }
        for order_id, value in parsed.items():
            order = orders.get(order_id)
            if order is None or order.customer_id != customer.pk:
                raise DomainError(_("订单不属于该客户（编号 %(id)s）。") % {"id": order_id})
            if order.status == SalesOrder.Status.CANCELLED:
                raise DomainError(_("订单 %(number)s 已取消，不能分配回款。") % {"number": order.number})
            outstanding = order_outstanding(order)
            if value > outstanding:
                raise DomainError(
                    _("订单 %(number)s 尚欠 %(left)s 元，不能分配 %(value)s 元（超额回款）。")
                    % {"number": order.number, "left": outstanding, "value": value}
                )
        if Payment.objects.filter(bank_reference=reference).exclude(status=Payment.Status.VOIDED).exists():
            raise Conflict(_("银行流水号 %(ref)s 已登记过，不能重复登记。") % {"ref": reference})
        payment = Payment(
            customer=customer,
            amount=amount,
            bank_reference=reference,
            recorded_by=actor,
            received_on=data.get("received_on") or timezone.localdate(),
        )
        for name in ("kind", "method", "notes"):
            if data.get(name):
                setattr(payment, name, data[name])
        try:
            with transaction.atomic():
                save_as(payment, actor)
        except IntegrityError:
            raise Conflict(_("银行流水号 %(ref)s 已登记过，不能重复登记。") % {"ref": reference}) from None
        PaymentAllocation.objects.bulk_create(
            [PaymentAllocation(payment=payment, order_id=k, amount=v) for k, v in parsed.items()]
        )
        for order in orders.values():
            record_event(
                target=order,
                verb=Event.Verb.UPDATED,
                actor=actor,
                message=_("登记回款 %(amount)s 元（%(ref)s），待财务确认") % {"amount": parsed[order.pk], "ref": reference},
            )
    return payment


def payment_confirm(*, payment: Payment, actor) -> Payment:
    """Finance confirms the money arrived; from then on it counts for the shipment gate and receivables."""

    def before(p):
        p.confirmed_by, p.confirmed_at = actor, timezone.now()

    with transaction.atomic():
        locked = transition(
            obj=payment,
            action="confirm",
            actor=actor,
            check=lambda p: _require(is_finance(actor), _("只有财务可以确认到账。")),
            before_save=before,
        )
        for allocation in locked.allocations.select_related("order"):
            record_event(
                target=allocation.order,
                verb=Event.Verb.UPDATED,
                actor=actor,
                message=_("财务确认到账 %(amount)s 元（%(ref)s）") % {"amount": allocation.amount, "ref": locked.bank_reference},
            )
    return locked


def payment_void(*, payment: Payment, actor, reason: str) -> Payment:
    reason = required_text(reason, _("请填写作废原因。"))
    return transition(
        obj=payment,
        action="void",
        actor=actor,
        check=lambda p: _require(is_finance(actor), _("只有财务可以作废回款。")),
        before_save=lambda p: setattr(p, "void_reason", reason[:300]),
        message=_("作废回款：%(reason)s") % {"reason": reason},
    )


def register_handlers() -> None:
    approvals.register_outcome_handler(EMERGENCY_KIND, _on_emergency_release, label=gettext_lazy("紧急放行"))
    approvals.register_outcome_handler(CREDIT_KIND, _on_credit_exception, label=gettext_lazy("信用放行"))
