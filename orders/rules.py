"""The rules of the inside-sales procedure (SPEC.md "Sales order", "Inspection", "Shipment", "Invoices and payments"),
as pure functions: no database, no request — orders.services and orders.selectors gather the facts and call these.

- Verification (核单): which checklist items must be confirmed with whom (rep, customer, production).
- Payment gate: what must be paid and confirmed by finance before goods leave, by payment terms, and the customer's
  credit limit against what it owes (a credit exception opens either).
- Production risk: a promised ship date at risk (expected later than promised, or no progress shortly before it).
- Receivables: aging buckets and collection rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from contracts.rules import TIER_MANAGER, TIER_VP, TIERS, own_tier
from salesops.core.approvals import StepSpec
from salesops.core.money import ZERO, line_amounts, money_text, quantize


def net_amount(line, quantity) -> Decimal:
    """Tax-inclusive amount of `quantity` units of an order line at its discounted price (rounded to the fen)."""
    return line_amounts(
        quantity=quantity, unit_price_incl=line.unit_price, tax_rate=line.tax_rate, discount_rate=line.discount_rate
    ).amount_incl


def signed_value(note_line, order_line) -> Decimal:
    """The value of what the customer signed for of an outbound note's line (what may be invoiced for it,
    order_invoiceable_amount): the note line's amount when all of it was signed for — the last note of an order line
    holds the line's remainder — else its signed quantity at the line's price, never above the note line's amount. So
    what may be invoiced adds up, note by note, to what is owed for the notes: 1 of 3 units signed on each of two notes
    at 0.665 is 0.67 + 0.67, never the 1.33 of 2 units priced at once."""
    if note_line.delivered_quantity >= note_line.quantity:
        return note_line.amount_incl
    return min(net_amount(order_line, note_line.delivered_quantity), note_line.amount_incl)


def refused_back_value(note_line, order_line, returned: Decimal) -> Decimal:
    """The value of the goods of an outbound note's line refused at delivery and received back so far (拒收退回入库,
    `returned` of its refused quantity; ShipmentLine.returned_amount). Once all that was refused is back: the note line's
    amount less the value of what was signed for (signed_value, what order_invoiceable_amount counts), so what stays on
    the note is exactly what may be invoiced for it — the two never differ by a fen from rounding each on its own (as the
    last note of an order line takes the line's remainder). Before that: their quantity at the line's price, never
    above that."""
    refused = note_line.amount_incl - signed_value(note_line, order_line)
    if returned >= note_line.refused_quantity:
        return refused
    return min(net_amount(order_line, returned), refused)


# --- shipment ---------------------------------------------------------------------------------------------------------
def passed_lots(inspections: Iterable) -> dict[int, str]:
    """The batch number (批号) an outbound note prefills per order line: the lot of the line's latest passed inspection
    (by record time, then id); a line without a passed inspection has none."""
    latest: dict[int, tuple] = {}
    for inspection in inspections:
        if inspection.result != "pass" or not inspection.lot_no:
            continue
        key = (inspection.created_at, inspection.pk)
        if inspection.line_id not in latest or key > latest[inspection.line_id][0]:
            latest[inspection.line_id] = (key, inspection.lot_no)
    return {line_id: lot for line_id, (_key, lot) in latest.items()}


# --- invoices ---------------------------------------------------------------------------------------------------------
# an order priced without tax was agreed without an invoice (services.invoice_request refuses it, the request page says so)
UNTAXED_NO_INVOICE = _("订单单价不含税，约定不开票；如客户要开票，请先把订单改为单价含税并重新核单。")


def invoice_refusal(*, prices_include_tax: bool, room: Decimal, delivered: Decimal, invoiced: Decimal) -> str:
    """Why no invoice can be requested for an order now ("" when one can): a price without tax was agreed without an
    invoice, and nothing is invoiced beyond what was signed for less credit notes and earlier invoices (`room`,
    selectors.order_invoiceable_amount — services.invoice_request refuses any amount above it)."""
    if not prices_include_tax:
        return str(UNTAXED_NO_INVOICE)
    if room <= 0:
        return str(
            _("没有可开票的金额：已签收 %(delivered)s 元，已开票 %(invoiced)s 元；货物签收后才能申请开票。")
            % {"delivered": money_text(delivered), "invoiced": money_text(invoiced)}
        )
    return ""


# --- verification checklist -------------------------------------------------------------------------------------------
REP, CUSTOMER, PRODUCTION = "rep", "customer", "production"
PARTY_LABELS = {REP: _("业务员"), CUSTOMER: _("客户"), PRODUCTION: _("生产")}


@dataclass(frozen=True)
class CheckItem:
    code: str
    label: str
    parties: frozenset[str]  # with whom it must be confirmed


CHECK_ITEMS: tuple[CheckItem, ...] = (
    CheckItem("customer_name", _("客户名称"), frozenset({REP})),
    CheckItem("project_name", _("项目名称"), frozenset({REP})),
    CheckItem("spec", _("规格型号"), frozenset({CUSTOMER, PRODUCTION})),
    CheckItem("quantity", _("数量"), frozenset({CUSTOMER})),
    CheckItem("unit_price", _("单价(含税与否、发票抬头)"), frozenset({REP})),
    CheckItem("amount", _("金额"), frozenset({REP})),
    CheckItem("deposit", _("定金"), frozenset({REP})),
    CheckItem("contract", _("合同"), frozenset({REP})),
    CheckItem("ship_to", _("收货地址"), frozenset({CUSTOMER})),
    CheckItem("consignee", _("收货人"), frozenset({CUSTOMER})),
    CheckItem("contact", _("联系人"), frozenset({CUSTOMER})),
    CheckItem("attribution", _("业绩归属"), frozenset({REP})),
    CheckItem("promised_date", _("承诺发货日期"), frozenset({REP, PRODUCTION})),
)
CHECK_CODES = tuple(item.code for item in CHECK_ITEMS)


def check_label(code: str) -> str:
    return str(next((i.label for i in CHECK_ITEMS if i.code == code), code))


def missing_confirmations(confirmed: Mapping[str, Iterable[str]]) -> list[str]:
    """The checklist items not yet confirmed with every party they need, as "数量（客户）" labels; empty = verified."""
    missing = []
    for item in CHECK_ITEMS:
        lacking = item.parties - set(confirmed.get(item.code, ()))
        if lacking:
            parties = "、".join(str(PARTY_LABELS[p]) for p in sorted(lacking))
            missing.append(f"{item.label}（{parties}）")
    return missing


def verification_overdue(*, received_on: date, verified: bool, today: date) -> bool:
    """An order must be verified the day it was received; from the next day on it is overdue."""
    return not verified and received_on < today


# Production should be done this many days before the promised ship date (inspection and packing).
PRODUCTION_BEFORE_SHIP_DAYS = 2


def default_requested_date(*, promised_ship_date: date | None, today: date) -> date:
    """The date placement (下单生产) proposes for production to be done: PRODUCTION_BEFORE_SHIP_DAYS before the promised
    ship date, never before today; today when no ship date was promised."""
    if promised_ship_date is None:
        return today
    return max(today, promised_ship_date - timedelta(days=PRODUCTION_BEFORE_SHIP_DAYS))


# --- payment gate -----------------------------------------------------------------------------------------------------
def due_before_shipment(*, payment_terms: str, order_amount: Decimal, deposit_amount: Decimal) -> Decimal:
    """What must be paid (and confirmed by finance) before any goods of the order leave:
    款到发货 the whole order, 定金+余款 the deposit, 信用账期 nothing."""
    if payment_terms == "prepaid":
        return order_amount
    if payment_terms == "deposit":
        return min(deposit_amount, order_amount)
    return ZERO


@dataclass(frozen=True)
class Credit:
    """The credit check of the gate (SPEC.md "Customers": credit limit; "Shipment": released only after … an approved
    credit exception), in CNY: the customer's credit limit, what it already owes for goods shipped (its open
    receivables, orders.receivables), what the order's notes not yet shipped add to that (credit_added) and the order's
    approved credit exceptions. Only for a customer with a limit whose notes add something."""

    limit: Decimal
    owed: Decimal
    adds: Decimal
    exception: Decimal = ZERO

    @property
    def over(self) -> Decimal:
        """By how much the customer would owe more than its limit once the notes ship."""
        return self.owed + self.adds - self.limit

    @property
    def shortfall(self) -> Decimal:
        """What is over the limit and not covered by an approved credit exception (≤ 0: within the limit)."""
        return self.over - self.exception


def credit_added(*, shipped: Decimal, unshipped: Decimal, settled: Decimal) -> Decimal:
    """What an order's notes not yet shipped (`unshipped`) add to what the customer owes: the order's open receivable
    after they ship less the one before — the order's confirmed payments and credit notes (`settled`) not used by the
    goods already `shipped` cover them first (a prepaid order adds nothing)."""
    return max(shipped + unshipped - settled, ZERO) - max(shipped - settled, ZERO)


@dataclass(frozen=True)
class Gate:
    open: bool
    due: Decimal
    paid: Decimal
    exception: Decimal
    reason: str = ""
    credit: Credit | None = None


GATE_UNBLOCKERS = _("财务确认到账（财务），或申请信用放行并经销售部经理和财务批准。")


def _exception_text(amount: Decimal) -> str:
    return str(_("、已批准信用放行 %(amount)s 元") % {"amount": money_text(amount)}) if amount else ""


def shipment_gate(*, due: Decimal, confirmed_paid: Decimal, approved_exception: Decimal, credit: Credit | None = None) -> Gate:
    """The shipment may be released when confirmed payments plus an approved credit exception cover what is due, and —
    for a customer with a credit limit (`credit`) — what it owes plus what the order's notes add stays within the limit
    raised by the order's approved credit exceptions (both in CNY)."""
    shortfall = due - confirmed_paid - approved_exception
    over_limit = credit is not None and credit.limit > 0 and credit.adds > 0 and credit.shortfall > 0
    if shortfall <= 0 and not over_limit:
        return Gate(True, due, confirmed_paid, approved_exception, credit=credit)
    reasons = []
    if shortfall > 0:
        reasons.append(
            str(
                _("发货前应付 %(due)s 元，财务已确认到账 %(paid)s 元%(exc)s，尚差 %(short)s 元。")
                % {
                    "due": money_text(due),
                    "paid": money_text(confirmed_paid),
                    "exc": _exception_text(approved_exception),
                    "short": money_text(shortfall),
                }
            )
        )
    if over_limit:
        reasons.append(
            str(
                _(
                    "超出信用额度：信用额度 %(limit)s 元，客户已欠货款 %(owed)s 元，本次出货 %(adds)s 元，"
                    "超出额度 %(over)s 元%(exc)s。"
                )
                % {
                    "limit": money_text(credit.limit),
                    "owed": money_text(credit.owed),
                    "adds": money_text(credit.adds),
                    "over": money_text(credit.over),
                    "exc": _exception_text(credit.exception),
                }
            )
        )
    return Gate(False, due, confirmed_paid, approved_exception, " ".join(reasons), credit)


