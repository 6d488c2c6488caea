"""Sales orders (SPEC.md "Sales order"): taken from a contract or directly, verified against the checklist (核单), changed
with a reason and verified again, placed with production (下单), tracked (跟单), cancelled or closed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from catalog.models import Product
from contracts.models import Contract
from contracts.rules import BASE_CURRENCY
from contracts.services import build_lines, discount_rate_of, price_line
from customers.models import Contact, Customer, InvoiceTitle, ShipToAddress
from customers.selectors import customer_list_for, reps_for
from customers.services import customer_lock, customer_won
from salesops.core.editing import assign_fields, required_text, save_as
from salesops.core.errors import Conflict, DomainError, NotFound
from salesops.core.eventtext import msgid_of
from salesops.core.models import Event
from salesops.core.money import (
    EXCHANGE_RATE_BOUNDS,
    PRICE_BOUNDS,
    QUANTITY_BOUNDS,
    RATE_BOUNDS,
    ZERO,
    money_text,
    parse_decimal,
    plain,
    quantize,
)
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.once import create_once, once_fingerprint
from salesops.core.roles import Role, users_with_role
from salesops.core.timeline import changes_between, choice, record_event, snapshot
from salesops.core.transitions import transition

from .. import rules
from ..models import (
    InvoiceRequest,
    OrderChange,
    OrderCheck,
    Payment,
    PaymentAllocation,
    ProductionUpdate,
    SalesOrder,
    SalesOrderLine,
    ShipmentLine,
)
from ..permissions import contract_order_refusal, keeps_goods, require_clerk
from ..selectors import CREDITED_SHIPMENTS, OPEN_SHIPMENT, order_missing_checks, ordered_per_contract_line, reserved_quantity
from ._common import lock_order, order_url, set_totals, stamp
from .order_terms import check_line_discounts, check_terms, deposit_follows_amount, terms_of

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
    if order.deposit_amount > order.amount_incl:
        raise DomainError(
            _("定金 %(deposit)s 元不能高于订单金额 %(amount)s 元。")
            % {"deposit": money_text(order.deposit_amount), "amount": money_text(order.amount_incl)}
        )
    if not order.prices_include_tax and order.pk and order.invoices.exclude(status=InvoiceRequest.Status.CANCELLED).exists():
        raise Conflict(_("订单已申请开票，不能改为单价不含税（不开票）；请先作废开票申请。"))


def _check_promised_date(order: SalesOrder, *, unchanged: date | None) -> None:
    """A promised ship date (承诺发货日期) the user types or sends is today or later, never in the past — as placing
    refuses a past 要求生产完成日期 (order_place). `unchanged`: the date the order already had (on edit) or the
    contract's delivery date it copies (from a contract); keeping that one is never refused, so an old order whose
    promise has passed stays editable in its other fields."""
    promised = order.promised_ship_date
    if promised and promised != unchanged and promised < timezone.localdate():
        raise DomainError(_("承诺发货日期不能早于今天。"), field="promised_ship_date")


def _check_owner(order: SalesOrder, actor, *, unchanged: int | None) -> None:
    """业绩归属 set to someone other than `unchanged` (the customer's rep on a new order, the order's owner on edit) is
    one of the active sales people `actor` may credit (customers.selectors.reps_for: the form's choice), as the API
    could otherwise credit an order to the warehouse or to a departed rep."""
    if order.owner_id != unchanged and not reps_for(actor).filter(pk=order.owner_id).exists():
        raise DomainError(_("业绩归属只能选择您可以指定的在职业务员。"), field="owner")


def _set_exchange_rate(order: SalesOrder, data: Mapping[str, Any], *, creating: bool) -> None:
    """The exchange rate of a direct order (`data["exchange_rate"]`): required and above 0 when the customer settles in
    another currency than CNY, 1 for CNY; corrected later only until goods leave. An order from a contract keeps the
    contract's rate."""
    given = data.get("exchange_rate")
    if given in (None, ""):
        if creating and order.currency != BASE_CURRENCY:
            raise DomainError(
                _("客户结算币种为 %(currency)s，请填写汇率（1 %(currency)s 折合人民币）。") % {"currency": order.currency}
            )
        return
    rate = parse_decimal(given, _("汇率"), bounds=EXCHANGE_RATE_BOUNDS.any_sign())
    if rate == order.exchange_rate and not creating:
        return
    if order.contract_id:
        raise DomainError(_("由合同生成的订单按合同的汇率结算，不能修改；如需调整请提交合同变更申请。"))
    if rate <= 0:
        raise DomainError(_("汇率必须大于 0。"))
    if order.currency == BASE_CURRENCY and rate != 1:
        raise DomainError(_("人民币单据的汇率应为 1。"))
    if not creating and order.lines.filter(shipped_quantity__gt=0).exists():
        raise Conflict(_("订单已有发货，汇率不能再修改。"))
    order.exchange_rate = rate


def _live_allocations(order: SalesOrder) -> tuple[Any, list[str]]:
    """The payments allocated to the order that count (recorded or confirmed): their total and numbers (HK-…, as the
    回款 list shows them)."""
    rows = PaymentAllocation.objects.filter(
        order=order, payment__status__in=[Payment.Status.RECORDED, Payment.Status.CONFIRMED]
    ).values_list("amount", "payment__number")
    return quantize(sum((amount for amount, _ref in rows), ZERO)), sorted({ref for _amount, ref in rows})


def _check_paid_within(order: SalesOrder) -> None:
    """The order's (new) amount never drops below the money allocated to it: what was paid would be paid for nothing
    and the order would owe less than zero. The allocations are moved first (finance voids the payment and records it
    again for other orders) or the money refunded."""
    paid, refs = _live_allocations(order)
    if order.amount_incl < paid:
        raise DomainError(
            _(
                "订单金额将降为 %(amount)s 元，低于已分配的回款 %(paid)s 元（%(refs)s）。请先由财务在回款页作废相关回款"
                "（需要时重新登记并分配到其他订单，或退款给客户），再执行本操作。"
            )
            % {"amount": money_text(order.amount_incl), "paid": money_text(paid), "refs": "、".join(refs)}
        )


def _acknowledge_contract_version(order: SalesOrder) -> tuple[int, int] | None:
    """Record the contract's current version on the order (its clerk has checked the order against it): (old, new),
    or None when the contract did not change since."""
    if not order.contract_changed_since:
        return None
    old, order.contract_version = order.contract_version, order.contract.version
    return old, order.contract_version


# --- create -----------------------------------------------------------------------------------------------------------
def on_contract_changed(*, contract: Contract, version: int) -> None:
    """A contract got a new version: the clerks who verified or placed its open orders, and their reps, are told to check
    them (the order pages show the same warning). Subscribed to the core hook "contract_changed"."""
    orders = SalesOrder.objects.filter(contract=contract, contract_version__lt=version).exclude(
        status__in=[SalesOrder.Status.CLOSED, SalesOrder.Status.CANCELLED]
    )
    for order in orders.select_related("verified_by", "placed_by", "created_by", "owner"):
        notify(
            recipients=[order.verified_by or order.created_by, order.placed_by, order.owner],
            title=gettext_lazy("合同 %(contract)s 已变更为 v%(v)d，请核对订单 %(order)s"),
            params={"contract": contract.number, "v": version, "order": order.number},
            url=order_url(order),
        )


def order_create_from_contract(
    *, contract: Contract, actor, data: Mapping[str, Any], lines: Mapping[int, Any] | None = None
) -> SalesOrder:
    """An order from a signed or active contract: its lines (or the given contract-line quantities), prices, terms and
    rep are copied. Quantities never exceed what the contract still has unordered. `data["once_key"]` (the form's hidden
    key, the API's Idempotency-Key): the same submission again orders nothing and raises core.once.Replayed with the
    order it made (salesops.core.once) — checked under the contract's lock, before what is left to order, so a twin sent
    at once waits there and then finds the first; the key again with other input is refused (409) and orders nothing."""
    require_clerk(actor)
    key = data.get("once_key")
    with transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related("customer").get(pk=contract.pk)
        return create_once(
            SalesOrder,
            key=key,
            actor=actor,
            by="created_by",
            fingerprint=once_fingerprint(contract=locked, data=data, lines=lines),
            create=lambda: _from_contract(locked, actor, data, lines, key),
            replayed=_replayed,
        )


def _replayed(order: SalesOrder) -> str:
    return _("这份订单已经提交过，已创建为订单 %(number)s，没有重复下单。") % {"number": order.number}


def _from_contract(contract: Contract, actor, data: Mapping[str, Any], lines: Mapping[int, Any] | None, key) -> SalesOrder:
    with transaction.atomic():
        # the rule of permissions.can_order_from_contract, with the clearer message for a contract in the wrong state
        refusal = contract_order_refusal(contract)
        if refusal:
            raise Conflict(refusal)
        rows, any_left = [], False
        already = ordered_per_contract_line(contract)
        for cl in contract.lines.select_related("product"):
            left = cl.quantity - already.get(cl.pk, ZERO)
            any_left = any_left or left > 0
            wanted = (
                left
                if lines is None
                else parse_decimal(lines.get(cl.pk, lines.get(str(cl.pk), 0)) or 0, _("数量"), bounds=QUANTITY_BOUNDS)
            )
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
            if any_left:  # quantities were given, all of them 0
                raise DomainError(_("请至少为一行填写本次下单数量（大于 0）。"))
            raise DomainError(_("合同的数量已全部下单。"))
        order = SalesOrder(
            contract=contract,
            contract_version=contract.version,
            customer=contract.customer,
            owner=contract.owner,
            project_name=contract.project_name,
            received_on=timezone.localdate(),
            currency=contract.currency,
            exchange_rate=contract.exchange_rate,
            payment_terms=contract.payment_terms,
            credit_days=contract.credit_days,
            promised_ship_date=contract.delivery_date,
            contact=contract.contact,
            created_by=actor,
            once_key=key,
        )
        _defaults_from_customer(order, contract.customer)
        order.contact = contract.contact or order.contact
        built = []
        for index, cl in enumerate(rows, start=1):
            line = SalesOrderLine(
                line_no=index,
                contract_line=cl,
                product=cl.product,
                name=cl.name,
                model=cl.model,
                spec=cl.spec,
                unit=cl.unit,
                quantity=cl.order_quantity,
                list_price=cl.list_price,
                unit_price=cl.unit_price,
                discount_rate=cl.discount_rate,
                tax_rate=cl.tax_rate,
                unit_cost=cl.unit_cost,
                lead_time_days=cl.lead_time_days,
                notes=cl.notes,
            )
            price_line(line)
            built.append(line)
        set_totals(order, built)
        order.deposit_amount = (
            quantize(order.amount_incl * contract.deposit_rate) if contract.payment_terms == "deposit" else ZERO
        )
        terms = terms_of(order)
        assign_fields(order, data, ORDER_FIELDS)
        _check_promised_date(order, unchanged=contract.delivery_date)  # the contract's date is the contract's
        check_terms(order=order, actor=actor, before=terms)  # the contract's terms: never others
        return _save_new_order(
            order, built, actor, gettext_noop("由合同 %(number)s 生成订单，含税金额 %(amount)s"), {"number": str(contract)}
        )


def order_create(
    *, actor, customer, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]], no_charge: bool = False
) -> SalesOrder:
    """A direct order for standard catalog items (stock sale or under a general contract); custom items need a contract.
    A customer settling in another currency than CNY gives the order's exchange rate (`data["exchange_rate"]`, above 0),
    at which the price list's CNY prices are converted. A line priced below the catalog price beyond the actor's discount
    limit is refused (order_terms.check_line_discounts), and payment terms, credit days or a deposit other than the
    customer's too, unless the actor sets credit terms (order_terms.check_terms). `no_charge`: a replacement the
    approved return gives free of charge (aftersales.rma_exchange), not a discount of the actor's — for services only,
    never from a request. `data["once_key"]` (the form's hidden key, the API's Idempotency-Key): the same submission again
    orders nothing and raises core.once.Replayed with the order it made; the key again with other input is refused (409)
    and orders nothing (salesops.core.once)."""
    require_clerk(actor)
    customer = customer_list_for(actor).filter(pk=getattr(customer, "pk", customer)).first()
    if customer is None:
        raise NotFound(_("客户不存在或您无权查看。"))
    lines = list(lines)
    key = data.get("once_key")
    return create_once(
        SalesOrder,
        key=key,
        actor=actor,
        by="created_by",
        fingerprint=once_fingerprint(customer=customer, data=data, lines=lines, no_charge=no_charge),
        create=lambda: _direct(actor, customer, data, lines, no_charge, key),
        replayed=_replayed,
    )


