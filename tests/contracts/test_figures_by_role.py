"""Sensitive figures by role (issue 13, item 7): prices are for the deal roles and the reviewers who judge prices;
cost and margin for managers, finance and the finance reviewer; quotations are not for warehouse, QC or service;
a unit cost is typed only by those who may see it. Page and API alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contracts import services
from salesops.core.errors import Forbidden

from .conftest import fill_review, line


@pytest.fixture
def contract(cast, customer, pump, new_valve):
    c = services.contract_create(
        actor=cast.alice, customer=customer, data={}, lines=[line(pump), line(new_valve, quantity="2", unit_price="5000")]
    )
    fill_review(c, cast.alice)
    return c


# who: (sees the contract, sees prices, sees cost and margin)
MATRIX = {
    "alice": (True, True, False),
    "clerk": (True, True, False),
    "manager": (True, True, True),
    "finance": (True, True, True),
    "rev_finance": (True, True, True),
    "rev_procurement": (True, True, False),
    "rev_technical": (True, False, False),
    "rev_production": (True, False, False),
    "warehouse": (False, False, False),
    "service": (False, False, False),
    "qc": (False, False, False),
}


@pytest.mark.parametrize("who", MATRIX)
def test_contract_figures_by_role_on_page_and_api(cast, client_as, api_as, contract, who):
    sees, prices, cost = MATRIX[who]
    user = getattr(cast, who)
    page = client_as(user).get(reverse("contracts:contract_detail", args=[contract.pk]))
    api = api_as(user).get(f"/api/v1/contracts/{contract.pk}/")
    if not sees:
        assert page.status_code == 404 and api.status_code == 404
        return
    html, body = page.content.decode(), api.json()
    assert ("5,000.00" in html) == prices and ("amount_incl" in body) == prices
    assert ("unit_price" in body["lines"][0]) == prices
    assert ('data-testid="margin"' in html) == cost and ("cost_total" in body) == cost


@pytest.mark.parametrize("who", ["warehouse", "service", "qc", "rev_technical"])
def test_quotations_are_not_for_the_goods_side(cast, client_as, api_as, quoting_alice, make_quotation, who):
    q = make_quotation(quoting_alice)
    user = getattr(cast, who)
    assert client_as(user).get(reverse("contracts:quotation_detail", args=[q.pk])).status_code == 404
    assert api_as(user).get(f"/api/v1/quotations/{q.pk}/").status_code == 404


def test_only_cost_readers_type_a_unit_cost(cast, customer, new_valve, client_as):
    with pytest.raises(Forbidden):
        services.contract_create(
            actor=cast.alice,
            customer=customer,
            data={},
            lines=[line(new_valve, quantity="1", unit_price="5000", unit_cost="3000")],
        )
    c = services.contract_create(
        actor=cast.manager, customer=customer, data={}, lines=[line(new_valve, quantity="1", unit_price="5000", unit_cost="3000")]
    )
    assert c.cost_total == 3000
    form = client_as(cast.alice).get(reverse("contracts:contract_create") + f"?customer={customer.pk}").content.decode()
    assert 'name="lines-0-unit_cost"' not in form and "单位成本" not in form
    assert (
        'name="lines-0-unit_cost"'
        in client_as(cast.manager).get(reverse("contracts:contract_create") + f"?customer={customer.pk}").content.decode()
    )
