"""No link leads to a 403/404 (README): a contract's customer and quotation for a reviewer who may not open them, the
customer page's 应收账款 for who does not handle money, its 记录拜访 of a plan for who may not record it, and 取消 of the
visit and visit-plan forms for the clerk, who may not open the visit lists."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from contracts import services as contract_services
from tests.factories import CustomerFactory, ProductFactory, VisitPlanFactory

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def customer(cast):
    return CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司")


@pytest.fixture
def contract(cast, customer):
    """A draft contract of alice's customer that names its quotation."""
    pump = ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"), standard_cost=D("700.00"))
    lines = [{"product": pump.pk, "quantity": "2"}]
    quotation = contract_services.quotation_create(actor=cast.clerk, customer=customer, data={}, lines=lines)
    made = contract_services.contract_create(actor=cast.clerk, customer=customer, data={}, lines=lines)
    type(made).objects.filter(pk=made.pk).update(quotation=quotation)
    made.refresh_from_db()
    return made


class TestContractPage:
    def test_a_reviewer_reads_the_customer_and_quotation_as_text(self, cast, client_as, contract):
        # given a department reviewer, who sees contracts but not the customer nor the quotation
        page = client_as(cast.rev_technical).get(reverse("contracts:contract_detail", args=[contract.pk]))
        assert page.status_code == 200
        text = html(page)
        # then neither is a link (each would be a 404), both are named
        assert contract.customer.get_absolute_url() not in text and contract.customer.name in text
        assert reverse("contracts:quotation_detail", args=[contract.quotation.pk]) not in text
        assert contract.quotation.display_number in text
        assert client_as(cast.rev_technical).get(contract.customer.get_absolute_url()).status_code == 404

    def test_the_rep_gets_both_links(self, cast, client_as, contract):
        text = html(client_as(cast.alice).get(reverse("contracts:contract_detail", args=[contract.pk])))
        assert f'href="{contract.customer.get_absolute_url()}"' in text
        assert f'href="{reverse("contracts:quotation_detail", args=[contract.quotation.pk])}"' in text


class TestCustomerPage:
    @pytest.mark.parametrize("persona", ["warehouse", "qc", "service"])
    def test_no_receivables_link_for_who_does_not_handle_money(self, cast, client_as, customer, persona):
        client = client_as(getattr(cast, persona))
        text = html(client.get(customer.get_absolute_url()))
        assert 'data-testid="orders-panel"' in text and reverse("orders:receivables") not in text
        assert client.get(reverse("orders:receivables")).status_code == 403  # what the link led to

    @pytest.mark.parametrize("persona", ["alice", "finance", "clerk"])
    def test_the_receivables_link_for_who_handles_money(self, cast, client_as, customer, persona):
        text = html(client_as(getattr(cast, persona)).get(customer.get_absolute_url()))
        assert 'data-testid="panel-receivables"' in text

    @pytest.mark.parametrize("persona", ["clerk", "finance", "warehouse", "service"])
    def test_no_record_visit_on_a_plan_for_who_cannot_record_it(self, cast, client_as, customer, persona):
        # given alice's plan to visit her customer
        plan = VisitPlanFactory(customer=customer, rep=cast.alice)
        client = client_as(getattr(cast, persona))
        text = html(client.get(customer.get_absolute_url() + "?tab=visits"))
        # then the plan is listed without its 记录拜访 (which is 404 for them)
        assert 'data-testid="customer-plan-row"' in text and f"?plan={plan.pk}" not in text
        assert client.get(reverse("customers:visit_create") + f"?plan={plan.pk}").status_code == 404

    @pytest.mark.parametrize("persona", ["alice", "lena", "manager"])
    def test_record_visit_on_a_plan_for_its_rep_lead_and_manager(self, cast, client_as, customer, persona):
        plan = VisitPlanFactory(customer=customer, rep=cast.alice)
        text = html(client_as(getattr(cast, persona)).get(customer.get_absolute_url() + "?tab=visits"))
        assert f"?plan={plan.pk}" in text


class TestCancelOfVisitForms:
    @pytest.mark.parametrize("url_name", ["customers:visit_create", "customers:visit_plan_create"])
    def test_the_clerks_cancel_goes_back_to_the_customer(self, cast, client_as, customer, url_name):
        client = client_as(cast.clerk)
        response = client.get(reverse(url_name) + f"?customer={customer.pk}")
        cancel = response.context["cancel_url"]
        assert cancel.startswith(customer.get_absolute_url())
        assert client.get(cancel).status_code == 200

    def test_without_a_customer_the_clerk_goes_home_a_rep_to_the_list(self, cast, client_as):
        assert client_as(cast.clerk).get(reverse("customers:visit_create")).context["cancel_url"] == reverse("dashboard")
        assert client_as(cast.alice).get(reverse("customers:visit_create")).context["cancel_url"] == reverse("customers:visits")

    def test_next_wins(self, cast, client_as, customer):
        response = client_as(cast.alice).get(reverse("customers:visit_plan_create") + "?next=/customers/follow-ups/due/")
        assert response.context["cancel_url"] == "/customers/follow-ups/due/"


def test_plan_a_visit_is_offered_to_who_may_plan_it(cast, client_as, customer):
    # given alice's customer: she, her lead and a manager may plan her visits; the clerk edits the file but plans none
    url = reverse("customers:detail", args=[customer.pk])
    for user in (cast.alice, cast.manager):
        assert 'data-testid="visit-plan-add"' in html(client_as(user).get(url)), user
    assert 'data-testid="visit-plan-add"' not in html(client_as(cast.clerk).get(url))
