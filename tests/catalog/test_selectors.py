"""Price resolution (precedence, validity, active lists, currency, min quantity), discount limits by role, list reads."""

from datetime import date
from decimal import Decimal

import pytest

from catalog import selectors
from catalog.models import DiscountLimit, PriceList, Product
from tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

D = date(2026, 6, 15)


def _price(product, customer_type="", customer_grade="", on_date=D, **kw):
    resolved = selectors.resolve_price(
        product=product, customer_type=customer_type, customer_grade=customer_grade, on_date=on_date, **kw
    )
    return resolved.unit_price


@pytest.fixture
def product():
    return ProductFactory(list_price=Decimal("1130.00"))


@pytest.fixture
def layered(product):
    """Given a general list (900), a grade-A list (880), a distributor list (850) and a distributor+A list (800)."""
    for name, ctype, grade, price in [
        ("通用", "", "", "900.00"),
        ("A级", "", "A", "880.00"),
        ("经销商", "distributor", "", "850.00"),
        ("经销商A级", "distributor", "A", "800.00"),
    ]:
        PriceListItemFactory(
            product=product,
            unit_price=Decimal(price),
            price_list=PriceListFactory(name=name, customer_type=ctype, customer_grade=grade, valid_from=date(2026, 1, 1)),
        )
    return product


@pytest.mark.parametrize(
    "customer_type, grade, expected",
    [
        ("distributor", "A", "800.00"),  # type + grade beats everything
        ("distributor", "B", "850.00"),  # type only beats grade only and general
        ("end_customer", "A", "880.00"),  # grade only beats general
        ("end_customer", "B", "900.00"),  # general
        ("", "", "900.00"),  # unknown customer: general list only
    ],
)
def test_most_specific_list_wins(layered, customer_type, grade, expected):
    result = _price(layered, customer_type, grade)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)


def test_type_beats_grade_even_when_grade_list_is_newer(product):
    PriceListItemFactory(
        product=product,
        unit_price=Decimal("850.00"),
        price_list=PriceListFactory(customer_type="distributor", valid_from=date(2026, 1, 1)),
    )
    PriceListItemFactory(
        product=product,
        unit_price=Decimal("700.00"),
        price_list=PriceListFactory(customer_grade="A", valid_from=date(2026, 6, 1)),
    )
    assert _price(product, "distributor", "A") == Decimal("850.00")


def test_falls_back_to_list_price_without_applicable_list(product):
    # given only a list for dealers
    PriceListItemFactory(product=product, unit_price=Decimal("700.00"), price_list=PriceListFactory(customer_type="dealer"))
    resolved = selectors.resolve_price(product=product, customer_type="distributor", customer_grade="A", on_date=D)
    assert resolved.unit_price == Decimal("1130.00")
    assert resolved.price_list is None and not resolved.from_price_list


def test_validity_dates_inclusive(product):
    PriceListItemFactory(
        product=product,
        unit_price=Decimal("999.00"),
        price_list=PriceListFactory(valid_from=date(2026, 3, 1), valid_to=date(2026, 3, 31)),
    )
    assert _price(product, on_date=date(2026, 2, 28)) == Decimal("1130.00")
    assert _price(product, on_date=date(2026, 3, 1)) == Decimal("999.00")
    assert _price(product, on_date=date(2026, 3, 31)) == Decimal("999.00")
    assert _price(product, on_date=date(2026, 4, 1)) == Decimal("1130.00")


def test_expired_specific_list_gives_way_to_valid_general_one(product):
    PriceListItemFactory(product=product, unit_price=Decimal("900.00"), price_list=PriceListFactory(valid_from=date(2026, 1, 1)))
    PriceListItemFactory(
        product=product,
        unit_price=Decimal("800.00"),
        price_list=PriceListFactory(
            customer_type="distributor", customer_grade="A", valid_from=date(2026, 1, 1), valid_to=date(2026, 5, 31)
        ),
    )
    assert _price(product, "distributor", "A", on_date=date(2026, 5, 31)) == Decimal("800.00")
    assert _price(product, "distributor", "A", on_date=date(2026, 6, 1)) == Decimal("900.00")


def test_inactive_and_foreign_currency_lists_are_ignored(product):
    PriceListItemFactory(product=product, unit_price=Decimal("500.00"), price_list=PriceListFactory(is_active=False))
    PriceListItemFactory(product=product, unit_price=Decimal("150.00"), price_list=PriceListFactory(currency="USD"))
    assert _price(product) == Decimal("1130.00")


