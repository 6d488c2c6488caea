"""Every read of quotations and contracts, and the one place that decides who sees which (ARCHITECTURE.md rule 5).

Visibility (SPEC.md: a rep sees only own customers and their documents):
  - a quotation or contract is visible to whoever sees its customer (customers.selectors) and to its owner;
  - department reviewers (reviewer_*) see every contract — they must read what they review — but no quotation.

Besides the lists: what a document's page and services read about one document — its lines, versions and change
requests, the review route it would take, the facts the classification rules need, and its differences from the
quotation it came from.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.db.models.functions import Round
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from catalog.models import DiscountLimit, Product
from catalog.selectors import can_view_cost, discount_limit_for, product_get_for, resolve_price
from customers.models import Customer
from customers.selectors import customer_scope
from salesops.core import approvals
from salesops.core.access import of_visible
from salesops.core.exposure import extra_exposure
from salesops.core.forms import format_percent
from salesops.core.models import ApprovalRequest, ApprovalStep
from salesops.core.money import MONEY, ZERO, plain, quantize
from salesops.core.names import display_name
from salesops.core.roles import MANAGER_ROLES, REVIEWER_ROLES, Role, has_role, user_roles
from salesops.core.search import every_word_q
from salesops.core.thresholds import threshold

from . import rules
from .models import Contract, ContractChange, ContractReview, ContractVersion, Quotation, SpecialReviewRule

QUOTATION_KIND = "quotation_review"  # the approvals kind of a quotation's review (services.QUOTATION_KIND)

# Contracts whose amount is still owed or to be delivered: the customer's credit exposure besides receivables.
OPEN_CONTRACT_STATUSES = (Contract.Status.APPROVED, Contract.Status.SIGNED, Contract.Status.ACTIVE)


# Who works with quotations and contracts: sales, the clerk, finance and the managers (each within their customers);
# department reviewers read contracts (they review them). Warehouse, QC and service work from orders, not deals.
DEAL_ROLES = (Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK, Role.FINANCE, *MANAGER_ROLES)
# Reviewers who judge prices: finance (margin, terms) and procurement (costs of materials); the others judge the goods.
PRICE_REVIEWERS = (Role.REVIEWER_FINANCE, Role.REVIEWER_PROCUREMENT)


def sees_prices(user) -> bool:
    """Prices and amounts of quotations and contracts: the deal roles and the reviewers who judge prices."""
    return has_role(user, *DEAL_ROLES, *PRICE_REVIEWERS)


# the keys of prices and amounts in a change request's lines and in a kept version (header and lines)
PRICE_KEYS = frozenset(
    {"list_price", "unit_price", "discount_rate", "discount_percent", "amount_excl", "tax", "tax_amount", "amount_incl"}
)


def change_lines_for(change, user) -> list[dict]:
    """A change request's line changes as `user` may read them: without prices and amounts for a reviewer who judges the
    goods (a line whose only change was its price is left out)."""
    if sees_prices(user):
        return change.line_changes
    kept = [{k: v for k, v in line.items() if k not in PRICE_KEYS} for line in change.line_changes or []]
    return [line for line in kept if set(line) - {"line_id", "name"}]


def snapshot_for(version, user) -> dict:
    """A kept contract version (its header, lines and totals) as `user` may read it: without prices and amounts for a
    reviewer who judges the goods."""
    snapshot = version.snapshot or {}
    if sees_prices(user):
        return snapshot
    return {
        "header": {k: v for k, v in (snapshot.get("header") or {}).items() if k not in PRICE_KEYS},
        "lines": [{k: v for k, v in line.items() if k not in PRICE_KEYS} for line in snapshot.get("lines") or []],
    }


def history_hidden(user) -> set[str]:
    """What `user` may not read in a quotation's or contract's history (registered with salesops.core.timeline): the
    changes of prices and amounts, and an event's amount, for a reviewer who judges the goods; a unit cost for all but
    the cost readers (catalog.selectors.can_view_cost)."""
    hidden = set() if sees_prices(user) else {*PRICE_KEYS, "amount"}
    return hidden if can_view_cost(user) else hidden | {"unit_cost"}


def _visible(qs: QuerySet, user, *, reviewers_see_all: bool = False) -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if reviewers_see_all and has_role(user, *REVIEWER_ROLES):
        return qs
    if not has_role(user, *DEAL_ROLES):
        return qs.none()
    scope = customer_scope(user, "customer__")
    if scope is None:
        return qs.none()
    return qs.filter(scope | Q(owner=user)) if scope else qs


def quotation_list_for(user) -> QuerySet[Quotation]:
    return _visible(Quotation.objects.select_related("customer", "owner", "contact"), user)


def quotation_get_for(user, pk) -> Quotation:
    return get_object_or_404(quotation_list_for(user), pk=pk)


def contract_list_for(user) -> QuerySet[Contract]:
    return _visible(Contract.objects.select_related("customer", "owner", "quotation"), user, reviewers_see_all=True)


def contract_get_for(user, pk) -> Contract:
    return get_object_or_404(contract_list_for(user), pk=pk)


def contract_change_list_for(user) -> QuerySet[ContractChange]:
    return of_visible(ContractChange.objects.select_related("contract", "requested_by"), "contract", contract_list_for(user))


def search_q(model, text: str) -> Q:
    """Documents (Quotation or Contract `model`) whose number, project or customer name/code contain every word of `text`."""
    return every_word_q(model, text, "number", "project_name", "customer__name", "customer__code")


def ordered(qs: QuerySet, ordering: str | None, allowed: tuple[str, ...]) -> QuerySet:
    if ordering and ordering.lstrip("-") in allowed:
        return qs.order_by(ordering, "-id")
    return qs


def quotation_versions(quotation: Quotation) -> QuerySet[Quotation]:
    """Every version of the quotation's number, newest first."""
    return Quotation.objects.filter(number=quotation.number).select_related("owner").order_by("-version")


