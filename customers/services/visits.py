"""Visit plans (拜访计划) and visit records (拜访记录)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core.days import day_range_error
from salesops.core.errors import DomainError
from salesops.core.models import Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.timeline import changes_between, choice, record_event, snapshot
from salesops.core.transitions import transition

from ..models import Contact, Customer, Opportunity, Visit, VisitPlan
from ..selectors import customer_list_for
from .access import _require, can_edit_customer, can_manage_visit_plan, can_plan_visits_for, can_review_visit_plan
from .common import (
    _ensure_contact_of,
    _ensure_next_date,
    _ensure_open,
    _lock_customer,
    _set_next_contact_date,
    _transition_message,
    _validate,
)
from .opportunities import check_opportunity_of


def visit_plan_create(
    *,
    actor,
    customer: Customer,
    planned_date: date,
    purpose: str,
    period: str = VisitPlan.Period.WEEK,
    contact: Contact | None = None,
    rep=None,
) -> VisitPlan:
    """Put a visit in a rep's monthly/weekly/daily plan (拜访计划).

    Rule: a rep plans their own visits, a team lead for the reps of their team, a manager for anyone; the rep must be able
    to see the customer; no dates in the past; not for deactivated customers. Source: SPEC.md "Visits".
    """
    rep = rep or actor
    purpose = (purpose or "").strip()
    _require(can_plan_visits_for(actor, rep), _("您只能为自己或本组业务员安排拜访计划。"))
    if not purpose:
        raise DomainError(_("请填写拜访目的。"), code="purpose_required")
    if planned_date < timezone.localdate():
        raise DomainError(_("计划日期不能早于今天。"), code="plan_in_past")
    if not customer_list_for(rep).filter(pk=customer.pk).exists():
        raise DomainError(
            _("%(rep)s 不负责客户“%(customer)s”，不能为其安排拜访。") % {"rep": display_name(rep), "customer": customer}
        )
    with transaction.atomic():
        locked = _lock_customer(customer)
        _ensure_open(locked)
        _ensure_contact_of(contact, locked)
        plan = VisitPlan(rep=rep, customer=locked, contact=contact, period=period, planned_date=planned_date, purpose=purpose)
        _validate(plan)
        plan.save()
        record_event(
            target=locked,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("拜访计划（%(period)s）：%(date)s %(rep)s — %(purpose)s"),
            params={
                "period": choice(plan, "period"),
                "date": f"{planned_date:%Y-%m-%d}",
                "rep": display_name(rep),
                "purpose": purpose,
            },
        )
    return plan


def visit_plan_review(*, actor, plan: VisitPlan, note: str) -> VisitPlan:
    """The weekly-meeting review note (周会点评) on a plan; the rep is notified.

    Rule: the lead of the rep's team or a manager. Source: SPEC.md "Visits" (plans reviewed in the weekly meeting).
    """
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写点评内容。"), code="note_required")
    with transaction.atomic():
        locked = VisitPlan.objects.select_for_update(of=("self",)).select_related("rep", "customer").get(pk=plan.pk)
        _require(can_review_visit_plan(actor, locked), _("只有该业务员的组长或销售经理可以点评拜访计划。"))
        before = snapshot(locked, ["review_note"])
        locked.review_note, locked.reviewed_by, locked.reviewed_at = note, actor, timezone.now()
        locked.save(update_fields=["review_note", "reviewed_by", "reviewed_at"])
        record_event(
            target=locked.customer,
            verb=Event.Verb.COMMENT,
            actor=actor,
            text=gettext_noop("点评 %(date)s 的拜访计划：%(note)s"),
            params={"date": f"{locked.planned_date:%Y-%m-%d}", "note": note},
            changes=changes_between(locked, before),
        )
        if locked.rep_id != actor.pk:
            notify(
                recipients=[locked.rep],
                title=gettext_lazy("%(actor)s 点评了您的拜访计划：%(customer)s"),
                params={"actor": display_name(actor), "customer": locked.customer},
                body=note,
                url=locked.get_absolute_url(),
            )
    return locked


def visit_plan_cancel(*, actor, plan: VisitPlan, reason: str) -> VisitPlan:
    """Cancel a planned visit (with a reason) through the transition helper; 409 if it already happened or was cancelled.

    Rule: the plan's rep, their team lead or a manager. Source: SPEC.md "Visits".
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写取消原因。"), code="reason_required")
    with transaction.atomic():
        current = VisitPlan.objects.select_for_update(of=("self",)).select_related("rep", "customer").get(pk=plan.pk)
        cancelled = transition(
            obj=current,
            action="cancel",
            actor=actor,
            check=lambda p: _require(can_manage_visit_plan(actor, p), _("您不能取消别人的拜访计划。")),
            **_transition_message(current, "cancel", reason),
        )
        record_event(
            target=current.customer,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("取消 %(date)s 的拜访计划：%(reason)s"),
            params={"date": f"{current.planned_date:%Y-%m-%d}", "reason": reason},
        )
    return cancelled