def credit_exception_room(gate: Gate, *, exchange_rate: Decimal) -> Decimal:
    """What holds a closed gate, in the order's currency — the most a credit exception (信用放行) may be asked for: the
    payment due before shipment not covered by confirmed payments and approved exceptions, and for a credit-limit hold
    what is over the limit and not covered (Credit.shortfall, CNY, at the order's `exchange_rate`, up to the fen) —
    the larger of the two, as one approved amount counts against both (shipment_gate). 0 when the gate is open."""
    if gate.open:
        return ZERO
    due = gate.due - gate.paid - gate.exception
    credit = gate.credit
    over = ZERO
    if credit is not None and credit.limit > 0 and credit.adds > 0 and credit.shortfall > 0:
        over = (credit.shortfall / (exchange_rate or Decimal(1))).quantize(Decimal("0.01"), rounding=ROUND_UP)
    return max(due, over, ZERO)


def order_credit_warning(*, limit: Decimal, owed: Decimal, adds: Decimal) -> str:
    """At verification (核单) of a direct order: a warning (not a refusal) when what the customer owes plus what the
    order adds (credit_added over the whole order, CNY) is over its credit limit; "" within it or without a limit."""
    if not limit or limit <= 0 or adds <= 0 or owed + adds <= limit:
        return ""
    return str(
        _(
            "信用额度提醒：信用额度 %(limit)s 元，客户已欠货款 %(owed)s 元，本订单 %(adds)s 元，将超出额度 %(over)s 元；"
            "发货前需财务确认回款或信用放行。"
        )
        % {
            "limit": money_text(limit),
            "owed": money_text(owed),
            "adds": money_text(adds),
            "over": money_text(owed + adds - limit),
        }
    )


