"""Admin of the catalog: a price list's rows are their own admin list, a page at a time (as an inline of the price list,
a list of 60,000 products did not open)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_a_price_list_links_to_its_rows_listed_a_page_at_a_time(cast, client_as):
    pl = PriceListFactory()
    for n in range(1, 121):
        PriceListItemFactory(price_list=pl, product=ProductFactory(code=f"GB-{n:03d}"))
    PriceListItemFactory()  # another list's row
    client = client_as(cast.admin)
    html = client.get(f"/admin/catalog/pricelist/{pl.pk}/change/").content.decode()
    assert f'?price_list__id__exact={pl.pk}">120 项</a>' in html and 'name="items-TOTAL_FORMS"' not in html
    rows = client.get("/admin/catalog/pricelistitem/", {"price_list__id__exact": pl.pk}).context["cl"]
    assert (rows.result_count, len(rows.result_list), rows.result_list[0].product.code) == (120, 100, "GB-001")
    found = client.get("/admin/catalog/pricelistitem/", {"q": "GB-007"}).context["cl"]
    assert [item.product.code for item in found.result_list] == ["GB-007"]
    # a price is corrected in the list
    item = found.result_list[0]
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": item.pk,
        "form-0-unit_price": "888.80",
        "form-0-min_quantity": "5",
        "_save": "1",
    }
    assert client.post("/admin/catalog/pricelistitem/?q=GB-007", data).status_code == 302
    item.refresh_from_db()
    assert (item.unit_price, item.min_quantity, item.history.count()) == (Decimal("888.80"), Decimal("5.000"), 2)
