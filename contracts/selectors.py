"""Every read of quotations and contracts, and the one place that decides who sees which (ARCHITECTURE.md rule 5).

Visibility (SPEC.md: a rep sees only own customers and their documents):
  - a quotation or contract is visible to whoever sees its customer (customers.selectors) and to its owner;
  - department reviewers (reviewer_*) see every contract — they must read what they review — but no quotation.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from customers.selectors import customer_scope
from salesops.core.exposure import extra_exposure
from salesops.core.money import ZERO, quantize
from salesops.core.roles import REVIEWER_ROLES, has_role

from .models import Contract, ContractChange, Quotation, SpecialReviewRule
from .rules import DEFAULT_REVIEW_DEPARTMENTS

QUOTATION_ORDERING_FIELDS = ("number", "quote_date", "valid_until", "amount_incl", "status", "created_at", "updated_at")
CONTRACT_ORDERING_FIELDS = ("number", "contract_date", "delivery_date", "amount_incl", "status", "classification", "created_at")
# Contracts whose amount is still owed or to be delivered: the customer's credit exposure besides receivables.
OPEN_CONTRACT_STATUSES = (Contract.Status.APPROVED, Contract.Status.SIGNED, Contract.Status.ACTIVE)


def _visible(qs: QuerySet, user, *, reviewers_see_all: bool = False) -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if reviewers_see_all and has_role(user, *REVIEWER_ROLES):
        return qs
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
    return ContractChange.objects.filter(contract__in=contract_list_for(user)).select_related("contract", "requested_by")


def search_q(text: str) -> Q:
    """Documents whose number, project or customer name/code contain every word of `text`."""
    q = Q()
    for word in (text or "").split():
        q &= (
            Q(number__icontains=word)
            | Q(project_name__icontains=word)
            | Q(customer__name__icontains=word)
            | Q(customer__code__icontains=word)
        )
    return q


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
    rules = {k: list(v) for k, v in DEFAULT_REVIEW_DEPARTMENTS.items()}
    rules.update({row.reason: list(row.departments) for row in SpecialReviewRule.objects.all()})
    return rules


def status_counts(qs: QuerySet) -> dict[str, int]:
    return dict(qs.order_by().values_list("status").annotate(n=Count("id")))


def amount_total(qs: QuerySet) -> Decimal:
    return qs.aggregate(s=Sum("amount_incl"))["s"] or ZERO


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