def customer_open_exposure(customer, *, exclude_pk=None) -> Decimal:
    """The customer's credit exposure in CNY besides contract `exclude_pk`: approved, signed or active contracts, plus what
    higher floors register (orders: direct orders still unpaid) through salesops.core.exposure."""
    rows = Contract.objects.filter(customer=customer, status__in=OPEN_CONTRACT_STATUSES).exclude(pk=exclude_pk)
    contracts = sum((quantize(c.amount_incl * c.exchange_rate) for c in rows.only("amount_incl", "exchange_rate")), ZERO)
    return contracts + extra_exposure(customer)


def review_department_rules() -> dict[str, list[str]]:
    """reason → department codes, from SpecialReviewRule rows over the defaults in rules.py."""
    by_reason = {k: list(v) for k, v in rules.DEFAULT_REVIEW_DEPARTMENTS.items()}
    by_reason.update({row.reason: list(row.departments) for row in SpecialReviewRule.objects.all()})
    return by_reason


def my_open_work(user, day) -> list[tuple[str, str, QuerySet]]:
    """The user's own quotations and contracts that wait for them (dashboard), as (key, label, queryset): approved
    quotations not yet sent, sent ones expiring within 7 days, contracts returned by the review, approved ones to sign."""
    quotations = Quotation.objects.filter(owner=user).select_related("customer")
    contracts = Contract.objects.filter(owner=user).select_related("customer")
    return [
        ("quotations_to_send", _("已审核待发送的报价"), quotations.filter(status=Quotation.Status.APPROVED)),
        (
            "quotations_expiring",
            _("7 天内到期的报价"),
            quotations.filter(status=Quotation.Status.SENT, valid_until__lte=day + timedelta(days=7)),
        ),
        ("contracts_returned", _("被退回的合同"), contracts.filter(status=Contract.Status.RETURNED)),
        ("contracts_to_sign", _("评审通过待签订的合同"), contracts.filter(status=Contract.Status.APPROVED)),
    ]


# --- one document: its lines, versions, change requests, routes and differences -------------------------------------------
def amount_cny(doc) -> Decimal:
    """The document's tax-inclusive amount in CNY (its exchange rate applied), as the thresholds are set."""
    return quantize(doc.amount_incl * doc.exchange_rate)


def document_lines(doc) -> QuerySet:
    """The lines of a quotation or a contract with their products, in line order (detail pages)."""
    return doc.lines.select_related("product")


