"""The rules of quotation review and contract review (SPEC.md "Quotation", "Contract and its review"), as pure functions.

No database, no request: selectors.py gathers the facts (thresholds, discount limits, customer credit, product data),
selectors, permissions and the services call these; tests/contracts/test_rules.py checks each rule alone and combined.

- Who may quote: sales clerks, managers and above, and reps explicitly granted the right (StaffProfile.may_quote).
- Quotation route: the sales head reviews every quotation; a price further below list than the submitter's discount
  limit, or a total above the VP / GM amount, adds the tiers whose limit covers it.
- Contract classification: general (一般合同) or special (特殊合同) — special when any rule below fires.
- Contract route: (deviation from the accepted quotation → sales head confirms first) → special: the required departments
  review in parallel → sales manager → VP (above the VP amount) → GM (every special contract, or above the GM amount).
- Change requests: only the departments affected by the changed fields re-review, then the sales manager.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from catalog.rules import needs_higher_approval
from salesops.core.approvals import StepSpec
from salesops.core.models import Department
from salesops.core.money import plain
from salesops.core.roles import MANAGER_ROLES, Role

BASE_CURRENCY = "CNY"

# --- who may quote ----------------------------------------------------------------------------------------------------
QUOTING_ROLES = frozenset({Role.SALES_CLERK, *MANAGER_ROLES})


def may_quote(*, roles: Iterable[str], granted: bool) -> bool:
    """Sales clerks, managers and above may quote; a rep (or team lead) only when explicitly granted (SPEC.md "Quotation")."""
    return bool(QUOTING_ROLES & set(roles)) or granted


# --- approval tiers -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tier:
    role: str
    stage: int
    code: str
    label: str


TIERS: tuple[Tier, ...] = (
    Tier(Role.SALES_MANAGER, 10, "sales_manager", _("销售负责人审批")),
    Tier(Role.SALES_VP, 20, "sales_vp", _("销售副总审批")),
    Tier(Role.GM, 30, "gm", _("总经理审批")),
)
TIER_MANAGER, TIER_VP, TIER_GM = 0, 1, 2


def own_tier(roles: Iterable[str]) -> int:
    """The highest approval tier the submitter holds (-1 for none; admins count as none — they administer, not approve)."""
    roles = set(roles)
    level = -1
    for index, tier in enumerate(TIERS):
        if tier.role in roles:
            level = index
    return level


# Why a route reaches a tier (stored on the step as msgid + parameters, shown in the reader's language).
WHY_ALWAYS = gettext_noop("每份单据都由销售负责人审核")
WHY_AMOUNT = gettext_noop("金额 %(amount)s 元超过 %(limit)s 元")
WHY_DISCOUNT = gettext_noop("折扣超出下一级的审批权限")
WHY_SPECIAL_GM = gettext_noop("特殊合同须总经理批准")
WHY_SPECIAL_VP = gettext_noop("特殊合同逐级报总经理批准，先经销售副总审批")
WHY_SPECIAL_REVIEW = gettext_noop("特殊合同须经相关部门评审")
WHY_DEVIATION = gettext_noop("合同与已接受的报价单不一致")
WHY_SECOND_EYES = gettext_noop("经理提出的变更须另一人审批")
WHY_CHANGE_REVIEW = gettext_noop("变更涉及本部门")


def tier_steps(
    required: int, *, submitter_roles: Iterable[str], why: Mapping[int, tuple[str, dict]] | None = None
) -> list[StepSpec]:
    """The tier steps from the sales manager up to `required`, without those at or below the submitter's own tier
    (a sales manager's own quotation goes straight to the VP if it needs one; a manager cannot approve their own work).
    `why` maps a tier to the reason the route reaches it; the manager tier's default reason is that it always does."""
    why = {TIER_MANAGER: (WHY_ALWAYS, {}), **(why or {})}
    start = own_tier(submitter_roles) + 1
    steps = []
    for index in range(start, required + 1):
        t = TIERS[index]
        reason, params = why.get(index, (WHY_ALWAYS, {}))
        steps.append(StepSpec(code=t.code, label=t.label, stage=t.stage, role=t.role, reason=reason, reason_params=params))
    return steps


def amount_reasons(amount, *, vp_amount, gm_amount) -> dict[int, tuple[str, dict]]:
    """The tiers an amount reaches, each with its reason (for tier_steps)."""
    out = {}
    for tier, limit in ((TIER_VP, vp_amount), (TIER_GM, gm_amount)):
        if amount > limit:
            out[tier] = (WHY_AMOUNT, {"amount": f"{Decimal(amount):,.2f}", "limit": f"{Decimal(limit):,.2f}"})
    return out


def amount_tier(amount, *, vp_amount, gm_amount) -> int:
    """TIER_GM above the GM amount, TIER_VP above the VP amount, else TIER_MANAGER (amounts strictly above)."""
    if amount > gm_amount:
        return TIER_GM
    if amount > vp_amount:
        return TIER_VP
    return TIER_MANAGER


# --- quotations -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PricedLine:
    name: str
    list_price: Decimal
    net_unit_price: Decimal  # tax-inclusive unit price after the line discount


def discount_tier(lines: Iterable[PricedLine], *, submitter_limit, tier_limits: Mapping[str, Decimal]) -> int:
    """The tier whose discount limit covers every line (TIER_MANAGER when the submitter's own limit does).

    `tier_limits` maps a tier role to its limit (0.15 = 15 % below list). Beyond every limit: TIER_GM.
    """
    lines = list(lines)

    def covered(limit) -> bool:
        return not any(
            needs_higher_approval(list_price=ln.list_price, unit_price=ln.net_unit_price, limit_rate=limit) for ln in lines
        )

    if covered(submitter_limit):
        return TIER_MANAGER
    for index, tier in enumerate(TIERS):
        if covered(tier_limits.get(tier.role, Decimal(0))):
            return index
    return TIER_GM


def quotation_route(
    *, lines: Iterable[PricedLine], amount_cny, submitter_roles, submitter_limit, tier_limits, vp_amount, gm_amount
) -> list[StepSpec]:
    """The review route of a quotation: the sales head always, the VP / GM when the discount or the amount needs them.

    Empty when the submitter is already at or above every tier needed (e.g. the GM quoting): approved on submission.
    """
    by_discount = discount_tier(lines, submitter_limit=submitter_limit, tier_limits=tier_limits)
    required = max(by_discount, amount_tier(amount_cny, vp_amount=vp_amount, gm_amount=gm_amount))
    why = discount_reasons(by_discount)
    why.update(amount_reasons(amount_cny, vp_amount=vp_amount, gm_amount=gm_amount))
    return tier_steps(required, submitter_roles=submitter_roles, why=why)


def discount_reasons(by_discount: int) -> dict[int, tuple[str, dict]]:
    """The tiers above the manager a discount reaches (discount_tier), each with its reason (for tier_steps)."""
    return {tier: (WHY_DISCOUNT, {}) for tier in range(TIER_VP, by_discount + 1)}


# --- contract classification ------------------------------------------------------------------------------------------
class Reason:
    NEW_PRODUCT = "new_product"
    OVER_CAPACITY = "over_capacity"
    BEYOND_TECHNICAL = "beyond_technical"
    NEW_CUSTOMER_CREDIT = "new_customer_credit"
    CREDIT_EXCEEDED = "credit_exceeded"
    FOREIGN_CURRENCY = "foreign_currency"
    LOW_MARGIN = "low_margin"
    CUSTOMER_MATERIALS = "customer_materials"
    MANUAL = "manual"


REASON_LABELS = {
    Reason.NEW_PRODUCT: _("新产品开发/定制品未生产过"),
    Reason.OVER_CAPACITY: _("超出生产能力"),
    Reason.BEYOND_TECHNICAL: _("超出技术能力/标准"),
    Reason.NEW_CUSTOMER_CREDIT: _("回款风险：客户无信用额度却要求账期"),
    Reason.CREDIT_EXCEEDED: _("回款风险：超出信用额度"),
    Reason.FOREIGN_CURRENCY: _("回款风险：外币收汇"),
    Reason.LOW_MARGIN: _("毛利低于正常毛利率"),
    Reason.CUSTOMER_MATERIALS: _("客户提供材料"),
    Reason.MANUAL: _("经理手动升级为特殊合同"),
}

# Which departments review a special contract for each reason — the defaults seeded into SpecialReviewRule (editable).
DEFAULT_REVIEW_DEPARTMENTS: dict[str, list[str]] = {
    Reason.NEW_PRODUCT: ["technical", "production", "quality"],
    Reason.OVER_CAPACITY: ["production", "procurement"],
    Reason.BEYOND_TECHNICAL: ["technical", "quality"],
    Reason.NEW_CUSTOMER_CREDIT: ["finance"],
    Reason.CREDIT_EXCEEDED: ["finance"],
    Reason.FOREIGN_CURRENCY: ["finance"],
    Reason.LOW_MARGIN: ["finance"],
    Reason.CUSTOMER_MATERIALS: ["procurement", "quality", "warehouse"],
    Reason.MANUAL: ["technical", "production", "quality", "procurement", "finance", "warehouse"],
}
REVIEW_DEPARTMENTS = ("technical", "production", "quality", "procurement", "finance", "warehouse")
REVIEWER_ROLE = {code: f"reviewer_{code}" for code in REVIEW_DEPARTMENTS}
# the name of each department's review step, one sentence each so that it is stored as its msgid (approvals)
REVIEW_STEP_LABELS = {
    "technical": _("技术部评审"),
    "production": _("生产部评审"),
    "quality": _("质检部评审"),
    "procurement": _("采购部评审"),
    "finance": _("财务部评审"),
    "warehouse": _("仓库评审"),
}


def reason_label(code: str) -> str:
    return str(REASON_LABELS.get(code, code))


def department_label(code: str) -> str:
    return str(dict(Department.Code.choices).get(code, code))


@dataclass(frozen=True)
class LineFacts:
    name: str
    quantity: Decimal
    is_custom_line: bool = False  # a free line without a catalog product, or a custom product
    is_service: bool = False  # a free line marked as a service or fee (服务/费用项): nothing is produced for it
    ever_produced: bool = True
    monthly_capacity: Decimal | None = None  # None or 0 = no limit known
    product_key: object = None  # lines of the same product count together against its capacity


@dataclass(frozen=True)
class ContractFacts:
    lines: tuple[LineFacts, ...]
    amount_incl: Decimal  # in the contract currency
    amount_cny: Decimal
    cost_total: Decimal  # tax-inclusive cost in CNY (standard costs, costs entered by managers); 0 = unknown
    currency: str = BASE_CURRENCY
    payment_terms: str = "prepaid"
    customer_has_credit: bool = False  # the customer has credit terms and a credit limit
    credit_limit: Decimal = Decimal(0)
    open_exposure: Decimal = Decimal(0)  # the customer's other open (approved, signed, active) contracts, CNY
    normal_margin_rate: Decimal = Decimal("0.20")
    beyond_technical_capability: bool = False
    customer_supplied_materials: bool = False


@dataclass(frozen=True)
class Finding:
    code: str
    detail: str = ""

    @property
    def label(self) -> str:
        return reason_label(self.code)


def classify(facts: ContractFacts) -> list[Finding]:
    """Every rule that makes the contract special, with what fired it; empty = general contract."""
    found: list[Finding] = []
    new_lines = [ln.name for ln in facts.lines if ln.is_custom_line and not ln.ever_produced and not ln.is_service]
    if new_lines:
        found.append(Finding(Reason.NEW_PRODUCT, "、".join(new_lines)))

    per_product: dict[object, tuple[str, Decimal, Decimal]] = {}
    for ln in facts.lines:
        if ln.monthly_capacity and ln.product_key is not None:
            name, qty, cap = per_product.get(ln.product_key, (ln.name, Decimal(0), ln.monthly_capacity))
            per_product[ln.product_key] = (name, qty + ln.quantity, cap)
    over = [
        str(_("%(name)s 数量 %(qty)s > 月产能 %(cap)s") % {"name": name, "qty": _num(qty), "cap": _num(cap)})
        for name, qty, cap in per_product.values()
        if qty > cap
    ]
    if over:
        found.append(Finding(Reason.OVER_CAPACITY, "；".join(over)))

    if facts.beyond_technical_capability:
        found.append(Finding(Reason.BEYOND_TECHNICAL))

    if facts.payment_terms == "credit":
        if not facts.customer_has_credit:
            found.append(Finding(Reason.NEW_CUSTOMER_CREDIT))
        elif facts.open_exposure + facts.amount_cny > facts.credit_limit:
            found.append(
                Finding(
                    Reason.CREDIT_EXCEEDED,
                    str(
                        _("未完成合同 %(open)s + 本合同 %(amount)s > 信用额度 %(limit)s")
                        % {"open": facts.open_exposure, "amount": facts.amount_cny, "limit": facts.credit_limit}
                    ),
                )
            )
    if facts.currency != BASE_CURRENCY:
        found.append(Finding(Reason.FOREIGN_CURRENCY, facts.currency))

    margin = margin_rate(facts.amount_cny, facts.cost_total)  # both in CNY, whatever the contract's currency
    if margin is not None and margin < facts.normal_margin_rate:
        found.append(
            Finding(
                Reason.LOW_MARGIN,
                str(_("毛利率 %(margin)s%% < %(normal)s%%") % {"margin": _pct(margin), "normal": _pct(facts.normal_margin_rate)}),
            )
        )
    if facts.customer_supplied_materials:
        found.append(Finding(Reason.CUSTOMER_MATERIALS))
    return found


def margin_rate(amount, cost) -> Decimal | None:
    """(amount − cost) / amount, exact (compared unrounded); None when the amount or the cost is unknown (0)."""
    if not amount or not cost:
        return None
    return (amount - cost) / amount


def review_departments(reasons: Iterable[str], rules: Mapping[str, list[str]]) -> list[str]:
    """The departments that review a special contract with these reasons, in the usual order of the review form."""
    wanted = set()
    for reason in reasons:
        wanted.update(rules.get(reason, DEFAULT_REVIEW_DEPARTMENTS.get(reason, [])))
    return [code for code in REVIEW_DEPARTMENTS if code in wanted]


# --- contract route -----------------------------------------------------------------------------------------------------
DEVIATION_STEP = "quotation_deviation"
REVIEW_STAGE = 5


def department_steps(departments: Iterable[str], *, stage: int = REVIEW_STAGE, why: str = WHY_SPECIAL_REVIEW) -> list[StepSpec]:
    return [
        StepSpec(
            code=f"review_{code}",
            label=REVIEW_STEP_LABELS[code],
            stage=stage,
            role=REVIEWER_ROLE[code],
            department=code,
            reason=why,
        )
        for code in departments
    ]


def contract_route(
    *, special: bool, departments: Iterable[str], amount_cny, submitter_roles, vp_amount, gm_amount, deviates: bool
) -> list[StepSpec]:
    """The review and approval route of a contract.

    - differs from its accepted quotation → the sales head re-confirms first (stage 1), unless the submitter is one;
    - special → the required departments review in parallel (stage 5);
    - then sales manager (10) → VP above the VP amount (20) → GM for every special contract or above the GM amount (30),
      without the tiers at or below the submitter's own.
    """
    submitter_roles = set(submitter_roles)
    steps: list[StepSpec] = []
    if deviates and own_tier(submitter_roles) < TIER_MANAGER:
        steps.append(
            StepSpec(
                code=DEVIATION_STEP,
                label=_("销售负责人确认与报价的差异"),
                stage=1,
                role=Role.SALES_MANAGER,
                reason=WHY_DEVIATION,
            )
        )
    if special:
        steps += department_steps(departments)
    required = amount_tier(amount_cny, vp_amount=vp_amount, gm_amount=gm_amount)
    why = amount_reasons(amount_cny, vp_amount=vp_amount, gm_amount=gm_amount)
    if special:
        required = special_chain(why)
    return steps + tier_steps(required, submitter_roles=submitter_roles, why=why)


def special_chain(why: dict[int, tuple[str, dict]]) -> int:
    """A special contract goes up to the GM (every one), by way of the VP: adds their reasons to `why`, returns TIER_GM."""
    why[TIER_GM] = (WHY_SPECIAL_GM, {})
    why.setdefault(TIER_VP, (WHY_SPECIAL_VP, {}))  # below the VP amount the VP is on the way to the GM
    return TIER_GM


# --- differences from the accepted quotation --------------------------------------------------------------------------
LINE_COMPARED = {"quantity": _("数量"), "unit_price": _("含税单价"), "discount_rate": _("折扣率"), "tax_rate": _("税率")}
TERMS_COMPARED = {
    "currency": _("币种"),
    "payment_terms": _("付款方式"),
    "payment_terms_text": _("付款条件说明"),
    "delivery_terms": _("交货条件"),
}


@dataclass
class Difference:
    where: str
    field: str
    quoted: str
    contracted: str


def quotation_differences(
    *, quoted_terms: Mapping, contract_terms: Mapping, quoted_lines: Mapping, contract_lines: Iterable[Mapping]
) -> list[Difference]:
    """Every difference between a contract and the quotation it came from: terms, line values, lines added or removed.

    `quoted_lines` maps a quotation line id to {"name", quantity, unit_price, …}; each contract line has "quotation_line"
    (the id it was copied from, or None) and the same keys.
    """
    out: list[Difference] = []
    for key, label in TERMS_COMPARED.items():
        if str(quoted_terms.get(key, "")) != str(contract_terms.get(key, "")):
            out.append(
                Difference(str(_("合同条款")), str(label), str(quoted_terms.get(key, "")), str(contract_terms.get(key, "")))
            )
    seen = set()
    for line in contract_lines:
        source = quoted_lines.get(line.get("quotation_line"))
        if source is None:
            out.append(Difference(line["name"], str(_("新增明细")), "", _num(line["quantity"])))
            continue
        seen.add(line["quotation_line"])
        for key, label in LINE_COMPARED.items():
            if Decimal(str(source[key])) != Decimal(str(line[key])):
                out.append(Difference(line["name"], str(label), _num(source[key]), _num(line[key])))
    for line_id, source in quoted_lines.items():
        if line_id not in seen:
            out.append(Difference(source["name"], str(_("删除明细")), _num(source["quantity"]), ""))
    return out


# --- signing ----------------------------------------------------------------------------------------------------------
def signing_date_error(*, signed_on: date, contract_date: date | None, today: date) -> str | None:
    """A contract is signed neither in the future nor before its own date (合同日期); a message if `signed_on` breaks that."""
    if signed_on > today:
        return str(_("签订日期不能晚于今天。"))
    if contract_date is not None and signed_on < contract_date:
        return str(_("签订日期不能早于合同日期（%(date)s）。") % {"date": contract_date})
    return None


# --- change requests ----------------------------------------------------------------------------------------------------
# Which departments re-review a change of each field (SPEC.md: a quantity change goes to production and procurement,
# a price change to finance …). Fields not listed need only the sales manager.
CHANGE_DEPARTMENTS: dict[str, list[str]] = {
    "quantity": ["production", "procurement"],
    "unit_price": ["finance"],
    "discount_rate": ["finance"],
    "tax_rate": ["finance"],
    "line_delivery_date": ["production", "warehouse"],
    "delivery_date": ["production", "warehouse"],
    "payment_terms": ["finance"],
    "deposit_rate": ["finance"],
    "credit_days": ["finance"],
    "payment_terms_text": ["finance"],
    "delivery_terms": ["warehouse"],
    "quality_terms": ["quality"],
}
CHANGEABLE_HEADER_FIELDS = (
    "delivery_date",
    "payment_terms",
    "deposit_rate",
    "credit_days",
    "payment_terms_text",
    "delivery_terms",
    "quality_terms",
    "other_terms",
)
CHANGEABLE_LINE_FIELDS = ("quantity", "unit_price", "discount_rate", "delivery_date")


def change_departments(changed_fields: Iterable[str]) -> list[str]:
    wanted = set()
    for name in changed_fields:
        wanted.update(CHANGE_DEPARTMENTS.get(name, []))
    return [code for code in REVIEW_DEPARTMENTS if code in wanted]


def change_route(
    *,
    departments: Iterable[str],
    old_amount_cny,
    new_amount_cny,
    submitter_roles,
    vp_amount,
    gm_amount,
    by_discount: int = TIER_MANAGER,
    special: bool = False,
    special_departments: Iterable[str] = (),
) -> list[StepSpec]:
    """The route of a change request, with the controls of a new contract applied to the new version:

    - the departments the changed fields concern, and — when the new version is special (classify) — the departments
      its reasons need, in parallel;
    - then the sales manager; the VP / GM when the change raises the amount above theirs, when a changed price goes
      further below list than the lower tiers may (`by_discount`, discount_tier over the repriced lines), and up to the
      GM for a special contract (special_chain), as contract_route and quotation_route do.
    """
    why = discount_reasons(by_discount)
    required = by_discount
    if new_amount_cny > old_amount_cny:
        required = max(required, amount_tier(new_amount_cny, vp_amount=vp_amount, gm_amount=gm_amount))
        why.update(amount_reasons(new_amount_cny, vp_amount=vp_amount, gm_amount=gm_amount))
    if special:
        required = special_chain(why)
    changed, wanted = set(departments), set(special_departments) if special else set()
    steps: list[StepSpec] = []
    for code in REVIEW_DEPARTMENTS:
        if code in changed or code in wanted:
            steps += department_steps([code], why=WHY_CHANGE_REVIEW if code in changed else WHY_SPECIAL_REVIEW)
    steps += tier_steps(required, submitter_roles=submitter_roles, why=why)
    if not steps:  # a manager changing a contract still needs a second pair of eyes
        vp = TIERS[TIER_VP]
        steps = [StepSpec(code="sales_vp", label=vp.label, stage=vp.stage, role=Role.SALES_VP, reason=WHY_SECOND_EYES)]
    return steps


def change_classification(findings: list[Finding], *, was_special: bool, upgraded: bool, old_reasons: list[dict]):
    """The class and the stored reasons of a contract's new version, classified as a new contract is (classify): special
    when a rule fires or a manager upgraded it; a special contract is never silently downgraded by a change (SPEC.md),
    it keeps its earlier reasons when no rule fires any more. Returns (special, reasons)."""
    reasons = [{"code": f.code, "detail": f.detail} for f in findings]
    if not reasons and was_special:
        reasons = list(old_reasons)
    return bool(findings) or upgraded or was_special, reasons


# --- helpers ------------------------------------------------------------------------------------------------------------
def _num(value) -> str:
    """3 → "3", 2.500 → "2.5" (quantities and prices without trailing zeros)."""
    return plain(Decimal(str(value)))


def _pct(rate: Decimal) -> str:
    """0.199999 → "19.99" (rounded down, so a margin just below the normal one never reads as equal to it)."""
    return format((rate * 100).quantize(Decimal("0.01"), rounding=ROUND_FLOOR).normalize(), "f")
