"""Who may do what with monthly reports: `report_run_allowed_actions(run, user)` — asked by the pages (buttons), the API
(`allowed_actions`) and the services. Who sees which figures is reports.scopes' business: a rep their own, a team lead the
team's, managers, VP, GM and finance the company's (`may_view`)."""

from __future__ import annotations

from .models import ReportRun
from .scopes import Scope, may_view


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
