"""Money helpers: one rounding rule (ROUND_HALF_UP to the fen) and 大写金额."""

from decimal import Decimal

import pytest

from salesops.core.money import amount_in_words, line_amounts, money_text, quantize, sum_lines


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("0.05", "伍分"),
        ("10.00", "壹拾元整"),
        ("100010.50", "壹拾万零壹拾元伍角整"),
        ("1000000000.00", "壹拾亿元整"),
        ("0", "零元整"),
        ("1.01", "壹元零壹分"),
        ("105000", "壹拾万伍仟元整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("20000.06", "贰万元零陆分"),
        ("1001", "壹仟零壹元整"),
        ("10000001", "壹仟万零壹元整"),
    ],
)
def test_amount_in_words(value, words):
    assert amount_in_words(Decimal(value)) == words


def test_quantize_rounds_half_up():
    assert quantize(Decimal("0.005")) == Decimal("0.01")
    assert quantize(Decimal("2.675")) == Decimal("2.68")
    assert quantize(Decimal("-0.005")) == Decimal("-0.01")


def test_float_money_is_refused():
    with pytest.raises(TypeError):
        quantize(0.1)


def test_line_amounts_add_up_to_the_fen_for_mixed_rates():
    lines = [
        line_amounts(quantity=Decimal("3"), unit_price_incl=Decimal("99.99"), tax_rate=Decimal("0.13")),
        line_amounts(quantity=Decimal("7"), unit_price_incl=Decimal("10.01"), tax_rate=Decimal("0.06")),
        line_amounts(
            quantity=Decimal("1.5"), unit_price_incl=Decimal("33.33"), tax_rate=Decimal("0.09"), discount_rate=Decimal("0.05")
        ),
    ]
    assert [(x.amount_incl, x.amount_excl, x.tax) for x in lines] == [
        (Decimal("299.97"), Decimal("265.46"), Decimal("34.51")),
        (Decimal("70.07"), Decimal("66.10"), Decimal("3.97")),
        (Decimal("47.50"), Decimal("43.58"), Decimal("3.92")),
    ]
    total = sum_lines(lines)
    assert total.amount_incl == Decimal("417.54")
    assert total.amount_excl + total.tax == total.amount_incl


@pytest.mark.parametrize(
    "value,shown", [("10.000", "10"), ("2.500", "2.5"), ("100", "100"), ("1E+1", "10"), ("0.000", "0"), ("0.0500", "0.05")]
)
def test_plain_numbers_lose_padding_zeros_and_never_show_exponents(value, shown):
    from salesops.core.money import plain

    assert plain(Decimal(value)) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [("1234567.8", "1,234,567.80"), ("-2100.1", "-2,100.10"), ("-0.004", "0.00"), (Decimal("-0.00"), "0.00"), ("", "")],
)
def test_money_text_has_separators_the_fen_and_no_negative_zero(value, shown):
    assert money_text(value) == shown
