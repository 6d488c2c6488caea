"""A product's history keeps its standard cost from those who may not see it (catalog.selectors.can_view_cost), as its
page and API do (QA: the timeline showed a changed standard cost to reps, clerks and the warehouse)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from catalog import services
from catalog.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(cast):
    """A product whose standard cost (and name) an admin changed: cost 1400.00 → 1234.56."""
    product = ProductFactory(code="GB-100", name="齿轮箱", standard_cost=Decimal("1400.00"))
    services.product_update(actor=cast.admin, product=product, data={"standard_cost": Decimal("1234.56"), "name": "齿轮减速箱"})
    return product


def timeline(api_as, user, product) -> dict:
    response = api_as(user).get(f"/api/v1/timeline/{ContentType.objects.get_for_model(Product).pk}/{product.pk}/")
    assert response.status_code == 200, response.content
    (event,) = [e for e in response.json()["results"] if e["message"] == "修改产品资料"]
    return event


@pytest.mark.parametrize("who", ["alice", "clerk", "warehouse", "rev_technical"])
def test_who_may_not_see_the_cost_reads_the_edit_without_it(cast, api_as, client_as, product, who):
    user = getattr(cast, who)
    # API: the edit is there, its other changes too, the cost change not
    event = timeline(api_as, user, product)
    assert [c["field"] for c in event["changes"]] == ["name"]
    assert "1234.56" not in str(event) and "1400.00" not in str(event)
    # page: the same
    html = client_as(user).get(product.get_absolute_url()).content.decode()
    assert "<del>齿轮箱</del>" in html
    assert "标准成本" not in html and "1234.56" not in html and "1400.00" not in html


@pytest.mark.parametrize("who", ["manager", "finance", "rev_finance"])
def test_cost_readers_still_read_the_cost_change(cast, api_as, client_as, product, who):
    user = getattr(cast, who)
    event = timeline(api_as, user, product)
    assert {"field": "standard_cost", "label": "标准成本(含税)", "old": "1400.00", "new": "1234.56"} in event["changes"]
    html = client_as(user).get(product.get_absolute_url()).content.decode()
    assert "标准成本(含税)：<del>1400.00</del> → <ins>1234.56</ins>" in html


def test_an_edit_of_the_cost_alone_reads_as_an_edit_without_figures(cast, api_as, product):
    # given an admin changed only the cost again
    services.product_update(actor=cast.admin, product=product, data={"standard_cost": Decimal("1300.00")})
    response = api_as(cast.alice).get(f"/api/v1/timeline/{ContentType.objects.get_for_model(Product).pk}/{product.pk}/")
    latest = response.json()["results"][0]
    # then a rep reads that the product was edited, and nothing of what changed
    assert latest["message"] == "修改产品资料" and latest["changes"] == []