def visit_create(
    *,
    actor,
    visited_on: date,
    outcome: str,
    customer: Customer | None = None,
    plan: VisitPlan | None = None,
    purpose: str = "",
    contact: Contact | None = None,
    next_step: str = "",
    next_contact_date: date | None = None,
    opportunity: Opportunity | None = None,
) -> Visit:
    """Record a visit that happened (拜访记录); from a plan it completes the plan (409 when it was already completed or
    cancelled). A next contact date moves the customer's next contact date; a visit for an opportunity (an open one of
    the customer) is on the opportunity's timeline too.

    Rule: from a plan — the plan's rep, their lead or a manager (the visit is the plan rep's); without a plan — whoever may
    edit the customer (the visit is the actor's). No future dates; not for deactivated customers. Source: SPEC.md "Visits".
    """
    today = timezone.localdate()
    outcome, next_step = (outcome or "").strip(), (next_step or "").strip()
    if plan is not None:
        if customer is not None and customer.pk != plan.customer_id:
            raise DomainError(_("拜访记录的客户与拜访计划不一致。"))
        customer, rep = plan.customer, plan.rep
        purpose = (purpose or "").strip() or plan.purpose
        contact = contact or plan.contact
    else:
        if customer is None:
            raise DomainError(_("请选择客户。"), code="customer_required")
        rep = actor
        purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError(_("请填写拜访目的。"), code="purpose_required")
    if not outcome:
        raise DomainError(_("请填写拜访结果。"), code="outcome_required")
    if visited_on > today:
        raise DomainError(_("拜访日期不能晚于今天。"), code="visit_in_future")
    error = day_range_error(visited_on, _("拜访日期"))
    if error:
        raise DomainError(error, code="invalid_date")
    _ensure_next_date(next_contact_date, today)
    with transaction.atomic():
        locked = _lock_customer(customer)
        if plan is not None:
            plan = transition(
                obj=plan,
                action="complete",
                actor=actor,
                check=lambda p: _require(can_manage_visit_plan(actor, p), _("您不能替别人完成拜访计划。")),
            )
        else:
            _require(can_edit_customer(actor, locked), _("您没有为该客户记录拜访的权限。"))
        _ensure_open(locked)
        _ensure_contact_of(contact, locked)
        opportunity = check_opportunity_of(opportunity, locked)
        visit = Visit(
            opportunity=opportunity,
            plan=plan,
            rep=rep,
            customer=locked,
            contact=contact,
            visited_on=visited_on,
            purpose=purpose,
            outcome=outcome,
            next_step=next_step,
            next_contact_date=next_contact_date,
        )
        _validate(visit)
        visit.save()
        changes = _set_next_contact_date(locked, next_contact_date, actor) if next_contact_date else []
        said = {
            "text": gettext_noop("拜访记录：%(date)s %(rep)s — %(purpose)s；结果：%(outcome)s"),
            "params": {"date": f"{visited_on:%Y-%m-%d}", "rep": display_name(rep), "purpose": purpose, "outcome": outcome},
        }
        record_event(target=locked, verb=Event.Verb.NOTE, actor=actor, changes=changes, **said)
        if opportunity is not None:  # the opportunity it was for tells it too
            record_event(target=opportunity, verb=Event.Verb.NOTE, actor=actor, **said)
    return visit
