"""Catalog pages: everybody reads, managers/admin edit (others: read-only pages and 403 on edit), inline price rows."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from catalog.models import DiscountLimit, PriceList, PriceListItem, Product
from salesops.core.models import Event
from tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory

PRODUCT_FORM = {
    "code": "GB-100",
    "name": "齿轮箱",
    "model": "ZQ-350",
    "spec": "速比 20",
    "unit": "台",
    "tax_rate": "13",
    "kind": "standard",
    "list_price": "1130.00",
    "standard_cost": "700.00",
    "monthly_capacity": "",
    "ever_produced": "on",
    "description": "",
}
LIST_FORM = {
    "name": "2026 经销商价",
    "customer_type": "distributor",
    "customer_grade": "",
    "valid_from": "2026-01-01",
    "valid_to": "",
    "currency": "CNY",
    "is_active": "on",
    "notes": "",
}


def rows(response, testid):
    return response.content.decode().count(f'data-testid="{testid}"')


# --- products -----------------------------------------------------------------------------------------------------
def test_product_list_for_rep_is_read_only(cast, client_as):
    ProductFactory(code="GB-100", name="齿轮箱")
    response = client_as(cast.alice).get(reverse("catalog:products"))
    assert response.status_code == 200
    assert rows(response, "product-row") == 1
    assert 'data-testid="product-create"' not in response.content.decode()


def test_product_list_shows_create_button_to_manager(cast, client_as):
    response = client_as(cast.manager).get(reverse("catalog:products"))
    assert 'data-testid="product-create"' in response.content.decode()


def test_product_list_search_filters_and_ordering(cast, client_as):
    ProductFactory(code="A-1", name="齿轮箱", model="ZQ-350", spec="速比 20", list_price=Decimal("500.00"))
    ProductFactory(code="B-1", name="电机", model="Y2-132", kind="custom", tax_rate=Decimal("0.09"), list_price=Decimal("900.00"))
    ProductFactory(code="C-1", name="联轴器", is_active=False, list_price=Decimal("100.00"))
    client = client_as(cast.clerk)
    url = reverse("catalog:products")

    def codes(params):
        html = client.get(url, params).content.decode()
        return [c for c in ("A-1", "B-1", "C-1") if f'data-product-code="{c}"' in html]

    assert codes({"q": "zq-350"}) == ["A-1"]
    assert codes({"q": "速比"}) == ["A-1"]
    assert codes({"q": "y2"}) == ["B-1"]
    assert codes({"kind": "custom"}) == ["B-1"]
    assert codes({"is_active": "false"}) == ["C-1"]
    assert codes({"tax_rate": "0.0900"}) == ["B-1"]
    html = client.get(url, {"ordering": "-list_price"}).content.decode()
    assert html.index('data-product-code="B-1"') < html.index('data-product-code="A-1"') < html.index('data-product-code="C-1"')


def test_product_filter_bar_offers_the_rates_in_use_and_shows_the_sale_status(cast, client_as):
    ProductFactory(code="B-1", tax_rate=Decimal("0.09"))
    ProductFactory(code="C-1", is_active=False)
    html = client_as(cast.alice).get(reverse("catalog:products")).content.decode()
    assert (
        'data-testid="list-filters"' in html
        and '<select name="tax_rate" class="form-select" data-testid="filter-tax_rate"' in html
    )
    assert '<option value="0.0900">9%</option>' in html and '<option value="false">停售</option>' in html
    assert 'data-testid="status-badge" data-status="inactive">停售</span>' in html
    assert 'data-testid="status-badge" data-status="active">在售</span>' in html


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("catalog:products", {"kind": "gadget"}),
        ("catalog:products", {"is_active": "maybe"}),
        ("catalog:pricelists", {"valid_on": "30/06/2026"}),
    ],
)
def test_an_invalid_filter_value_is_shown_and_lists_nothing(cast, client_as, url, params):
    ProductFactory()
    PriceListFactory()
    response = client_as(cast.alice).get(reverse(url), params)
    html = response.content.decode()
    assert response.status_code == 400 and 'data-testid="filter-errors"' in html
    assert 'data-testid="product-row"' not in html and 'data-testid="pricelist-row"' not in html


def test_product_list_paginates_by_25(cast, client_as):
    ProductFactory.create_batch(30)
    client = client_as(cast.alice)
    assert rows(client.get(reverse("catalog:products")), "product-row") == 25
    assert rows(client.get(reverse("catalog:products"), {"page": 2}), "product-row") == 5


@pytest.mark.parametrize("who", ["alice", "clerk"])
def test_rep_and_clerk_get_403_on_product_create_and_edit(cast, client_as, who):
    client = client_as(getattr(cast, who))
    product = ProductFactory(name="原名")
    assert client.get(reverse("catalog:product_create")).status_code == 403
    assert client.post(reverse("catalog:product_create"), PRODUCT_FORM).status_code == 403
    assert client.get(reverse("catalog:product_update", args=[product.pk])).status_code == 403
    assert client.post(reverse("catalog:product_update", args=[product.pk]), {**PRODUCT_FORM, "name": "新名"}).status_code == 403
    assert client.post(reverse("catalog:product_set_active", args=[product.pk, "deactivate"])).status_code == 403
    product.refresh_from_db()
    assert (product.name, product.is_active) == ("原名", True)
    assert not Product.objects.filter(code="GB-100").exists()


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_manager_and_admin_create_product_with_percent_tax_rate(cast, client_as, who):
    response = client_as(getattr(cast, who)).post(reverse("catalog:product_create"), {**PRODUCT_FORM, "tax_rate": "9"})
    product = Product.objects.get(code="GB-100")
    assert response.status_code == 302 and response.url == product.get_absolute_url()
    assert product.tax_rate == Decimal("0.0900") and product.list_price == Decimal("1130.00")


def test_product_create_form_shows_13_percent_default(cast, client_as):
    html = client_as(cast.manager).get(reverse("catalog:product_create")).content.decode()
    assert 'name="tax_rate" value="13"' in html


def test_product_edit_refuses_tax_rate_above_17_and_changes_nothing(cast, client_as):
    product = ProductFactory(code="GB-100", name="齿轮箱")
    response = client_as(cast.manager).post(
        reverse("catalog:product_update", args=[product.pk]), {**PRODUCT_FORM, "name": "新", "tax_rate": "18"}
    )
    assert response.status_code == 400
    assert "17%" in response.content.decode()
    product.refresh_from_db()
    assert product.name == "齿轮箱" and product.tax_rate == Decimal("0.13")


def test_product_edit_by_manager_saves_and_records_timeline(cast, client_as):
    product = ProductFactory(code="GB-100", name="齿轮箱", tax_rate=Decimal("0.13"))
    client = client_as(cast.manager)
    form_html = client.get(reverse("catalog:product_update", args=[product.pk])).content.decode()
    assert 'name="tax_rate" value="13"' in form_html
    response = client.post(reverse("catalog:product_update", args=[product.pk]), {**PRODUCT_FORM, "name": "齿轮减速箱"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "齿轮减速箱"
    detail = client.get(product.get_absolute_url()).content.decode()
    assert "齿轮减速箱" in detail and "<del>齿轮箱</del>" in detail


def test_duplicate_code_on_create_page_shows_message(cast, client_as):
    ProductFactory(code="GB-100")
    response = client_as(cast.manager).post(reverse("catalog:product_create"), PRODUCT_FORM)
    assert response.status_code == 400
    assert Product.objects.count() == 1


def test_deactivate_from_detail_page(cast, client_as):
    product = ProductFactory()
    client = client_as(cast.manager)
    response = client.post(reverse("catalog:product_set_active", args=[product.pk, "deactivate"]), {"reason": "停产"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert not product.is_active
    assert 'data-testid="product-reactivate"' in client.get(product.get_absolute_url()).content.decode()


def test_product_detail_shows_price_lists_matrix_timeline_and_hides_cost_from_rep(cast, client_as):
    product = ProductFactory(code="GB-100", list_price=Decimal("1130.00"), standard_cost=Decimal("777.00"))
    pl = PriceListFactory(name="经销商价", customer_type="distributor", valid_from=timezone.localdate() - timedelta(days=1))
    PriceListItemFactory(product=product, price_list=pl, unit_price=Decimal("1017.00"))
    response = client_as(cast.alice).get(product.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(response, "product-pricelist-row") == 1 and "经销商价" in html
    assert 'data-testid="price-excl">1,000.00<' in html  # 1130.00 / 1.13
    assert 'data-testid="timeline"' in html
    assert "777.00" not in html and 'data-testid="product-edit"' not in html
    # the distributor row of today's matrix uses the list, the others the standard price
    assert html.count("1,017.00") >= 5  # 4 grades of the matrix + the price list row
    assert "777.00" in client_as(cast.manager).get(product.get_absolute_url()).content.decode()


def test_anyone_may_comment_on_a_product(cast, client_as):
    product = ProductFactory()
    ct = ContentType.objects.get_for_model(Product)
    response = client_as(cast.alice).post(reverse("core:comment_add", args=[ct.pk, product.pk]), {"text": "客户问交期"})
    assert response.status_code == 302
    assert Event.objects.filter(target_type=ct, target_id=product.pk, verb=Event.Verb.COMMENT, message="客户问交期").exists()


def test_unknown_product_is_404(cast, client_as):
    assert client_as(cast.alice).get(reverse("catalog:product_detail", args=[999999])).status_code == 404


def test_login_required(db, client):
    response = client.get(reverse("catalog:products"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- price lists --------------------------------------------------------------------------------------------------
def test_price_list_list_filters(cast, client_as):
    dist = PriceListFactory(name="经销商价", customer_type="distributor", valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30))
    general = PriceListFactory(name="通用价", valid_from=date(2026, 7, 1))
    dealer = PriceListFactory(name="代理商价", customer_type="dealer", customer_grade="A", valid_from=date(2026, 1, 1))
    off = PriceListFactory(name="停用价", valid_from=date(2026, 1, 1), is_active=False)
    client = client_as(cast.alice)
    url = reverse("catalog:pricelists")

    def ids(params):
        html = client.get(url, params).content.decode()
        return {pl.pk for pl in (dist, general, dealer, off) if f'data-pricelist-id="{pl.pk}"' in html}

    assert ids({}) == {dist.pk, general.pk, dealer.pk, off.pk}
    assert ids({"valid_on": "2026-06-30"}) == {dist.pk, dealer.pk, off.pk}
    assert ids({"customer_type": "distributor"}) == {dist.pk, general.pk, off.pk}  # plus lists for every type
    assert ids({"customer_grade": "B"}) == {dist.pk, general.pk, off.pk}
    assert ids({"is_active": "false"}) == {off.pk}
    assert ids({"valid_on": "2026-07-01", "customer_type": "dealer", "is_active": "true"}) == {general.pk, dealer.pk}


def test_price_list_validity_badges(cast, client_as):
    today = timezone.localdate()
    valid = PriceListFactory(valid_from=today - timedelta(days=1))
    future = PriceListFactory(valid_from=today + timedelta(days=3))
    off = PriceListFactory(valid_from=today - timedelta(days=1), is_active=False)
    html = client_as(cast.alice).get(reverse("catalog:pricelists")).content.decode()
    for pl, status, label in ((valid, "valid", "有效"), (future, "out_of_period", "不在有效期"), (off, "inactive", "停用")):
        row = html[html.index(f'data-pricelist-id="{pl.pk}"') :]
        assert f'data-status="{status}">{label}</span>' in row[: row.index("</tr>")]
    detail = client_as(cast.alice).get(reverse("catalog:pricelist_detail", args=[valid.pk])).content.decode()
    assert (
        '<span class="badge status-badge bg-success" data-testid="pricelist-validity" data-status="valid">有效</span>' in detail
    )


@pytest.mark.parametrize("who", ["alice", "clerk"])
def test_rep_and_clerk_get_403_on_price_list_writes(cast, client_as, who):
    client = client_as(getattr(cast, who))
    pl = PriceListFactory(name="原表")
    item = PriceListItemFactory(price_list=pl, unit_price=Decimal("900.00"))
    product = ProductFactory(code="NEW-1")
    assert client.get(reverse("catalog:pricelist_create")).status_code == 403
    assert client.post(reverse("catalog:pricelist_create"), LIST_FORM).status_code == 403
    assert client.get(reverse("catalog:pricelist_update", args=[pl.pk])).status_code == 403
    assert client.post(reverse("catalog:pricelist_update", args=[pl.pk]), {**LIST_FORM, "name": "新表"}).status_code == 403
    add = {"product": "NEW-1", "unit_price": "1", "min_quantity": "0"}
    assert client.post(reverse("catalog:pricelist_item_add", args=[pl.pk]), add).status_code == 403
    assert client.post(reverse("catalog:pricelist_item_edit", args=[item.pk]), {"unit_price": "1"}).status_code == 403
    assert client.post(reverse("catalog:pricelist_item_remove", args=[item.pk])).status_code == 403
    pl.refresh_from_db()
    item.refresh_from_db()
    assert (pl.name, item.unit_price, PriceList.objects.count(), PriceListItem.objects.count()) == (
        "原表",
        Decimal("900.00"),
        1,
        1,
    )
    assert not product.price_items.exists()
    # and the detail page is read-only for them
    html = client.get(pl.get_absolute_url()).content.decode()
    assert 'data-testid="item-add-form"' not in html and 'data-testid="item-edit"' not in html


def test_manager_creates_and_edits_a_price_list(cast, client_as):
    client = client_as(cast.manager)
    response = client.post(reverse("catalog:pricelist_create"), LIST_FORM)
    pl = PriceList.objects.get()
    assert response.status_code == 302 and response.url == pl.get_absolute_url()
    assert (pl.customer_type, pl.created_by) == ("distributor", cast.manager)
    response = client.post(reverse("catalog:pricelist_update", args=[pl.pk]), {**LIST_FORM, "valid_to": "2025-12-31"})
    assert response.status_code == 400 and "不能早于" in response.content.decode()
    pl.refresh_from_db()
    assert pl.valid_to is None
    response = client.post(
        reverse("catalog:pricelist_update", args=[pl.pk]), {**LIST_FORM, "customer_grade": "A", "valid_to": "2026-12-31"}
    )
    assert response.status_code == 302
    pl.refresh_from_db()
    assert (pl.customer_grade, pl.valid_to) == ("A", date(2026, 12, 31))


def test_price_list_detail_items_with_exact_tax_exclusive_prices(cast, client_as):
    pl = PriceListFactory()
    PriceListItemFactory(
        price_list=pl, product=ProductFactory(code="GB-1", list_price=Decimal("110.00")), unit_price=Decimal("99.99")
    )
    response = client_as(cast.alice).get(pl.get_absolute_url())
    assert rows(response, "pricelist-item-row") == 1
    assert 'data-testid="item-price-excl">88.49<' in response.content.decode()


def test_add_item_plain_form_and_duplicate_refused(cast, client_as):
    pl = PriceListFactory()
    ProductFactory(code="GB-100", name="齿轮箱")
    client = client_as(cast.manager)
    url = reverse("catalog:pricelist_item_add", args=[pl.pk])
    response = client.post(url, {"product": "gb-100", "unit_price": "1000", "min_quantity": ""})
    assert response.status_code == 302
    assert pl.items.get().unit_price == Decimal("1000.00")
    # when the same product is added again
    response = client.post(url, {"product": "GB-100", "unit_price": "800", "min_quantity": "0"})
    # then the page says why and nothing changed
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="item-add-errors"' in html and "不能重复添加" in html and "GB-100" in html
    assert list(pl.items.values_list("unit_price", flat=True)) == [Decimal("1000.00")]


def test_add_item_unknown_code_is_a_field_error(cast, client_as):
    pl = PriceListFactory()
    response = client_as(cast.manager).post(
        reverse("catalog:pricelist_item_add", args=[pl.pk]), {"product": "NOPE", "unit_price": "1"}
    )
    assert response.status_code == 400 and "NOPE" in response.content.decode()
    assert not pl.items.exists()


def test_htmx_add_edit_remove_return_the_items_card(cast, client_as):
    pl = PriceListFactory()
    ProductFactory(code="GB-100")
    client = client_as(cast.manager)
    hx = {"HTTP_HX_REQUEST": "true"}
    response = client.post(reverse("catalog:pricelist_item_add", args=[pl.pk]), {"product": "GB-100", "unit_price": "1000"}, **hx)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="pricelist-items"' in html
    assert rows(response, "pricelist-item-row") == 1 and 'data-testid="items-notice"' in html
    item = pl.items.get()
    # edit: the row turns into inputs, saving returns the card with the new price
    response = client.get(reverse("catalog:pricelist_item_edit", args=[item.pk]), **hx)
    assert rows(response, "pricelist-item-edit-row") == 1 and "<html" not in response.content.decode()
    response = client.post(
        reverse("catalog:pricelist_item_edit", args=[item.pk]), {"unit_price": "950.5", "min_quantity": "10"}, **hx
    )
    assert 'data-testid="item-price">950.50<' in response.content.decode()
    item.refresh_from_db()
    assert (item.unit_price, item.min_quantity) == (Decimal("950.50"), Decimal("10.000"))
    # a bad price keeps the row in edit mode with the error and changes nothing
    response = client.post(reverse("catalog:pricelist_item_edit", args=[item.pk]), {"unit_price": "-1"}, **hx)
    assert rows(response, "pricelist-item-edit-row") == 1
    item.refresh_from_db()
    assert item.unit_price == Decimal("950.50")
    # remove
    response = client.post(reverse("catalog:pricelist_item_remove", args=[item.pk]), **hx)
    assert rows(response, "pricelist-item-row") == 0 and 'data-testid="pricelist-items-empty"' in response.content.decode()
    assert not pl.items.exists()


def _codes(response) -> list[str]:
    return re.findall(
        r'data-testid="pricelist-item-row" data-item-id="\d+" data-product-code="([^"]+)"', response.content.decode()
    )


@pytest.fixture
def long_list():
    """A price list of 30 rows: codes GB-01…GB-30, the even ones named 齿轮箱 (gearboxes), the odd ones 电机 (motors)."""
    pl = PriceListFactory()
    for n in range(1, 31):
        product = ProductFactory(code=f"GB-{n:02d}", name="齿轮箱" if n % 2 == 0 else "电机")
        PriceListItemFactory(price_list=pl, product=product)
    return pl


def test_a_long_price_list_is_paged_and_searched(cast, client_as, long_list):
    """A price list of thousands of products is read a page at a time (60,000 rows on one page took 20 s) and searched
    by a product's code, name or model; the count is of all the rows (or of the rows found)."""
    client = client_as(cast.alice)
    first = client.get(long_list.get_absolute_url())
    assert _codes(first) == [f"GB-{n:02d}" for n in range(1, 26)]
    html = first.content.decode()
    assert "产品价格（30 项）" in html and 'data-testid="pagination"' in html and 'data-testid="pricelist-item-search"' in html
    assert _codes(client.get(long_list.get_absolute_url(), {"page": 2})) == [f"GB-{n:02d}" for n in range(26, 31)]
    found = client.get(long_list.get_absolute_url(), {"q": "齿轮箱 GB-1"})
    assert _codes(found) == ["GB-10", "GB-12", "GB-14", "GB-16", "GB-18"]
    assert "产品价格（符合“齿轮箱 GB-1”的 5 项）" in found.content.decode()
    none = client.get(long_list.get_absolute_url(), {"q": "没有这种"})
    assert _codes(none) == [] and "没有编码、名称或型号含“没有这种”的产品。" in none.content.decode()
    # htmx: the search answers the rows card alone
    card = client.get(long_list.get_absolute_url(), {"q": "电机", "page_size": 10}, HTTP_HX_REQUEST="true")
    assert "<html" not in card.content.decode() and len(_codes(card)) == 10


