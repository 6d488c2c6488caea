"""Every write of the catalog (products, price lists and their rows, discount limits), and who may make it.

Who may do what (SPEC.md "Who uses it": admin maintains price lists; "Catalog and prices"):
  - products, price lists and price list rows: the sales manager and above (VP, GM) and the system administrator;
  - discount limits per role: the system administrator only (a manager must not raise their own limit).
Everybody logged in may read the catalog (selectors). Every change is written to the document's timeline with the
changed fields old → new (products and price lists; a row's changes go on its price list's timeline).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from salesops.core.editing import assign_fields, save_as
from salesops.core.errors import DomainError, Forbidden
from salesops.core.models import Event
from salesops.core.money import DEFAULT_TAX_RATE, quantize, to_decimal
from salesops.core.roles import Role, has_role, is_manager
from salesops.core.timeline import changes_between, choice, record_event, snapshot

from . import rules
from .models import DiscountLimit, PriceList, PriceListItem, Product

PRODUCT_FIELDS = (
    "code",
    "name",
    "model",
    "spec",
    "unit",
    "tax_rate",
    "kind",
    "list_price",
    "standard_cost",
    "monthly_capacity",
    "ever_produced",
    "description",
)
PRICE_LIST_FIELDS = ("name", "customer_type", "customer_grade", "valid_from", "valid_to", "currency", "is_active", "notes")
PRICE_LIST_ITEM_FIELDS = ("unit_price", "min_quantity")
RATE_PLACES = Decimal("0.0001")  # RateField: 4 decimals
QUANTITY_PLACES = Decimal("0.001")  # quantities: 3 decimals


# --- who may do what ----------------------------------------------------------------------------------------------
def can_edit_catalog(user) -> bool:
    """Products, price lists and their rows: sales manager, VP, GM, admin."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and is_manager(user)


def can_edit_discount_limits(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and has_role(user, Role.ADMIN)


def _require_catalog_editor(actor) -> None:
    if not can_edit_catalog(actor):
        raise Forbidden(_("您可以查看产品与价格，但没有修改权限（只有销售部经理及以上和系统管理员可以维护）。"))


# --- helpers ------------------------------------------------------------------------------------------------------
def _decimal(value, label: str) -> Decimal:
    if value is None or value == "":
        raise DomainError(_("请填写%(field)s。") % {"field": label})
    try:
        return to_decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("%(field)s不是有效的数字。") % {"field": label}) from None


def _check_product(product: Product) -> None:
    """The product rules beyond field types: code present and unique, tax rate 0–17 %, no negative prices."""
    product.code = (product.code or "").strip()
    if not product.code:
        raise DomainError(_("请填写产品编码。"), code="code_required")
    if not (product.name or "").strip():
        raise DomainError(_("请填写产品名称。"), code="name_required")
    clash = Product.objects.filter(code__iexact=product.code).exclude(pk=product.pk).first()
    if clash is not None:
        raise DomainError(
            _("产品编码“%(code)s”已被产品“%(name)s”使用，请换一个编码。") % {"code": product.code, "name": clash.name},
            code="duplicate_code",
        )
    product.tax_rate = quantize(_decimal(product.tax_rate, _("税率")), RATE_PLACES)
    message = rules.tax_rate_error(product.tax_rate)
    if message:
        raise DomainError(message, code="tax_rate_out_of_range")
    product.list_price = quantize(_decimal(product.list_price, _("标准含税单价")))
    product.standard_cost = quantize(_decimal(product.standard_cost if product.standard_cost is not None else 0, _("标准成本")))
    if product.list_price < 0:
        raise DomainError(_("标准含税单价不能为负数。"), code="negative_price")
    if product.standard_cost < 0:
        raise DomainError(_("标准成本不能为负数。"), code="negative_price")
    if product.monthly_capacity is not None:
        product.monthly_capacity = quantize(_decimal(product.monthly_capacity, _("月产能")), QUANTITY_PLACES)
    if product.monthly_capacity is not None and product.monthly_capacity < 0:
        raise DomainError(_("月产能不能为负数（不受限请留空）。"), code="negative_capacity")
    if product.kind not in Product.Kind.values:
        raise DomainError(_("产品类别不正确。"))


