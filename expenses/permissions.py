"""Who may see and do what with expense claims (费用报销), asked by pages, API and services alike.

- Claimants (`claims`): reps, team leads, sales managers and sales clerks write their own claims; they edit, submit and
  withdraw (作废) them while a draft or sent back.
- The sales clerk checks (审核) every claim submitted — never their own — passing it to the approvers or sending it back.
- The approvers (the sales manager; above a threshold also the sales VP) decide in 待我审批 (the approvals engine).
- Finance pays an approved claim.
- Readers: one's own; once submitted (a draft is its claimant's alone) a team lead the team's, and clerks, finance,
  sales managers, the VP, the GM and admins every claim.
"""

from __future__ import annotations

from customers.selectors import led_team_ids
from salesops.core.roles import MANAGER_ROLES, Role, has_role

from .models import ExpenseClaim

CLAIMANT_ROLES = (Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_MANAGER, Role.SALES_CLERK)
READS_ALL_ROLES = (*MANAGER_ROLES, Role.SALES_CLERK, Role.FINANCE)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def claims(user) -> bool:
    """Writes expense claims of their own."""
    return _active(user) and has_role(user, *CLAIMANT_ROLES)


def checks_claims(user) -> bool:
    return _active(user) and has_role(user, Role.SALES_CLERK)


def pays_claims(user) -> bool:
    return _active(user) and has_role(user, Role.FINANCE)


def reads_all_claims(user) -> bool:
    return _active(user) and has_role(user, *READS_ALL_ROLES)


def reads_claims(user) -> bool:
    """Has a list of claims to open: their own, their team's or everybody's."""
    return claims(user) or reads_all_claims(user) or (_active(user) and bool(led_team_ids(user)))


def claim_allowed_actions(claim: ExpenseClaim, user) -> list[str]:
    """The moves `user` may make on `claim` now: edit, submit, cancel (the claimant, a draft or a claim sent back);
    verify, send_back (a clerk on a submitted claim of somebody else); pay (finance on an approved one)."""
    if not _active(user):
        return []
    S = ExpenseClaim.Status
    actions = []
    if claim.claimant_id == user.pk and claim.status in ExpenseClaim.EDITABLE:
        actions += ["edit", "submit", "cancel"]
    if claim.status == S.SUBMITTED and checks_claims(user) and claim.claimant_id != user.pk:
        actions += ["verify", "send_back"]
    if claim.status == S.APPROVED and pays_claims(user):
        actions.append("pay")
    return actions
