"""Summary cards link to the list of exactly what their figure counts: the dashboard's 本月预计成交的销售机会 (the
month it counts, a manager's department) and the digest's 当日接单额 (not cancelled) and 当日赢单/输单 (that day)."""

from __future__ import annotations

import calendar
import html as html_lib
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from customers import services as customer_services
from customers.models import Opportunity
from orders.models import SalesOrder
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _href(page: str, testid: str) -> str:
    found = re.search(r'href="([^"]*)"[^>]*data-testid="' + testid + '"', page)
    assert found, testid
    return html_lib.unescape(found.group(1))


def _listed(client, url: str) -> list:
    response = client.get(url)
    assert response.status_code == 200, url
    return list(response.context["page"].paginator.object_list)


@pytest.fixture
def closings(cast):
    """alice: one opportunity expected to close this month (and one overdue), two next month; bob: one this month."""
    today = timezone.localdate()
    last = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])

    def opportunity(owner, expected_close):
        customer = CustomerFactory(owner=owner, team=cast.east)
        data = {"title": "项目", "needs": "需求", "amount": D("1000.00"), "expected_close": today + timedelta(days=30)}
        made = customer_services.opportunity_create(actor=owner, customer=customer, data=data)
        Opportunity.objects.filter(pk=made.pk).update(expected_close=expected_close)
        return made

    opportunity(cast.alice, last)
    opportunity(cast.alice, today - timedelta(days=3))
    opportunity(cast.alice, last + timedelta(days=5))
    opportunity(cast.alice, last + timedelta(days=20))
    opportunity(cast.bob, last)


@pytest.mark.parametrize("who", ["alice", "carol", "manager"])
def test_the_closing_card_links_to_what_it_counts(cast, client_as, closings, who):
    client = client_as(getattr(cast, who))
    page = client.get("/")
    counted = page.context["opportunities_closing_count"]
    assert counted == {"alice": 2, "carol": 0, "manager": 3}[who]
    url = _href(page.content.decode(), "todo-opportunities-link")
    assert len(_listed(client, url)) == counted


def _local(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@pytest.fixture
def the_day(cast):
    """Yesterday: two orders received (one of them cancelled since), one the day before; one opportunity won and one
    lost that day, one won the day before."""
    day = timezone.localdate() - timedelta(days=1)
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    for n, (received, status) in enumerate(
        [(day, SalesOrder.Status.RECEIVED), (day, SalesOrder.Status.CANCELLED), (day - timedelta(days=1), "received")]
    ):
        SalesOrder.objects.create(
            number=f"SO-DG{n}",
            customer=customer,
            owner=cast.alice,
            created_by=cast.clerk,
            received_on=received,
            amount_incl=D("100.00") * (n + 1),
            status=status,
        )
    data = {"title": "项目", "needs": "需求", "amount": D("8000.00"), "expected_close": day + timedelta(days=9)}
    won = customer_services.opportunity_win(
        opportunity=customer_services.opportunity_create(actor=cast.alice, customer=customer, data=data), actor=cast.alice
    )
    lost = customer_services.opportunity_lose(
        opportunity=customer_services.opportunity_create(actor=cast.alice, customer=customer, data=data),
        actor=cast.alice,
        reason="价格",
    )
    before = customer_services.opportunity_win(
        opportunity=customer_services.opportunity_create(actor=cast.alice, customer=customer, data=data), actor=cast.alice
    )
    Opportunity.objects.filter(pk__in=[won.pk, lost.pk]).update(closed_at=_local(day, 23))
    Opportunity.objects.filter(pk=before.pk).update(closed_at=_local(day - timedelta(days=1), 23))
    return day


@pytest.mark.parametrize("who", ["manager", "alice"])
def test_the_digest_cards_link_to_what_they_count(cast, client_as, the_day, who):
    client = client_as(getattr(cast, who))
    page = client.get("/reports/digest/", {"day": the_day.isoformat()})
    figures, text = page.context["figures"], page.content.decode()
    assert figures["intake"] == D("100.00")
    orders = _listed(client, _href(text, "digest-intake-link"))
    assert [o.number for o in orders] == ["SO-DG0"] and sum(o.amount_incl for o in orders) == figures["intake"]
    decided = figures["opportunities"]
    assert (decided["won_count"], decided["lost_count"]) == (1, 1)
    listed = _listed(client, _href(text, "digest-opportunities-link"))
    assert len(listed) == decided["won_count"] + decided["lost_count"]
    assert sorted(o.status for o in listed) == ["lost", "won"]