def _check_price_list(price_list: PriceList) -> None:
    if not (price_list.name or "").strip():
        raise DomainError(_("请填写价格表名称。"), code="name_required")
    if not rules.is_valid_customer_type(price_list.customer_type or ""):
        raise DomainError(_("适用客户类型“%(code)s”不正确。") % {"code": price_list.customer_type}, code="invalid_customer_type")
    if not rules.is_valid_customer_grade(price_list.customer_grade or ""):
        raise DomainError(
            _("适用客户等级“%(code)s”不正确。") % {"code": price_list.customer_grade}, code="invalid_customer_grade"
        )
    message = rules.validity_error(valid_from=price_list.valid_from, valid_to=price_list.valid_to)
    if message:
        raise DomainError(message, code="invalid_dates")
    price_list.currency = (price_list.currency or "CNY").strip().upper()
    if len(price_list.currency) != 3 or not price_list.currency.isalpha():
        raise DomainError(_("币种应为 3 位字母代码，如 CNY、USD。"), code="invalid_currency")


def _check_item(item: PriceListItem) -> None:
    item.unit_price = quantize(_decimal(item.unit_price, _("含税单价")))
    if item.unit_price <= 0:
        raise DomainError(_("含税单价必须大于 0。"), code="invalid_price")
    item.min_quantity = quantize(
        _decimal(item.min_quantity if item.min_quantity is not None else 0, _("起订量")), QUANTITY_PLACES
    )
    if item.min_quantity < 0:
        raise DomainError(_("起订量不能为负数。"), code="invalid_quantity")


# --- products -----------------------------------------------------------------------------------------------------
def product_create(*, actor, data: Mapping[str, Any]) -> Product:
    """Add a product to the catalog (code unique, case-insensitive; tax rate 0–17 %, 13 % when not given).

    Rule: managers and admin only. Source: SPEC.md "Catalog and prices".
    """
    _require_catalog_editor(actor)
    product = Product(tax_rate=DEFAULT_TAX_RATE)
    assign_fields(product, data, PRODUCT_FIELDS)
    if data.get("tax_rate") in (None, ""):
        product.tax_rate = DEFAULT_TAX_RATE
    _check_product(product)
    with transaction.atomic():
        product.full_clean()
        try:
            with transaction.atomic():
                save_as(product, actor)
        except IntegrityError:  # someone created the same code a moment ago
            raise DomainError(
                _("产品编码“%(code)s”已存在，请换一个编码。") % {"code": product.code}, code="duplicate_code"
            ) from None
        record_event(
            target=product,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("新建产品 %(product)s"),
            params={"product": str(product)},
        )
    return product


def product_update(*, actor, product: Product, data: Mapping[str, Any]) -> Product:
    """Edit a product; the timeline keeps every changed field old → new. `is_active` is changed by deactivate/reactivate."""
    _require_catalog_editor(actor)
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        before = snapshot(locked, [name for name in PRODUCT_FIELDS if name in data])
        assign_fields(locked, data, PRODUCT_FIELDS)
        _check_product(locked)
        locked.full_clean()
        changes = changes_between(locked, before)
        if changes:
            save_as(locked, actor)
            record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("修改产品资料"), changes=changes)
    return locked


