"""Money helpers: the one place where amounts are rounded (ARCHITECTURE.md rule 4).

Chinese companies quote tax-inclusive unit prices (含税单价). Line amounts are derived from them:
the tax-inclusive amount is qty × price × (1 − discount); the tax-exclusive amount is incl / (1 + rate);
the tax is incl − excl, so the three always add up to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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
RATE_MAX_DIGITS = 6
RATE_DECIMAL_PLACES = 4
RATE = {"max_digits": RATE_MAX_DIGITS, "decimal_places": RATE_DECIMAL_PLACES}

# Sensible upper bounds of what people type (and what every column, form and serializer accepts): a quantity or a unit price
# up to one billion, an amount up to what MONEY's 14 digits hold, a rate (tax, discount, deposit) from 0 to 1 (= 100 %).
# A computed amount that does not fit MONEY is refused by line_amounts / sum_lines, never stored (a stored value wider than
# its column cannot be read back: the database adapter's quantize raises decimal.InvalidOperation on every page showing it).
MAX_QUANTITY = Decimal("1000000000")
MAX_UNIT_PRICE = Decimal("1000000000")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_RATE = Decimal("1")


@dataclass(frozen=True)
class Bounds:
    """What a typed number may be: at most `max_digits` digits of which `decimal_places` decimals, from `minimum` to `maximum`."""

    max_digits: int
    decimal_places: int
    minimum: Decimal
    maximum: Decimal

    def validators(self) -> list:
        return [MinValueValidator(self.minimum), MaxValueValidator(self.maximum)]

    def any_sign(self) -> Bounds:
        """The same digits and maximum size, either sign: for a service that refuses ≤ 0 with its own message."""
        return replace(self, minimum=-self.maximum)


MONEY_BOUNDS = Bounds(MONEY_MAX_DIGITS, MONEY_DECIMAL_PLACES, ZERO, MAX_AMOUNT)
PRICE_BOUNDS = Bounds(MONEY_MAX_DIGITS, MONEY_DECIMAL_PLACES, ZERO, MAX_UNIT_PRICE)
QUANTITY_BOUNDS = Bounds(QUANTITY_MAX_DIGITS, QUANTITY_DECIMAL_PLACES, Decimal(0), MAX_QUANTITY)
RATE_BOUNDS = Bounds(RATE_MAX_DIGITS, RATE_DECIMAL_PLACES, Decimal(0), MAX_RATE)
# A rate typed as a percentage (a discount of 12.5 %): two decimals (the rate's four), 0 to 100.
PERCENT_BOUNDS = Bounds(RATE_DECIMAL_PLACES + 1, RATE_DECIMAL_PLACES - 2, Decimal(0), Decimal(100))


# An exchange rate to yuan (汇率折人民币), e.g. 7.1234 for USD: positive, below 100,000 (the column holds 6 whole digits).
EXCHANGE_RATE_BOUNDS = Bounds(10, 4, Decimal("0.0001"), Decimal("99999.9999"))

# The currencies a document may be settled in (ISO 4217 codes).
CURRENCIES = (
    "CNY",
    "USD",
    "EUR",
    "JPY",
    "HKD",
    "GBP",
    "KRW",
    "SGD",
    "AUD",
    "CAD",
    "CHF",
    "TWD",
    "MOP",
    "NZD",
    "SEK",
    "NOK",
    "DKK",
    "RUB",
    "THB",
    "MYR",
    "IDR",
    "VND",
    "PHP",
    "INR",
    "PKR",
    "AED",
    "SAR",
    "TRY",
    "PLN",
    "BRL",
    "MXN",
    "ZAR",
    "KZT",
)


def validate_currency(value: str) -> None:
    """A currency code: three capital letters (ISO 4217) among CURRENCIES, else a ValidationError in Chinese."""
    from django.utils.translation import gettext as _

    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isalpha() and value.isupper()):
        raise ValidationError(
            _("币种应为三位大写字母的 ISO 4217 代码（如 CNY、USD），填写的是“%(value)s”。"),
            code="invalid",
            params={"value": value},
        )
    if value not in CURRENCIES:
        raise ValidationError(
            _("不支持的币种“%(value)s”，可选：%(codes)s。"),
            code="unknown",
            params={"value": value, "codes": "、".join(CURRENCIES)},
        )


def CurrencyField(verbose_name=None, **kwargs) -> models.CharField:
    """A currency code column (ISO 4217, one of CURRENCIES), CNY by default."""
    kwargs.setdefault("max_length", 3)
    kwargs.setdefault("default", "CNY")
    kwargs.setdefault("validators", [validate_currency])
    return models.CharField(verbose_name, **kwargs)


MAX_CREDIT_DAYS = 3650  # 账期: at most ten years


def CreditDaysField(verbose_name=None, **kwargs) -> models.PositiveSmallIntegerField:
    """Credit days (账期), 0 to MAX_CREDIT_DAYS on every database."""
    kwargs.setdefault("default", 0)
    kwargs.setdefault("validators", [MaxValueValidator(MAX_CREDIT_DAYS)])
    return models.PositiveSmallIntegerField(verbose_name, **kwargs)


def ExchangeRateField(verbose_name=None, **kwargs) -> models.DecimalField:
    """An exchange rate to yuan (EXCHANGE_RATE_BOUNDS), 1 by default."""
    kwargs.setdefault("default", Decimal(1))
    return _bounded_field(verbose_name, EXCHANGE_RATE_BOUNDS, kwargs)


class BoundedDecimalField(forms.DecimalField):
    """A form DecimalField that takes plain ASCII numbers only ("１２３" is refused, not read as 123)."""

    def to_python(self, value):
        if isinstance(value, str) and not value.strip().isascii():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class DecimalColumn(models.DecimalField):
    """A DecimalField whose forms (pages, admin) take plain ASCII numbers only ("１２３" is refused, not read as 123);
    migrations see the plain DecimalField it is."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": BoundedDecimalField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def _bounded_field(verbose_name, bounds: Bounds, kwargs) -> models.DecimalField:
    kwargs.setdefault("max_digits", bounds.max_digits)
    kwargs.setdefault("decimal_places", bounds.decimal_places)
    kwargs.setdefault("validators", bounds.validators())
    return DecimalColumn(verbose_name, **kwargs)


