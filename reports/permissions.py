"""Who may see and do what with targets and figures (ARCHITECTURE.md rule 5): asked by pages, API and services.

Targets: managers, the sales VP and the GM set company and team targets; a team lead splits the team's target among
its reps (and so do the managers); everybody who may view a scope (reports.scopes) reads its targets.

Weekly reports (销售周报): the field sales (reps and team leads) write their own; their team's lead and the sales
managers, VP and GM read them, comment on them or send them back (`weekly_allowed_actions`), never their own.

Monthly reports: `report_run_allowed_actions(run, user)` — whoever may view a run's scope (a rep their own figures, a team
lead the team's, managers, VP, GM, finance and clerks the company's) may download it when done and retry it when failed.
"""

from __future__ import annotations

from customers.selectors import led_team_ids
from salesops.core.roles import MANAGER_ROLES, Role, has_role, is_manager

from .models import ReportRun, WeeklyReport
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


# --- weekly reports (销售周报) ------------------------------------------------------------------------------------------
WEEKLY_WRITER_ROLES = (Role.SALES_REP, Role.TEAM_LEAD)  # the field sales write one each week
WEEKLY_READER_ROLES = (Role.SALES_MANAGER, Role.SALES_VP, Role.GM)  # and read everybody's; a lead reads the team's


def writes_weekly(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and has_role(user, *WEEKLY_WRITER_ROLES))


def reads_weekly(user) -> bool:
    """Whether the user has a 销售周报 menu: writers, team leads and the managers (admins included: MANAGER_ROLES)."""
    return writes_weekly(user) or reads_others_weekly(user)


def reads_others_weekly(user) -> bool:
    """A team lead or a sales manager, VP or GM: reads others' reports (and sees who has not handed theirs in)."""
    return has_role(user, *MANAGER_ROLES) or bool(led_team_ids(user))


def may_review_weekly(user, report: WeeklyReport) -> bool:
    """The lead of the team the report is of, or a sales manager, VP or GM; nobody comments on their own week."""
    if report.rep_id == user.pk:
        return False
    return has_role(user, *WEEKLY_READER_ROLES) or (report.team_id is not None and report.team_id in led_team_ids(user))


def weekly_allowed_actions(report: WeeklyReport, user) -> list[str]:
    """The rep edits and submits a draft or a returned week; a reviewer comments on or returns a submitted one."""
    if report.rep_id == user.pk:
        return ["edit", "submit"] if report.is_editable else []
    if report.status == WeeklyReport.Status.SUBMITTED and may_review_weekly(user, report):
        return ["review", "send_back"]
    return []
