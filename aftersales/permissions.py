"""Who may do what on after-sales documents — one mechanism, `<doc>_allowed_actions(doc, user) -> list[str]`, asked by the
pages (which buttons), the API (`allowed_actions` in every detail) and the services (which refuse anything not listed).

Seeing a document is the selectors' business (a rep sees only own customers' documents, 404 otherwise); these functions
assume the user already sees `doc` and answer "may do" (403 when not).
Roles: service (客服/售后) runs the desk; QC investigates complaints and answers them (seed: 品管部负责顾客投诉的解答及回复),
the answer approved by the sales VP (主管领导);
the warehouse receives returned goods; the sales VP (and GM) approve returns through the approvals engine.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from salesops.core import approvals
from salesops.core.models import ApprovalRequest, ApprovalStep
from salesops.core.roles import MANAGER_ROLES, Role, has_role, user_roles

from . import rules
from .config import setting
from .models import Callback, Complaint, CorrectiveAction, ReturnRequest, ServicePlan, ServiceTicket

SALES_ROLES = (Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK)


# --- roles ------------------------------------------------------------------------------------------------------------
def is_desk(user) -> bool:
    """Service staff and managers run the service desk (assign, escalate, close)."""
    return has_role(user, Role.SERVICE, *MANAGER_ROLES)


def is_qc(user) -> bool:
    return has_role(user, Role.QC, *MANAGER_ROLES)


def is_clerk(user) -> bool:
    return has_role(user, Role.SALES_CLERK, *MANAGER_ROLES)


def sees_desk(user) -> bool:
    return is_desk(user)


def sees_plans(user) -> bool:
    """The annual service plans are read by the service department, QC and leadership."""
    return has_role(user, Role.SERVICE, Role.QC, *MANAGER_ROLES)


def works_complaints(user) -> bool:
    """QC's complaints to investigate and actions to verify on the home page (the QC role itself: managers, who may act
    as QC, read them on the complaint list's `queue`)."""
    return has_role(user, Role.QC)


def may_create_ticket(user) -> bool:
    return has_role(user, Role.SERVICE, *SALES_ROLES, *MANAGER_ROLES)


def may_register_complaint(user) -> bool:
    return has_role(user, Role.SERVICE, Role.QC, *SALES_ROLES, *MANAGER_ROLES)


def may_request_rma(user) -> bool:
    """The rep, the clerk or service asks for a return/exchange/repair on behalf of a customer or store."""
    return has_role(user, Role.SERVICE, *SALES_ROLES, *MANAGER_ROLES)


def may_issue_refund(user) -> bool:
    return has_role(user, Role.SALES_CLERK, Role.FINANCE, *MANAGER_ROLES)


def may_exchange(user) -> bool:
    """A replacement order is an order: the clerk's (and the managers')."""
    return is_clerk(user)


def may_send_back_repair(user) -> bool:
    return has_role(user, Role.SERVICE, Role.WAREHOUSE, Role.SALES_CLERK, *MANAGER_ROLES)


# who may close a received request each way: the service checks the role first (403), then the state (409)
RMA_OUTCOME_ROLES = {"refund": may_issue_refund, "exchange": may_exchange, "repair_return": may_send_back_repair}


def may_edit_plan(user) -> bool:
    return has_role(user, Role.SERVICE, *MANAGER_ROLES)


# --- callbacks --------------------------------------------------------------------------------------------------------
def callback_allowed_actions(cb: Callback, user, *, today=None) -> list[str]:
    """`record` from the callback's due day on only (rules.callback_record_refusal): a scheduled callback whose day has not
    come may be reassigned or cancelled by the desk, not made."""
    out = []
    pending = cb.status in (Callback.Status.SCHEDULED, Callback.Status.OPEN)
    due = not rules.callback_record_refusal(due_on=cb.due_on, today=today or timezone.localdate())
    if pending and due and (cb.assignee_id == user.pk or is_desk(user)):
        out.append("record")
    if pending and is_desk(user):
        out += ["reassign", "cancel"]
    if cb.status == Callback.Status.DONE:
        if not _has(cb, "complaint") and may_register_complaint(user):
            out.append("open_complaint")
        if not _has(cb, "ticket") and may_create_ticket(user):
            out.append("open_ticket")
    return out


def may_make_callback(user, cb: Callback) -> bool:
    """Who a callback may be given to: active service staff, or the customer's own rep — the rep who owns the customer,
    or the one its order is credited to (who the day-30 rule gives it to) — nobody else, since the callback shows the
    customer's order, delivery and scores (SPEC: a rep sees only own customers; the GM or another team's rep is no
    callback maker)."""
    if user is None or not user.is_active:
        return False
    return has_role(user, Role.SERVICE) or user.pk in (cb.customer.owner_id, cb.order.owner_id)