def test_equally_specific_lists_latest_valid_from_wins(product):
    PriceListItemFactory(product=product, unit_price=Decimal("950.00"), price_list=PriceListFactory(valid_from=date(2026, 5, 1)))
    PriceListItemFactory(product=product, unit_price=Decimal("990.00"), price_list=PriceListFactory(valid_from=date(2026, 1, 1)))
    assert _price(product) == Decimal("950.00")


def test_min_quantity_only_when_quantity_given(product):
    PriceListItemFactory(
        product=product,
        unit_price=Decimal("800.00"),
        min_quantity=Decimal("100"),
        price_list=PriceListFactory(customer_type="distributor"),
    )
    PriceListItemFactory(product=product, unit_price=Decimal("900.00"), price_list=PriceListFactory())
    assert _price(product, "distributor", "A", quantity=Decimal("99")) == Decimal("900.00")
    assert _price(product, "distributor", "A", quantity=Decimal("100")) == Decimal("800.00")
    assert _price(product, "distributor", "A") == Decimal("800.00")


def test_the_highest_tier_reached_wins_whichever_list_is_newer(product):
    # QA: "50 台以上" (2,080) made before "10 台以上" (2,150), both for end customers: 60 台 were priced at 2,150
    end = "end_customer"
    PriceListItemFactory(
        product=product,
        unit_price=Decimal("2080.00"),
        min_quantity=50,
        price_list=PriceListFactory(customer_type=end, valid_from=date(2026, 1, 1)),
    )
    PriceListItemFactory(
        product=product,
        unit_price=Decimal("2150.00"),
        min_quantity=10,
        price_list=PriceListFactory(customer_type=end, valid_from=date(2026, 2, 1)),
    )
    PriceListItemFactory(product=product, unit_price=Decimal("2260.00"), price_list=PriceListFactory(customer_type=end))
    assert [_price(product, end, "B", quantity=Decimal(q)) for q in ("1", "10", "49", "50", "60")] == [
        Decimal("2260.00"),
        Decimal("2150.00"),
        Decimal("2150.00"),
        Decimal("2080.00"),
        Decimal("2080.00"),
    ]
    # the product page's "who pays what today" is the price of one unit, not the deepest tier
    matrix = {row.customer_type: row.cells for row in selectors.price_matrix(product, D)}
    assert {cell.unit_price for cell in matrix[end]} == {Decimal("2260.00")}


def test_resolved_amounts_are_exact_decimals(product):
    # given 1130.00 tax-inclusive at 13 %
    amounts = selectors.resolve_price(product=product, on_date=D).amounts
    assert amounts.amount_excl == Decimal("1000.00")
    assert amounts.tax == Decimal("130.00")
    # and 99.99 at 13 %: 99.99 / 1.13 = 88.486… → 88.49, tax 11.50, adding up to the fen
    odd = ProductFactory(list_price=Decimal("99.99"))
    amounts = selectors.resolve_price(product=odd, on_date=D).amounts
    assert (amounts.amount_excl, amounts.tax, amounts.unit_price_excl) == (Decimal("88.49"), Decimal("11.50"), Decimal("88.4867"))
    assert amounts.amount_excl + amounts.tax == Decimal("99.99")
    nine = ProductFactory(list_price=Decimal("100.00"), tax_rate=Decimal("0.09"))
    amounts = selectors.resolve_price(product=nine, on_date=D).amounts
    assert (amounts.amount_excl, amounts.tax) == (Decimal("91.74"), Decimal("8.26"))


def test_price_matrix_agrees_with_price_for(layered):
    matrix = selectors.price_matrix(layered, D)
    by_type = {row.customer_type: row for row in matrix}
    assert [c.unit_price for c in by_type["distributor"].cells] == [
        Decimal("800.00"),
        Decimal("850.00"),
        Decimal("850.00"),
        Decimal("850.00"),
    ]
    assert [c.unit_price for c in by_type["dealer"].cells] == [
        Decimal("880.00"),
        Decimal("900.00"),
        Decimal("900.00"),
        Decimal("900.00"),
    ]
    for row in matrix:
        for grade, cell in zip("ABCD", row.cells, strict=True):
            assert cell.unit_price == _price(layered, row.customer_type, grade)