def _direct(actor, customer: Customer, data: Mapping[str, Any], lines, no_charge: bool, key) -> SalesOrder:
    with transaction.atomic():
        customer_lock(customer.pk)  # before the order: an intent customer becomes 正式客户 (customer_won below)
        order = SalesOrder(
            customer=customer,
            owner=customer.owner,
            received_on=timezone.localdate(),
            payment_terms=customer.payment_terms,
            credit_days=customer.credit_days,
            currency=customer.currency or "CNY",
            created_by=actor,
            once_key=key,
        )
        _defaults_from_customer(order, customer)
        _set_exchange_rate(order, data, creating=True)
        built = build_lines(
            SalesOrderLine,
            lines,
            customer=customer,
            on_date=order.received_on,
            actor=actor,
            currency=order.currency,
            exchange_rate=order.exchange_rate,
        )
        for line in built:
            if line.product is None or line.product.kind != Product.Kind.STANDARD:
                raise DomainError(_("“%(name)s”不是标准品：定制或非目录产品请先签订合同，再由合同下订单。") % {"name": line.name})
        set_totals(order, built)
        if customer.payment_terms == "deposit":
            order.deposit_amount = quantize(order.amount_incl * customer.deposit_rate)
        if not no_charge:
            check_line_discounts(order=order, lines=built, actor=actor)
        terms = terms_of(order)
        assign_fields(order, data, ORDER_FIELDS)
        _check_owner(order, actor, unchanged=customer.owner_id)
        _check_promised_date(order, unchanged=None)
        check_terms(order=order, actor=actor, before=terms)  # the customer's terms unless a manager or finance agrees others
        made = _save_new_order(order, built, actor, gettext_noop("直接接单（标准品），含税金额 %(amount)s"), {})
        customer_won(
            customer=customer, actor=actor, text=gettext_noop("订单 %(number)s，转为正式客户"), params={"number": made.number}
        )
        return made