def _has(obj, reverse_one_to_one: str) -> bool:
    """Has a linked document through a reverse one-to-one (a missing one raises an AttributeError subclass)."""
    return getattr(obj, reverse_one_to_one, None) is not None


# --- service tickets --------------------------------------------------------------------------------------------------
def ticket_allowed_actions(t: ServiceTicket, user, *, now=None) -> list[str]:
    """A resolved ticket may be reopened within `ticket_reopen_days` of its resolution."""
    S = ServiceTicket.Status
    desk, engineer = is_desk(user), t.engineer_id == user.pk
    handler = desk or engineer
    out = []
    if desk and t.is_active:
        out.append("assign")
    if handler and t.status == S.ASSIGNED:
        out.append("start")
    if handler and t.status == S.IN_PROGRESS:
        out.append("wait")
    if handler and t.status == S.WAITING:
        out.append("resume")
    if handler and t.status in (S.IN_PROGRESS, S.WAITING):
        out.append("resolve")
    if (desk or t.created_by_id == user.pk) and t.status == S.RESOLVED:
        out.append("close")
    if (
        (handler or t.created_by_id == user.pk)
        and t.status in (S.RESOLVED, S.CLOSED)
        and t.resolved_at
        and (now or timezone.now()) - t.resolved_at <= timedelta(days=int(setting("ticket_reopen_days")))
    ):
        out.append("reopen")
    if (desk or t.created_by_id == user.pk) and t.status in (S.OPEN, S.ASSIGNED):
        out.append("cancel")
    if t.status != S.CANCELLED and (handler or t.created_by_id == user.pk or t.customer.owner_id == user.pk):
        out.append("log")
    if handler and t.is_active:
        out.append("add_part")
    return out


# --- complaints -------------------------------------------------------------------------------------------------------
def complaint_allowed_actions(c: Complaint, user) -> list[str]:
    """QC (and the managers) answer the customer; the answer goes to the leadership (the sales VP) for approval
    (`submit_answer`, rules.complaint_answer_route) before the complaint may be closed. While a round is pending the answer
    is not changed (no `answer`) and the VP may `decide_answer` (POST /api/v1/approval-steps/{id}/decide/ or the page's
    decide form); neither does the root cause (rules.COMPLAINT_ANSWER_FIELDS, no `record_cause`). Nobody approves an
    answer they wrote or submitted, or whose root cause they wrote: the round goes to the next level
    (complaint_answer_route_for), and `submit_answer` is not offered when nobody would be left to approve it (the VP wrote
    it or its root cause and the GM would submit it, or the reverse)."""
    S, A = Complaint.Status, Complaint.AnswerStatus
    qc = is_qc(user)
    out = []
    if qc and c.status == S.REGISTERED:
        out.append("investigate")
    if qc and c.status in (S.INVESTIGATING, S.ACTIONS) and c.answer_status != A.PENDING:
        out.append("record_cause")
    if qc and c.status == S.ACTIONS:
        out.append("add_action")
        if c.answer_status != A.PENDING:
            out.append("answer")
        if (c.answer or "").strip() and c.answer_status in (A.NONE, A.REJECTED) and complaint_answer_route_for(c, user):
            out.append("submit_answer")
        out.append("close")
    if c.status == S.ACTIONS and c.answer_status == A.PENDING and _may_decide_answer(c, user):
        out.append("decide_answer")
    if (is_desk(user) or c.created_by_id == user.pk) and c.status == S.REGISTERED:
        out.append("cancel")
    return out


def complaint_answer_route_for(c: Complaint, submitter) -> list:
    """Who approves `c`'s current answer if `submitter` submits it (rules.complaint_answer_route): never its own people,
    the root cause's author (cause_by), the answer's author (answered_by, the approval's owner) and the submitter — an
    answer the VP wrote, or whose root cause the VP wrote, goes to the GM; an empty route when nobody is left
    (`submitter` None: who approves it whoever submits it)."""
    # one person in several of these parts (QC wrote the cause and the answer and submits it) is read once: the roles
    # are cached on the user object (salesops.core.roles.user_roles), so the same object stands for each part
    people = {submitter.pk: submitter} if getattr(submitter, "pk", None) else {}
    author = people.setdefault(c.answered_by_id, c.answered_by) if c.answered_by_id else None
    cause_author = people.setdefault(c.cause_by_id, c.cause_by) if c.cause_by_id else None
    return rules.complaint_answer_route(
        own_roles=user_roles(submitter) | user_roles(author), cause_roles=user_roles(cause_author)
    )


