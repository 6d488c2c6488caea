"""A domain error is the same Chinese message on a page (DomainErrorMiddleware) and in the API (core.api.exception_handler),
with the status of its kind; never a 500 (ARCHITECTURE.md rule 6)."""

from __future__ import annotations

import pytest

from customers.models import VisitPlan
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.transitions import transition
from tests.factories import VisitPlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls_errors")]

EXPECTED = "当前状态为“已拜访”，不能执行“取消拜访”。"


@pytest.fixture
def done_plan(cast):
    plan = VisitPlanFactory(customer__owner=cast.alice)
    return transition(obj=plan, action="complete", actor=cast.alice)


def expected_message(plan):
    try:
        transition(obj=plan, action="cancel", actor=plan.rep)
    except Conflict as e:
        return str(e)
    raise AssertionError("the transition should have been refused")


def test_the_error_kinds_carry_their_status_and_code():
    assert (DomainError("x").status_code, DomainError("x").code) == (400, "invalid")
    assert (Forbidden("x").status_code, Forbidden("x").code) == (403, "forbidden")
    assert (NotFound("x").status_code, NotFound("x").code) == (404, "not_found")
    assert (Conflict("x").status_code, Conflict("x").code) == (409, "conflict")
    assert DomainError("x", code="duplicate").code == "duplicate"


class TestSameMessageInHtmlAndApi:
    def test_the_api_and_the_page_show_the_same_words(self, cast, client_as, api_as, done_plan):
        message = expected_message(done_plan)
        assert message.endswith(EXPECTED)

        # API: 409 {"code": "conflict", "detail": message}
        r = api_as(cast.alice).post(f"/api/test-errors/plans/{done_plan.pk}/cancel/")
        assert r.status_code == 409 and r.json() == {"code": "conflict", "detail": message}

        # page, plain GET: the error page with status 409 and the same message
        r = client_as(cast.alice).get(f"/test-errors/plans/{done_plan.pk}/cancel/")
        assert r.status_code == 409
        assert f'data-testid="domain-error">{message}<' in r.content.decode()
        assert r.templates[0].name == "core/error.html"

    def test_a_form_post_goes_back_with_the_message(self, cast, client_as, done_plan):
        message = expected_message(done_plan)
        client = client_as(cast.alice)
        r = client.post(f"/test-errors/plans/{done_plan.pk}/cancel/", HTTP_REFERER="http://testserver/customers/visit-plans/")
        assert r.status_code == 302 and r["Location"] == "http://testserver/customers/visit-plans/"
        r = client.get("/core/notifications/")
        assert [str(m) for m in r.context["messages"]] == [message]

    def test_a_foreign_referer_is_not_followed(self, cast, client_as, done_plan):
        r = client_as(cast.alice).post(f"/test-errors/plans/{done_plan.pk}/cancel/", HTTP_REFERER="https://evil.example/")
        assert r.status_code == 409

    def test_htmx_gets_the_bare_message_with_the_status(self, cast, client_as, done_plan):
        message = expected_message(done_plan)
        r = client_as(cast.alice).post(f"/test-errors/plans/{done_plan.pk}/cancel/", HTTP_HX_REQUEST="true")
        assert r.status_code == 409
        assert r.content.decode().strip() == f'<span data-testid="domain-error">{message}</span>'
        assert VisitPlan.objects.get(pk=done_plan.pk).status == VisitPlan.Status.DONE


class TestApiErrorShape:
    def test_django_validation_error_is_400_naming_the_field(self, cast, api_as):
        r = api_as(cast.alice).get("/api/test-errors/validation/")
        assert r.status_code == 400
        assert r.json() == {"code": "invalid", "detail": "amount：金额必须大于零。", "errors": {"amount": ["金额必须大于零。"]}}

    def test_http404_is_404_in_chinese(self, cast, api_as):
        r = api_as(cast.alice).get("/api/test-errors/not-found/")
        assert r.status_code == 404 and r.json() == {"code": "not_found", "detail": "未找到，或您无权查看。"}

    def test_permission_denied_is_403(self, cast, api_as):
        r = api_as(cast.alice).get("/api/test-errors/denied/")
        assert r.status_code == 403 and r.json()["code"] == "permission_denied" and r.json()["detail"]