def _save_new_order(order: SalesOrder, lines, actor, text: str, params: dict) -> SalesOrder:
    """Number and save a new order with its lines and checklist; `text` % `params` (+ the amount) goes on its timeline."""
    _check_header(order)
    order.number = next_number("SO")
    save_as(order, actor)
    for line in lines:
        line.order = order
    SalesOrderLine.objects.bulk_create(lines)
    OrderCheck.objects.bulk_create([OrderCheck(order=order, item=code) for code in rules.CHECK_CODES])
    record_event(target=order, verb=Event.Verb.CREATED, actor=actor, text=text, params={**params, "amount": order.amount_incl})
    return order


# --- verification -----------------------------------------------------------------------------------------------------
def order_check(*, order: SalesOrder, actor, item: str, parties: Iterable[str], note: str = "") -> OrderCheck:
    """Tick one item of the verification checklist with the parties it was confirmed with (rep, customer, production)."""
    if item not in rules.CHECK_CODES:
        raise DomainError(_("核单项目不正确。"))
    parties = set(parties)
    if not parties <= {rules.REP, rules.CUSTOMER, rules.PRODUCTION}:
        raise DomainError(_("确认对象不正确。"))
    with transaction.atomic():
        locked = lock_order(order)
        require_clerk(actor)
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


