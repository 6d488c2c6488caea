"""Every read of the catalog: product lists and search, price lists, the resolved price of a product for a customer,
and the discount limit of a user. Quotations (contracts app) call `resolve_price` and `discount_limit_for`.

Visibility (SPEC.md "Catalog and prices"): the catalog is not confidential inside the company — every active, logged-in
user sees every product and price list. Only the standard cost (used for gross margin in contract review) is limited
to managers and finance (`can_view_cost`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from salesops.core.money import LineAmounts, line_amounts, quantize
from salesops.core.roles import Role, has_role, is_manager, user_roles
from salesops.core.search import every_word_q
from salesops.core.selectors import lookup

from . import rules
from .models import DiscountLimit, PriceList, PriceListItem, Product

# Currency of Product.list_price and of the price lists that take part in price resolution.
BASE_CURRENCY = "CNY"
# The orderings the product list page and the API accept.
PRODUCT_ORDERING_FIELDS = ("code", "name", "model", "list_price", "tax_rate", "kind", "updated_at", "created_at")
# What the product list, its picker and the API's `search` look in (each word typed in one of them).
PRODUCT_SEARCH_FIELDS = ("code", "name", "model", "spec")
PRICE_LIST_ORDERING_FIELDS = ("name", "valid_from", "valid_to", "customer_type", "customer_grade", "created_at")
# The roles shown on the discount limits page (the roles that may quote or approve a quotation).
DISCOUNT_ROLES = (Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK, Role.SALES_MANAGER, Role.SALES_VP, Role.GM, Role.ADMIN)


# --- visibility ---------------------------------------------------------------------------------------------------
def _sees_catalog(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def product_list_for(user) -> QuerySet[Product]:
    """The products `user` may see: all of them for any active logged-in user (registered with core.access)."""
    return Product.objects.all() if _sees_catalog(user) else Product.objects.none()


def product_lookup(user, text: str) -> list[dict]:
    """The product picker's type-ahead: products on sale found as the product list finds them (product_search_q: every
    word in the code, name, model or spec — "2.2kW")."""
    return lookup(product_list_for(user).filter(is_active=True), text, PRODUCT_SEARCH_FIELDS, ("code",))


def _price_lists_for(user) -> QuerySet[PriceList]:
    """The price lists `user` may see (all, for any active logged-in user)."""
    return PriceList.objects.select_related("created_by") if _sees_catalog(user) else PriceList.objects.none()


def price_list_list_for(user) -> QuerySet[PriceList]:
    """The price lists `user` may see, with their item count."""
    return _price_lists_for(user).annotate(item_count=Count("items")).order_by("-valid_from", "name", "-id")


def price_list_item_list_for(user) -> QuerySet[PriceListItem]:
    if not _sees_catalog(user):
        return PriceListItem.objects.none()
    return PriceListItem.objects.select_related("price_list", "product")


def discount_limit_list_for(user) -> QuerySet[DiscountLimit]:
    return DiscountLimit.objects.all() if _sees_catalog(user) else DiscountLimit.objects.none()


def can_view_cost(user) -> bool:
    """Standard cost is for gross-margin checks: managers, finance and the finance reviewer (who judges a special
    contract's margin) see it; reps, clerks and the other reviewers do not."""
    return is_manager(user) or has_role(user, Role.FINANCE, Role.REVIEWER_FINANCE)


def product_history_hidden(user) -> set[str]:
    """What `user` may not read in a product's history (registered with salesops.core.timeline): its standard cost."""
    return set() if can_view_cost(user) else {"standard_cost"}


# --- products -----------------------------------------------------------------------------------------------------
def product_search_q(text: str) -> Q:
    """Products whose code, name, model (型号) or spec (规格) contain every word of `text`."""
    return every_word_q(Product, text, *PRODUCT_SEARCH_FIELDS)


def product_ordered(qs: QuerySet[Product], ordering: str | None) -> QuerySet[Product]:
    """Apply `ordering` ("code", "-list_price", …) if it is one of PRODUCT_ORDERING_FIELDS; otherwise keep the default."""
    if ordering and ordering.lstrip("-") in PRODUCT_ORDERING_FIELDS:
        return qs.order_by(ordering, "code")
    return qs


def product_get_for(user, pk) -> Product:
    """One visible product, or 404."""
    return get_object_or_404(product_list_for(user), pk=pk)


def product_tax_rates() -> list[Decimal]:
    """The distinct tax rates products use, for the list filter, the highest first: each the largest rate below the
    one before (one lookup each on product_tax_rate_idx; a DISTINCT read every product: 17 ms at 60,000)."""
    table = connection.ops.quote_name(Product._meta.db_table)
    places = Decimal(1).scaleb(-Product._meta.get_field("tax_rate").decimal_places)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE r(rate) AS (SELECT MAX(tax_rate) FROM {table}"
            f" UNION ALL SELECT (SELECT MAX(tax_rate) FROM {table} WHERE tax_rate < r.rate) FROM r WHERE r.rate IS NOT NULL)"
            " SELECT rate FROM r WHERE rate IS NOT NULL"
        )
        return [Decimal(str(rate)).quantize(places) for (rate,) in cursor.fetchall()]  # SQLite gives floats


def product_price_items(product: Product) -> QuerySet[PriceListItem]:
    """The price list rows of `product`, newest list first (for the product page)."""
    return product.price_items.select_related("price_list").order_by("-price_list__valid_from", "price_list__name")


# --- price lists --------------------------------------------------------------------------------------------------
def valid_on_q(on_date: date, prefix: str = "") -> Q:
    """Price lists valid on `on_date` (dates inclusive, open end = still valid), on a model reaching PriceList by `prefix`."""
    return Q(**{f"{prefix}valid_from__lte": on_date}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on_date})
    )