def contract_versions(contract: Contract) -> QuerySet[ContractVersion]:
    """The stored earlier versions of a contract, newest first."""
    return contract.versions.all()


def contract_version_get(contract: Contract, version: int) -> ContractVersion:
    """One stored version of a contract (404 when there is none)."""
    return get_object_or_404(contract.versions.select_related("change"), version=version)


def contract_changes(contract: Contract) -> QuerySet[ContractChange]:
    """Every change request of a contract, newest first, with who asked."""
    return contract.changes.select_related("requested_by")


def contract_pending_change(contract: Contract) -> ContractChange | None:
    return contract.changes.filter(status=ContractChange.Status.IN_REVIEW).first()


def quotation_live_contract(quotation: Quotation) -> Contract | None:
    """The contract made from `quotation` that is not cancelled (a quotation makes one contract: 生成合同 is offered
    only without it, and the page links to it instead)."""
    return quotation.contracts.exclude(status=Contract.Status.CANCELLED).order_by("pk").first()


REVIEW_KINDS = {Quotation: QUOTATION_KIND, Contract: "contract_review"}  # services.QUOTATION_KIND / CONTRACT_KIND


def review_submitter_id(doc: Quotation | Contract) -> int | None:
    """Who submitted the pending review round of a quotation or contract (None when none is pending)."""
    return (
        approvals.requests_for(doc, REVIEW_KINDS[type(doc)])
        .filter(status=ApprovalRequest.Status.PENDING)
        .values_list("requested_by_id", flat=True)
        .first()
    )


def contract_pending_reviewers(contract: Contract) -> list[dict]:
    """The steps of the contract's pending rounds now waiting for someone: label, who may act, and the round's kind."""
    out = []
    for r in approvals.requests_for(contract):
        if r.status != ApprovalRequest.Status.PENDING:
            continue
        for step in r.steps.all():
            if step.status == ApprovalStep.Status.PENDING:
                out.append({"label": step.label_text, "assignee": step.assignee_label, "kind": r.kind})
    return out


def route_roles(doc, submitter) -> set[str]:
    """Whose authority a review route starts above: the submitter's and the document's owner's, neither of whom may
    approve it (salesops.core.approvals) — a clerk's quotation for a sales manager skips the manager, as his own would."""
    return set(user_roles(submitter)) | (set(user_roles(doc.owner)) if doc.owner_id else set())


def quotation_route_for(quotation: Quotation, submitter) -> list[approvals.StepSpec]:
    """The review route this quotation would take if `submitter` submitted it now (also shown on the page)."""
    limits = dict(DiscountLimit.objects.values_list("role", "max_discount_rate"))
    return rules.quotation_route(
        lines=[rules.PricedLine(ln.name, ln.list_price, ln.net_unit_price) for ln in quotation.lines.all()],
        amount_cny=amount_cny(quotation),
        submitter_roles=route_roles(quotation, submitter),
        submitter_limit=discount_limit_for(submitter),
        tier_limits=limits,
        vp_amount=threshold("quotation_vp_amount"),
        gm_amount=threshold("quotation_gm_amount"),
    )


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
                is_service=ln.product is None and getattr(ln, "is_service", False),
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


def contract_reason_codes(contract: Contract) -> list[str]:
    codes = [r["code"] for r in contract.classification_reasons]
    if contract.upgraded_by_id:
        codes.append(rules.Reason.MANUAL)
    return codes


def contract_review_missing(contract: Contract) -> list[str]:
    """What the review form (合同评审单) still lacks before the contract may be submitted (empty = complete)."""
    review = ContractReview.objects.filter(contract=contract).first()
    missing = []
    if review is None or not review.explicit_requirements.strip():
        missing.append(str(_("顾客明示的要求")))
    if review is None or not review.capability_confirmed:
        missing.append(str(_("已确认有能力满足要求")))
    if contract_differences(contract) and (review is None or not review.quotation_differences_resolved):
        missing.append(str(_("与报价的差异已解决")))
    return missing