def _product_set_active(*, actor, product: Product, active: bool, reason: str) -> Product:
    _require_catalog_editor(actor)
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        if locked.is_active == active:
            raise DomainError(
                _("产品“%(product)s”已经是在售状态。") % {"product": locked}
                if active
                else _("产品“%(product)s”已经停售。") % {"product": locked},
                code="conflict",
            )
        locked.is_active = active
        save_as(locked, actor, update_fields=["is_active", "updated_at"])
        on, off = _("在售"), _("停售")
        if reason:
            text = gettext_noop("重新上架：%(reason)s") if active else gettext_noop("停售：%(reason)s")
        else:
            text = gettext_noop("重新上架") if active else gettext_noop("停售")
        record_event(
            target=locked,
            verb=Event.Verb.STATUS,
            actor=actor,
            text=text,
            params={"reason": reason} if reason else None,
            from_status=str(off if active else on),
            to_status=str(on if active else off),
        )
    return locked


def product_deactivate(*, actor, product: Product, reason: str = "") -> Product:
    """Stop selling a product (停售): it stays on old documents and price lists but cannot be added to new price lists.
    Products are never deleted (documents refer to them)."""
    return _product_set_active(actor=actor, product=product, active=False, reason=(reason or "").strip())


def product_reactivate(*, actor, product: Product, reason: str = "") -> Product:
    return _product_set_active(actor=actor, product=product, active=True, reason=(reason or "").strip())


# --- price lists --------------------------------------------------------------------------------------------------
def price_list_create(*, actor, data: Mapping[str, Any]) -> PriceList:
    """A new price list for a customer type and/or grade (blank = all), valid from a date (to a date, inclusive).

    Rule: managers and admin; type/grade must be customer codes (catalog.rules); valid_to ≥ valid_from.
    """
    _require_catalog_editor(actor)
    price_list = PriceList(created_by=actor)
    assign_fields(price_list, data, PRICE_LIST_FIELDS)
    _check_price_list(price_list)
    with transaction.atomic():
        price_list.full_clean()
        save_as(price_list, actor)
        record_event(
            target=price_list,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("新建价格表“%(name)s”"),
            params={"name": price_list.name},
        )
    return price_list


def price_list_update(*, actor, price_list: PriceList, data: Mapping[str, Any]) -> PriceList:
    """Edit a price list's header (name, applicability, validity, active); changes old → new on its timeline."""
    _require_catalog_editor(actor)
    with transaction.atomic():
        locked = PriceList.objects.select_for_update().get(pk=price_list.pk)
        before = snapshot(locked, [name for name in PRICE_LIST_FIELDS if name in data])
        assign_fields(locked, data, PRICE_LIST_FIELDS)
        _check_price_list(locked)
        locked.full_clean()
        changes = changes_between(locked, before)
        if changes:
            save_as(locked, actor)
            record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("修改价格表"), changes=changes)
    return locked


# --- price list rows ----------------------------------------------------------------------------------------------
def price_list_item_add(
    *, actor, price_list: PriceList, product: Product, unit_price, min_quantity=Decimal("0")
) -> PriceListItem:
    """Put a product on a price list at a tax-inclusive unit price.

    Rule: one row per product and list — a second one is refused with a message naming the existing row, and nothing
    changes; a product that is no longer sold (停售) cannot be added. Managers and admin only.
    """
    _require_catalog_editor(actor)
    item = PriceListItem(price_list=price_list, product=product, unit_price=unit_price, min_quantity=min_quantity)
    _check_item(item)
    with transaction.atomic():
        locked = PriceList.objects.select_for_update().get(pk=price_list.pk)
        existing = PriceListItem.objects.filter(price_list=locked, product=product).first()
        if existing is not None:
            raise DomainError(
                _(
                    "产品“%(product)s”已在价格表“%(list)s”中（含税单价 %(price)s），同一价格表不能重复添加同一产品，请直接修改该行。"
                )
                % {"product": product, "list": locked.name, "price": existing.unit_price},
                code="duplicate_item",
            )
        if not product.is_active:
            raise DomainError(_("产品“%(product)s”已停售，不能加入价格表。") % {"product": product}, code="product_inactive")
        try:
            with transaction.atomic():
                save_as(item, actor)
        except IntegrityError:  # the same row added at the same moment by someone else
            raise DomainError(
                _("产品“%(product)s”已在价格表“%(list)s”中，同一价格表不能重复添加同一产品。")
                % {"product": product, "list": locked.name},
                code="duplicate_item",
            ) from None
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("添加产品 %(product)s，含税单价 %(price)s"),
            params={"product": str(product), "price": item.unit_price},
        )
    return item


