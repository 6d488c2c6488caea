"""Money helpers: the one place where amounts are rounded (ARCHITECTURE.md rule 4).

Chinese companies quote tax-inclusive unit prices (含税单价). Line amounts are derived from them:
the tax-inclusive amount is qty × price × (1 − discount); the tax-exclusive amount is incl / (1 + rate);
the tax is incl − excl, so the three always add up to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2
QUANTITY_MAX_DIGITS = 14
QUANTITY_DECIMAL_PLACES = 3
# The one definition of a money / quantity column, for models, forms, serializers and query expressions alike.
MONEY = {"max_digits": MONEY_MAX_DIGITS, "decimal_places": MONEY_DECIMAL_PLACES}
QUANTITY = {"max_digits": QUANTITY_MAX_DIGITS, "decimal_places": QUANTITY_DECIMAL_PLACES}
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_TAX_RATE = Decimal("0.13")


def MoneyField(verbose_name=None, **kwargs) -> models.DecimalField:
    kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
    kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, **kwargs)


def RateField(verbose_name=None, **kwargs) -> models.DecimalField:
    """A rate such as a tax rate (0.13) or a discount (0.05), four decimals."""
    kwargs.setdefault("max_digits", 6)
    kwargs.setdefault("decimal_places", 4)
    return models.DecimalField(verbose_name, **kwargs)


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a Decimal or a string")
    return Decimal(str(value))


def parse_decimal(value, label: str, *, allow_blank: bool = False) -> Decimal | None:
    """A number typed by a user (quantity, price, rate) as a Decimal, or a DomainError naming the field in Chinese."""
    from django.utils.translation import gettext as _

    from .errors import DomainError

    if value in (None, "") and allow_blank:
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(label)s“%(value)s”不是有效的数字。") % {"label": label, "value": value}) from None
    if not result.is_finite():
        raise DomainError(_("%(label)s“%(value)s”不是有效的数字。") % {"label": label, "value": value})
    return result


def plain(value) -> str:
    """A quantity or rate for people: Decimal("10.000") -> "10", Decimal("2.500") -> "2.5" (never "1E+1")."""
    text = f"{to_decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def quantize(value, places: Decimal = CENT) -> Decimal:
    """Round half up to the fen (or to `places`)."""
    return to_decimal(value).quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    amount_incl: Decimal  # 价税合计
    amount_excl: Decimal  # 不含税金额
    tax: Decimal  # 税额
    unit_price_excl: Decimal  # 不含税单价 (4 decimals, for display)


def line_amounts(*, quantity, unit_price_incl, tax_rate=DEFAULT_TAX_RATE, discount_rate=ZERO) -> LineAmounts:
    """Amounts of one document line from its tax-inclusive unit price."""
    quantity = to_decimal(quantity)
    price = to_decimal(unit_price_incl)
    rate = to_decimal(tax_rate)
    discount = to_decimal(discount_rate)
    incl = quantize(quantity * price * (Decimal(1) - discount))
    excl = quantize(incl / (Decimal(1) + rate))
    unit_excl = quantize(price * (Decimal(1) - discount) / (Decimal(1) + rate), Decimal("0.0001"))
    return LineAmounts(amount_incl=incl, amount_excl=excl, tax=incl - excl, unit_price_excl=unit_excl)


def sum_lines(lines) -> LineAmounts:
    """Document totals: the sum of already-rounded line amounts (so totals equal what each line shows)."""
    incl = sum((line.amount_incl for line in lines), ZERO)
    excl = sum((line.amount_excl for line in lines), ZERO)
    return LineAmounts(amount_incl=incl, amount_excl=excl, tax=incl - excl, unit_price_excl=ZERO)


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿", "万亿"]


def _section_to_capital(n: int) -> str:
    """0 < n < 10000 -> e.g. 1010 -> 壹仟零壹拾"""
    out, zero = "", False
    for pos in range(3, -1, -1):
        d = n // (10**pos) % 10
        if d == 0:
            zero = bool(out)
        else:
            if zero:
                out += "零"
                zero = False
            out += _DIGITS[d] + _UNITS[pos]
    return out


def amount_in_words(value) -> str:
    """人民币大写金额, e.g. Decimal("100010.50") -> "壹拾万零壹拾元伍角整" (整 after 元 or 角, never after 分)."""
    value = quantize(value)
    if value < 0:
        return "负" + amount_in_words(-value)
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if yuan == 0 and jiao == 0 and fen == 0:
        return "零元整"
    parts, sections = [], []
    n = yuan
    while n:
        sections.append(n % 10000)
        n //= 10000
    words, need_zero = "", False
    for idx in range(len(sections) - 1, -1, -1):
        sec = sections[idx]
        if sec == 0:
            need_zero = bool(words)
            continue
        if words and (need_zero or sec < 1000):
            words += "零"
        words += _section_to_capital(sec) + _SECTIONS[idx]
        need_zero = False
    if words:
        parts.append(words + "元")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    elif fen and words:
        parts.append("零")
    if fen:
        parts.append(_DIGITS[fen] + "分")
    else:
        parts.append("整")
    return "".join(parts)
