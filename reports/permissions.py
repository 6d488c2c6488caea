"""Who may see and do what with targets and figures (ARCHITECTURE.md rule 5): asked by pages, API and services.

Targets: managers, the sales VP and the GM set company and team targets; a team lead splits the team's target among
its reps (and so do the managers); everybody who may view a scope (reports.scopes) reads its targets.
"""

from __future__ import annotations

from customers.selectors import led_team_ids
from salesops.core.roles import is_manager

from .scopes import Scope, may_view


def may_set_target(user, level: str, team_id: int | None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_manager(user):
        return True
    return level == "rep" and team_id is not None and team_id in led_team_ids(user)


def may_manage_targets(user) -> bool:
    """Whether the user sets any target (the page shows the edit and import controls)."""
    return is_manager(user) or bool(led_team_ids(user))


def target_allowed_actions(target, user) -> list[str]:
    return ["edit", "delete"] if may_set_target(user, target.level, target.team_id) else []


def may_read_target(target, user) -> bool:
    if target.level == "company":
        scope = Scope.company()
    elif target.level == "team":
        scope = Scope.team(target.team_id)
    else:
        scope = Scope.rep(target.rep_id)
    return may_view(user, scope)
