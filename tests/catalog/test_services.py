"""Catalog writes: who may make them, the rules they enforce, and what they leave on the timeline."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from catalog import services
from catalog.models import DiscountLimit, PriceList, PriceListItem, Product
from salesops.core.errors import DomainError, Forbidden
from salesops.core.models import Event
from tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory

PRODUCT = {
    "code": "GB-100",
    "name": "齿轮箱",
    "model": "ZQ-350",
    "spec": "速比 20",
    "unit": "台",
    "list_price": Decimal("1130.00"),
}
PRICE_LIST = {"name": "2026 经销商价", "customer_type": "distributor", "customer_grade": "", "valid_from": date(2026, 1, 1)}


def events_of(obj):
    return Event.objects.filter(target_type=ContentType.objects.get_for_model(obj), target_id=obj.pk).order_by("id")


# --- permission matrix --------------------------------------------------------------------------------------------
EDITORS = ["manager", "vp", "gm", "admin"]
READERS = ["alice", "lena", "clerk", "finance", "warehouse"]


@pytest.mark.parametrize("who", EDITORS)
def test_managers_and_admin_may_create_products_and_price_lists(cast, who):
    actor = getattr(cast, who)
    product = services.product_create(actor=actor, data=PRODUCT)
    price_list = services.price_list_create(actor=actor, data=PRICE_LIST)
    item = services.price_list_item_add(actor=actor, price_list=price_list, product=product, unit_price=Decimal("1000"))
    assert Product.objects.filter(code="GB-100").exists()
    assert price_list.created_by == actor
    assert item.unit_price == Decimal("1000.00")


@pytest.mark.parametrize("who", READERS)
def test_others_may_not_write_the_catalog(cast, who):
    actor = getattr(cast, who)
    product = ProductFactory(name="原名")
    price_list = PriceListFactory()
    item = PriceListItemFactory(price_list=price_list, unit_price=Decimal("900.00"))
    calls = [
        lambda: services.product_create(actor=actor, data=PRODUCT),
        lambda: services.product_update(actor=actor, product=product, data={"name": "新名"}),
        lambda: services.product_deactivate(actor=actor, product=product),
        lambda: services.price_list_create(actor=actor, data=PRICE_LIST),
        lambda: services.price_list_update(actor=actor, price_list=price_list, data={"name": "新表"}),
        lambda: services.price_list_item_add(actor=actor, price_list=price_list, product=product, unit_price=Decimal("1")),
        lambda: services.price_list_item_update(actor=actor, item=item, data={"unit_price": Decimal("1")}),
        lambda: services.price_list_item_remove(actor=actor, item=item),
    ]
    for call in calls:
        with pytest.raises(Forbidden) as exc:
            call()
        assert "没有修改权限" in str(exc.value)
    product.refresh_from_db()
    item.refresh_from_db()
    assert (product.name, product.is_active, item.unit_price) == ("原名", True, Decimal("900.00"))
    assert not Product.objects.filter(code="GB-100").exists()
    assert PriceList.objects.count() == 1 and PriceListItem.objects.count() == 1


# --- products -----------------------------------------------------------------------------------------------------
def test_product_create_defaults_tax_rate_to_13_percent_and_records_event(cast):
    product = services.product_create(actor=cast.manager, data=PRODUCT)
    product.refresh_from_db()
    assert product.tax_rate == Decimal("0.1300")
    [event] = events_of(product)
    assert event.verb == Event.Verb.CREATED and event.actor == cast.manager
    assert product.history.first().history_user == cast.manager


@pytest.mark.parametrize("rate", [Decimal("0.18"), Decimal("-0.01"), Decimal("0.1701")])
def test_tax_rate_outside_0_to_17_percent_is_refused(cast, rate):
    with pytest.raises(DomainError) as exc:
        services.product_create(actor=cast.manager, data={**PRODUCT, "tax_rate": rate})
    assert "0% 到 17%" in str(exc.value)
    assert not Product.objects.exists()


def test_tax_rate_17_and_0_are_allowed(cast):
    services.product_create(actor=cast.manager, data={**PRODUCT, "tax_rate": Decimal("0.17")})
    services.product_create(actor=cast.manager, data={**PRODUCT, "code": "GB-101", "tax_rate": Decimal("0")})
    assert sorted(Product.objects.values_list("tax_rate", flat=True)) == [Decimal("0"), Decimal("0.17")]


def test_duplicate_product_code_refused_case_insensitively(cast):
    ProductFactory(code="GB-100", name="老产品")
    with pytest.raises(DomainError) as exc:
        services.product_create(actor=cast.manager, data={**PRODUCT, "code": "gb-100 "})
    assert "GB-100" in str(exc.value) or "gb-100" in str(exc.value)
    assert "老产品" in str(exc.value)
    assert Product.objects.count() == 1


def test_negative_list_price_refused(cast):
    with pytest.raises(DomainError):
        services.product_create(actor=cast.manager, data={**PRODUCT, "list_price": Decimal("-1")})
    assert not Product.objects.exists()


def test_product_update_records_changed_fields_old_to_new(cast):
    product = ProductFactory(name="齿轮箱", list_price=Decimal("1130.00"), tax_rate=Decimal("0.13"))
    services.product_update(
        actor=cast.manager,
        product=product,
        data={"name": "齿轮减速箱", "list_price": Decimal("1200"), "tax_rate": Decimal("0.13")},
    )
    product.refresh_from_db()
    assert product.name == "齿轮减速箱" and product.list_price == Decimal("1200.00")
    [event] = events_of(product)
    assert event.verb == Event.Verb.UPDATED
    changes = {c["field"]: (c["old"], c["new"]) for c in event.changes}
    assert changes == {"name": ("齿轮箱", "齿轮减速箱"), "list_price": ("1130.00", "1200.00")}  # same tax rate: no change


def test_product_update_without_changes_writes_no_event(cast):
    product = ProductFactory(name="齿轮箱")
    services.product_update(actor=cast.manager, product=product, data={"name": "齿轮箱"})
    assert not events_of(product).exists()


def test_product_update_refuses_bad_tax_rate_and_keeps_old_values(cast):
    product = ProductFactory(name="齿轮箱")
    with pytest.raises(DomainError):
        services.product_update(actor=cast.manager, product=product, data={"name": "新", "tax_rate": Decimal("0.2")})
    product.refresh_from_db()
    assert product.name == "齿轮箱" and product.tax_rate == Decimal("0.13")


def test_deactivate_and_reactivate(cast):
    product = ProductFactory()
    services.product_deactivate(actor=cast.manager, product=product, reason="停产")
    product.refresh_from_db()
    assert not product.is_active
    with pytest.raises(DomainError) as exc:
        services.product_deactivate(actor=cast.manager, product=product)
    assert "已经停售" in str(exc.value)
    services.product_reactivate(actor=cast.admin, product=product)
    product.refresh_from_db()
    assert product.is_active
    assert [e.verb for e in events_of(product)] == [Event.Verb.STATUS, Event.Verb.STATUS]
    assert "停产" in events_of(product).first().message


# --- price lists --------------------------------------------------------------------------------------------------
def test_price_list_valid_to_before_valid_from_refused(cast):
    with pytest.raises(DomainError) as exc:
        services.price_list_create(actor=cast.manager, data={**PRICE_LIST, "valid_to": date(2025, 12, 31)})
    assert "不能早于" in str(exc.value)
    assert not PriceList.objects.exists()


def test_price_list_same_day_validity_allowed(cast):
    pl = services.price_list_create(actor=cast.manager, data={**PRICE_LIST, "valid_to": date(2026, 1, 1)})
    assert pl.valid_to == pl.valid_from


@pytest.mark.parametrize("field, value", [("customer_type", "vip"), ("customer_grade", "E"), ("currency", "RMB1")])
def test_price_list_invalid_codes_refused(cast, field, value):
    with pytest.raises(DomainError):
        services.price_list_create(actor=cast.manager, data={**PRICE_LIST, field: value})
    assert not PriceList.objects.exists()


def test_price_list_update_records_changes_and_checks_dates(cast):
    pl = PriceListFactory(name="旧", valid_from=date(2026, 1, 1))
    services.price_list_update(actor=cast.manager, price_list=pl, data={"name": "新", "customer_grade": "A"})
    [event] = events_of(pl)
    assert {c["field"] for c in event.changes} == {"name", "customer_grade"}
    with pytest.raises(DomainError):
        services.price_list_update(actor=cast.manager, price_list=pl, data={"valid_to": date(2025, 1, 1)})
    pl.refresh_from_db()
    assert pl.valid_to is None and pl.name == "新"


def test_duplicate_item_refused_with_clear_message_and_nothing_changed(cast):
    # given a list already holding the product at 1000.00
    pl = PriceListFactory(name="2026 经销商价")
    product = ProductFactory(code="GB-100", name="齿轮箱")
    services.price_list_item_add(actor=cast.manager, price_list=pl, product=product, unit_price=Decimal("1000"))
    events_before = events_of(pl).count()
    # when the product is added again at another price
    with pytest.raises(DomainError) as exc:
        services.price_list_item_add(actor=cast.manager, price_list=pl, product=product, unit_price=Decimal("900"))
    # then a message names the product, the list and the existing price
    message = str(exc.value)
    assert exc.value.code == "duplicate_item"
    assert "GB-100" in message and "2026 经销商价" in message and "1000.00" in message and "不能重复" in message
    # and nothing changed
    assert list(PriceListItem.objects.values_list("unit_price", flat=True)) == [Decimal("1000.00")]
    assert events_of(pl).count() == events_before


def test_same_product_may_be_on_two_lists(cast):
    product = ProductFactory()
    for pl in (PriceListFactory(), PriceListFactory()):
        services.price_list_item_add(actor=cast.manager, price_list=pl, product=product, unit_price=Decimal("1000"))
    assert product.price_items.count() == 2


def test_inactive_product_cannot_be_added(cast):
    product = ProductFactory(is_active=False)
    with pytest.raises(DomainError) as exc:
        services.price_list_item_add(actor=cast.manager, price_list=PriceListFactory(), product=product, unit_price=Decimal("1"))
    assert "停售" in str(exc.value)
    assert not PriceListItem.objects.exists()


@pytest.mark.parametrize("price", [Decimal("0"), Decimal("-5")])
def test_item_price_must_be_positive(cast, price):
    with pytest.raises(DomainError):
        services.price_list_item_add(
            actor=cast.manager, price_list=PriceListFactory(), product=ProductFactory(), unit_price=price
        )
    assert not PriceListItem.objects.exists()


def test_item_update_and_remove_go_on_the_price_list_timeline(cast):
    item = PriceListItemFactory(unit_price=Decimal("1000.00"), product=ProductFactory(code="GB-7"))
    pl = item.price_list
    services.price_list_item_update(actor=cast.manager, item=item, data={"unit_price": Decimal("950.5")})
    item.refresh_from_db()
    assert item.unit_price == Decimal("950.50")
    update = events_of(pl).last()
    assert update.changes == [{"field": "unit_price", "label": "GB-7 含税单价", "old": "1000.00", "new": "950.50"}]
    services.price_list_item_remove(actor=cast.manager, item=item)
    assert not PriceListItem.objects.exists()
    assert "GB-7" in events_of(pl).last().message
    with pytest.raises(DomainError):  # a second click: already removed
        services.price_list_item_remove(actor=cast.manager, item=item)


# --- discount limits ----------------------------------------------------------------------------------------------
def test_admin_updates_discount_limit_with_history(cast):
    limit = services.discount_limit_update(actor=cast.admin, role="sales_rep", max_discount_rate=Decimal("0.06"))
    assert DiscountLimit.objects.get(role="sales_rep").max_discount_rate == Decimal("0.0600")
    [event] = events_of(limit)
    assert event.changes[0]["old"] == "0.0500" and event.changes[0]["new"] == "0.0600"


def test_admin_sets_a_limit_for_a_role_without_one(cast):
    services.discount_limit_update(actor=cast.admin, role="admin", max_discount_rate=Decimal("0.3"))
    assert DiscountLimit.objects.get(role="admin").max_discount_rate == Decimal("0.3000")


@pytest.mark.parametrize("who", ["manager", "vp", "alice", "clerk"])
def test_only_admin_may_change_discount_limits(cast, who):
    with pytest.raises(Forbidden):
        services.discount_limit_update(actor=getattr(cast, who), role="sales_manager", max_discount_rate=Decimal("0.5"))
    assert DiscountLimit.objects.get(role="sales_manager").max_discount_rate == Decimal("0.15")


@pytest.mark.parametrize(
    "role, rate", [("sales_rep", Decimal("1.01")), ("sales_rep", Decimal("-0.01")), ("nobody", Decimal("0.1"))]
)
def test_bad_discount_limits_refused(cast, role, rate):
    with pytest.raises(DomainError):
        services.discount_limit_update(actor=cast.admin, role=role, max_discount_rate=rate)
    assert DiscountLimit.objects.get(role="sales_rep").max_discount_rate == Decimal("0.05")
    assert not DiscountLimit.objects.filter(role="nobody").exists()
