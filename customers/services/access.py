"""Who may do what on customers, their children, follow-ups and visit plans (the rules in the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _

from salesops.core.errors import Forbidden
from salesops.core.roles import Role, has_role, is_manager

from ..models import Customer, VisitPlan
from ..selectors import led_team_ids

CREDIT_FIELDS = ("credit_limit", "payment_terms", "credit_days", "deposit_rate")


def team_id_of(user) -> int | None:
    try:
        return user.profile.team_id
    except ObjectDoesNotExist:
        return None


def _team_of(user):
    try:
        return user.profile.team
    except ObjectDoesNotExist:
        return None


def _leads_customer_team(user, customer: Customer) -> bool:
    return customer.team_id is not None and customer.team_id in led_team_ids(user)


def _leads_rep(user, rep) -> bool:
    team_id = team_id_of(rep)
    return team_id is not None and team_id in led_team_ids(user)


def is_supervisor_of(user, customer: Customer) -> bool:
    """Managers, sales clerks and the lead of the customer's team."""
    return is_manager(user) or has_role(user, Role.SALES_CLERK) or _leads_customer_team(user, customer)


def can_set_credit(user) -> bool:
    return is_manager(user) or has_role(user, Role.FINANCE)


def may_update_customer(user, customer: Customer) -> bool:
    """Open the edit page: those who edit the file, and finance for the credit terms only."""
    return can_edit_customer(user, customer) or can_set_credit(user)


def _changed(customer: Customer, data: Mapping[str, Any], names) -> list[str]:
    """The fields among `names` whose value in `data` differs from the customer's (compared as the field reads them)."""
    changed = []
    for name in names:
        if name not in data:
            continue
        field = Customer._meta.get_field(name)
        try:
            value = field.to_python(data[name])
        except ValidationError:
            value = data[name]
        if value != getattr(customer, name):
            changed.append(name)
    return changed


def _check_credit_fields(actor, customer: Customer, data: Mapping[str, Any]) -> None:
    """Refuse a change of the credit limit or payment terms by someone who may not set them (equal values pass, so a
    form or API client that sends the current values back is fine)."""
    changed = [] if can_set_credit(actor) else _changed(customer, data, CREDIT_FIELDS)
    if changed:
        labels = "、".join(str(Customer._meta.get_field(name).verbose_name) for name in changed)
        raise Forbidden(_("信用额度和付款条件由经理或财务设定（%(fields)s）。") % {"fields": labels})


def can_create_customer(user) -> bool:
    return is_manager(user) or has_role(user, Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK)


def can_edit_customer(user, customer: Customer) -> bool:
    return customer.owner_id == user.pk or is_supervisor_of(user, customer)


def can_reassign_customer(user, customer: Customer) -> bool:
    return is_manager(user) or _leads_customer_team(user, customer)


def can_change_customer_status(user, customer: Customer, action: str) -> bool:
    if action == "activate":
        return can_edit_customer(user, customer)
    return is_supervisor_of(user, customer)


def can_plan_visits_for(user, rep) -> bool:
    return rep.pk == user.pk or is_manager(user) or _leads_rep(user, rep)


def can_manage_visit_plan(user, plan: VisitPlan) -> bool:
    """Complete or cancel: the plan's rep, their team lead, a manager."""
    return can_plan_visits_for(user, plan.rep)


def can_review_visit_plan(user, plan: VisitPlan) -> bool:
    return is_manager(user) or _leads_rep(user, plan.rep)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)