def MoneyField(verbose_name=None, *, bounds: Bounds = MONEY_BOUNDS, **kwargs) -> models.DecimalField:
    """An amount or a price in yuan: MONEY's column, 0 to MAX_AMOUNT (pass bounds=PRICE_BOUNDS for a unit price)."""
    kwargs.setdefault("default", ZERO)
    return _bounded_field(verbose_name, bounds, kwargs)


def QuantityField(verbose_name=None, **kwargs) -> models.DecimalField:
    """A quantity: QUANTITY's column (three decimals), 0 to MAX_QUANTITY."""
    return _bounded_field(verbose_name, QUANTITY_BOUNDS, kwargs)


def RateField(verbose_name=None, **kwargs) -> models.DecimalField:
    """A rate such as a tax rate (0.13) or a discount (0.05), four decimals, 0 to 1."""
    return _bounded_field(verbose_name, RATE_BOUNDS, kwargs)


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a Decimal or a string")
    return Decimal(str(value))


def bounds_error(value: Decimal, label: str, bounds: Bounds) -> str | None:
    """A Chinese message naming `label` if the finite `value` has too many digits or decimals or is out of bounds, else None."""
    from django.utils.translation import gettext as _

    _sign, digits, exponent = value.as_tuple()
    decimals = max(0, -exponent)
    whole = max(0, len(digits) + exponent) if value != 0 else 0
    if decimals > bounds.decimal_places:
        return _("%(label)s最多 %(places)d 位小数（填写的是 %(value)s）。") % {
            "label": label,
            "places": bounds.decimal_places,
            "value": plain(value),
        }
    if value < bounds.minimum:
        return _("%(label)s不能小于 %(min)s（填写的是 %(value)s）。") % {
            "label": label,
            "min": plain(bounds.minimum),
            "value": plain(value),
        }
    if value > bounds.maximum or whole > bounds.max_digits - bounds.decimal_places:
        return _("%(label)s不能大于 %(max)s（填写的是 %(value)s）。") % {
            "label": label,
            "max": f"{bounds.maximum:,f}",
            "value": plain(value),
        }
    return None


def parse_decimal(value, label: str, *, allow_blank: bool = False, bounds: Bounds | None = None) -> Decimal | None:
    """A number typed by a user (quantity, price, rate) as a Decimal, or a DomainError naming the field in Chinese.

    Only plain ASCII decimals are numbers ("1e30", "NaN", "Infinity", "１２３" are not); with `bounds` the digits, decimals
    and range are checked too.
    """
    from django.utils.translation import gettext as _

    from .errors import DomainError

    if value in (None, "") and allow_blank:
        return None
    text = str(value).strip() if value is not None else ""
    invalid = _("%(label)s“%(value)s”不是有效的数字。") % {"label": label, "value": text}
    if not isinstance(value, Decimal) and (not text.isascii() or "e" in text.lower()):
        raise DomainError(invalid)
    try:
        result = Decimal(text)
    except (InvalidOperation, ValueError):
        raise DomainError(invalid) from None
    if not result.is_finite():
        raise DomainError(invalid)
    if bounds is not None:
        error = bounds_error(result, label, bounds)
        if error:
            raise DomainError(error)
    return result