# --- who approves a request on an order ---------------------------------------------------------------------------------
WHY_MANAGER_OWN = gettext_noop("申请人是销售部经理，本人不能审批，报销售副总审批")
WHY_VP_OWN = gettext_noop("申请人是销售副总，本人不能审批，报总经理审批")


def sales_approval_step(*, requester_roles: Iterable[str], code: str, label, stage: int, reason: str) -> StepSpec:
    """The sales head's step of a request on an order (credit exception, emergency release): the sales manager (`code`,
    `label`, `reason`). Nobody approves their own request (salesops.core.approvals), so the request of someone holding an
    approval tier goes to the tier above theirs — a sales manager's own to the VP, a VP's own to the GM — as a manager's
    own quotation or contract does (contracts.rules.tier_steps, own_tier). The GM has no tier above: their own request
    stays with the sales manager, who is not its requester."""
    level = own_tier(requester_roles) + 1
    if level == TIER_MANAGER or level >= len(TIERS):
        return StepSpec(code=code, label=label, stage=stage, role=TIERS[TIER_MANAGER].role, reason=reason)
    tier = TIERS[level]
    return StepSpec(
        code=tier.code,
        label=tier.label,
        stage=stage,
        role=tier.role,
        reason=WHY_MANAGER_OWN if level == TIER_VP else WHY_VP_OWN,
    )


