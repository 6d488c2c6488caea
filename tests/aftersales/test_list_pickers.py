"""The after-sales lists' filters offer pickers, not database ids to type (QA of the lists): the customer as the
customers' type-ahead, the engineer and the 回访人 as selects of whom those documents are given to, an order by its
number, my actions' complaint as a select of their complaints. Filtering by each still works, on the page and in the
API, whose parameters stay the ids."""

from __future__ import annotations

import re

import pytest

from aftersales.models import Callback, ServiceTicket
from aftersales.services import complaints as complaint_svc
from aftersales.services import returns as rma_svc
from aftersales.services import tickets
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LOOKUP = 'data-lookup-url="/customers/lookup/"'


def select_of(html: str, name: str) -> str:
    """The <select name=…> of the filter bar (empty if there is none)."""
    bar = html.split('data-testid="list-filters"', 1)[1].split("</form>", 1)[0]
    match = re.search(rf'<select name="{name}"[^>]*>.*?</select>', bar, re.DOTALL)
    return match.group(0) if match else ""


def option_ids(select: str) -> set[int]:
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select)}


def no_number_inputs(html: str) -> bool:
    bar = html.split('data-testid="list-filters"', 1)[1].split("</form>", 1)[0]
    return 'type="number"' not in bar


@pytest.fixture
def other_customer(cast):
    return CustomerFactory(owner=cast.bob, team=cast.east, name="无锡华东电气有限公司")


@pytest.fixture
def two_tickets(cast, customer, other_customer):
    mine = tickets.ticket_create(actor=cast.service, customer=customer, data={"ticket_type": "repair", "subject": "漏水"})
    mine = tickets.ticket_assign(ticket=mine, actor=cast.service, engineer=cast.service)
    other = tickets.ticket_create(actor=cast.service, customer=other_customer, data={"ticket_type": "repair", "subject": "异响"})
    return mine, other


class TestTickets:
    def test_customer_and_engineer_are_pickers_and_filter(self, cast, client_as, api_as, customer, two_tickets):
        mine, other = two_tickets
        client = client_as(cast.manager)
        html = client.get("/aftersales/tickets/").content.decode()
        assert no_number_inputs(html)
        assert LOOKUP in select_of(html, "customer")
        assert option_ids(select_of(html, "engineer")) == {cast.service.pk}  # the service staff, nobody else
        page = client.get("/aftersales/tickets/", {"customer": customer.pk})
        assert [t.pk for t in page.context["page"]] == [mine.pk]
        assert f'<option value="{customer.pk}" selected>{customer}</option>' in select_of(page.content.decode(), "customer")
        page = client.get("/aftersales/tickets/", {"engineer": cast.service.pk})
        assert [t.pk for t in page.context["page"]] == [mine.pk]
        api = api_as(cast.manager)
        assert [r["id"] for r in api.get("/api/v1/service-tickets/", {"engineer": cast.service.pk}).json()["results"]] == [
            mine.pk
        ]
        assert [r["id"] for r in api.get("/api/v1/service-tickets/", {"customer": other.customer_id}).json()["results"]] == [
            other.pk
        ]

    def test_a_former_engineer_stays_a_choice_marked(self, cast, client_as, two_tickets):
        cast.service.is_active = False
        cast.service.save(update_fields=["is_active"])
        assert ServiceTicket.objects.filter(engineer=cast.service).exists()
        html = client_as(cast.manager).get("/aftersales/tickets/").content.decode()
        assert "（已停用）" in select_of(html, "engineer")


