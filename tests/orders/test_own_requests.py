"""QA: a credit exception or emergency release the sales manager asked for could never be decided — its only step was
the sales manager's, whom the engine refuses (nobody approves their own request), and no one else was its assignee; the
pending amount / quantity then blocked the order for good. A request of someone holding an approval tier now goes to the
tier above theirs (orders.rules.sales_approval_step), as a manager's own quotation does."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from orders import rules, services
from orders.models import CreditException, EmergencyRelease
from salesops.core import approvals
from salesops.core.models import ApprovalRequest
from tests.orders.conftest import fresh, pass_inspection, place
from tests.orders.test_api import ORDERS, SHIPMENTS, line_id, make_shipment, ok, refused

pytestmark = pytest.mark.django_db
STEPS = "/api/v1/approval-steps/"


@pytest.fixture
def placed(cast, order):
    place(order, cast.clerk)
    return fresh(order)


@pytest.fixture
def ready(cast, placed):
    """A placed order whose 10 pumps passed inspection; nothing paid (prepaid: the gate is closed)."""
    pass_inspection(placed, cast, "10")
    return fresh(placed)


def pending_steps(target, kind):
    request = approvals.requests_for(target, kind).get(status=ApprovalRequest.Status.PENDING)
    return list(request.steps.order_by("stage", "id"))


def inbox(client, kind):
    return ok(client.get(STEPS, {"kind": kind}))["results"]


class TestRoute:
    @pytest.mark.parametrize(
        ("roles", "role", "code"),
        [
            ([], "sales_manager", "sales_manager"),
            (["sales_clerk"], "sales_manager", "sales_manager"),
            (["sales_rep"], "sales_manager", "sales_manager"),
            (["admin"], "sales_manager", "sales_manager"),
            (["sales_manager"], "sales_vp", "sales_vp"),
            (["sales_vp"], "gm", "gm"),
            (["sales_manager", "sales_vp"], "gm", "gm"),
            (["gm"], "sales_manager", "sales_manager"),  # no tier above the GM: the manager, who is not the requester
        ],
    )
    def test_the_step_goes_above_the_requesters_own_tier(self, roles, role, code):
        step = rules.sales_approval_step(requester_roles=roles, code="sales_manager", label="经理", stage=10, reason="r")
        assert (step.role, step.code, step.stage) == (role, code, 10)
        assert (step.reason == "r") == (role == "sales_manager")


class TestCreditException:
    def test_the_managers_own_request_is_decided_by_the_vp_and_releases_the_order(self, cast, api_as, ready):
        shipment = make_shipment(api_as, cast, ready)
        manager, vp = api_as(cast.manager), api_as(cast.vp)
        # given the sales manager asks to ship on credit
        exception = ok(
            manager.post(f"{ORDERS}{ready.pk}/credit-exception/", {"amount": "11300.00", "reason": "老客户"}, format="json"),
            201,
        )
        exception = CreditException.objects.get(pk=exception["id"])
        steps = pending_steps(exception, services.CREDIT_KIND)
        assert [(s.assignee_role, s.code) for s in steps] == [("sales_vp", "sales_vp"), ("finance", "finance")]
        # then it is not in the manager's inbox, and the manager cannot decide it
        assert inbox(manager, services.CREDIT_KIND) == []
        assert not approvals.can_decide(steps[0], cast.manager)
        refused(manager.post(f"{STEPS}{steps[0].pk}/decide/", {"decision": "approve"}, format="json"), 403)
        # when the VP finds it in 待我审批 and approves, then finance
        (step,) = inbox(vp, services.CREDIT_KIND)
        assert step["id"] == steps[0].pk
        ok(vp.post(f"{STEPS}{step['id']}/decide/", {"decision": "approve"}, format="json"))
        (step,) = inbox(api_as(cast.finance), services.CREDIT_KIND)
        ok(api_as(cast.finance).post(f"{STEPS}{step['id']}/decide/", {"decision": "approve"}, format="json"))
        # then the exception is approved and the order's goods may leave
        assert fresh(exception).status == CreditException.Status.APPROVED
        body = ok(api_as(cast.clerk).post(f"{SHIPMENTS}{shipment['id']}/release/"))
        assert body["status"] == "released" and body["release_basis"] == "信用放行"

    def test_the_vps_own_request_goes_to_the_gm(self, cast, ready):
        exception = services.credit_exception_request(order=ready, actor=cast.vp, amount="100", reason="急")
        step = pending_steps(exception, services.CREDIT_KIND)[0]
        assert step.assignee_role == "gm" and approvals.can_decide(step, cast.gm)
        assert not approvals.can_decide(step, cast.vp)

    def test_the_clerks_request_still_goes_to_the_manager(self, cast, api_as, ready):
        ok(
            api_as(cast.clerk).post(
                f"{ORDERS}{ready.pk}/credit-exception/", {"amount": "11300.00", "reason": "老客户"}, format="json"
            ),
            201,
        )
        exception = ready.credit_exceptions.get()
        steps = pending_steps(exception, services.CREDIT_KIND)
        assert [(s.assignee_role, s.code) for s in steps] == [("sales_manager", "sales_manager"), ("finance", "finance")]
        assert inbox(api_as(cast.vp), services.CREDIT_KIND) == []
        (step,) = inbox(api_as(cast.manager), services.CREDIT_KIND)
        assert step["id"] == steps[0].pk


class TestEmergencyRelease:
    def test_the_managers_own_request_is_decided_by_the_vp(self, cast, api_as, placed):
        manager, vp = api_as(cast.manager), api_as(cast.vp)
        # given the sales manager asks to release one uninspected pump
        release = ok(
            manager.post(
                f"{ORDERS}{placed.pk}/emergency-release/",
                {"line": line_id(placed), "quantity": "1", "reason": "急"},
                format="json",
            ),
            201,
        )
        release = EmergencyRelease.objects.get(pk=release["id"])
        (step,) = pending_steps(release, services.EMERGENCY_KIND)
        assert step.assignee_role == "sales_vp"
        assert inbox(manager, services.EMERGENCY_KIND) == []
        refused(manager.post(f"{STEPS}{step.pk}/decide/", {"decision": "approve"}, format="json"), 403)
        # when the VP approves it in 待我审批
        (row,) = inbox(vp, services.EMERGENCY_KIND)
        ok(vp.post(f"{STEPS}{row['id']}/decide/", {"decision": "approve"}, format="json"))
        # then the pump is released and no longer pending
        assert fresh(release).status == EmergencyRelease.Status.APPROVED
        line = placed.lines.get()
        assert line.released_quantity == D("1") and fresh(placed).has_emergency_release

    def test_the_clerks_request_still_goes_to_the_manager(self, cast, placed):
        release = services.emergency_release_request(
            order=placed, actor=cast.clerk, line_id=line_id(placed), quantity="1", reason="急"
        )
        (step,) = pending_steps(release, services.EMERGENCY_KIND)
        assert step.assignee_role == "sales_manager" and approvals.can_decide(step, cast.manager)
        assert not approvals.can_decide(step, cast.vp)


def test_a_step_of_a_request_about_an_order_the_user_may_not_see_is_404(cast, api_as, placed):
    # given the clerk's emergency release and credit exception for alice's order (carol, of another team, may not see it)
    release = services.emergency_release_request(
        order=placed, actor=cast.clerk, line_id=line_id(placed), quantity="1", reason="急"
    )
    exception = services.credit_exception_request(order=placed, actor=cast.clerk, amount="100", reason="急")
    for target, kind in ((exception, services.CREDIT_KIND), (release, services.EMERGENCY_KIND)):
        step = pending_steps(target, kind)[0]
        # then to carol the step does not exist: a 404 naming nothing; to alice, who sees the order, it is not hers (403)
        response = api_as(cast.carol).post(f"{STEPS}{step.pk}/decide/", {"decision": "approve"}, format="json")
        assert response.status_code == 404 and "经理" not in response.json()["detail"]
        refused(api_as(cast.alice).post(f"{STEPS}{step.pk}/decide/", {"decision": "approve"}, format="json"), 403)
        assert fresh(step).status == "pending"
