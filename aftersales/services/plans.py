"""The annual after-sales service plan (年度售后服务计划), approved by leadership through the approvals engine.

Seed: 公司主管领导负责审批年度售后服务计划、重大服务行动(现场保障)的策划以及用户投诉处理意见等 (服务过程控制程序 3.3).
Route: the sales VP, then the GM. A rejected plan is revised and submitted again (a new round); one approved plan per year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core import approvals
from salesops.core.approvals import StepSpec
from salesops.core.editing import required_text
from salesops.core.errors import Conflict, DomainError
from salesops.core.locking import retry_on_lock_conflict
from salesops.core.models import ApprovalRequest, Event
from salesops.core.once import create_once, once_fingerprint
from salesops.core.roles import user_roles
from salesops.core.timeline import record_event
from salesops.core.transitions import transition

from ..models import ServicePlan, ServicePlanItem
from ..permissions import may_edit_plan, plan_allowed_actions
from .common import lock, page, require, require_action, require_state, service_team

PLAN_KIND = "service_plan"
EDITABLE = (ServicePlan.Status.DRAFT, ServicePlan.Status.REJECTED)


WHY_PLAN_VP_OWN = gettext_noop("计划由销售副总提交，本人不能审批，报总经理审批")
WHY_PLAN_GM_OWN = gettext_noop("计划由总经理提交，本人不能审批，由销售副总审批")


def plan_route(own_roles: Iterable[str] = ()) -> list[StepSpec]:
    """The sales VP, then the GM. Nobody approves what they submit (salesops.core.approvals): `own_roles` are the roles of
    who submits it. The VP's own submission goes to the GM alone; the GM's own has no level above, so the VP alone
    approves it (as a return request, rules.rma_route). When the submitter is both, nobody may: the route is empty (the
    service refuses the submission)."""
    own = set(own_roles)
    vp = StepSpec(code="sales_vp", label=gettext_lazy("销售副总审批"), stage=10, role="sales_vp", department="management")
    gm = StepSpec(code="gm", label=gettext_lazy("总经理审批"), stage=20, role="gm", department="management")
    if "sales_vp" in own:
        return [] if "gm" in own else [replace(gm, reason=WHY_PLAN_VP_OWN)]
    if "gm" in own:
        return [replace(vp, reason=WHY_PLAN_GM_OWN)]
    return [vp, gm]


def _fields(data: Mapping[str, Any]) -> dict:
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("请填写正确的年度。"))
    return {
        "year": year,
        "title": required_text(data.get("title"), _("请填写计划标题。"))[:200],
        "goals": required_text(data.get("goals"), _("请填写服务目标。")),
        "content": required_text(data.get("content"), _("请填写计划内容。")),
    }


def _items(plan: ServicePlan, items: Iterable[Mapping[str, Any]]) -> int:
    """The plan's month lines, each checked — nothing is dropped or cut silently: a line without its activity, a month
    outside 1–12, an over-long text or an owner (负责人) who is not active service staff is refused with its number."""
    service_staff = set(service_team().values_list("pk", flat=True))
    rows = []
    for n, item in enumerate(items, start=1):
        activity = (item.get("activity") or "").strip()
        target = (item.get("target") or "").strip()
        month = item.get("month")
        if not activity:
            raise DomainError(_("第 %(n)d 项：请填写活动。") % {"n": n})
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise DomainError(_("第 %(n)d 项“%(activity)s”：月份应为 1–12。") % {"n": n, "activity": activity})
        if len(activity) > 200 or len(target) > 200:
            raise DomainError(_("第 %(n)d 项：活动和目标/指标各不能超过 200 个字。") % {"n": n})
        owner = item.get("owner")
        owner_pk = getattr(owner, "pk", owner)
        if owner_pk is not None and owner_pk not in service_staff:
            raise DomainError(_("第 %(n)d 项“%(activity)s”：负责人应为在职的客服/售后人员。") % {"n": n, "activity": activity})
        rows.append(ServicePlanItem(plan=plan, month=month, activity=activity, owner_id=owner_pk, target=target))
    ServicePlanItem.objects.bulk_create(rows)
    return len(rows)


def _lock_year(year: int) -> None:
    """Lock every plan of `year` (in pk order, ARCHITECTURE.md rule 11): the submissions and approvals of one year's plans
    wait on each other, so the check below and the write that follows it see the same plans."""
    list(ServicePlan.objects.select_for_update().filter(year=year).order_by("pk").values_list("pk", flat=True))


def _refuse_if_year_taken(year: int, *, exclude_pk: int | None = None) -> None:
    """409 when another plan of `year` is in review or approved: one plan per year goes to the leadership at a time,
    and one approved plan per year (the database's `uniq_approved_service_plan_per_year` as well)."""
    others = dict(
        ServicePlan.objects.filter(year=year, status__in=[ServicePlan.Status.SUBMITTED, ServicePlan.Status.APPROVED])
        .exclude(pk=exclude_pk)
        .values_list("status", "title")
    )
    if ServicePlan.Status.APPROVED in others:
        raise Conflict(_("%(year)s 年度已有批准的售后服务计划。") % {"year": year})
    if ServicePlan.Status.SUBMITTED in others:
        raise Conflict(
            _("%(year)s 年度已有审批中的售后服务计划“%(title)s”，请等其审批结束。")
            % {"year": year, "title": others[ServicePlan.Status.SUBMITTED]}
        )


def plan_create(*, actor, data: Mapping[str, Any], items: Iterable[Mapping[str, Any]] = ()) -> ServicePlan:
    """A draft plan; refused (409) while another plan of the year is in review or approved. `data["once_key"]` (the
    form's hidden key, the API's Idempotency-Key): the same submission again writes nothing and raises core.once.Replayed
    with the plan it wrote; the key again with other input is refused (409) and writes nothing (salesops.core.once)."""
    require(may_edit_plan(actor), _("只有客服/售后部门和经理可以编制服务计划。"))
    items = list(items)
    fields = _fields(data)
    key = data.get("once_key")
    return create_once(
        ServicePlan,
        key=key,
        actor=actor,
        by="created_by",
        fingerprint=once_fingerprint(data=data, items=items),
        create=lambda: _create(actor, fields, items, key),
        replayed=lambda p: _("这份服务计划已经提交过（“%(plan)s”），没有重复编制。") % {"plan": str(p)},
    )


def _create(actor, fields: dict, items: Iterable[Mapping[str, Any]], key) -> ServicePlan:
    with transaction.atomic():
        plan = ServicePlan.objects.create(created_by=actor, once_key=key, **fields)
        count = _items(plan, items)  # the input is checked first (400), then the year (409)
        _refuse_if_year_taken(plan.year, exclude_pk=plan.pk)
        record_event(
            target=plan,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("编制 %(year)s 年度售后服务计划（%(n)d 项）"),
            params={"year": plan.year, "n": count},
        )
    return plan


def plan_update(
    *, plan: ServicePlan, actor, data: Mapping[str, Any], items: Iterable[Mapping[str, Any]] | None = None
) -> ServicePlan:
    """Revise a draft or rejected plan (its items are replaced when `items` is given)."""
    fields = _fields(data)
    with transaction.atomic():
        p = lock(ServicePlan, plan)
        require_state(p.status in EDITABLE, p, _("修改"))
        require_action("edit", plan_allowed_actions(p, actor), _("只有客服/售后部门和经理可以修改服务计划。"))
        if fields["year"] != p.year:
            _refuse_if_year_taken(fields["year"], exclude_pk=p.pk)
        for name, value in fields.items():
            setattr(p, name, value)
        p.save()
        if items is not None:
            p.items.all().delete()
            _items(p, items)
        record_event(target=p, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("修改计划"))

    return p


@retry_on_lock_conflict
def plan_submit(*, plan: ServicePlan, actor) -> ServicePlan:
    """Submit to the VP and the GM (plan_route: the VP's own to the GM alone, the GM's own to the VP alone); refused
    (409) while another plan of the year is in review or approved. The year's plans are locked first (pk order), so two
    plans of one year submitted at once go to the leadership one at a time."""

    def check(p):
        _refuse_if_year_taken(p.year, exclude_pk=p.pk)  # 409 first: the year's state, then the actor's right
        require_action("submit", plan_allowed_actions(p, actor), _("只有客服/售后部门和经理可以提交服务计划。"))

    with transaction.atomic():
        year = ServicePlan.objects.filter(pk=plan.pk).values_list("year", flat=True).first()
        if year is not None:
            _lock_year(year)
        p = transition(obj=plan, action="submit", actor=actor, check=check)
        steps = plan_route(user_roles(actor))
        if not steps:
            raise DomainError(_("销售副总和总经理都不能审批本人提交的计划，无人可以审批：请由其他人员提交。"))
        approvals.approval_start(target=p, kind=PLAN_KIND, steps=steps, actor=actor, title=str(p), url=page("plan_detail", p.pk))
    return p


def plan_cancel(*, plan: ServicePlan, actor, reason: str) -> ServicePlan:
    """作废 a draft or rejected plan (a leftover of a year that has its approved plan, one written by mistake): it leaves
    the work and stays readable with its history; an approved plan, or one in review, is not cancelled."""
    reason = required_text(reason, _("请填写作废原因。"))
    return transition(
        obj=plan,
        action="cancel",
        actor=actor,
        check=lambda p: require_action("cancel", plan_allowed_actions(p, actor), _("只有客服/售后部门和经理可以作废服务计划。")),
        before_save=lambda p: setattr(p, "cancel_reason", reason[:300]),
        text=gettext_noop("作废：%(reason)s"),
        params={"reason": reason},
    )


def _lock_plan_year(plan: ServicePlan) -> None:
    """The engine's locker for a plan's decision: every plan of its year (pk order), before the request and the step."""
    _lock_year(plan.year)


def _on_plan_decided(request: ApprovalRequest, outcome: str, actor) -> None:
    """Approved: the plan becomes the year's plan — unless another plan of the year was approved meanwhile (plans in
    review before this check existed): then 409 and nothing changes; the approver rejects it instead."""
    p = lock(ServicePlan, request.target_id)
    if outcome == ApprovalRequest.Status.APPROVED:
        if ServicePlan.objects.filter(year=p.year, status=ServicePlan.Status.APPROVED).exclude(pk=p.pk).exists():
            raise Conflict(
                _("%(year)s 年度已有批准的售后服务计划，不能再批准“%(title)s”；请驳回本计划。")
                % {"year": p.year, "title": p.title}
            )
        p.approve()
        p.approved_at = timezone.now()
    else:
        p.reject()
    p.save()


def register() -> None:
    approvals.register_outcome_handler(
        PLAN_KIND, _on_plan_decided, label=gettext_lazy("年度售后服务计划"), locker=_lock_plan_year
    )