def test_inline_forms_keep_the_page_and_the_search(cast, client_as, long_list):
    client = client_as(cast.manager)
    hx = {"HTTP_HX_REQUEST": "true"}
    item = long_list.items.get(product__code="GB-28")
    keep = "?q=%E9%BD%BF%E8%BD%AE%E7%AE%B1&page=2&page_size=10"  # 齿轮箱, rows 11–15: GB-22…GB-30
    edit = client.get(reverse("catalog:pricelist_item_edit", args=[item.pk]) + keep, **hx)
    assert rows(edit, "pricelist-item-edit-row") == 1 and rows(edit, "pricelist-item-row") == 4
    assert (
        f'action="{reverse("catalog:pricelist_item_edit", args=[item.pk])}{keep.replace("&", "&amp;")}"' in edit.content.decode()
    )
    saved = client.post(reverse("catalog:pricelist_item_edit", args=[item.pk]) + keep, {"unit_price": "777"}, **hx)
    assert (
        _codes(saved) == ["GB-22", "GB-24", "GB-26", "GB-28", "GB-30"] and 'data-testid="items-notice"' in saved.content.decode()
    )
    item.refresh_from_db()
    assert item.unit_price == Decimal("777.00")
    # a row edited from outside its page is shown by its product's code
    elsewhere = client.get(reverse("catalog:pricelist_item_edit", args=[item.pk]), **hx)
    assert rows(elsewhere, "pricelist-item-edit-row") == 1 and "产品价格（符合“GB-28”的 1 项）" in elsewhere.content.decode()
    removed = client.post(reverse("catalog:pricelist_item_remove", args=[item.pk]) + keep, **hx)
    assert _codes(removed) == ["GB-22", "GB-24", "GB-26", "GB-30"]
    # the add form picks a product by type-ahead and posts its code
    html = client.get(long_list.get_absolute_url()).content.decode()
    add = html[html.index('data-testid="item-add-form"') :]
    assert f'data-lookup-url="{reverse("catalog:product_lookup")}" data-lookup-value="code"' in add and "<datalist" not in add


