"""The lines quotations and contracts share: building them from input rows (priced from the catalog and the customer's
price list), their exact amounts, the document totals, and replacing a draft's lines. Orders build theirs here too."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.rules import tax_rate_error, whole_quantity_error
from catalog.selectors import BASE_CURRENCY, can_view_cost, resolve_price
from customers.models import Customer
from salesops.core.errors import DomainError, Forbidden
from salesops.core.money import (
    PERCENT_BOUNDS,
    PRICE_BOUNDS,
    QUANTITY_BOUNDS,
    RATE_BOUNDS,
    ZERO,
    bounds_error,
    line_amounts,
    parse_decimal,
    percent_to_rate,
    plain,
    quantize,
    sum_lines,
    to_decimal,
)

from ..models import Quotation

LINE_FIELDS = (
    "product",
    "name",
    "model",
    "spec",
    "unit",
    "quantity",
    "unit_price",
    "discount_rate",
    "tax_rate",
    "unit_cost",
    "lead_time_days",
    "notes",
    "is_service",
)


def _product(value) -> Product | None:
    if value in (None, ""):
        return None
    if isinstance(value, Product):
        return value
    product = Product.objects.filter(pk=value).first()
    if product is None:
        raise DomainError(_("产品不存在（编号 %(id)s）。") % {"id": value})
    return product


def discount_rate_of(row: Mapping[str, Any], where: str = "") -> Decimal | None:
    """The discount rate an input row asks for, None when it gives none.

    People type discounts as percentages (`discount_percent`: 5 = 5 %, two decimals, 0 to 100) — the pages and the API
    alike; the API still takes the rate (`discount_rate`: 0.05) it always took. Both given must agree (the percentage
    decides the rate), else a DomainError naming the line (`where`) in Chinese."""
    prefix = f"{where}：" if where else ""
    percent = parse_decimal(row.get("discount_percent"), prefix + _("折扣(%)"), allow_blank=True, bounds=PERCENT_BOUNDS)
    rate = parse_decimal(row.get("discount_rate"), prefix + _("折扣率"), allow_blank=True)
    if percent is None:
        return rate
    from_percent = percent_to_rate(percent)
    if rate is not None and rate != from_percent:
        raise DomainError(
            _("%(where)s折扣(%%)填写为 %(percent)s%%，折扣率为 %(rate)s，两者不一致，请只填写其中一个。")
            % {"where": prefix, "percent": plain(percent), "rate": plain(rate)}
        )
    return from_percent


def _row_id(value) -> int | None:
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _kept_line(row: Mapping[str, Any], line, stored: dict, taken: set):
    """The stored line an input row keeps, if any: the one its `id` names, else the first one not yet taken with the
    same description (name, model, spec) — always of the same product (or both custom); each stored line is kept once."""
    wanted = _row_id(row.get("id"))
    if wanted is not None:
        candidates = [stored[wanted]] if wanted in stored else []
    else:
        candidates = [ln for ln in stored.values() if (ln.name, ln.model, ln.spec) == (line.name, line.model, line.spec)]
    for candidate in candidates:
        if candidate.pk not in taken and candidate.product_id == line.product_id:
            taken.add(candidate.pk)
            return candidate
    return None


def build_lines(
    model,
    rows: Iterable[Mapping[str, Any]],
    *,
    customer: Customer,
    on_date: date,
    actor,
    copied: bool = False,
    kept: Iterable | None = None,
    currency: str = BASE_CURRENCY,
    exchange_rate=None,
) -> list:
    """Unsaved line objects of `model` from input rows, each validated, with exact amounts (Chinese messages name the line).

    A catalog line takes its name, model, spec, unit, tax rate, list price and cost from the product and — when no price
    is given — the price of the customer's price list for the line's quantity (a row's 起订量 applies from it on); in a
    document of another `currency` the list price and that price are the CNY ones ÷ the document's `exchange_rate`,
    half up to the fen (catalog.selectors.resolve_price), the cost stays in CNY (the margin rule compares CNY amounts);
    a free (custom) line must give a name and a price. The discount
    is typed as a percentage or given as a rate (discount_rate_of). A unit cost is entered only by those who may see
    costs (catalog.selectors.can_view_cost: managers and finance); rows `copied` from another document (a contract from
    its quotation) keep theirs. Editing a document, `kept` are its stored lines: a row that keeps one (by its `id`, else
    by the same product and description, see _kept_line) and types no cost keeps the stored cost — so a rep saving a
    contract never loses the cost a manager entered on a custom line; a new custom line of such a rep has none.
    """
    rows = list(rows)
    if not copied and not can_view_cost(actor) and any(row.get("unit_cost") not in (None, "") for row in rows):
        raise Forbidden(_("单位成本由经理或财务填写，您不能填写或查看成本。"))
    stored = {ln.pk: ln for ln in (kept or ())}
    taken: set[int] = set()
    lines = []
    for index, row in enumerate(rows, start=1):
        where = _("第 %(n)d 行") % {"n": index}
        product = _product(row.get("product"))
        line = model(line_no=index)
        if product is not None:
            line.product = product
            line.name, line.model, line.spec, line.unit = product.name, product.model, product.spec, product.unit
            line.unit_cost, line.tax_rate = product.standard_cost, product.tax_rate
        for name in ("name", "model", "spec", "unit", "notes"):
            if row.get(name) not in (None, ""):
                setattr(line, name, str(row[name]).strip())
        if not line.name:
            raise DomainError(_("%(where)s：请选择产品或填写品名。") % {"where": where})
        before = _kept_line(row, line, stored, taken)
        line.kept_pk = before.pk if before is not None else None  # what the draft's history compares it with
        if before is not None:
            line.unit_cost = before.unit_cost
        quantity = parse_decimal(row.get("quantity"), _("数量"))
        if quantity is None or quantity <= 0:
            raise DomainError(_("%(where)s（%(name)s）：数量必须大于 0。") % {"where": where, "name": line.name})
        line.quantity = quantity
        # a unit the product or the user gave (a free line without one keeps the column's default, chosen by nobody)
        given_unit = line.unit if product is not None or row.get("unit") not in (None, "") else ""
        error = whole_quantity_error(quantity, given_unit)
        if error:
            raise DomainError(f"{where}（{line.name}）：{error}")
        if product is not None:
            error = bounds_error(quantity, _("数量"), QUANTITY_BOUNDS)
            if error:
                raise DomainError(f"{where}（{line.name}）：{error}")
            try:
                resolved = resolve_price(
                    product=product,
                    customer_type=customer.type,
                    customer_grade=customer.grade,
                    on_date=on_date,
                    quantity=quantity,
                    currency=currency,
                    exchange_rate=exchange_rate,
                )
            except ValueError:
                raise DomainError(_("汇率必须大于 0。")) from None
            line.list_price, line.unit_price = resolved.list_price, resolved.unit_price
        for name, label in (
            ("unit_price", _("含税单价")),
            ("tax_rate", _("税率")),
            ("unit_cost", _("单位成本")),
        ):
            value = parse_decimal(row.get(name), label, allow_blank=True)
            if value is not None:
                setattr(line, name, value)
        discount = discount_rate_of(row, f"{where}（{line.name}）")
        if discount is not None:
            line.discount_rate = discount
        if product is None and row.get("unit_price") in (None, ""):
            raise DomainError(_("%(where)s（%(name)s）：非目录产品请填写含税单价。") % {"where": where, "name": line.name})
        if line.unit_price < 0 or line.unit_cost < 0:
            raise DomainError(_("%(where)s（%(name)s）：单价和成本不能为负数。") % {"where": where, "name": line.name})
        if not (Decimal(0) <= line.discount_rate < Decimal(1)):
            message = (
                _("%(where)s（%(name)s）：折扣应小于 100%%。")
                if row.get("discount_percent") not in (None, "")
                else _("%(where)s（%(name)s）：折扣率应在 0 到 1 之间（0.05 表示 5%%）。")
            )
            raise DomainError(message % {"where": where, "name": line.name})
        error = tax_rate_error(line.tax_rate)
        if error:
            raise DomainError(f"{where}（{line.name}）：{error}")
        for name, label, bounds in (
            ("quantity", _("数量"), QUANTITY_BOUNDS),
            ("unit_price", _("含税单价"), PRICE_BOUNDS),
            ("unit_cost", _("单位成本"), PRICE_BOUNDS),
            ("discount_rate", _("折扣率"), RATE_BOUNDS),
        ):
            error = bounds_error(to_decimal(getattr(line, name)), label, bounds)
            if error:
                raise DomainError(f"{where}（{line.name}）：{error}")
        if row.get("lead_time_days") not in (None, ""):
            line.lead_time_days = int(parse_decimal(row["lead_time_days"], _("交货期")))
        if hasattr(line, "is_service"):
            line.is_service = _service_mark(row, product, f"{where}（{line.name}）")
        if hasattr(line, "delivery_date") and row.get("delivery_date"):
            line.delivery_date = row["delivery_date"]
        if hasattr(line, "quotation_line_id") and row.get("quotation_line"):
            line.quotation_line_id = row["quotation_line"]
        price_line(line)
        lines.append(line)
    if not lines:
        raise DomainError(_("请至少填写一行明细。"))
    return lines


def _service_mark(row: Mapping[str, Any], product: Product | None, where: str) -> bool:
    """A free line may be marked a service or fee (服务/费用项: installation, freight…): nothing is produced for it, so it
    does not make a contract special as a new product would (rules.classify). A catalogue product is never one."""
    value = row.get("is_service")
    marked = value is True or str(value).strip().lower() in ("1", "true", "on", "yes")
    if marked and product is not None:
        raise DomainError(_("%(where)s：目录产品不能标记为服务/费用项，只有非目录的服务或费用明细可以。") % {"where": where})
    return marked


def price_line(line) -> None:
    amounts = line_amounts(
        quantity=line.quantity,
        unit_price_incl=line.unit_price,
        tax_rate=line.tax_rate,
        discount_rate=line.discount_rate,
        label=_("第 %(n)d 行（%(name)s）") % {"n": line.line_no, "name": line.name},
    )
    line.amount_incl, line.amount_excl, line.tax = amounts.amount_incl, amounts.amount_excl, amounts.tax


def set_totals(doc, lines) -> None:
    totals = sum_lines(lines)
    doc.amount_incl, doc.amount_excl, doc.tax_amount = totals.amount_incl, totals.amount_excl, totals.tax
    if hasattr(doc, "cost_total"):
        doc.cost_total = sum((quantize(ln.unit_cost * ln.quantity) for ln in lines), ZERO)


# What a draft's history itemises of its lines when they are edited (salesops.core.timeline.line_changes); prices and the
# cost are left out for who may not read them (contracts.selectors.history_hidden)
LINE_HISTORY_FIELDS = ("name", "model", "spec", "quantity", "unit", "unit_price", "discount_rate", "tax_rate", "unit_cost")


def replace_lines(doc, lines) -> None:
    """Replace all lines of a draft document (its lines are only referenced once it is approved)."""
    doc.lines.all().delete()
    parent = "quotation" if isinstance(doc, Quotation) else "contract"
    for line in lines:
        setattr(line, parent, doc)
    type(lines[0]).objects.bulk_create(lines)