def order_verify(*, order: SalesOrder, actor) -> SalesOrder:
    """Finish verification (核单): every checklist item confirmed with the parties it needs. A changed order is verified
    again the same way (its status stays; the change is marked re-verified). An order from a contract is verified
    against the contract as it is now: its current version is recorded (the "contract changed" warning clears)."""
    with transaction.atomic():
        locked = lock_order(order)
        require_clerk(actor)
        missing = order_missing_checks(locked)
        if missing:
            raise DomainError(_("核单未完成，尚未确认：%(items)s。") % {"items": "、".join(missing)})
        if locked.prices_include_tax and not locked.invoice_title_id:
            # seed 004 核单: 单价(含不含税,含税的要核实开票名称)
            raise DomainError(_("单价含税的订单要核实开票名称：请先选择发票抬头，或改为单价不含税（不开票）。"))
        if locked.status == SalesOrder.Status.RECEIVED:

            def before(o):
                o.verified_by, o.verified_at = actor, timezone.now()
                _acknowledge_contract_version(o)  # checked against the contract as it is now

            return transition(obj=locked, action="verify", actor=actor, before_save=before)
        if not locked.needs_reverification:
            raise Conflict(_("订单已核单。"))
        locked.needs_reverification = False
        locked.verified_by, locked.verified_at = actor, timezone.now()
        _acknowledge_contract_version(locked)
        save_as(locked, actor)
        locked.changes.filter(reverified_at__isnull=True).update(reverified_by=actor, reverified_at=timezone.now())
        record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("变更后重新核单完成"))
    return locked