def test_item_edit_without_htmx_renders_full_page_then_redirects(cast, client_as):
    item = PriceListItemFactory(unit_price=Decimal("1000.00"))
    client = client_as(cast.manager)
    response = client.get(reverse("catalog:pricelist_item_edit", args=[item.pk]))
    assert response.status_code == 200 and "<html" in response.content.decode()
    assert rows(response, "pricelist-item-edit-row") == 1
    response = client.post(reverse("catalog:pricelist_item_edit", args=[item.pk]), {"unit_price": "900"})
    assert response.status_code == 302 and response.url == item.price_list.get_absolute_url()
    item.refresh_from_db()
    assert item.unit_price == Decimal("900.00")


# --- discount limits ----------------------------------------------------------------------------------------------
def test_discounts_page_read_only_for_rep_and_manager(cast, client_as):
    for who in ("alice", "manager"):
        client = client_as(getattr(cast, who))
        response = client.get(reverse("catalog:discounts"))
        html = response.content.decode()
        assert response.status_code == 200 and rows(response, "discount-row") >= 6
        assert 'data-testid="discounts-form"' not in html
        assert client.post(reverse("catalog:discounts"), {"rate_sales_rep": "50"}).status_code == 403
    assert "最多低于标准价 5%" in client_as(cast.alice).get(reverse("catalog:discounts")).content.decode()
    assert DiscountLimit.objects.get(role="sales_rep").max_discount_rate == Decimal("0.05")


def test_admin_edits_discount_limits_as_percentages(cast, client_as):
    client = client_as(cast.admin)
    html = client.get(reverse("catalog:discounts")).content.decode()
    assert 'data-testid="discount-input-sales_rep"' in html and 'value="5"' in html
    data = {
        "rate_sales_rep": "6",
        "rate_team_lead": "8",
        "rate_sales_clerk": "5",
        "rate_sales_manager": "15",
        "rate_sales_vp": "25",
        "rate_gm": "100",
        "rate_admin": "",
    }
    response = client.post(reverse("catalog:discounts"), data)
    assert response.status_code == 302
    assert DiscountLimit.objects.get(role="sales_rep").max_discount_rate == Decimal("0.06")
    assert DiscountLimit.objects.get(role="sales_manager").max_discount_rate == Decimal("0.15")
    assert not DiscountLimit.objects.filter(role="admin").exists()
    response = client.post(reverse("catalog:discounts"), {**data, "rate_sales_rep": "120"})
    assert response.status_code == 400
    assert DiscountLimit.objects.get(role="sales_rep").max_discount_rate == Decimal("0.06")