def test_discount_limit_by_role(cast):
    # given the default limits of migration 0002: rep 5 %, lead 8 %, clerk 5 %, manager 15 %, VP 25 %, GM 100 %
    assert selectors.discount_limit_for(cast.alice) == Decimal("0.05")
    assert selectors.discount_limit_for(cast.lena) == Decimal("0.08")
    assert selectors.discount_limit_for(cast.clerk) == Decimal("0.05")
    assert selectors.discount_limit_for(cast.manager) == Decimal("0.15")
    assert selectors.discount_limit_for(cast.vp) == Decimal("0.25")
    assert selectors.discount_limit_for(cast.gm) == Decimal("1")
    assert selectors.discount_limit_for(cast.finance) == Decimal("0")  # no limit set for the role


def test_discount_limit_is_the_largest_of_the_users_roles(db):
    both = UserFactory(roles=["sales_rep", "sales_manager"])
    assert selectors.discount_limit_for(both) == Decimal("0.15")
    DiscountLimit.objects.filter(role="sales_rep").update(max_discount_rate=Decimal("0.20"))
    both = UserFactory(username=both.username)  # fresh object: roles are cached per request
    assert selectors.discount_limit_for(both) == Decimal("0.20")


def test_discount_limit_of_anonymous_is_zero(db):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.discount_limit_for(AnonymousUser()) == Decimal("0")


def test_valid_on_q_includes_both_ends_and_an_open_end():
    a = PriceListFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 15))
    b = PriceListFactory(valid_from=date(2026, 6, 15))
    PriceListFactory(valid_from=date(2026, 6, 16))
    PriceListFactory(valid_from=date(2026, 1, 1), is_active=False)
    PriceListFactory(valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 14))
    assert set(PriceList.objects.filter(selectors.valid_on_q(D), is_active=True)) == {a, b}


def test_product_search_matches_code_name_model_spec():
    p1 = ProductFactory(code="GB-100", name="齿轮箱", model="ZQ-350", spec="速比 20")
    ProductFactory(code="XX-1", name="电机", model="Y2", spec="380V")
    for text in ["gb-1", "齿轮", "zq-35", "速比", "齿轮 ZQ"]:
        assert list(Product.objects.all().filter(selectors.product_search_q(text))) == [p1], text


def test_catalog_visible_to_every_logged_in_user_not_to_anonymous(cast):
    from django.contrib.auth.models import AnonymousUser

    ProductFactory()
    assert selectors.product_list_for(cast.alice).count() == 1
    assert selectors.product_list_for(cast.warehouse).count() == 1
    assert selectors.product_list_for(AnonymousUser()).count() == 0
    assert selectors.can_view_cost(cast.manager) and selectors.can_view_cost(cast.finance)
    assert not selectors.can_view_cost(cast.alice) and not selectors.can_view_cost(cast.clerk)


@pytest.mark.django_db
def test_the_tax_rates_in_use_are_each_rate_once_the_highest_first():
    assert selectors.product_tax_rates() == []
    for rate in ("0.13", "0.09", "0", "0.13", "0.06", "0.09"):
        ProductFactory(tax_rate=Decimal(rate))
    rates = selectors.product_tax_rates()
    assert rates == [Decimal("0.13"), Decimal("0.09"), Decimal("0.06"), Decimal("0")]
    assert [format(rate, "f") for rate in rates] == ["0.1300", "0.0900", "0.0600", "0.0000"]  # the options' values


def test_another_currency_gets_the_cny_price_at_its_rate(product):
    # 1,130.00 ÷ 7.1234 = 158.632… → 158.63, the list price likewise; a row's min quantity still counts
    usd = selectors.resolve_price(product=product, on_date=D, currency="USD", exchange_rate=Decimal("7.1234"))
    assert (usd.unit_price, usd.list_price, usd.currency) == (Decimal("158.63"), Decimal("158.63"), "USD")
    PriceListItemFactory(price_list=PriceListFactory(), product=product, unit_price=Decimal("1000.00"), min_quantity=10)
    assert _price(product, quantity=9, currency="USD", exchange_rate="7.1234") == Decimal("158.63")
    assert _price(product, quantity=10, currency="USD", exchange_rate="7.1234") == Decimal("140.38")
    assert _price(product, quantity=10, currency="CNY", exchange_rate=None) == Decimal("1000.00")
    with pytest.raises(ValueError):
        selectors.resolve_price(product=product, on_date=D, currency="USD")