# --- changes ----------------------------------------------------------------------------------------------------------
def _change_lines(order: SalesOrder, lines: Mapping[int, Mapping[str, Any]], actor) -> list[dict]:
    """Apply {line id: {quantity, unit_price, discount_percent or discount_rate}} to the order's lines and totals; the
    changes made.

    A line taken from a contract stays within it, as order_create_from_contract does: its quantity never above what the
    contract still has unordered, its price and discount the contract line's (a deviation from the contract is agreed
    again through the contract's change request). A line with goods shipped or on an open outbound note keeps its price
    and discount: those goods were valued (receivable, shipped sales) at it. A direct order's line repriced stays within
    `actor`'s discount limit (order_terms.check_line_discounts)."""
    changes = []
    current = {ln.pk: ln for ln in order.lines.select_related("contract_line")}
    ordered = ordered_per_contract_line(order.contract) if order.contract_id else {}
    for line_id, values in lines.items():
        line = current.get(int(line_id))
        if line is None:
            raise DomainError(_("订单明细不存在（编号 %(id)s）。") % {"id": line_id})
        if values.get("discount_percent") not in (None, ""):  # typed as a percentage: the rate it stands for
            values = {**values, "discount_rate": discount_rate_of(values, line.name)}
        old_quantity, old_price = line.quantity, (line.unit_price, line.discount_rate)
        for name, label, bounds in (
            ("quantity", _("数量"), QUANTITY_BOUNDS),
            ("unit_price", _("含税单价"), PRICE_BOUNDS),
            ("discount_rate", _("折扣率"), RATE_BOUNDS),
        ):
            if name in values and values[name] not in (None, ""):
                new = parse_decimal(values[name], f"{line.name}：{label}", bounds=bounds)
                if new != getattr(line, name):
                    changes.append(
                        {
                            "line": line.name,
                            "field": name,
                            "label": _line_label(name),
                            "old": str(getattr(line, name)),
                            "new": str(new),
                        }
                    )
                    setattr(line, name, new)
        if (line.unit_price, line.discount_rate) != old_price:
            _check_reprice(line)
            check_line_discounts(order=order, lines=[line], actor=actor)
        if line.quantity < line.shipped_quantity or line.quantity <= 0:
            raise DomainError(
                _("%(name)s：数量不能小于已发货数量 %(shipped)s，且必须大于 0。")
                % {"name": line.name, "shipped": plain(line.shipped_quantity)}
            )
        cl = line.contract_line
        if cl is not None and line.quantity > old_quantity:
            left = cl.quantity - ordered.get(cl.pk, ZERO) + old_quantity  # this line's own quantity is on the contract
            if line.quantity > left:
                raise DomainError(
                    _("%(name)s：合同剩余可下单数量为 %(left)s，不能下 %(qty)s。")
                    % {"name": line.name, "left": plain(max(left, ZERO)), "qty": plain(line.quantity)}
                )
        price_line(line)
    SalesOrderLine.objects.bulk_update(
        list(current.values()), ["quantity", "unit_price", "discount_rate", "amount_incl", "amount_excl", "tax"]
    )
    set_totals(order, list(current.values()))
    return changes


def _line_label(name: str) -> str:
    """The source-language label of an order line's field, as the history stores it (rendered in each reader's)."""
    return msgid_of(SalesOrderLine._meta.get_field(name).verbose_name)


