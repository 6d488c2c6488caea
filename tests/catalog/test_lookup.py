"""The product picker's type-ahead (issue 12): API and page JSON, products on sale, at most 20 matches."""

from __future__ import annotations

import pytest

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

URLS = ["/api/v1/products/lookup/", "/catalog/products/lookup/"]


def _rows(response) -> list[dict]:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


@pytest.mark.parametrize("url", URLS)
def test_code_name_or_model_finds_products_on_sale(cast, client_as, url):
    pump = ProductFactory(code="BP-100", name="离心水泵", model="ISG50")
    ProductFactory(code="BP-200", name="离心水泵（停产）", model="ISG80", is_active=False)
    ProductFactory(code="FJ-100", name="轴流风机", model="T35")
    client = client_as(cast.alice)
    expected = [{"id": pump.pk, "name": "离心水泵", "code": "BP-100"}]
    assert _rows(client.get(url, {"q": "水泵"})) == expected
    assert _rows(client.get(url, {"q": "isg"})) == expected
    assert _rows(client.get(url, {"q": "bp-1"})) == expected


@pytest.mark.parametrize("url", URLS)
def test_at_most_twenty_in_code_order(cast, client_as, url):
    products = [ProductFactory() for _ in range(25)]
    rows = _rows(client_as(cast.clerk).get(url, {"q": ""}))
    assert [r["code"] for r in rows] == sorted(p.code for p in products)[:20]
