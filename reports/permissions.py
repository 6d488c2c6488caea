"""Who may see and do what with targets and figures (ARCHITECTURE.md rule 5): asked by pages, API and services.

Targets: managers, the sales VP and the GM set company and team targets; a team lead splits the team's target among
its reps (and so do the managers); everybody who may view a scope (reports.scopes) reads its targets.

Monthly reports: `report_run_allowed_actions(run, user)` — whoever may view a run's scope (a rep their own figures, a team
lead the team's, managers, VP, GM, finance and clerks the company's) may download it when done and retry it when failed.
"""

from __future__ import annotations

from customers.selectors import led_team_ids
from salesops.core.roles import is_manager

from .models import ReportRun
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


def may_request(user, scope: Scope) -> bool:
    """Anyone may have a report made of figures they may see."""
    return may_view(user, scope)


def may_see_run(user, run: ReportRun) -> bool:
    return may_view(user, Scope.parse(run.scope_key))


def report_run_allowed_actions(run: ReportRun, user) -> list[str]:
    """ "download" a finished file, "retry" a failed run — for whoever may see the run's scope; nothing otherwise."""
    if not may_see_run(user, run):
        return []
    actions = []
    if run.status == ReportRun.Status.DONE and run.file:
        actions.append("download")
    if run.status == ReportRun.Status.FAILED:
        actions.append("retry")
    return actions