def _check_reprice(line: SalesOrderLine) -> None:
    """A new unit price or discount of `line`: refused when goods of it left or are on an open outbound note (they were
    valued at the old price), or when it differs from the contract line it was taken from."""
    reserved = reserved_quantity(line)
    if line.shipped_quantity > 0 or reserved > 0:
        raise DomainError(
            _("%(name)s：已发货 %(shipped)s，出货单占用 %(reserved)s；已发货或已开出货单的明细不能修改单价或折扣。")
            % {"name": line.name, "shipped": plain(line.shipped_quantity), "reserved": plain(reserved)}
        )
    cl = line.contract_line
    if cl is not None and (line.unit_price, line.discount_rate) != (cl.unit_price, cl.discount_rate):
        raise DomainError(
            _(
                "%(name)s：含税单价和折扣须与合同一致（合同：含税单价 %(price)s，折扣 %(discount)s%%）；"
                "偏离合同须重新确认，请先提交合同变更申请，变更生效后再修改订单。"
            )
            % {"name": line.name, "price": money_text(cl.unit_price), "discount": plain(cl.discount_rate * 100)}
        )


def order_update(
    *, order: SalesOrder, actor, data: Mapping[str, Any], lines: Mapping[int, Mapping[str, Any]] | None = None, reason: str = ""
) -> SalesOrder:
    """Edit an order. Before verification it is a plain edit; after it, a change with a reason that must be verified
    again (the checklist restarts) and counts against order accuracy. Shipped quantities can never be ordered away,
    shipped goods never repriced, a contract's order never taken past its contract (_change_lines), and the order's
    amount never lowered below the money allocated to it."""
    with transaction.atomic():
        contract_id = SalesOrder.objects.filter(pk=getattr(order, "pk", order)).values_list("contract_id", flat=True).first()
        if lines and contract_id:
            # what the contract has left unordered is read under its lock, as order_create_from_contract does (the
            # contract, the parent, before the order: ARCHITECTURE.md rule 11)
            Contract.objects.select_for_update(of=("self",)).filter(pk=contract_id).first()
        locked = lock_order(order)
        require_clerk(actor)
        if not locked.is_open or locked.status == SalesOrder.Status.SHIPPED:
            raise Conflict(_("订单当前状态为“%(status)s”，不能修改。") % {"status": locked.get_status_display()})
        verified = locked.status != SalesOrder.Status.RECEIVED
        reason = (reason or "").strip()
        if verified and not reason:
            raise DomainError(_("订单已核单，修改需要填写变更原因。"))
        watched = list(dict.fromkeys([n for n in ORDER_FIELDS if n in data] + ["exchange_rate", "amount_incl", "deposit_amount"]))
        before, old_amount, terms = snapshot(locked, watched), locked.amount_incl, terms_of(locked)
        promised, owner = locked.promised_ship_date, locked.owner_id
        assign_fields(locked, data, ORDER_FIELDS)
        _check_owner(locked, actor, unchanged=owner)
        _check_promised_date(locked, unchanged=promised)
        check_terms(order=locked, actor=actor, before=terms)
        _set_exchange_rate(locked, data, creating=False)
        line_changes = _change_lines(locked, lines, actor) if lines else []
        if line_changes and locked.deposit_amount == terms["deposit_amount"]:
            deposit_follows_amount(locked, old_amount=old_amount)
        _check_header(locked)  # after the lines: the deposit within the new amount
        changes = changes_between(locked, before)
        if not changes and not line_changes:
            raise DomainError(_("没有任何修改。"))
        if locked.amount_incl < old_amount:
            _check_paid_within(locked)
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
            text=gettext_noop("核单后变更（需重新核单）：%(reason)s") if verified else gettext_noop("修改订单"),
            params={"reason": reason} if verified else None,
        )
    return locked


# --- production -------------------------------------------------------------------------------------------------------
def order_place(*, order: SalesOrder, actor, requested_date: date | None, from_stock: bool = False) -> SalesOrder:
    """Place a verified order with production (下单) with the date it is needed — today or later, never in the past —
    or mark it shipped from stock."""

    def check(o):
        require_clerk(actor)
        if o.needs_reverification:
            raise Conflict(_("订单变更后尚未重新核单，不能下单。"))
        if not from_stock and requested_date is None:
            raise DomainError(_("请填写要求生产完成日期。"))
        if not from_stock and requested_date < timezone.localdate():
            raise DomainError(_("要求生产完成日期不能早于今天。"))

    def before(o):
        o.placed_by, o.placed_at, o.requested_date = actor, timezone.now(), requested_date
        o.production_status = SalesOrder.ProductionStatus.FROM_STOCK if from_stock else SalesOrder.ProductionStatus.PLACED
        o.expected_date = requested_date

    return transition(obj=order, action="place", actor=actor, check=check, before_save=before)