# --- production risk --------------------------------------------------------------------------------------------------
def production_risk(
    *, promised: date | None, expected: date | None, last_progress: date | None, today: date, warn_days: int, done: bool
) -> str:
    """Why the promised ship date is at risk ("" if it is not): the expected completion is later than promised, or there
    has been no progress report in the `warn_days` before the promised date (or since it passed)."""
    if promised is None or done:
        return ""
    if expected is not None and expected > promised:
        return str(_("预计完工 %(expected)s 晚于承诺发货 %(promised)s") % {"expected": expected, "promised": promised})
    window_start = promised - timedelta(days=warn_days)
    if today >= window_start and (last_progress is None or last_progress < window_start):
        return str(_("承诺发货日 %(promised)s 前 %(days)d 天内没有生产进度") % {"promised": promised, "days": warn_days})
    return ""


# --- receivables ------------------------------------------------------------------------------------------------------
AGING_BUCKETS = (
    ("0_30", _("0–30 天"), 0, 30),
    ("31_60", _("31–60 天"), 31, 60),
    ("61_90", _("61–90 天"), 61, 90),
    ("90_plus", _(">90 天"), 91, None),
)
AGING_CODES = tuple(code for code, *_rest in AGING_BUCKETS)


def aging_bucket(days: int) -> str:
    for code, _label, low, high in AGING_BUCKETS:
        if days >= low and (high is None or days <= high):
            return code
    return AGING_BUCKETS[0][0]


def collection_rate(*, collected: Decimal, receivable: Decimal) -> Decimal | None:
    """Collected / (collected + still receivable), 4 places; None with nothing to collect."""
    total = collected + receivable
    if total <= 0:
        return None
    return quantize(collected / total, Decimal("0.0001"))


def fifo_open_items(charges: Iterable[tuple[date, Decimal]], paid: Decimal) -> list[tuple[date, Decimal]]:
    """Apply `paid` to the oldest charges first; what is left of each charge, oldest first (the open receivable items)."""
    left = paid
    open_items = []
    for day, amount in sorted(charges, key=lambda c: c[0]):
        used = min(left, amount)
        left -= used
        if amount - used > 0:
            open_items.append((day, amount - used))
    return open_items


# --- the order's stage bar ------------------------------------------------------------------------------------------
STAGES = (
    ("received", _("接单")),
    ("verified", _("核单")),
    ("placed", _("下单")),
    ("inspected", _("检验")),
    ("shipped", _("发货")),
    ("delivered", _("签收")),
    ("invoiced", _("开票")),
    ("paid", _("回款")),
)
DONE, PARTIAL, NOT_YET, SKIPPED = "done", "partial", "not_yet", "skipped"


def _share(got: Decimal, whole: Decimal) -> str:
    return DONE if whole > 0 and got >= whole else PARTIAL if got > 0 else NOT_YET


def order_stages(
    *,
    verified: bool,
    placed: bool,
    quantity: Decimal,
    inspected: Decimal,
    shipped: Decimal,
    delivered: Decimal,
    amount: Decimal,
    invoiced: Decimal,
    paid: Decimal,
    credited: Decimal = Decimal(0),
    invoiced_at_all: bool = True,
) -> list[tuple[str, str, str]]:
    """(code, label, done/partial/not_yet) for 接单 → 核单 → 下单 → 检验 → 发货 → 签收 → 开票 → 回款. Quantities are the order's
    totals (passed + released for inspected); amounts tax-inclusive; paid counts confirmed money and credit notes. What
    is invoiced is measured against the amount less the credit notes (refunded goods are not invoiced); an order priced
    without tax is not invoiced at all (skipped)."""
    states = {
        "received": DONE,
        "verified": DONE if verified else NOT_YET,
        "placed": DONE if placed else NOT_YET,
        "inspected": _share(inspected, quantity),
        "shipped": _share(shipped, quantity),
        "delivered": _share(delivered, quantity),
        "invoiced": _share(invoiced, amount - credited) if invoiced_at_all else SKIPPED,
        "paid": _share(paid, amount),
    }
    return [(code, label, states[code]) for code, label in STAGES]