def complaint_answer_approver(c: Complaint) -> str | None:
    """Who approves `c`'s current answer — the role of complaint_answer_route's step, "sales_vp" or "gm" — or None when
    nobody may (the VP and the GM both wrote part of it). A round already sent (pending, or approved: a revised answer is
    "not submitted" again) is decided by whom it was routed to when it was submitted (the GM, when the VP submitted it);
    otherwise the route of the answer as it stands, whoever submits it (complaint_answer_route_for(c, None)): the GM
    when the VP wrote its root cause or the answer. The page's hint and the API's `answer_approver` say this; one query
    only when a round was sent."""
    A, R = Complaint.AnswerStatus, ApprovalRequest.Status
    sent_as = {A.PENDING: R.PENDING, A.APPROVED: R.APPROVED}.get(c.answer_status)
    if sent_as:
        sent = (
            ApprovalStep.objects.filter(
                request__target_type=ContentType.objects.get_for_model(Complaint),
                request__target_id=c.pk,
                request__kind=rules.COMPLAINT_ANSWER_KIND,
                request__status=sent_as,
            )
            .order_by("-request__created_at", "-request_id", "stage", "pk")
            .values_list("assignee_role", flat=True)
            .first()
        )
        if sent:
            return sent
    route = complaint_answer_route_for(c, None)
    return route[0].role if route else None


def complaint_answer_step(c: Complaint):
    """The pending approval step of the complaint's answer (None when no round is pending)."""
    return (
        ApprovalStep.objects.select_related("request")
        .filter(
            request__target_type=ContentType.objects.get_for_model(Complaint),
            request__target_id=c.pk,
            request__kind=rules.COMPLAINT_ANSWER_KIND,
            request__status=ApprovalRequest.Status.PENDING,
            status=ApprovalStep.Status.PENDING,
        )
        .order_by("pk")
        .first()
    )


def _may_decide_answer(c: Complaint, user) -> bool:
    if not has_role(user, *rules.COMPLAINT_ANSWER_APPROVER_ROLES):  # no query for everyone else
        return False
    step = complaint_answer_step(c)
    return step is not None and approvals.can_decide(step, user)


def action_allowed_actions(a: CorrectiveAction, user) -> list[str]:
    S = CorrectiveAction.Status
    if a.complaint.status != Complaint.Status.ACTIONS:
        return []
    out = []
    if a.status == S.OPEN and (a.owner_id == user.pk or is_qc(user)):
        out.append("finish")
    if a.status == S.DONE and is_qc(user):
        out += ["verify", "send_back"]
    return out


# --- returns ----------------------------------------------------------------------------------------------------------
def rma_may_cancel(r: ReturnRequest, user) -> bool:
    """The requester, service, the clerk and the managers withdraw a request (with a reason)."""
    return r.requested_by_id == user.pk or has_role(user, Role.SERVICE, Role.SALES_CLERK, *MANAGER_ROLES)


def rma_allowed_actions(r: ReturnRequest, user) -> list[str]:
    """A received request is closed only the way its kind was approved (退货 → refund, 换货 → exchange, 维修 →
    repair_return: rules.rma_outcome_action); an approved one may still be withdrawn while its goods have not arrived."""
    S = ReturnRequest.Status
    requester = rma_may_cancel(r, user)
    out = []
    if requester and r.status == S.DRAFT:
        out += ["add_photo", "submit"]
    if requester and r.status in (S.DRAFT, S.SUBMITTED, S.APPROVED):
        out.append("cancel")
    if has_role(user, Role.WAREHOUSE) and r.status == S.APPROVED:
        out.append("receive")
    if r.status == S.RECEIVED:
        action = rules.rma_outcome_action(r.kind)
        if RMA_OUTCOME_ROLES[action](user):
            out.append(action)
    return out


# --- plans ------------------------------------------------------------------------------------------------------------
def plan_allowed_actions(p: ServicePlan, user) -> list[str]:
    """A draft or rejected plan is edited, submitted — only while no other plan of its year is in review or approved
    (services.plans refuses that with 409; a leftover draft of such a year is moved to another year or cancelled) — or
    cancelled (作废)."""
    S = ServicePlan.Status
    if not may_edit_plan(user) or p.status not in (S.DRAFT, S.REJECTED):
        return []
    year_taken = ServicePlan.objects.filter(year=p.year, status__in=[S.SUBMITTED, S.APPROVED]).exclude(pk=p.pk).exists()
    return ["edit", "cancel"] if year_taken else ["edit", "submit", "cancel"]


# --- menus (<app>/menu.py shows these items only to them) ----------------------------------------
def may_own_actions(user) -> bool:
    """我的整改措施: QC may name any member of staff as the owner of a corrective action (production, procurement, the
    quality department, the warehouse …), so everyone has the list of their own (selectors.my_actions_for)."""
    return bool(getattr(user, "is_authenticated", False))


def serves_customers(user) -> bool:
    """Everyone who meets customers or their goods after the sale; the department reviewers do not."""
    return has_role(
        user,
        Role.SALES_REP,
        Role.TEAM_LEAD,
        Role.SALES_CLERK,
        Role.SERVICE,
        Role.QC,
        Role.WAREHOUSE,
        Role.FINANCE,
        *MANAGER_ROLES,
    )
