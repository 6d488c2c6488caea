"""撤回: a pending credit exception (信用放行) or emergency release (紧急放行) is withdrawn by whoever asked for it or a
manager — on the order page and through the API. Its approval is cancelled (gone from 待我审批, no longer decidable),
it stops counting against the order's room, and a decided request, another rep's click or a second click is refused."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse

from orders import services
from orders.models import CreditException, EmergencyRelease
from salesops.core import approvals
from salesops.core.errors import Conflict
from salesops.core.models import ApprovalRequest, ApprovalStep, Event, Notification
from tests.core.conftest import run_in_threads
from tests.orders.conftest import fresh
from tests.orders.test_api import ORDERS, line_id, ok, refused
from tests.orders.test_own_requests import STEPS, inbox, pending_steps, placed, ready  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def credit_url(order, exception):
    return f"{ORDERS}{order.pk}/credit-exceptions/{exception.pk}/withdraw/"


def release_url(order, release):
    return f"{ORDERS}{order.pk}/emergency-releases/{release.pk}/withdraw/"


def page_url(order, kind, row):
    return reverse("orders:order_request_withdraw", args=[order.pk, kind, row.pk])


def ask_credit(order, user, amount="11300.00"):
    return services.credit_exception_request(order=order, actor=user, amount=amount, reason="老客户，月底付款")


def ask_release(order, user, quantity="10"):
    return services.emergency_release_request(order=order, actor=user, line_id=line_id(order), quantity=quantity, reason="急")


def detail_page(client, order):
    response = client.get(reverse("orders:order_detail", args=[order.pk]))
    assert response.status_code == 200
    return response.content.decode()


class TestCreditException:
    def test_the_requester_withdraws_it_on_the_page_and_the_room_is_free_again(self, cast, client_as, api_as, ready):  # noqa: F811 - the fixtures of test_own_requests
        # given alice asked to ship her order on credit for everything it still owes; the manager has it in 待我审批
        exception = ask_credit(ready, cast.alice)
        (step, _finance) = pending_steps(exception, services.CREDIT_KIND)
        assert [row["id"] for row in inbox(api_as(cast.manager), services.CREDIT_KIND)] == [step.pk]
        # and a second request for the same amount is refused while the first is pending
        refused(
            api_as(cast.alice).post(
                f"{ORDERS}{ready.pk}/credit-exception/", {"amount": "11300.00", "reason": "再申请"}, format="json"
            ),
            409,
        )
        alice = client_as(cast.alice)
        assert f'data-testid="credit-withdraw-{exception.pk}"' in detail_page(alice, ready)
        # when she withdraws it on the order page (the confirm dialog posts the form)
        response = alice.post(page_url(ready, "credit-exceptions", exception), follow=True)
        # then she is back on the order with a message, the request is withdrawn and the button is gone
        assert response.redirect_chain[-1][0] == reverse("orders:order_detail", args=[ready.pk])
        page = response.content.decode()
        assert "信用放行申请已撤回" in page and f'data-testid="credit-withdraw-{exception.pk}"' not in page
        assert 'data-testid="credit-row" data-status="withdrawn"' in page and "已撤回" in page
        exception = fresh(exception)
        assert exception.status == CreditException.Status.WITHDRAWN and exception.decided_at is not None
        # and its approval is cancelled: gone from the manager's inbox, deciding the step is too late
        assert approvals_of(exception, services.CREDIT_KIND) == [ApprovalRequest.Status.CANCELLED]
        assert inbox(api_as(cast.manager), services.CREDIT_KIND) == []
        refused(api_as(cast.manager).post(f"{STEPS}{step.pk}/decide/", {"decision": "approve"}, format="json"), 409)
        assert fresh(step).status == ApprovalStep.Status.CANCELLED
        # and the order's history names who withdrew what
        event = Event.objects.filter(object_filter(ready), msgid="撤回信用放行申请 %(amount)s 元").get()
        assert event.actor == cast.alice
        # and the room is free again: a new request for the same amount is accepted
        body = ok(
            api_as(cast.alice).post(
                f"{ORDERS}{ready.pk}/credit-exception/", {"amount": "11300.00", "reason": "重新申请"}, format="json"
            ),
            201,
        )
        assert body["status"] == "pending" and body["can_withdraw"] is True

    def test_the_requester_withdraws_it_through_the_api_once(self, cast, api_as, ready):  # noqa: F811
        # given the clerk's pending credit exception
        exception = ask_credit(ready, cast.clerk, amount="5000.00")
        clerk = api_as(cast.clerk)
        (row,) = ok(clerk.get(f"{ORDERS}{ready.pk}/"))["credit_exceptions"]
        assert row["can_withdraw"] is True and row["status"] == "pending"
        # when the clerk withdraws it with a reason
        body = ok(clerk.post(credit_url(ready, exception), {"reason": "客户已付款"}, format="json"))
        # then it is answered withdrawn, with the label, and may not be withdrawn again
        assert body["id"] == exception.pk and body["status"] == "withdrawn" and body["status_display"] == "已撤回"
        assert body["can_withdraw"] is False and body["decided_at"]
        (row,) = ok(clerk.get(f"{ORDERS}{ready.pk}/"))["credit_exceptions"]
        assert row["status"] == "withdrawn"
        # and a second click is refused, naming the status; there is one withdrawal in the history
        assert "已撤回" in refused(clerk.post(credit_url(ready, exception), format="json"), 409)["detail"]
        assert Event.objects.filter(object_filter(ready), msgid="撤回信用放行申请 %(amount)s 元：%(reason)s").count() == 1
        # and the pending amount no longer narrows what may be asked
        assert services.credit_exception_request(order=ready, actor=cast.clerk, amount="11300.00", reason="全额")

    def test_a_manager_withdraws_a_stuck_request_of_his_own_and_someone_elses_and_the_requester_is_told(
        self,
        cast,
        api_as,
        ready,  # noqa: F811
    ):
        # given a request the manager made before his requests went to the VP: its only open step is his own (nobody
        # may decide it), so it blocks the order
        stuck = ask_credit(ready, cast.manager, amount="1000.00")
        step = pending_steps(stuck, services.CREDIT_KIND)[0]
        ApprovalStep.objects.filter(pk=step.pk).update(assignee_role="sales_manager", code="sales_manager")
        # when he withdraws it, then it is withdrawn
        ok(api_as(cast.manager).post(credit_url(ready, stuck), format="json"))
        assert fresh(stuck).status == CreditException.Status.WITHDRAWN
        # given alice's pending request; when the manager withdraws it
        exception = ask_credit(ready, cast.alice, amount="2000.00")
        body = ok(api_as(cast.manager).post(credit_url(ready, exception), {"reason": "重复申请"}, format="json"))
        # then it is withdrawn and alice is told who withdrew it
        assert body["status"] == "withdrawn"
        notice = Notification.objects.filter(recipient=cast.alice, title_msgid="您的申请已被 %(name)s 撤回：%(title)s").get()
        assert "信用放行" in notice.title and notice.body == "重复申请"
        assert not Notification.objects.filter(recipient=cast.manager, title_msgid=notice.title_msgid).exists()

    def test_another_rep_or_the_clerk_cannot_withdraw_it(self, cast, api_as, client_as, ready):  # noqa: F811
        # given alice's pending credit exception
        exception = ask_credit(ready, cast.alice)
        # then carol (another team: she does not see the order) hears there is none, on the API and the page
        refused(api_as(cast.carol).post(credit_url(ready, exception), format="json"), 404)
        assert client_as(cast.carol).post(page_url(ready, "credit-exceptions", exception)).status_code == 404
        # and neither does bob (a rep of her team sees his own orders only)
        refused(api_as(cast.bob).post(credit_url(ready, exception), format="json"), 404)
        # and the clerk, who sees it and processes the order, is refused naming who may — no button on the page either
        body = refused(api_as(cast.clerk).post(credit_url(ready, exception), format="json"), 403)
        assert "申请人（" in body["detail"] and "经理" in body["detail"]
        clerk = client_as(cast.clerk)
        assert f'data-testid="credit-withdraw-{exception.pk}"' not in detail_page(clerk, ready)
        response = clerk.post(page_url(ready, "credit-exceptions", exception))
        assert response.status_code == 403 and "只有申请人" in response.content.decode()
        assert fresh(exception).status == CreditException.Status.PENDING
        assert len(inbox(api_as(cast.manager), services.CREDIT_KIND)) == 1

    def test_a_decided_request_cannot_be_withdrawn(self, cast, api_as, client_as, ready):  # noqa: F811
        # given alice's credit exception approved by the manager and finance
        exception = ask_credit(ready, cast.alice)
        for step, who in zip(pending_steps(exception, services.CREDIT_KIND), (cast.manager, cast.finance), strict=True):
            ok(api_as(who).post(f"{STEPS}{step.pk}/decide/", {"decision": "approve"}, format="json"))
        assert fresh(exception).status == CreditException.Status.APPROVED
        # then withdrawing it is a conflict naming its status, on the API and the page (no button there)
        assert "已批准" in refused(api_as(cast.alice).post(credit_url(ready, exception), format="json"), 409)["detail"]
        alice = client_as(cast.alice)
        assert f'data-testid="credit-withdraw-{exception.pk}"' not in detail_page(alice, ready)
        response = alice.post(page_url(ready, "credit-exceptions", exception))
        assert response.status_code == 409 and "已批准" in response.content.decode()
        assert fresh(exception).status == CreditException.Status.APPROVED


class TestEmergencyRelease:
    def test_the_requester_withdraws_it_on_the_page_and_the_quantity_is_free_again(
        self,
        cast,
        client_as,
        api_as,
        placed,  # noqa: F811
    ):
        # given the clerk asked to release all 10 uninspected pumps; the manager has it in 待我审批
        release = ask_release(placed, cast.clerk)
        (step,) = pending_steps(release, services.EMERGENCY_KIND)
        assert [row["id"] for row in inbox(api_as(cast.manager), services.EMERGENCY_KIND)] == [step.pk]
        clerk = client_as(cast.clerk)
        assert f'data-testid="release-withdraw-{release.pk}"' in detail_page(clerk, placed)
        # when the clerk withdraws it on the order page
        response = clerk.post(page_url(placed, "emergency-releases", release), follow=True)
        # then it is withdrawn, with a message, and no longer offered
        page = response.content.decode()
        assert "紧急放行申请已撤回" in page and f'data-testid="release-withdraw-{release.pk}"' not in page
        assert fresh(release).status == EmergencyRelease.Status.WITHDRAWN
        # and gone from the manager's inbox; deciding its step is too late, nothing is released
        assert inbox(api_as(cast.manager), services.EMERGENCY_KIND) == []
        refused(api_as(cast.manager).post(f"{STEPS}{step.pk}/decide/", {"decision": "approve"}, format="json"), 409)
        assert placed.lines.get().released_quantity == D("0") and not fresh(placed).has_emergency_release
        event = Event.objects.filter(object_filter(placed), msgid="撤回紧急放行申请 %(line)s × %(qty)s").get()
        assert event.actor == cast.clerk
        # and the 10 pumps may be asked for again
        body = ok(
            api_as(cast.clerk).post(
                f"{ORDERS}{placed.pk}/emergency-release/",
                {"line": line_id(placed), "quantity": "10", "reason": "仍然急"},
                format="json",
            ),
            201,
        )
        assert body["status"] == "pending" and body["can_withdraw"] is True

    def test_the_requester_withdraws_it_through_the_api_once(self, cast, api_as, placed):  # noqa: F811
        # given the warehouse asked to release 4 pumps
        release = ask_release(placed, cast.warehouse, quantity="4")
        warehouse = api_as(cast.warehouse)
        # when it withdraws the request
        body = ok(warehouse.post(release_url(placed, release), {"reason": "已检验"}, format="json"))
        # then it is withdrawn; a second click is refused
        assert body["status"] == "withdrawn" and body["status_display"] == "已撤回" and body["can_withdraw"] is False
        assert body["line_name"] == placed.lines.get().name
        refused(warehouse.post(release_url(placed, release), format="json"), 409)
        assert approvals_of(release, services.EMERGENCY_KIND) == [ApprovalRequest.Status.CANCELLED]

    def test_others_cannot_withdraw_it_and_a_decided_one_stays(self, cast, api_as, placed):  # noqa: F811
        # given the clerk's pending release
        release = ask_release(placed, cast.clerk, quantity="2")
        # then carol does not see it, alice (the order's rep) and the warehouse may not withdraw it
        refused(api_as(cast.carol).post(release_url(placed, release), format="json"), 404)
        refused(api_as(cast.alice).post(release_url(placed, release), format="json"), 403)
        refused(api_as(cast.warehouse).post(release_url(placed, release), format="json"), 403)
        # and a release of another order's id is not found under this order
        refused(api_as(cast.clerk).post(f"{ORDERS}{placed.pk}/emergency-releases/999999/withdraw/", format="json"), 404)
        # when the manager approves it, then the clerk can no longer withdraw it
        (step,) = pending_steps(release, services.EMERGENCY_KIND)
        ok(api_as(cast.manager).post(f"{STEPS}{step.pk}/decide/", {"decision": "approve"}, format="json"))
        assert "已批准" in refused(api_as(cast.clerk).post(release_url(placed, release), format="json"), 409)["detail"]
        assert fresh(release).status == EmergencyRelease.Status.APPROVED
        assert placed.lines.get().released_quantity == D("2")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestAtOnce:
    def test_two_withdrawals_at_once_withdraw_it_once(self, on_postgres, cast, ready):  # noqa: F811
        # given alice's pending credit exception
        exception = ask_credit(ready, cast.alice)
        # when alice and the manager withdraw it at the same moment
        results = run_in_threads(
            2, lambda i: services.credit_exception_withdraw(exception=exception, actor=[cast.alice, cast.manager][i])
        )
        # then one withdrew it and the other heard it was no longer pending
        won = [r for r in results if isinstance(r, CreditException)]
        lost = [r for r in results if isinstance(r, Conflict)]
        assert len(won) == 1 and len(lost) == 1, results
        assert fresh(exception).status == CreditException.Status.WITHDRAWN
        assert Event.objects.filter(object_filter(ready), msgid="撤回信用放行申请 %(amount)s 元").count() == 1

    def test_a_withdrawal_and_a_decision_at_once_have_one_effect(self, on_postgres, cast, placed):  # noqa: F811
        # given the clerk's pending emergency release
        release = ask_release(placed, cast.clerk, quantity="3")
        (step,) = pending_steps(release, services.EMERGENCY_KIND)
        # when the clerk withdraws it while the manager approves it
        results = run_in_threads(
            2,
            lambda i: (
                services.emergency_release_withdraw(release=release, actor=cast.clerk)
                if i == 0
                else approvals.approval_decide(step_id=step.pk, actor=cast.manager, decision="approve")
            ),
        )
        # then exactly one of them happened, and the line's released quantity agrees with the outcome
        lost = [r for r in results if isinstance(r, Conflict)]
        assert len(lost) == 1, results
        status = fresh(release).status
        released = placed.lines.get().released_quantity
        assert (status, released) in (
            (EmergencyRelease.Status.WITHDRAWN, D("0")),
            (EmergencyRelease.Status.APPROVED, D("3")),
        )


def approvals_of(target, kind):
    return [r.status for r in approvals.requests_for(target, kind)]


def object_filter(order):
    """The events on `order`'s timeline."""
    return Q(target_type=ContentType.objects.get_for_model(order), target_id=order.pk)
