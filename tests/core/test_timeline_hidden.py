"""The one rule of who reads which figure of a history: the app owning a document registers, per model, the fields a
reader may not see (timeline.register_hidden_fields); their changes and the event parameters of the same name are left
out of that reader's timeline wherever it is shown — the API (paginated) and the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from customers.models import Customer
from salesops.core import timeline
from salesops.core.models import Event
from salesops.core.timeline import events_for, record_event
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(cast, monkeypatch):
    """A customer whose (made-up) credit figure only the manager may read, with one edit recording it."""
    monkeypatch.setitem(timeline._HIDDEN, Customer, lambda user: set() if user == cast.manager else {"credit_limit", "limit"})
    customer = CustomerFactory(owner=cast.alice, name="苏州恒达机械有限公司")
    record_event(
        target=customer,
        verb=Event.Verb.UPDATED,
        actor=cast.manager,
        text="调整信用额度为 %(limit)s（%(who)s）",
        params={"limit": Decimal("50000.00"), "who": "经理"},
        changes=[
            {"field": "credit_limit", "label": "信用额度", "old": "30000.00", "new": "50000.00"},
            {"field": "name", "label": "客户名称", "old": "恒达", "new": "苏州恒达机械有限公司"},
        ],
    )
    return customer


def test_a_reader_gets_the_event_without_the_hidden_change_and_parameter(cast, customer):
    (event,) = events_for(customer, cast.alice)
    assert [c["field"] for c in event.rendered_changes] == ["name"]
    assert event.text == "调整信用额度为 ***（经理）"
    (full,) = events_for(customer, cast.manager)
    assert [c["field"] for c in full.rendered_changes] == ["credit_limit", "name"]
    assert full.text == "调整信用额度为 50000.00（经理）"
    (raw,) = events_for(customer)  # no reader: the services' own read
    assert len(raw.rendered_changes) == 2


def test_the_rule_holds_on_every_page_of_the_api_and_on_the_page(cast, api_as, client_as, customer):
    for n in range(3):
        timeline.comment_add(target=customer, actor=cast.alice, text=f"评论 {n}")
    url = f"/api/v1/timeline/{ContentType.objects.get_for_model(Customer).pk}/{customer.pk}/"
    last = api_as(cast.alice).get(url, {"page_size": 2, "page": 2}).json()["results"]
    edit = next(e for e in last if e["verb"] == "updated")
    assert edit["changes"] == [{"field": "name", "label": "客户名称", "old": "恒达", "new": "苏州恒达机械有限公司"}]
    assert "50000.00" not in str(last) and "30000.00" not in str(last)
    html = client_as(cast.alice).get(customer.get_absolute_url()).content.decode()
    assert "调整信用额度为 ***" in html and "50000.00" not in html and "信用额度：" not in html
    assert "50000.00" in client_as(cast.manager).get(customer.get_absolute_url()).content.decode()


def test_without_a_rule_every_reader_reads_everything(cast, customer, monkeypatch):
    monkeypatch.delitem(timeline._HIDDEN, Customer)
    (event,) = events_for(customer, cast.alice)
    assert len(event.rendered_changes) == 2 and "50000.00" in event.text