def applies_to_q(*, customer_type: str = "", customer_grade: str = "", prefix: str = "") -> Q:
    """Price lists that apply to a customer of this type/grade: restricted to it or not restricted at all."""
    q = Q()
    if customer_type:
        q &= Q(**{f"{prefix}customer_type__in": [customer_type, ""]})
    if customer_grade:
        q &= Q(**{f"{prefix}customer_grade__in": [customer_grade, ""]})
    return q


def price_list_ordered(qs: QuerySet[PriceList], ordering: str | None) -> QuerySet[PriceList]:
    if ordering and ordering.lstrip("-") in PRICE_LIST_ORDERING_FIELDS:
        return qs.order_by(ordering, "-id")
    return qs


def price_list_get_for(user, pk) -> PriceList:
    """One price list `user` may see, not counting its rows (its page counts the rows it shows)."""
    return get_object_or_404(_price_lists_for(user), pk=pk)


# The price list page's search box: a word of a product's code, name or model (the trigram indexes of each).
PRICE_LIST_ITEM_SEARCH = ("product__code", "product__name", "product__model")


def price_list_items(price_list: PriceList, text: str = "") -> QuerySet[PriceListItem]:
    """The rows of a price list with their products, by product code (walked on the product code index, as the API's
    rows); with `text`, those whose product's code, name or model holds every word."""
    rows = price_list.items.select_related("product")
    if text.strip():
        rows = rows.filter(every_word_q(PriceListItem, text, *PRICE_LIST_ITEM_SEARCH))
    return rows.order_by("product__code", "id")


# --- price resolution ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResolvedPrice:
    """The price of one unit of a product for a customer on a date.

    `unit_price` is tax-inclusive (含税单价), from `item` of `price_list`, or Product.list_price when no list applies —
    in `currency`: a document in another currency gets the CNY price ÷ its `exchange_rate` (CNY per unit of it), half up
    to the fen (to_currency); `list_price` likewise.
    """

    product: Product
    unit_price: Decimal
    price_list: PriceList | None = None
    item: PriceListItem | None = None
    currency: str = BASE_CURRENCY
    exchange_rate: Decimal = Decimal(1)

    @property
    def tax_rate(self) -> Decimal:
        return self.product.tax_rate

    @property
    def list_price(self) -> Decimal:
        return to_currency(self.product.list_price, self.currency, self.exchange_rate)

    @property
    def from_price_list(self) -> bool:
        return self.price_list is not None

    @property
    def amounts(self) -> LineAmounts:
        """Tax-exclusive price and tax of one unit, derived exactly (Decimal, half up to the fen)."""
        return line_amounts(quantity=Decimal(1), unit_price_incl=self.unit_price, tax_rate=self.tax_rate)

    @property
    def discount_rate(self) -> Decimal:
        """How far this price is below the product's list price (0.0500 = 5 %)."""
        return rules.discount_rate(self.list_price, self.unit_price)


def _candidate_items(*, product: Product, on_date: date, quantity: Decimal | None) -> QuerySet[PriceListItem]:
    qs = PriceListItem.objects.select_related("price_list").filter(
        valid_on_q(on_date, "price_list__"),
        product=product,
        price_list__is_active=True,
        price_list__currency=BASE_CURRENCY,
    )
    if quantity is not None:
        qs = qs.filter(min_quantity__lte=quantity)
    return qs


def pick_item(items: Iterable[PriceListItem], *, customer_type: str, customer_grade: str) -> PriceListItem | None:
    """The most specific applicable item (see rules.pricelist_specificity); among equally specific ones the highest
    起订量 (a 50 台以上 tier beats a 10 台以上 one for 60 台, whichever list is newer: the items are those whose 起订量 the
    quantity reaches), then the list that took effect last, then the newer list."""
    best, best_key = None, None
    for item in items:
        pl = item.price_list
        level = rules.pricelist_specificity(
            list_type=pl.customer_type, list_grade=pl.customer_grade, customer_type=customer_type, customer_grade=customer_grade
        )
        if level is None:
            continue
        key = (level, item.min_quantity, pl.valid_from, pl.pk)
        if best_key is None or key > best_key:
            best, best_key = item, key
    return best