def price_list_item_update(*, actor, item: PriceListItem, data: Mapping[str, Any]) -> PriceListItem:
    """Change a row's unit price or minimum quantity; the change (old → new) goes on the price list's timeline."""
    _require_catalog_editor(actor)
    with transaction.atomic():
        locked = PriceListItem.objects.select_for_update(of=("self",)).select_related("price_list", "product").get(pk=item.pk)
        before = snapshot(locked, [name for name in PRICE_LIST_ITEM_FIELDS if name in data])
        assign_fields(locked, data, PRICE_LIST_ITEM_FIELDS)
        _check_item(locked)
        changes = changes_between(locked, before)
        if changes:
            save_as(locked, actor)
            for change in changes:
                change["label"] = f"{locked.product.code} {change['label']}"
            record_event(
                target=locked.price_list,
                verb=Event.Verb.UPDATED,
                actor=actor,
                text=gettext_noop("修改产品 %(product)s 的价格"),
                params={"product": str(locked.product)},
                changes=changes,
            )
    return locked


def price_list_item_remove(*, actor, item: PriceListItem) -> None:
    """Take a product off a price list (its price falls back to the next applicable list or the list price)."""
    _require_catalog_editor(actor)
    with transaction.atomic():
        locked = (
            PriceListItem.objects.select_for_update(of=("self",))
            .select_related("price_list", "product")
            .filter(pk=item.pk)
            .first()
        )
        if locked is None:
            raise DomainError(_("该价格行已被删除。"), code="conflict")
        price_list, product, price = locked.price_list, locked.product, locked.unit_price
        locked._history_user = actor
        locked.delete()
        record_event(
            target=price_list,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("移除产品 %(product)s（原含税单价 %(price)s）"),
            params={"product": str(product), "price": price},
        )


# --- discount limits ----------------------------------------------------------------------------------------------
def discount_limit_update(*, actor, role: str, max_discount_rate) -> DiscountLimit:
    """Set how far below list a role may quote without a higher approval (0.05 = 5 %; 0–100 %). Admin only.

    Creates the role's row if it has none; the change old → new is on the row's timeline.
    """
    if not can_edit_discount_limits(actor):
        raise Forbidden(_("只有系统管理员可以修改折扣权限。"))
    if role not in Role.values:
        raise DomainError(_("角色“%(role)s”不存在。") % {"role": role}, code="invalid_role")
    rate = _decimal(max_discount_rate, _("最大折让比例"))
    if rate < 0 or rate > 1:
        raise DomainError(_("最大折让比例应在 0% 到 100% 之间（0.05 表示 5%）。"), code="invalid_rate")
    rate = quantize(rate, RATE_PLACES)
    with transaction.atomic():
        limit = DiscountLimit.objects.select_for_update().filter(role=role).first()
        if limit is None:
            limit = DiscountLimit.objects.create(role=role, max_discount_rate=rate)
            record_event(
                target=limit,
                verb=Event.Verb.CREATED,
                actor=actor,
                text=gettext_noop("设置折扣权限 %(role)s ≤ %(rate)s"),
                params={"role": choice(limit, "role"), "rate": f"{limit.max_discount_rate:.2%}"},
            )
            return limit
        before = snapshot(limit, ["max_discount_rate"])
        limit.max_discount_rate = rate
        changes = changes_between(limit, before)
        if changes:
            limit.save(update_fields=["max_discount_rate"])
            record_event(target=limit, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("修改折扣权限"), changes=changes)

    return limit
