"""Who may do what on quotations, contracts and change requests: the one place pages, the API and services ask
(ARCHITECTURE.md rule 5). Who may *see* a document is decided by the selectors (a 404 otherwise); this module answers
"may this user act on it", and `*_allowed_actions` combine that with what the status allows now, for the buttons of
the pages and `allowed_actions` in the API.

The rules (SPEC.md "Quotation", "Contract and its review"):
  - quoting is for sales clerks, managers and above, and reps granted the right (rules.may_quote);
  - the owner, the creator, sales clerks and managers work on a document (edit, submit, send, sign…);
  - a document in review is withdrawn only by who submitted it or its owner (can_withdraw);
  - crediting a document to another rep is for clerks and managers;
  - a contract is created by clerks and managers, or by the rep owning the customer or the accepted quotation;
  - only managers and above make a contract special by hand;
  - a change request is withdrawn by whoever asked for it or a manager.
"""

from __future__ import annotations

from django_fsm import can_proceed

from customers.models import Customer
from customers.rules import bid_undecided
from customers.selectors import customer_list_for
from salesops.core.actions import higher_actions
from salesops.core.roles import MANAGER_ROLES, REVIEWER_ROLES, Role, has_role, is_manager, user_roles

from . import rules
from .models import Contract, ContractChange, Quotation
from .selectors import DEAL_ROLES, contract_pending_change, quotation_live_contract, review_submitter_id

QUOTATION_ACTIONS = ("submit", "withdraw", "send", "accept", "reject", "revise", "cancel")
CONTRACT_ACTIONS = ("submit", "withdraw", "sign", "activate", "complete", "terminate", "cancel")


def can_quote(user) -> bool:
    profile = getattr(user, "profile", None)
    return rules.may_quote(roles=user_roles(user), granted=bool(profile and profile.may_quote))


def can_quote_for(user, opportunity) -> bool:
    """为此机会报价: whoever may quote, for an opportunity still open and, a 比价/投标, decided to take part (the service
    refuses the others too: customers.services.opportunity_quoted)."""
    return opportunity.is_open and not bid_undecided(opportunity.bidding, opportunity.bid_decision) and can_quote(user)


def works_on(user, doc) -> bool:
    """Owner, creator, sales clerks and managers work on a document (edit, submit, send, sign…)."""
    return doc.owner_id == user.pk or doc.created_by_id == user.pk or has_role(user, Role.SALES_CLERK, *MANAGER_ROLES)


def can_reassign(user) -> bool:
    """Crediting a document to another rep is for clerks and managers; a rep may keep or take it, not give it away."""
    return has_role(user, Role.SALES_CLERK, *MANAGER_ROLES)


def can_create_contract(user, customer: Customer, quotation: Quotation | None = None) -> bool:
    if has_role(user, Role.SALES_CLERK, *MANAGER_ROLES):
        return True
    if quotation is not None and quotation.owner_id == user.pk:
        return True
    return customer.owner_id == user.pk


def can_create_contracts(user) -> bool:
    """True when the user has at least one visible customer they may create a contract for ("新建合同" on the list)."""
    customer = customer_list_for(user).filter(owner=user).first() or customer_list_for(user).first()
    return customer is not None and can_create_contract(user, customer)


def can_upgrade(user) -> bool:
    """Only managers and above make a general contract special by hand."""
    return is_manager(user)


def can_withdraw(user, doc: Quotation | Contract) -> bool:
    """撤回 a quotation or contract from review is for who submitted it or its rep (owner) only — not every clerk or
    manager who otherwise works on it (SPEC.md: the submitter takes it back; the approvers decide instead)."""
    return user.pk is not None and user.pk in (doc.owner_id, review_submitter_id(doc))


def can_withdraw_change(user, change: ContractChange) -> bool:
    return change.requested_by_id == user.pk or is_manager(user)


def quotation_allowed_actions(quotation: Quotation, user) -> list[str]:
    """The actions `user` may take on `quotation` now (status allows it and so does their role)."""
    if not works_on(user, quotation):
        return []
    out = []
    for name in QUOTATION_ACTIONS:
        if name in ("submit", "revise") and not can_quote(user):
            continue
        if name == "withdraw" and not (can_proceed(quotation.withdraw) and can_withdraw(user, quotation)):
            continue
        if can_proceed(getattr(quotation, name)):
            out.append(name)
    if quotation.is_editable and can_quote(user):
        out.insert(0, "edit")
    if (
        quotation.status == Quotation.Status.ACCEPTED
        and can_create_contract(user, quotation.customer, quotation)
        and quotation_live_contract(quotation) is None  # one contract per quotation: the page links to it instead
    ):
        out.append("create_contract")
    return out


def contract_allowed_actions(contract: Contract, user) -> list[str]:
    """The actions `user` may take on `contract` now, including asking for a change and withdrawing the pending one, and
    what the floors above offer on it (下订单, `create_order`: salesops.core.actions)."""
    out = []
    if works_on(user, contract):
        out += [
            name
            for name in CONTRACT_ACTIONS
            if can_proceed(getattr(contract, name)) and (name != "withdraw" or can_withdraw(user, contract))
        ]
        if contract.is_editable:
            out.insert(0, "edit")
        pending = contract_pending_change(contract)
        if contract.status in (Contract.Status.SIGNED, Contract.Status.ACTIVE) and not pending:
            out.append("request_change")
        if pending and "withdraw" in change_allowed_actions(pending, user):
            out.append("withdraw_change")
    if contract.is_editable and not contract.upgraded_by_id and can_upgrade(user) and not contract.is_special:
        out.append("upgrade")
    return out + higher_actions("contract", contract, user)  # 下订单 (`create_order`): orders.permissions


def change_allowed_actions(change: ContractChange, user) -> list[str]:
    """The actions `user` may take on a change request now: withdraw it while it is in review."""
    if change.status == ContractChange.Status.IN_REVIEW and can_withdraw_change(user, change):
        return ["withdraw"]
    return []


# --- menus (<app>/menu.py shows these items only to them) ----------------------------------------
def reads_deals(user) -> bool:
    """Sales, the clerk, managers, finance and the department reviewers work with quotations and contracts."""
    return has_role(user, *DEAL_ROLES, *REVIEWER_ROLES)


def reads_quotations(user) -> bool:
    """Quotations are read by sales, the clerk, managers and finance; a department reviewer judges contracts only (a
    reviewer sees no quotation: contracts.selectors.quotation_list_for)."""
    return has_role(user, *DEAL_ROLES)


def quotes_daily(user) -> bool:
    """ "新建报价单" in the menu for those who quote as daily work; leadership may still quote from the list."""
    return can_quote(user) and has_role(user, Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK, Role.SALES_MANAGER, Role.ADMIN)
