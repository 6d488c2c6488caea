"""Pure catalog rules: price list specificity, validity, discount rate and approval need, tax rate range."""

from datetime import date
from decimal import Decimal

import pytest

from catalog import rules
from customers.models import Customer


def test_customer_codes_are_the_customer_models_codes():
    # given catalog may not import customers, it keeps the codes as constants; they must not drift
    assert rules.CUSTOMER_TYPE_CODES == tuple(Customer.Type.values)
    assert rules.CUSTOMER_GRADE_CODES == tuple(Customer.Grade.values)


@pytest.mark.parametrize(
    "list_type, list_grade, expected",
    [
        ("distributor", "A", rules.SPECIFICITY_TYPE_AND_GRADE),
        ("distributor", "", rules.SPECIFICITY_TYPE),
        ("", "A", rules.SPECIFICITY_GRADE),
        ("", "", rules.SPECIFICITY_GENERAL),
        ("dealer", "", None),  # restricted to another type
        ("", "B", None),  # restricted to another grade
        ("distributor", "B", None),
    ],
)
def test_specificity_for_a_distributor_of_grade_a(list_type, list_grade, expected):
    assert (
        rules.pricelist_specificity(list_type=list_type, list_grade=list_grade, customer_type="distributor", customer_grade="A")
        == expected
    )


def test_specificity_order_is_type_grade_then_type_then_grade_then_general():
    assert rules.SPECIFICITY_TYPE_AND_GRADE > rules.SPECIFICITY_TYPE > rules.SPECIFICITY_GRADE > rules.SPECIFICITY_GENERAL


def test_unknown_customer_matches_only_unrestricted_lists():
    assert rules.pricelist_specificity(list_type="", list_grade="", customer_type="", customer_grade="") == 0
    assert rules.pricelist_specificity(list_type="dealer", list_grade="", customer_type="", customer_grade="") is None
    assert rules.pricelist_specificity(list_type="", list_grade="A", customer_type="", customer_grade="") is None


def test_validity_dates_are_inclusive():
    kwargs = {"valid_from": date(2026, 3, 1), "valid_to": date(2026, 3, 31)}
    assert rules.is_valid_on(on_date=date(2026, 3, 1), **kwargs)
    assert rules.is_valid_on(on_date=date(2026, 3, 31), **kwargs)
    assert not rules.is_valid_on(on_date=date(2026, 2, 28), **kwargs)
    assert not rules.is_valid_on(on_date=date(2026, 4, 1), **kwargs)
    assert rules.is_valid_on(valid_from=date(2026, 3, 1), valid_to=None, on_date=date(2099, 1, 1))


def test_validity_error():
    assert rules.validity_error(valid_from=date(2026, 3, 1), valid_to=date(2026, 3, 1)) is None
    assert rules.validity_error(valid_from=date(2026, 3, 1), valid_to=None) is None
    assert "不能早于" in rules.validity_error(valid_from=date(2026, 3, 2), valid_to=date(2026, 3, 1))
    assert rules.validity_error(valid_from=None, valid_to=None)


@pytest.mark.parametrize(
    "list_price, unit_price, expected",
    [
        ("1000.00", "950.00", "0.0500"),
        ("1000.00", "1000.00", "0.0000"),
        ("1000.00", "1100.00", "0.0000"),  # above list is no discount
        ("0.00", "10.00", "0.0000"),  # custom product without a list price
        ("3.00", "2.00", "0.3333"),
        ("8.00", "7.99", "0.0013"),  # 0.00125 rounds half up
    ],
)
def test_discount_rate(list_price, unit_price, expected):
    result = rules.discount_rate(Decimal(list_price), Decimal(unit_price))
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_needs_higher_approval_exactly_at_and_beyond_the_limit():
    limit = Decimal("0.05")
    assert not rules.needs_higher_approval(list_price=Decimal("1000.00"), unit_price=Decimal("950.00"), limit_rate=limit)
    assert rules.needs_higher_approval(list_price=Decimal("1000.00"), unit_price=Decimal("949.99"), limit_rate=limit)
    assert not rules.needs_higher_approval(list_price=Decimal("1000.00"), unit_price=Decimal("1200.00"), limit_rate=limit)
    # no rounding: 5.00004 % below list is beyond a 5 % limit even though it displays as 5.00 %
    assert rules.needs_higher_approval(list_price=Decimal("100000.00"), unit_price=Decimal("94999.96"), limit_rate=limit)
    assert not rules.needs_higher_approval(list_price=Decimal("0.00"), unit_price=Decimal("1.00"), limit_rate=Decimal("0"))
    assert rules.needs_higher_approval(list_price=Decimal("10.00"), unit_price=Decimal("9.99"), limit_rate=Decimal("0"))


def test_lowest_price_within_limit():
    assert rules.lowest_price_within(list_price=Decimal("1130.00"), limit_rate=Decimal("0.15")) == Decimal("960.5")


@pytest.mark.parametrize(
    "rate, ok", [("0", True), ("0.13", True), ("0.17", True), ("0.1701", False), ("-0.01", False), ("0.2", False)]
)
def test_tax_rate_range(rate, ok):
    error = rules.tax_rate_error(Decimal(rate))
    assert (error is None) == ok
    if not ok:
        assert "17%" in error


def test_labels():
    assert rules.customer_type_label("") == "通用"
    assert rules.customer_type_label("distributor") == "经销商"
    assert rules.customer_grade_label("A").startswith("A")
    assert rules.is_valid_customer_type("") and rules.is_valid_customer_type("dealer") and not rules.is_valid_customer_type("vip")
    assert rules.is_valid_customer_grade("D") and not rules.is_valid_customer_grade("E")


@pytest.mark.parametrize(
    ("quantity", "unit", "refused"),
    [
        ("1.5", "台", True),
        ("2", "台", False),
        ("2.000", "套", False),
        ("0.25", " 件 ", True),
        ("1.5", "米", False),
        ("0.75", "千克", False),
        ("1.5", "", False),
    ],
)
def test_whole_units(quantity, unit, refused):
    error = rules.whole_quantity_error(Decimal(quantity), unit)
    assert bool(error) is refused
    if refused:
        assert "不是整数" in error and unit.strip() in error