class TestCallbacks:
    def test_assignee_and_customer_are_pickers_and_filter(self, cast, client_as, delivered):
        order, _shipment = delivered
        callbacks = list(Callback.objects.filter(order=order))
        assert callbacks
        Callback.objects.filter(order=order).update(assignee=cast.alice)
        Callback.objects.filter(pk=callbacks[0].pk).update(assignee=cast.service)
        client = client_as(cast.manager)
        html = client.get("/aftersales/callbacks/").content.decode()
        assert no_number_inputs(html)
        assert LOOKUP in select_of(html, "customer")
        assignees = option_ids(select_of(html, "assignee"))
        assert {cast.service.pk, cast.alice.pk} <= assignees and cast.finance.pk not in assignees
        page = client.get("/aftersales/callbacks/", {"assignee": cast.service.pk})
        assert [c.pk for c in page.context["page"]] == [callbacks[0].pk]
        page = client.get("/aftersales/callbacks/", {"customer": order.customer_id})
        assert {c.pk for c in page.context["page"]} == {c.pk for c in callbacks}


class TestComplaintsAndMyActions:
    def test_the_complaint_list_offers_the_customer_picker(self, cast, client_as, customer, other_customer):
        mine = complaint_svc.complaint_create(actor=cast.service, customer=customer, data={"description": "泵体渗水"})
        complaint_svc.complaint_create(actor=cast.service, customer=other_customer, data={"description": "异响"})
        client = client_as(cast.qc)
        html = client.get("/aftersales/complaints/").content.decode()
        assert no_number_inputs(html) and LOOKUP in select_of(html, "customer")
        page = client.get("/aftersales/complaints/", {"customer": customer.pk})
        assert [c.pk for c in page.context["page"]] == [mine.pk]

    def test_my_actions_offer_the_complaints_of_my_actions(self, cast, client_as, api_as, customer, other_customer):
        from tests.aftersales.test_work_lists import complaint_with_actions

        first, (a1,) = complaint_with_actions(cast, customer, (cast.rev_production, 5))
        second, (a2,) = complaint_with_actions(cast, other_customer, (cast.rev_production, 9))
        complaint_with_actions(cast, customer, (cast.qc, 3))  # not theirs: not offered
        client = client_as(cast.rev_production)
        html = client.get("/aftersales/my-actions/").content.decode()
        assert no_number_inputs(html)
        assert option_ids(select_of(html, "complaint")) == {first.pk, second.pk}
        page = client.get("/aftersales/my-actions/", {"complaint": second.pk})
        assert [a.pk for a in page.context["page"]] == [a2.pk]
        api = api_as(cast.rev_production).get("/api/v1/my-corrective-actions/", {"complaint": first.pk})
        assert [r["id"] for r in api.json()["results"]] == [a1.pk]


class TestReturns:
    def test_the_order_is_found_by_its_number_and_the_customer_by_the_picker(self, cast, client_as, api_as, delivered):
        order, _shipment = delivered
        rma = rma_svc.rma_create(
            actor=cast.service,
            order=order,
            kind="return",
            reason="外壳破裂",
            lines=[{"order_line": order.lines.get().pk, "quantity": "1", "lot_no": "L001"}],
        )
        client = client_as(cast.service)
        html = client.get("/aftersales/returns/").content.decode()
        assert no_number_inputs(html)
        assert LOOKUP in select_of(html, "customer")
        assert 'name="order_number"' in html
        for params in ({"order_number": order.number}, {"order_number": order.number[-4:]}, {"order": order.pk}):
            page = client.get("/aftersales/returns/", params)
            assert [r.pk for r in page.context["page"]] == [rma.pk], params
        assert list(client.get("/aftersales/returns/", {"order_number": "NO-SUCH"}).context["page"]) == []
        # a link carrying the order id keeps it in the bar, hidden
        assert (
            f'<input type="hidden" name="order" value="{order.pk}"'
            in client.get("/aftersales/returns/", {"order": order.pk}).content.decode()
        )
        api = api_as(cast.service)
        assert [r["id"] for r in api.get("/api/v1/returns/", {"order": order.pk}).json()["results"]] == [rma.pk]
        assert [r["id"] for r in api.get("/api/v1/returns/", {"order_number": order.number}).json()["results"]] == [rma.pk]
