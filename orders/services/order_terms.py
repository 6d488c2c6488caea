"""What an order may be priced at and on which payment terms (SPEC.md "Sales order", "Catalog and prices", "Customers").

A direct order (no contract) is priced by the clerk who takes it: a catalog line may go below the catalog price only as
far as the acting user's discount limit (catalog.DiscountLimit, catalog.selectors.discount_limit_for) — or down to the
customer's own price-list price, which the catalog already grants it; a larger discount is agreed through a quotation's
approval (报价审批) and ordered from the contract. An order's payment terms, credit days and deposit are its contract's,
or for a direct order its customer's; only those who set credit terms (customers.services.can_set_credit: managers and
finance) give a direct order others, and an order from a contract never (that is a contract change)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_UP, Decimal

from django.utils.translation import gettext as _

from catalog.rules import needs_higher_approval
from catalog.selectors import discount_limit_for, resolve_price
from customers.services import can_set_credit
from salesops.core.errors import Forbidden
from salesops.core.money import ZERO, money_text, percent_text, quantize

from ..models import SalesOrder, SalesOrderLine

TERM_FIELDS = ("payment_terms", "credit_days", "deposit_amount")
DEPOSIT = "deposit"


# --- prices -----------------------------------------------------------------------------------------------------------
def _price_list_price(order: SalesOrder, line: SalesOrderLine) -> Decimal | None:
    """The customer's price-list price of the line's product (in the order's currency) on the day the order came in,
    for its quantity; None when no price list applies (the catalog price is then the only one)."""
    try:
        resolved = resolve_price(
            product=line.product,
            customer_type=order.customer.type,
            customer_grade=order.customer.grade,
            on_date=order.received_on,
            quantity=line.quantity,
            currency=order.currency,
            exchange_rate=order.exchange_rate,
        )
    except ValueError:
        return None
    return resolved.unit_price if resolved.from_price_list else None


def check_line_discounts(*, order: SalesOrder, lines: Iterable[SalesOrderLine], actor) -> None:
    """Refuse (403) a line of a direct order whose net unit price (after its discount) is further below the catalog
    price than `actor`'s discount limit allows (catalog.rules.needs_higher_approval, exact) and below the customer's
    price-list price. Lines without a catalog price (free lines) and lines taken from a contract (priced by the
    contract, services.orders._check_reprice) are not checked."""
    if order.contract_id:
        return
    limit = None
    for line in lines:
        if line.contract_line_id or line.product_id is None or (line.list_price or ZERO) <= 0:
            continue
        if limit is None:
            limit = discount_limit_for(actor)
        net = line.net_unit_price
        if not needs_higher_approval(list_price=line.list_price, unit_price=net, limit_rate=limit):
            continue
        listed = _price_list_price(order, line)
        if listed is not None and net >= listed:
            continue
        raise Forbidden(
            _(
                "%(name)s：成交单价 %(net)s 比目录价 %(list)s 低 %(discount)s，超出您的折扣权限 %(limit)s。"
                "更大的折扣须先做报价并经报价审批，再由合同下订单。"
            )
            % {
                "name": line.name,
                "net": money_text(net),
                "list": money_text(line.list_price),
                "discount": _over_limit_text((line.list_price - net) / line.list_price, limit),
                "limit": percent_text(limit),
            }
        )


def _over_limit_text(rate: Decimal, limit: Decimal) -> str:
    """A discount beyond `limit` to the hundredth of a percent, or finer when that would read as the limit itself
    (5.0004% is over a 5% limit: "5.0004%", not "5%")."""
    text = percent_text(rate)
    if text == percent_text(limit):
        text = f"{(rate * 100).quantize(Decimal('0.0001'), rounding=ROUND_UP).normalize():f}%"
    return text


# --- payment terms ----------------------------------------------------------------------------------------------------
def _value(name: str, value):
    return SalesOrder._meta.get_field(name).to_python(value)


def terms_of(order: SalesOrder) -> dict:
    """The order's payment terms, credit days and deposit as they stand (to compare after a change)."""
    return {name: _value(name, getattr(order, name)) for name in TERM_FIELDS}


def check_terms(*, order: SalesOrder, actor, before: Mapping) -> None:
    """Refuse (403) payment terms, credit days or a deposit other than `before` — the contract's or customer's on a new
    order, the order's own on a change: an order from a contract never takes others (a contract change), a direct order
    only from those who set credit terms (managers, finance). Equal values pass (a client sending them back is fine)."""
    for name in TERM_FIELDS:  # as the fields read them ("30" -> 30)
        setattr(order, name, _value(name, getattr(order, name)))
    changed = [name for name in TERM_FIELDS if getattr(order, name) != before[name]]
    if not changed or (not order.contract_id and _customers_terms(order)):
        return  # nothing changed, or a direct order put back on its customer's own terms
    labels = "、".join(str(SalesOrder._meta.get_field(name).verbose_name) for name in changed)
    if order.contract_id:
        raise Forbidden(
            _("由合同生成的订单按合同的付款条件执行，不能修改（%(fields)s）；如需调整请提交合同变更申请。") % {"fields": labels}
        )
    if not can_set_credit(actor):
        raise Forbidden(
            _("订单的付款方式、账期和定金取自客户档案，只有经理或财务可以另行约定（%(fields)s）。") % {"fields": labels}
        )


def _customers_terms(order: SalesOrder) -> bool:
    """Whether a direct order is on exactly its customer's terms: its payment terms and credit days, and for deposit
    terms the customer's deposit rate of the order's amount (what order_create gives it)."""
    customer = order.customer
    deposit = quantize(order.amount_incl * customer.deposit_rate) if customer.payment_terms == DEPOSIT else ZERO
    return (order.payment_terms, order.credit_days, order.deposit_amount) == (
        customer.payment_terms,
        customer.credit_days,
        deposit,
    )


def _deposit_rate(order: SalesOrder) -> Decimal | None:
    """The rate an order on deposit terms takes its deposit at: its contract's, or for a direct order its customer's."""
    source = order.contract if order.contract_id else order.customer
    if order.payment_terms != DEPOSIT or source.payment_terms != DEPOSIT:
        return None
    return source.deposit_rate


def deposit_follows_amount(order: SalesOrder, *, old_amount: Decimal) -> None:
    """Lines changed: a deposit taken at the contract's (customer's) rate of the old amount is taken at it of the new
    one; a deposit agreed otherwise (by a manager or finance) stays as it was."""
    rate = _deposit_rate(order)
    if rate is not None and order.deposit_amount == quantize(old_amount * rate):
        order.deposit_amount = quantize(order.amount_incl * rate)