def to_currency(amount_cny: Decimal, currency: str = BASE_CURRENCY, exchange_rate=None) -> Decimal:
    """A CNY price in `currency` at `exchange_rate` (CNY per unit of it): ÷ the rate, half up to the fen; a CNY price
    as it is. A ValueError for another currency without a rate above 0 (the documents' services refuse such a rate
    before pricing their lines)."""
    if not currency or currency == BASE_CURRENCY:
        return amount_cny
    rate = Decimal(str(exchange_rate)) if exchange_rate not in (None, "") else Decimal(0)
    if rate <= 0:
        raise ValueError(f"no exchange rate for {currency}")
    return quantize(Decimal(amount_cny) / rate)


def resolve_price(
    *,
    product: Product,
    customer_type: str = "",
    customer_grade: str = "",
    on_date: date | None = None,
    quantity=None,
    currency: str = BASE_CURRENCY,
    exchange_rate=None,
) -> ResolvedPrice:
    """The price of `product` for a customer of `customer_type` / `customer_grade` on `on_date` (default today), for
    `quantity` units, in `currency` at `exchange_rate` (CNY per unit of it; a CNY document needs none).

    Only active price lists in CNY whose validity (inclusive dates) covers `on_date` take part. The most specific list
    wins: type + grade match > type only > grade only > general; a list restricted to another type or grade never applies.
    When `quantity` is given, rows whose 起订量 (min_quantity) is above it are skipped; among equally specific rows
    the highest 起订量 wins (quantity tiers may be rows of one list or lists of their own), then the later `valid_from`,
    then the newer list. No applicable row: Product.list_price. A document in another currency
    gets that CNY price ÷ its exchange rate, half up to the fen (to_currency).
    """
    on_date = on_date or timezone.localdate()
    quantity = None if quantity is None else Decimal(str(quantity))
    currency = currency or BASE_CURRENCY
    rate = Decimal(1) if currency == BASE_CURRENCY else Decimal(str(exchange_rate or 0))
    if rate <= 0:
        raise ValueError(f"no exchange rate for {currency}")
    item = pick_item(
        _candidate_items(product=product, on_date=on_date, quantity=quantity),
        customer_type=customer_type or "",
        customer_grade=customer_grade or "",
    )
    priced = {"currency": currency, "exchange_rate": rate}
    if item is None:
        return ResolvedPrice(product=product, unit_price=to_currency(product.list_price, currency, rate), **priced)
    return ResolvedPrice(
        product=product,
        unit_price=to_currency(item.unit_price, currency, rate),
        price_list=item.price_list,
        item=item,
        **priced,
    )


@dataclass(frozen=True)
class PriceMatrixRow:
    customer_type: str
    label: str
    cells: list[ResolvedPrice]


def price_matrix(product: Product, on_date: date | None = None) -> list[PriceMatrixRow]:
    """The resolved price of `product` for every customer type × grade on `on_date` — one query (the product page's
    "who pays what today" for one unit, which clerks use to answer phone inquiries; quantity tiers are not in it)."""
    on_date = on_date or timezone.localdate()
    items = list(_candidate_items(product=product, on_date=on_date, quantity=Decimal(1)))
    rows = []
    for type_code, type_label in rules.CUSTOMER_TYPES:
        cells = []
        for grade_code in rules.CUSTOMER_GRADE_CODES:
            item = pick_item(items, customer_type=type_code, customer_grade=grade_code)
            cells.append(
                ResolvedPrice(product=product, unit_price=item.unit_price, price_list=item.price_list, item=item)
                if item
                else ResolvedPrice(product=product, unit_price=product.list_price)
            )
        rows.append(PriceMatrixRow(customer_type=type_code, label=str(type_label), cells=cells))
    return rows


# --- discount limits ----------------------------------------------------------------------------------------------
def discount_limit_for(user) -> Decimal:
    """The largest max_discount_rate among `user`'s roles (0.05 = may go 5 % below list); Decimal("0") if none is set.

    Source: SPEC.md "Catalog and prices" (discount limits per role, editable as data).
    """
    roles = user_roles(user)
    if not roles:
        return Decimal("0")
    value = DiscountLimit.objects.filter(role__in=roles).aggregate(m=Max("max_discount_rate"))["m"]
    return value if value is not None else Decimal("0")


@dataclass(frozen=True)
class DiscountRow:
    role: str
    label: str
    limit: DiscountLimit | None

    @property
    def rate(self) -> Decimal | None:
        return self.limit.max_discount_rate if self.limit else None


def discount_table() -> list[DiscountRow]:
    """Every role of DISCOUNT_ROLES (and any other role with a limit set) with its limit, lowest limit first."""
    limits = {d.role: d for d in DiscountLimit.objects.all()}
    codes = list(DISCOUNT_ROLES) + [code for code in limits if code not in DISCOUNT_ROLES]
    labels = dict(Role.choices)
    rows = [DiscountRow(role=str(code), label=str(labels.get(code, code)), limit=limits.get(code)) for code in codes]
    return sorted(rows, key=lambda r: (r.rate is None, r.rate if r.rate is not None else Decimal(0)))