def percent_to_rate(percent) -> Decimal:
    """A percentage as the rate the documents keep: 12.5 -> Decimal("0.1250"), 5 -> Decimal("0.0500")."""
    return (to_decimal(percent) / 100).quantize(Decimal(1).scaleb(-RATE_DECIMAL_PLACES))


def percent_text(rate) -> str:
    """A rate for people, to the hundredth of a percent, half up: Decimal("0.13") -> "13%", Decimal("0.125") -> "12.5%",
    Decimal("0.3333") -> "33.33%", 0 -> "0%"."""
    return f"{plain(quantize(to_decimal(rate or 0) * 100))}%"


def plain(value) -> str:
    """A quantity or rate for people: Decimal("10.000") -> "10", Decimal("2.500") -> "2.5" (never "1E+1")."""
    value = to_decimal(value)
    if not value.is_finite():
        return str(value)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def quantize(value, places: Decimal = CENT) -> Decimal:
    """Round half up to the fen (or to `places`)."""
    return to_decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def money_text(value) -> str:
    """How an amount is written on pages and in texts (a reason, an event, a notification): 1234567.8 -> 1,234,567.80,
    half up to the fen; "" for nothing, and what is not a number as it is."""
    if value in (None, ""):
        return ""
    try:
        q = quantize(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
    if not q.is_finite():
        return str(value)
    return f"{q.copy_abs() if q.is_zero() else q:,.2f}"  # never "-0.00" (-0.004 rounds to zero, and zero has no sign)


def db_money(value) -> Decimal:
    """A sum read from the database without the ORM's converters, as money to the fen: PostgreSQL gives a Decimal,
    SQLite a float (sums of money columns) or an int; None (a sum of no rows) is zero."""
    if value is None:
        return ZERO
    return quantize(value if isinstance(value, Decimal) else Decimal(str(value)))


@dataclass(frozen=True)
class LineAmounts:
    amount_incl: Decimal  # 价税合计
    amount_excl: Decimal  # 不含税金额
    tax: Decimal  # 税额
    unit_price_excl: Decimal  # 不含税单价 (4 decimals, for display)


def line_amounts(
    *, quantity, unit_price_incl, tax_rate=DEFAULT_TAX_RATE, discount_rate=ZERO, label: str | None = None
) -> LineAmounts:
    """Amounts of one document line from its tax-inclusive unit price; a DomainError naming the line (`label`) if its
    amount does not fit MONEY's column."""
    quantity = to_decimal(quantity)
    price = to_decimal(unit_price_incl)
    rate = to_decimal(tax_rate)
    discount = to_decimal(discount_rate)
    incl = quantize(quantity * price * (Decimal(1) - discount))
    _check_amount(incl, label)
    excl = quantize(incl / (Decimal(1) + rate))
    unit_excl = quantize(price * (Decimal(1) - discount) / (Decimal(1) + rate), Decimal("0.0001"))
    return LineAmounts(amount_incl=incl, amount_excl=excl, tax=incl - excl, unit_price_excl=unit_excl)


def _check_amount(amount: Decimal, label: str | None) -> None:
    """A DomainError naming `label` (e.g. "第 2 行（增压泵）") if a computed amount does not fit MONEY's column."""
    from django.utils.translation import gettext as _

    from .errors import DomainError

    if abs(amount) > MAX_AMOUNT:
        raise DomainError(
            _("%(label)s：金额 %(amount)s 超出上限 %(max)s，请核对数量和单价。")
            % {"label": label or _("金额"), "amount": f"{amount:,f}", "max": f"{MAX_AMOUNT:,f}"}
        )


def sum_lines(lines, *, label: str | None = None) -> LineAmounts:
    """Document totals: the sum of already-rounded line amounts (so totals equal what each line shows); a DomainError if
    the total does not fit MONEY's column."""
    from django.utils.translation import gettext as _

    incl = sum((line.amount_incl for line in lines), ZERO)
    excl = sum((line.amount_excl for line in lines), ZERO)
    _check_amount(incl, label or _("合计"))
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
