"""竞争对手分析: per competitor, the market information about them, the open opportunities naming them and those won
against them or lost to them in the period — as far as the reader may see, on the page (charted) and through the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from customers import services as customer_services
from customers.models import Opportunity
from market import selectors
from market import services as svc
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def deal(owner, team, amount, competitor="", outcome=None):
    customer = CustomerFactory(owner=owner, team=team)
    o = customer_services.opportunity_create(
        actor=owner,
        customer=customer,
        data={
            "title": "项目",
            "needs": "需求",
            "amount": D(amount),
            "competitor": competitor,
            "expected_close": timezone.localdate() + timedelta(days=30),
        },
    )
    if outcome == "lost":
        o = customer_services.opportunity_lose(opportunity=o, actor=owner, reason="价格", competitor=competitor)
    elif outcome == "won":
        o = customer_services.opportunity_win(opportunity=o, actor=owner)
    return o


@pytest.fixture
def market(cast):
    svc.info_report(
        actor=cast.alice,
        data={"kind": "competitor", "source": "visit", "title": "降价", "content": "降价 5%", "competitor": "友商机电"},
    )
    svc.info_report(
        actor=cast.carol,
        data={"kind": "competitor", "source": "web", "title": "新品", "content": "发布新品", "competitor": " 友商机电 "},
    )
    svc.info_report(
        actor=cast.carol,
        data={"kind": "competitor", "source": "web", "title": "扩产", "content": "扩产", "competitor": "南方电气"},
    )
    deal(cast.alice, cast.east, "50000.00", "友商机电", "lost")
    deal(cast.alice, cast.east, "20000.00", "友商机电", "won")
    deal(cast.alice, cast.east, "8000.00", "友商机电")  # still open
    deal(cast.carol, cast.south, "90000.00", "南方电气", "lost")
    old = deal(cast.carol, cast.south, "70000.00", "友商机电", "lost")
    Opportunity.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=200))  # before a quarter


def test_the_summary_adds_up_each_competitors_information_and_deals_biggest_losses_first(cast, market):
    rows = selectors.competitor_summary(cast.manager, selectors.months_ago(3))
    assert [c.name for c in rows] == ["南方电气", "友商机电"]
    rival = rows[1]
    assert (rival.entries, rival.open_count, rival.open_amount) == (2, 1, D("8000.00"))  # the two spellings are one
    assert (rival.won_count, rival.won_amount, rival.lost_count, rival.lost_amount) == (1, D("20000.00"), 1, D("50000.00"))
    assert rival.win_rate == D("0.5000") and rival.last_reported is not None
    year = {c.name: c for c in selectors.competitor_summary(cast.manager, selectors.months_ago(12))}
    assert (year["友商机电"].lost_count, year["友商机电"].lost_amount) == (2, D("120000.00"))


def test_a_rep_counts_only_what_she_may_see(cast, market):
    mine = {c.name: c for c in selectors.competitor_summary(cast.alice, selectors.months_ago(12))}
    assert (mine["友商机电"].lost_amount, mine["友商机电"].entries) == (D("50000.00"), 2)  # carol's deals are not hers
    assert (mine["南方电气"].lost_count, mine["南方电气"].entries) == (0, 1)  # the entry naming no customer is everyone's
    assert selectors.competitor_summary(cast.finance, selectors.months_ago(12)) == []


def test_the_page_tables_and_charts_it_and_the_api_answers_the_same(cast, market, client_as, api_as):
    page = client_as(cast.manager).get("/market/competitors/?months=3")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="competitor-row"') == 2 and 'id="kpi-charts"' in html
    chart = page.context["charts"][0]
    assert chart["labels"] == ["南方电气", "友商机电"] and chart["series"][0]["data"] == [90000.0, 50000.0]
    assert client_as(cast.finance).get("/market/competitors/").status_code == 403
    answer = api_as(cast.manager).get("/api/v1/market-info/competitors/", {"months": 3})
    assert answer.status_code == 200
    rival = next(r for r in answer.json() if r["name"] == "友商机电")
    assert (rival["lost_amount"], rival["won_count"], rival["win_rate"], rival["entries"]) == ("50000.00", 1, "0.5000", 2)
    bad = api_as(cast.manager).get("/api/v1/market-info/competitors/", {"months": 5})
    assert bad.status_code == 400 and "3、6 或 12" in bad.json()["detail"]
