"""QA on the demo: the sales plans list's `period` (page and API alike) is checked as the targets' is — an invalid one is
a 400 naming it (the page: the red 筛选条件有误 box), not an empty list; a valid one keeps the plans of exactly that
period, however it is written."""

from __future__ import annotations

import pytest

from tests.plans.test_plans import drafted

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("period", ["abc", "2026-13", "2027-01-05"])
def test_an_invalid_period_is_refused_with_its_reason_by_the_api_and_the_page(cast, api_as, client_as, period):
    # given a plan of January 2027
    drafted(cast.alice)
    # when the list is asked for a period that is no year, quarter or month
    answer = api_as(cast.alice).get("/api/v1/sales-plans/", {"period": period})
    page = client_as(cast.alice).get("/plans/", {"period": period})
    # then the API says 400 naming `period`, as /api/v1/targets/ does
    assert answer.status_code == 400, answer.content
    assert "（period）" in answer.json()["detail"]
    # and the page is a 400 with the filter bar's message, not "共 0 份" in silence
    html = page.content.decode()
    assert page.status_code == 400
    assert "筛选条件有误" in html


def test_the_api_names_the_period_as_the_targets_api_does(cast, api_as):
    # given the same wrong period to the targets and the plans
    plans = api_as(cast.manager).get("/api/v1/sales-plans/", {"period": "abc"})
    targets = api_as(cast.manager).get("/api/v1/targets/", {"period": "abc"})
    # then both refuse it with the same reason
    assert plans.status_code == targets.status_code == 400
    assert plans.json()["detail"].startswith("计划期间（period）：期间“abc”无效")
    assert {k: v for k, v in plans.json().items() if k != "detail"} == {k: v for k, v in targets.json().items() if k != "detail"}


@pytest.mark.parametrize("period, found", [("2027-01", 1), ("2027-1", 1), ("2027-02", 0), ("2027", 0)])
def test_a_valid_period_keeps_the_plans_of_exactly_that_period(cast, api_as, client_as, period, found):
    # given alice's plan of January 2027
    drafted(cast.alice)
    # when she filters her list by a period
    answer = api_as(cast.alice).get("/api/v1/sales-plans/", {"period": period})
    page = client_as(cast.alice).get("/plans/", {"period": period})
    # then the plans of that period only, however the month is written
    assert answer.status_code == 200 and answer.json()["count"] == found
    assert page.status_code == 200 and page.context["page"].paginator.count == found
