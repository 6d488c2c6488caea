"""Who may do what on customers, their children, follow-ups and visit plans (the rules in the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.errors import Forbidden
from salesops.core.roles import Role, has_role, is_manager

from ..models import Customer, Opportunity, TechnicalQuestion, VisitPlan
from ..rules import bid_undecided
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
    """A manager or the rep's team lead, never the plan's own rep (a lead plans visits too)."""
    return plan.rep_id != user.pk and (is_manager(user) or _leads_rep(user, plan.rep))


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


# --- sales opportunities (销售机会) -----------------------------------------------------------------------------------
# who is refused an opportunity's action is told who may act (the service's 403 and the page's)
OPPORTUNITY_NOT_YOURS = gettext_lazy("只有负责业务员、其组长、销售内勤和经理可以处理该销售机会。")


def can_create_opportunity(user, customer: Customer) -> bool:
    """Whoever may edit the customer's file opens an opportunity on it: its owner, the team's lead, clerks, managers."""
    return can_edit_customer(user, customer)


def can_work_opportunity(user, opportunity: Opportunity) -> bool:
    """Edit, move, win, lose or reopen: the opportunity's rep, the lead of the rep's or the customer's team, sales
    clerks and managers."""
    return opportunity.owner_id == user.pk or is_supervisor_of(user, opportunity.customer) or _leads_rep(user, opportunity.owner)


def opportunity_allowed_actions(opportunity: Opportunity, user) -> list[str]:
    """The actions `user` may take on `opportunity` now (the page's buttons, the API's `allowed_actions`; the services
    refuse the rest). Assumes the user already sees it (selectors.opportunity_list_for)."""
    if not can_work_opportunity(user, opportunity):
        return []
    if not opportunity.is_open:
        return ["reopen"]
    if not bid_undecided(opportunity.bidding, opportunity.bid_decision):
        return ["edit", "move", "win", "lose"]
    # a 比价/投标 not decided to take part is not won; it is reported first (报请参与决策: opportunity_request_bid)
    return (
        ["request_bid", "edit", "move", "lose"]
        if opportunity.bid_decision == Opportunity.BidDecision.UNASKED
        else ["edit", "move", "lose"]
    )


def can_follow_up_opportunity(user, opportunity: Opportunity) -> bool:
    """安排拜访 / 记录拜访 from an open opportunity: whoever may follow its (active) customer up."""
    customer = opportunity.customer
    return opportunity.is_open and customer.status != Customer.Status.INACTIVE and can_edit_customer(user, customer)


# --- technical questions (技术咨询) -------------------------------------------------------------------------------------
def can_ask_question(user, opportunity: Opportunity) -> bool:
    """向技术部咨询: whoever works the opportunity (its rep, the leads, clerks, managers), while it is open."""
    return opportunity.is_open and can_work_opportunity(user, opportunity)


def answers_questions(user) -> bool:
    """The technical department (技术部) answers."""
    return has_role(user, Role.REVIEWER_TECHNICAL)


def question_allowed_actions(question: TechnicalQuestion, user) -> list[str]:
    """The technical department answers an open question; whoever asked or works the opportunity withdraws an open one
    or asks again (追问) on an answer while the opportunity is open. Assumes the user sees it."""
    asker = question.asked_by_id == user.pk or can_work_opportunity(user, question.opportunity)
    Status = TechnicalQuestion.Status
    if question.status == Status.OPEN:
        return [*(["answer"] if answers_questions(user) else []), *(["withdraw"] if asker else [])]
    if question.status == Status.ANSWERED and asker and question.opportunity.is_open:
        return ["follow_up"]
    return []