def contract_differences(contract: Contract) -> list[rules.Difference]:
    """Differences between the contract and the quotation it came from (empty for a direct contract)."""
    quotation = contract.quotation
    if quotation is None:
        return []
    quoted_lines = {ln.pk: _line_dict(ln) for ln in quotation.lines.all()}
    contract_lines = [{**_line_dict(ln), "quotation_line": ln.quotation_line_id} for ln in contract.lines.all()]
    terms = ("currency", "payment_terms", "payment_terms_text", "delivery_terms")
    return rules.quotation_differences(  # terms compared and shown as people read them (款到发货, not prepaid)
        quoted_terms={k: shown_value(Quotation, k, getattr(quotation, k)) for k in terms},
        contract_terms={k: shown_value(Contract, k, getattr(contract, k)) for k in terms},
        quoted_lines=quoted_lines,
        contract_lines=contract_lines,
    )


def shown_value(model, name: str, value) -> str:
    """A field's value as people read it on a page (a stored change request's or version's value too): a choice's
    label (款到发货, not prepaid), a number without trailing zeros (60, not 60.000: money.plain), else the value."""
    if value is None:
        return ""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, DecimalField) and value != "":
        try:
            return plain(value)
        except (ArithmeticError, TypeError, ValueError):
            return str(value)
    return str(value)


def _line_dict(line) -> dict:
    return {
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount_rate": line.discount_rate,
        "tax_rate": line.tax_rate,
    }


def contract_route_for(contract: Contract, submitter) -> list[approvals.StepSpec]:
    """The review and approval route this contract would take if `submitter` submitted it now (also shown on the page)."""
    codes = contract_reason_codes(contract)
    return rules.contract_route(
        special=contract.is_special,
        departments=rules.review_departments(codes, review_department_rules()),
        amount_cny=amount_cny(contract),
        submitter_roles=route_roles(contract, submitter),
        vp_amount=threshold("contract_vp_amount"),
        gm_amount=threshold("contract_gm_amount"),
        deviates=bool(contract_differences(contract)),
    )


def change_route_for(
    contract: Contract, preview: Contract, lines, *, departments, repriced, special: bool, reason_codes, submitter
) -> list[approvals.StepSpec]:
    """The route a change request of `contract` would take if `submitter` asked for it now (rules.change_route):
    `preview` is the new version (unsaved, with its `lines`), `repriced` the ids of the lines whose price or discount
    changes — their effective discount against the catalogue meets the discount tiers (DiscountLimit) as a
    quotation's does; `special` and `reason_codes` are the new version's class and reasons (rules.change_classification)."""
    priced = [rules.PricedLine(ln.name, ln.list_price, ln.net_unit_price) for ln in lines if ln.pk in repriced]
    by_discount = rules.TIER_MANAGER
    if priced:
        by_discount = rules.discount_tier(
            priced,
            submitter_limit=discount_limit_for(submitter),
            tier_limits=dict(DiscountLimit.objects.values_list("role", "max_discount_rate")),
        )
    return rules.change_route(
        departments=departments,
        old_amount_cny=amount_cny(contract),
        new_amount_cny=amount_cny(preview),
        submitter_roles=user_roles(submitter),
        vp_amount=threshold("contract_vp_amount"),
        gm_amount=threshold("contract_gm_amount"),
        by_discount=by_discount,
        special=special,
        special_departments=rules.review_departments(reason_codes, review_department_rules()),
    )


def quotation_conditions(quotation: Quotation | None) -> list[dict]:
    """The conditions the approvers of a quotation's last round set (有条件同意): step, who, the condition as written —
    shown on the contract made from it and copied into its review sheet."""
    if quotation is None:
        return []
    return [
        {"step": step.label_text, "who": display_name(step.decided_by), "condition": step.comment}
        for step in approvals.last_decisions(quotation, QUOTATION_KIND)
        if step.status == ApprovalStep.Status.APPROVED_WITH_CONDITIONS
    ]


# --- what an approval step is about (the approvals inbox, salesops.core.approvals.summary_for) ----------------------
def _percent(rate) -> str:
    """As typed (two decimals at most, core.forms.format_percent): a 15.01 % discount must not read as the 15.0 % limit
    it exceeds."""
    return f"{format_percent(rate)}%"