def production_update(*, order: SalesOrder, actor, status: str, expected_date: date | None, reason: str = "") -> ProductionUpdate:
    """Record production progress (跟单): scheduled / in production / done / delayed (with a reason) and the expected date.
    When production first reports 完工 (the order was not done already), QC is told the goods wait for inspection
    (selectors.orders_to_inspect): one notice per QC user, with its e-mail copy in the outbox, in this transaction — a
    second 完工 of the same order tells nobody again."""
    allowed = {s for s in SalesOrder.ProductionStatus.values} - {SalesOrder.ProductionStatus.NOT_PLACED}
    if status not in allowed:
        raise DomainError(_("生产状态不正确。"))
    if status == SalesOrder.ProductionStatus.DELAYED and not (reason or "").strip():
        raise DomainError(_("延误必须填写原因。"))
    with transaction.atomic():
        locked = lock_order(order)
        require_clerk(actor)
        if locked.status not in (SalesOrder.Status.PLACED, SalesOrder.Status.PARTIALLY_SHIPPED):
            raise Conflict(_("订单尚未下单生产或已发完，不能记录生产进度。"))
        update = ProductionUpdate.objects.create(
            order=locked, status=status, expected_date=expected_date, reason=(reason or "").strip()[:300], reported_by=actor
        )
        before = snapshot(locked, ["production_status", "expected_date"])
        newly_done = status == SalesOrder.ProductionStatus.DONE and locked.production_status != status
        locked.production_status = status
        if expected_date:
            locked.expected_date = expected_date
        save_as(locked, actor)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("生产跟单：%(status)s %(reason)s"),
            params={"status": choice(update), "reason": update.reason},
            changes=changes_between(locked, before),
        )
        if newly_done:
            notify(
                recipients=users_with_role(Role.QC),
                title=gettext_lazy("订单 %(number)s 已完工，待检验（%(customer)s）"),
                params={"number": locked.number, "customer": locked.customer.name},
                url=order_url(locked),
            )
    return update


# --- cancel and close -------------------------------------------------------------------------------------------------
def order_cancel(*, order: SalesOrder, actor, reason: str) -> SalesOrder:
    """Cancel an order before anything shipped — or once every good shipped was refused at delivery and received back
    (permissions.may_cancel) — and before any money is allocated to it (a cancelled order's payments would drop out
    of what was collected): finance voids those payments first — and records them again for other orders, or refunds
    them. The reason is kept."""
    reason = required_text(reason, _("请填写取消原因。"))

    def check(o):
        require_clerk(actor)
        if o.shipments.filter(status__in=OPEN_SHIPMENT).exists():
            raise Conflict(_("订单已有出货单，不能取消；请先作废未发出的出货单。"))
        if keeps_goods(o):
            raise Conflict(_("订单的货物已发出，不能取消；客户拒收的货物全部退回入库后才能取消。"))
        paid, refs = _live_allocations(o)
        if paid > 0:
            raise Conflict(
                _(
                    "订单已分配回款 %(paid)s 元（%(refs)s），不能取消。请先由财务在回款页作废这些回款"
                    "（需要时重新登记并分配到其他订单，或退款给客户），再取消订单。"
                )
                % {"paid": money_text(paid), "refs": "、".join(refs)}
            )

    def before(o):
        o.cancel_reason, o.closed_at = reason[:300], timezone.now()

    return transition(
        obj=order,
        action="cancel",
        actor=actor,
        check=check,
        before_save=before,
        text=gettext_noop("取消订单：%(reason)s"),
        params={"reason": reason},
    )


def order_close(*, order: SalesOrder, actor) -> SalesOrder:
    """Close a fully shipped order (clerks)."""
    return transition(
        obj=order, action="close", actor=actor, check=lambda o: require_clerk(actor), before_save=stamp("closed_at")
    )


