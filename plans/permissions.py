"""Who may see and do what with sales plans (销售计划), asked by pages, API and services alike.

- Authors (`writable_levels`): the sales manager writes the department's plan; a team lead the plan of the team they
  lead and their own; a rep their own. They edit, hand in (提交审批) and withdraw (作废) it while a draft or sent back.
- The approvers decide in 待我审批 (the approvals engine; plans.rules.route).
- Readers: one's own; once handed in (a draft is its author's alone) a team lead the team's plans, the sales managers,
  the VP, the GM and admins every plan; the department's plan, once approved, every seller and clerk.
"""

from __future__ import annotations

from customers.selectors import led_team_ids
from salesops.core.roles import MANAGER_ROLES, Role, has_role

from .models import SalesPlan
from .rules import Level

SELLER_ROLES = (Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def writable_levels(user) -> list[str]:
    """The levels of plan `user` writes: the department's (a sales manager), a team's (the lead of one), their own (a
    rep or team lead)."""
    if not _active(user):
        return []
    levels = []
    if has_role(user, Role.SALES_MANAGER):
        levels.append(Level.COMPANY)
    if led_team_ids(user):
        levels.append(Level.TEAM)
    if has_role(user, Role.SALES_REP, Role.TEAM_LEAD):
        levels.append(Level.REP)
    return levels


def reads_all_plans(user) -> bool:
    return _active(user) and has_role(user, *MANAGER_ROLES)


def reads_plans(user) -> bool:
    """Has a list of plans to open (by role alone: the menu is cached per mix of roles)."""
    return _active(user) and has_role(user, *MANAGER_ROLES, *SELLER_ROLES)


def plan_allowed_actions(plan: SalesPlan, user) -> list[str]:
    """The moves `user` may make on `plan` now: edit, submit, cancel — its author, a draft or a plan sent back."""
    if not _active(user) or plan.author_id != user.pk or plan.status not in SalesPlan.EDITABLE:
        return []
    return ["edit", "submit", "cancel"]
