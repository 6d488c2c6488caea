"""A deadlock or serialization failure is run again once, then answered 409 with a clear message — never a 500
(ARCHITECTURE.md rule 11, salesops.core.locking)."""

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import RequestFactory

from customers.models import VisitPlan
from salesops.core.api import exception_handler
from salesops.core.errors import Conflict
from salesops.core.locking import is_lock_conflict, retry_on_lock_conflict
from salesops.core.middleware import DomainErrorMiddleware
from tests.factories import VisitPlanFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.urls("tests.core.urls_errors")]

MESSAGE = "操作冲突：其他人正在同时处理该单据，请刷新页面后重试。"


def lock_error(pgcode="40P01"):
    err = OperationalError("deadlock detected")
    err.pgcode = pgcode
    return err


def failing_save(times):
    """A VisitPlan.save that fails with a deadlock the first `times` calls, then saves; counts its calls."""
    real_save = VisitPlan.save
    calls = []

    def save(self, *args, **kwargs):
        calls.append(self.pk)
        if len(calls) <= times:
            raise lock_error()
        return real_save(self, *args, **kwargs)

    return save, calls


@pytest.fixture
def plan(cast):
    return VisitPlanFactory(customer__owner=cast.alice, rep=cast.alice)


def test_only_deadlocks_and_serialization_failures_are_lock_conflicts():
    assert is_lock_conflict(lock_error("40P01")) and is_lock_conflict(lock_error("40001"))
    assert not is_lock_conflict(lock_error("57014"))  # a statement timeout is not ours to hide
    assert not is_lock_conflict(RuntimeError("x"))


def test_a_deadlock_once_is_run_again_and_succeeds(cast, plan, client):
    save, calls = failing_save(1)
    client.force_login(cast.alice)
    with mock.patch.object(VisitPlan, "save", save):
        r = client.post(f"/api/test-errors/plans/{plan.pk}/cancel/")
    assert r.status_code == 200, r.content
    assert len(calls) == 2
    assert VisitPlan.objects.get(pk=plan.pk).status == VisitPlan.Status.CANCELLED


def test_a_deadlock_twice_is_a_409_on_the_api(cast, plan, client):
    save, calls = failing_save(2)
    client.force_login(cast.alice)
    with mock.patch.object(VisitPlan, "save", save):
        r = client.post(f"/api/test-errors/plans/{plan.pk}/cancel/")
    assert r.status_code == 409
    assert r.json() == {"code": "conflict", "detail": MESSAGE}
    assert len(calls) == 2  # retried exactly once
    assert VisitPlan.objects.get(pk=plan.pk).status == VisitPlan.Status.PLANNED


def test_a_deadlock_twice_is_a_409_on_a_page(cast, plan, client):
    save, calls = failing_save(2)
    client.force_login(cast.alice)
    with mock.patch.object(VisitPlan, "save", save):
        r = client.post(f"/test-errors/plans/{plan.pk}/cancel/")
    assert r.status_code == 409
    assert MESSAGE in r.content.decode()
    assert len(calls) == 2


def test_inside_an_outer_transaction_the_outermost_call_runs_it_again(cast, plan):
    from django.db import transaction

    calls = []

    @retry_on_lock_conflict
    def inner():
        calls.append("inner")
        raise lock_error()

    @retry_on_lock_conflict
    def outer():
        with transaction.atomic():
            inner()

    with pytest.raises(Conflict, match="操作冲突"):
        outer()
    assert calls == ["inner", "inner"]  # the inner call did not retry inside the aborted transaction


def test_a_lock_conflict_escaping_the_services_is_a_409_not_a_500():
    # the last resort: an OperationalError no service absorbed, seen by the API handler and by the page middleware
    response = exception_handler(lock_error("40001"), {})
    assert (response.status_code, response.data) == (409, {"code": "conflict", "detail": MESSAGE})
    middleware = DomainErrorMiddleware(lambda request: None)
    page = middleware.process_exception(RequestFactory().get("/customers/"), lock_error())
    assert page.status_code == 409 and MESSAGE in page.content.decode()
    api = middleware.process_exception(RequestFactory().get("/api/v1/customers/"), lock_error())
    assert api.status_code == 409 and MESSAGE in api.content.decode()
    other = middleware.process_exception(RequestFactory().get("/customers/"), lock_error("57014"))
    assert other is None