def approval_summary(doc, user) -> list[tuple[str, str]]:
    """A quotation, contract or change request under review, for the inbox: its amount and deepest discount below list
    (for price readers), its gross margin (for cost readers) and, for a contract, general or special — for a change
    request, of the contract as the change would make it (what its approvers decide on)."""
    contract_change = isinstance(doc, ContractChange)
    if contract_change:
        from .services.changes import proposed_version  # services read this module

        document, lines = proposed_version(doc)
        if doc.classification:
            document.classification = doc.classification
    else:
        document, lines = doc, list(doc.lines.all())
    out: list[tuple[str, str]] = []
    if sees_prices(user):
        out.append((_("金额"), f"{document.currency} {document.amount_incl:,.2f}"))
        discounts = [1 - ln.net_unit_price / ln.list_price for ln in lines if ln.list_price]
        if discounts and max(discounts) > 0:
            out.append((_("最大折扣"), _percent(max(discounts))))
    if can_view_cost(user):
        cost = sum((ln.unit_cost * ln.quantity for ln in lines), Decimal(0))
        margin = rules.margin_rate(amount_cny(document), cost)  # costs are in CNY, the amount in the document's currency
        out.append((_("毛利率"), _percent(margin) if margin is not None else "—"))
    if isinstance(document, Contract):
        out.append((_("合同类别"), document.get_classification_display()))
    if contract_change:
        out.append((_("变更"), doc.reason[:60]))
    return out


# --- KPI aggregates (reports.kpis composes them) ------------------------------------------------------------------------
OPEN_QUOTATION = (Quotation.Status.DRAFT, Quotation.Status.IN_REVIEW, Quotation.Status.APPROVED, Quotation.Status.SENT)
OPEN_CONTRACT = (
    Contract.Status.DRAFT,
    Contract.Status.IN_REVIEW,
    Contract.Status.RETURNED,
    Contract.Status.APPROVED,
    Contract.Status.SIGNED,
    Contract.Status.ACTIVE,
)


def pipeline_totals(*, owner_id: int | None = None, team_id: int | None = None) -> dict[str, dict]:
    """Open quotations and contracts (count and value in CNY) of the company, one rep's or one team's (the rep's team in
    员工档案): {"quotations": {"count", "amount"}, "contracts": {…}}. One query per document type."""
    out = {}
    for key, model, statuses in (("quotations", Quotation, OPEN_QUOTATION), ("contracts", Contract, OPEN_CONTRACT)):
        qs = model.objects.filter(status__in=statuses)
        if owner_id is not None:
            qs = qs.filter(owner_id=owner_id)
        if team_id is not None:
            qs = qs.filter(owner__profile__team_id=team_id)
        value = Round(F("amount_incl") * F("exchange_rate"), 2)
        row = qs.aggregate(count=Count("pk"), amount=Sum(value, output_field=DecimalField(**MONEY)))
        out[key] = {"count": row["count"], "amount": quantize(row["amount"] or 0)}
    return out


def line_price(
    user,
    product_pk,
    customer: Customer | None = None,
    on_date=None,
    *,
    quantity=None,
    currency: str = rules.BASE_CURRENCY,
    exchange_rate=None,
) -> dict:
    """What a document line of a visible product starts with for `customer` on `on_date` (default today), for
    `quantity` units (a price list row's 起订量), in the document's `currency` at its `exchange_rate`: the price the
    services take when the unit price is left blank (build_lines: the same resolve_price), and the product's list price
    (in that currency too) and tax rate (404 for a product the user may not see; a ValueError for another currency
    without a rate above 0). The pages fill a chosen product's line with it; the services price the saved line
    themselves."""
    product = product_get_for(user, product_pk)
    resolved = resolve_price(
        product=product,
        customer_type=customer.type if customer else "",
        customer_grade=customer.grade if customer else "",
        on_date=on_date,
        quantity=quantity,
        currency=currency or rules.BASE_CURRENCY,
        exchange_rate=exchange_rate,
    )
    return {
        "unit_price": f"{resolved.unit_price:f}",
        "list_price": f"{resolved.list_price:f}",
        "tax_rate": f"{product.tax_rate:f}",
        "unit": product.unit,
    }
