"""QA: a service plan the sales VP (or the GM) submitted could never be approved — the route was always VP then GM, and
the engine refuses the submitter their own step. The VP's own submission now goes to the GM alone, the GM's own to the
VP alone (services.plans.plan_route)."""

from __future__ import annotations

import pytest

from aftersales.models import ServicePlan
from aftersales.services import plans
from salesops.core import approvals
from salesops.core.errors import DomainError
from tests.aftersales.test_plans_stats import PLAN, decide

pytestmark = pytest.mark.django_db


def route_roles(plan):
    request = approvals.requests_for(plan, plans.PLAN_KIND).get(status="pending")
    return [s.assignee_role for s in request.steps.order_by("stage")]


def test_the_vps_own_plan_is_approved_by_the_gm(cast):
    # given the VP writes and submits the plan
    plan = plans.plan_submit(plan=plans.plan_create(actor=cast.vp, data=PLAN), actor=cast.vp)
    # then only the GM decides it, and approving it approves the plan
    assert route_roles(plan) == ["gm"]
    assert approvals.steps_waiting_for(cast.vp).count() == 0
    assert decide(plan, cast.gm).status == ServicePlan.Status.APPROVED


def test_the_gms_own_plan_is_approved_by_the_vp(cast):
    plan = plans.plan_submit(plan=plans.plan_create(actor=cast.gm, data=PLAN), actor=cast.gm)
    assert route_roles(plan) == ["sales_vp"]
    assert decide(plan, cast.vp).status == ServicePlan.Status.APPROVED


def test_a_plan_submitted_by_someone_both_vp_and_gm_is_refused_clearly(cast):
    from tests.factories import UserFactory

    both = UserFactory(roles=["sales_vp", "gm"])
    plan = plans.plan_create(actor=cast.service, data=PLAN)
    with pytest.raises(DomainError, match="无人可以审批"):
        plans.plan_submit(plan=plan, actor=both)
    assert ServicePlan.objects.get(pk=plan.pk).status == ServicePlan.Status.DRAFT


def test_the_services_plan_still_goes_to_the_vp_then_the_gm(cast):
    plan = plans.plan_submit(plan=plans.plan_create(actor=cast.service, data=PLAN), actor=cast.service)
    assert route_roles(plan) == ["sales_vp", "gm"]
