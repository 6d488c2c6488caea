"""Who may see and do what with targets and figures (ARCHITECTURE.md rule 5): asked by pages, API and services.

Targets: managers, the sales VP and the GM set company and team targets; a team lead splits the team's target among
its reps (and so do the managers); everybody who may view a scope (reports.scopes) reads its targets.

Weekly reports (销售周报): the field sales (reps and team leads) write their own; their team's lead and the sales
managers, VP and GM read them, comment on them or send them back (`weekly_allowed_actions`), never their own.

Performance appraisal (绩效考核): the sales manager (and an admin) opens a round, scores, sends each appraisal to the
person, re-confirms one objected to and submits the table to the GM; a team lead scores their team's drafts (对团队
成员进行考核，提出奖惩意见); the person reads their own once sent and confirms it or objects; the sales VP and the GM read
every round, finance the approved ones (薪金发放); nobody appraises themselves (`appraisal_allowed_actions`).

Monthly reports: `report_run_allowed_actions(run, user)` — whoever may view a run's scope (a rep their own figures, a team
lead the team's, managers, VP, GM, finance and clerks the company's) may download it when done and retry it when failed;
after-sales (service and QC) request, download and retry the 售后服务统计 of any scope — their department's own
statistics — and no other report (`report_kinds_for`).
"""

from __future__ import annotations

from customers.selectors import led_team_ids
from salesops.core.roles import MANAGER_ROLES, Role, has_role, is_manager, user_roles

from .appraisal_rules import POSTS
from .models import Appraisal, AppraisalRound, ReportRun, WeeklyReport
from .scopes import Scope, all_scopes, may_view, scope_for, scopes_visible_to


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


# The after-sales department reads its own monthly statistics (售后服务统计), of every scope, and no sales report.
AFTERSALES_REPORT_ROLES = (Role.SERVICE, Role.QC)
AFTERSALES_REPORT_KINDS = (ReportRun.Kind.SERVICE,)


def reads_aftersales_reports(user) -> bool:
    return _active(user) and has_role(user, *AFTERSALES_REPORT_ROLES)


def report_kinds_for(user) -> list[str]:
    """The monthly reports `user` may request: every kind for who sees sales figures (of the scopes they may see), the
    after-sales statistics for service and QC; none for the others."""
    if scope_for(user) is not None:
        return list(ReportRun.Kind.values)
    return [str(kind) for kind in AFTERSALES_REPORT_KINDS] if reads_aftersales_reports(user) else []


def report_scopes_for(user) -> list[Scope]:
    """The scopes `user` may pick for a monthly report: those they may see, or every scope for after-sales (whose
    statistics serve every customer)."""
    if scope_for(user) is None and reads_aftersales_reports(user):
        return all_scopes()
    return scopes_visible_to(user)


def default_report_scope(user) -> Scope:
    """The scope of a report requested without one: the widest `user` may request (the first the request form offers,
    report_scopes_for) — the company for who sees it and for after-sales, the (first) team a lead leads, a rep's own
    figures; the company for anybody else (then refused as any scope they may not request)."""
    return scope_for(user) or Scope.company()


def may_request(user, scope: Scope, kind: str) -> bool:
    """Anyone may have a report made of figures they may see; service and QC the after-sales statistics of any scope."""
    return may_view(user, scope) or (kind in AFTERSALES_REPORT_KINDS and reads_aftersales_reports(user))


def may_see_run(user, run: ReportRun) -> bool:
    return may_request(user, Scope.parse(run.scope_key), run.kind)


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


# --- performance appraisal (绩效考核) -----------------------------------------------------------------------------------
APPRAISER_ROLES = (Role.SALES_MANAGER, Role.ADMIN)
APPRAISAL_READER_ROLES = (Role.SALES_MANAGER, Role.SALES_VP, Role.GM, Role.ADMIN)  # every round and appraisal


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def appraises(user) -> bool:
    """Opens rounds, scores, sends, re-confirms and submits: the sales manager (and an admin)."""
    return _active(user) and has_role(user, *APPRAISER_ROLES)


def appraised_post(user) -> str | None:
    """The post a user is appraised on: "seller" (业务员, 销售组长), "clerk" (销售内勤), or None."""
    roles = user_roles(user)
    for role, post in POSTS.items():
        if role in roles:
            return post
    return None


def reads_all_appraisals(user) -> bool:
    return _active(user) and has_role(user, *APPRAISAL_READER_ROLES)


def reads_rounds(user) -> bool:
    """Has the 绩效考核 page of rounds: the managers, the VP, the GM, finance (the approved ones), a team lead (the
    team's rows)."""
    return reads_all_appraisals(user) or (_active(user) and (has_role(user, Role.FINANCE) or bool(led_team_ids(user))))


def has_own_appraisals(user) -> bool:
    """Has the 我的考核 page: whoever is appraised."""
    return _active(user) and appraised_post(user) is not None


def may_score_as_lead(user, appraisal: Appraisal) -> bool:
    return appraisal.team_id is not None and appraisal.team_id in led_team_ids(user)


def appraisal_allowed_actions(appraisal: Appraisal, user) -> list[str]:
    """While the round is open: the person confirms or objects to an appraisal sent to them; the appraiser scores a
    draft or an objected one, sends a draft or leaves it out, re-confirms an objected one (settle), takes one back to
    scoring (reopen) and includes one left out; the person's team lead scores a draft. Nobody acts on their own scores."""
    if appraisal.round.status != AppraisalRound.Status.OPEN or not _active(user):
        return []
    status = appraisal.status
    if appraisal.employee_id == user.pk:
        return ["confirm", "object"] if status == Appraisal.Status.SENT else []
    if appraises(user):
        actions = ["score"] if status in Appraisal.SCORABLE else []
        actions += {
            Appraisal.Status.DRAFT: ["send", "exclude"],
            Appraisal.Status.OBJECTED: ["settle"],
            Appraisal.Status.SENT: ["reopen"],
            Appraisal.Status.CONFIRMED: ["reopen"],
            Appraisal.Status.SETTLED: ["reopen"],
            Appraisal.Status.EXCLUDED: ["include"],
        }[status]
        return actions
    if status == Appraisal.Status.DRAFT and may_score_as_lead(user, appraisal):
        return ["score"]
    return []


def round_allowed_actions(round_: AppraisalRound, user) -> list[str]:
    """The appraiser sends every scored draft of an open round at once (while it has drafts) and submits it to the GM
    (who decides in 待我审批 or on the round's page)."""
    if round_.status != AppraisalRound.Status.OPEN or not appraises(user):
        return []
    drafts = round_.appraisals.filter(status=Appraisal.Status.DRAFT).exists()
    return ["send_scored", "submit"] if drafts else ["submit"]
