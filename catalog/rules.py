"""Pure rules of the catalog (SPEC.md "Catalog and prices"): no database, no request — unit-testable with plain Decimals.

- Customer type / grade codes a price list may be restricted to. They are the codes of customers.Customer.Type / .Grade;
  catalog is on the same floor as customers and must not import it, so the codes live here as plain constants
  (tests/catalog/test_rules.py checks they stay equal to the customer model's).
- Which price list is the most specific for a customer (type + grade > type > grade > general).
- Discount: how far a price is below the list price, and whether it needs a higher approval than the quoting role has.
- Tax rate range (0–17 %, default 13 %) and validity dates.
- Which units are counted in whole pieces (台, 套, 件 …: no 1.5 台).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from salesops.core.money import quantize, to_decimal

# --- customer type / grade codes (same codes as customers.Customer.Type / .Grade) -----------------------------------
CUSTOMER_TYPES: tuple[tuple[str, str], ...] = (
    ("end_customer", _("终端客户")),
    ("distributor", _("经销商")),
    ("franchise_store", _("专卖店")),
    ("dealer", _("代理商")),
)
CUSTOMER_GRADES: tuple[tuple[str, str], ...] = (
    ("A", _("A 重点客户")),
    ("B", _("B 一般客户")),
    ("C", _("C 潜在客户")),
    ("D", _("D 低价值客户")),
)
CUSTOMER_TYPE_CODES: tuple[str, ...] = tuple(code for code, _label in CUSTOMER_TYPES)
CUSTOMER_GRADE_CODES: tuple[str, ...] = tuple(code for code, _label in CUSTOMER_GRADES)


def customer_type_label(code: str) -> str:
    """The label of a customer type code; "通用" (all types) for blank."""
    if not code:
        return str(_("通用"))
    return str(dict(CUSTOMER_TYPES).get(code, code))


def customer_grade_label(code: str) -> str:
    if not code:
        return str(_("通用"))
    return str(dict(CUSTOMER_GRADES).get(code, code))


def is_valid_customer_type(code: str) -> bool:
    """Blank (= applies to every type) or one of CUSTOMER_TYPE_CODES."""
    return code == "" or code in CUSTOMER_TYPE_CODES


def is_valid_customer_grade(code: str) -> bool:
    return code == "" or code in CUSTOMER_GRADE_CODES


# --- which price list applies ---------------------------------------------------------------------------------------
# Higher is more specific. A list restricted to a type or grade the customer does not have does not apply at all.
SPECIFICITY_TYPE_AND_GRADE = 3
SPECIFICITY_TYPE = 2
SPECIFICITY_GRADE = 1
SPECIFICITY_GENERAL = 0


def pricelist_specificity(*, list_type: str, list_grade: str, customer_type: str, customer_grade: str) -> int | None:
    """How specifically a price list restricted to (list_type, list_grade) fits a customer; None if it does not apply.

    type + grade match (3) beats type-only (2) beats grade-only (1) beats a general list (0). A blank customer type or
    grade (e.g. a phone inquiry from someone who is not a customer yet) matches only lists that are not restricted on it.
    """
    if list_type and list_type != customer_type:
        return None
    if list_grade and list_grade != customer_grade:
        return None
    if list_type and list_grade:
        return SPECIFICITY_TYPE_AND_GRADE
    if list_type:
        return SPECIFICITY_TYPE
    if list_grade:
        return SPECIFICITY_GRADE
    return SPECIFICITY_GENERAL


def is_valid_on(*, valid_from: date, valid_to: date | None, on_date: date) -> bool:
    """Validity dates are inclusive on both ends; no end date = open-ended."""
    return valid_from <= on_date and (valid_to is None or on_date <= valid_to)


def validity_error(*, valid_from: date | None, valid_to: date | None) -> str | None:
    """A Chinese message if the validity range is wrong, else None."""
    if valid_from is None:
        return str(_("请填写生效日期。"))
    if valid_to is not None and valid_to < valid_from:
        return str(_("失效日期（%(to)s）不能早于生效日期（%(from)s）。") % {"to": valid_to, "from": valid_from})
    return None


# --- tax rate -------------------------------------------------------------------------------------------------------
MIN_TAX_RATE = Decimal("0")
MAX_TAX_RATE = Decimal("0.17")
COMMON_TAX_RATES = (Decimal("0.13"), Decimal("0.09"), Decimal("0.06"), Decimal("0.03"), Decimal("0.01"), Decimal("0"))


def tax_rate_error(rate) -> str | None:
    """A Chinese message if `rate` (0.13 = 13 %) is outside 0–17 %, else None."""
    if rate is None:
        return str(_("请填写税率。"))
    rate = to_decimal(rate)
    if rate < MIN_TAX_RATE or rate > MAX_TAX_RATE:
        return str(_("税率应在 0%% 到 17%% 之间（填写的是 %(rate)s%%）。") % {"rate": format((rate * 100).normalize(), "f")})
    return None


# --- units ----------------------------------------------------------------------------------------------------------
# Units counted in whole pieces (ERPNext's UOM "Must be Whole Number", Kingdee's 计量单位精度 0): 1.5 台 is a typing
# error, not an order. Units of measure (米, 千克, 吨, 升 …) and any unit not listed take decimals.
WHOLE_UNITS = frozenset(
    [
        "台",
        "套",
        "件",
        "个",
        "只",
        "把",
        "支",
        "块",
        "张",
        "部",
        "辆",
        "组",
        "副",
        "对",
        "根",
        "箱",
        "盒",
        "包",
        "桶",
        "卷",
        "袋",
        "瓶",
        "片",
        "颗",
        "条",
        "扇",
        "座",
        "架",
        "具",
        "头",
        "本",
        "次",
        "pcs",
        "PCS",
    ]
)


def whole_quantity_error(quantity, unit: str) -> str | None:
    """A Chinese message if `quantity` has a fraction while `unit` counts whole pieces (WHOLE_UNITS), else None."""
    quantity = to_decimal(quantity)
    if (unit or "").strip() in WHOLE_UNITS and quantity != quantity.to_integral_value():
        return str(
            _("数量 %(quantity)s 不是整数：单位“%(unit)s”按整数计量。")
            % {"quantity": format(quantity.normalize(), "f"), "unit": unit.strip()}
        )
    return None


# --- discounts ------------------------------------------------------------------------------------------------------
RATE_PLACES = Decimal("0.0001")


def discount_rate(list_price, unit_price) -> Decimal:
    """How far `unit_price` is below `list_price`, as a fraction rounded half up to 4 places (0.0500 = 5 % below list).

    0 when the price is at or above the list price, or when there is no list price to compare with (custom products).
    For display; approval decisions use `needs_higher_approval`, which compares exactly without rounding.
    """
    list_price, unit_price = to_decimal(list_price), to_decimal(unit_price)
    if list_price <= 0 or unit_price >= list_price:
        return Decimal("0.0000")
    return quantize((list_price - unit_price) / list_price, RATE_PLACES)


def lowest_price_within(*, list_price, limit_rate) -> Decimal:
    """The lowest unit price a role with `limit_rate` may quote without a higher approval (exact, not rounded)."""
    return to_decimal(list_price) * (Decimal(1) - to_decimal(limit_rate))


def needs_higher_approval(*, list_price, unit_price, limit_rate) -> bool:
    """True when `unit_price` is further below `list_price` than `limit_rate` allows (e.g. a rep at 5 % quoting 6 % below).

    Exactly at the limit is still allowed. No list price (≤ 0) means nothing to compare with: False.
    Source: SPEC.md "Catalog and prices" — a rep may go X % below list, a manager Y %, below that needs the VP.
    """
    list_price = to_decimal(list_price)
    if list_price <= 0:
        return False
    return to_decimal(unit_price) < lowest_price_within(list_price=list_price, limit_rate=limit_rate)