def order_close_short(*, order: SalesOrder, actor, reason: str) -> SalesOrder:
    """短交关闭 (SPEC.md "Partial shipments and backorders"): a partially shipped order gives up what it still has to ship,
    with a reason — each line's quantity becomes what was shipped and its amount what its shipments were valued at, so
    the order's totals equal what left (receivables, the unshipped amount and the shipped sales agree), and the order is
    fully shipped (it leaves the backorder lists; 关闭订单 follows as for any shipped order). Clerks and managers, with
    no outbound note still open (drafts and released notes are shipped or cancelled first), and never below the money
    allocated to the order. Under the order's lock (the lock shipment_create takes too), then its lines in pk order."""
    reason = required_text(reason, _("请填写短交关闭原因。"))
    with transaction.atomic():
        locked = lock_order(order)
        require_clerk(actor)
        if locked.status != SalesOrder.Status.PARTIALLY_SHIPPED:
            raise Conflict(
                _("只有部分发货的订单可以短交关闭（当前状态：%(status)s）。") % {"status": locked.get_status_display()}
            )
        if locked.needs_reverification:
            raise Conflict(_("订单变更后尚未重新核单，不能短交关闭。"))
        if not keeps_goods(locked):
            raise Conflict(_("订单发出的货物已全部拒收退回，没有可保留的发货；请取消订单。"))
        open_notes = list(locked.shipments.filter(status__in=OPEN_SHIPMENT).order_by("pk").values_list("number", flat=True))
        if open_notes:
            raise Conflict(
                _("订单还有未发出的出货单 %(numbers)s，请先发货或作废后再短交关闭。") % {"numbers": "、".join(open_notes)}
            )
        lines = list(SalesOrderLine.objects.select_for_update().filter(order=locked).order_by("pk"))
        valued = {
            row["order_line"]: row["amount"]
            for row in ShipmentLine.objects.filter(order_line__order=locked, shipment__status__in=CREDITED_SHIPMENTS)
            .values("order_line")
            .annotate(amount=Sum(F("amount_incl") - F("returned_amount")))  # less goods refused and received back
        }
        before = snapshot(locked, ["amount_incl"])
        given_up, changes = [], []
        for line in lines:
            left = line.quantity - line.shipped_quantity
            if left <= 0:
                continue
            given_up.append(f"{line.name} {plain(left)}")
            changes.append(
                {
                    "field": "quantity",
                    "label": f"{line.name}：{gettext_noop('数量')}",  # the source language, as timeline.changes_between
                    "old": plain(line.quantity),
                    "new": plain(line.shipped_quantity),
                }
            )
            line.quantity = line.shipped_quantity
            amount = quantize(valued.get(line.pk) or ZERO)  # each note was rounded on its own
            excl = quantize(amount / (1 + line.tax_rate))
            line.amount_incl, line.amount_excl, line.tax = amount, excl, amount - excl
        SalesOrderLine.objects.bulk_update(lines, ["quantity", "amount_incl", "amount_excl", "tax"])
        set_totals(locked, lines)
        _check_paid_within(locked)
        from_status = locked.status
        locked.close_short()
        save_as(locked, actor)
        record_event(
            target=locked,
            verb=Event.Verb.STATUS,
            actor=actor,
            text=gettext_noop("短交关闭：%(reason)s（放弃未发数量：%(given_up)s）"),
            params={"reason": reason, "given_up": "、".join(given_up)},
            from_status=from_status,
            to_status=locked.status,
            changes=changes + changes_between(locked, before),
        )
    return locked


def order_acknowledge_contract(*, order: SalesOrder, actor) -> SalesOrder:
    """The clerk has checked an open order against the new version of its contract (合同已变更): the contract's current
    version is recorded on the order, so the warning clears; a change the order needs goes through order_update."""
    with transaction.atomic():
        locked = lock_order(order)
        require_clerk(actor)
        if not locked.is_open:
            raise Conflict(_("订单当前状态为“%(status)s”，不能修改。") % {"status": locked.get_status_display()})
        versions = _acknowledge_contract_version(locked)
        if versions is None:
            raise Conflict(_("订单的合同没有新的版本，无需核对。"))
        save_as(locked, actor)
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("已核对合同变更：合同 %(contract)s v%(old)s → v%(new)s"),
            params={"contract": locked.contract.number, "old": versions[0], "new": versions[1]},
        )
    return locked
