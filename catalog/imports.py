"""导入 Excel of products and of price lists with their rows (salesops.core.imports).

Saved through the services of the catalog forms (product_create; price_list_create, price_list_item_add), so the
same rules hold: only catalog editors (can_edit_catalog), unique product codes, tax rate 0–17 %, one row per product
and list, no product that is no longer sold. A price list row names its list (of the same file, or an existing one)
and its product by code.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.errors import DomainError
from salesops.core.imports import Field, Importer, SheetSpec, register_importer
from salesops.core.sheets import Kind

from . import rules, services
from .models import PriceList, Product

DENIED = gettext_lazy("您可以查看产品与价格，但没有修改权限（只有销售部经理及以上和系统管理员可以导入）。")

PRODUCTS = SheetSpec(
    "products",
    gettext_lazy("产品"),
    [
        Field("code", gettext_lazy("产品编码"), required=True, example="BP-100", width=16),
        Field("name", gettext_lazy("产品名称"), required=True, example="增压泵", width=24),
        Field("model", gettext_lazy("型号"), example="BP100-A"),
        Field("spec", gettext_lazy("规格"), example="1.5kW 220V", width=18),
        Field("unit", gettext_lazy("单位"), example="台", width=6),
        Field("kind", gettext_lazy("产品类别"), choices=lambda: Product.Kind.choices, example="标准产品"),
        Field("list_price", gettext_lazy("标准含税单价"), Kind.MONEY, required=True, example=1130),
        Field("tax_rate", gettext_lazy("税率"), Kind.PERCENT, example=Decimal("0.13"), note=gettext_lazy("留空为 13%")),
        Field("standard_cost", gettext_lazy("标准成本"), Kind.MONEY, example=700),
        Field("monthly_capacity", gettext_lazy("月产能"), Kind.QUANTITY, example=1000, note=gettext_lazy("不受限请留空")),
        Field("ever_produced", gettext_lazy("曾经生产过"), yes_no=True, example="是", width=10),
        Field("description", gettext_lazy("说明"), width=30),
    ],
    save=lambda actor, values, context: services.product_create(actor=actor, data=values),
)


def _save_price_list(actor, values: dict, context: dict) -> PriceList:
    price_list = services.price_list_create(actor=actor, data=values)
    context.setdefault("price_lists", {})[price_list.name] = price_list
    return price_list


def _save_item(actor, values: dict, context: dict):
    name, code = values.pop("price_list"), values.pop("product")
    price_list = context.setdefault("price_lists", {}).get(name) or PriceList.objects.filter(name=name).order_by("pk").first()
    if price_list is None:
        raise DomainError(_("价格表“%(name)s”既不在本文件的“价格表”中，也不是已有的价格表。") % {"name": name})
    product = Product.objects.filter(code__iexact=code).first()
    if product is None:
        raise DomainError(_("产品编码“%(code)s”不存在。") % {"code": code})
    return services.price_list_item_add(actor=actor, price_list=price_list, product=product, **values)


PRICE_LISTS = SheetSpec(
    "price_lists",
    gettext_lazy("价格表"),
    [
        Field("name", gettext_lazy("价格表名称"), required=True, example="2027 年经销商价", width=24),
        Field("customer_type", gettext_lazy("适用客户类型"), choices=lambda: rules.CUSTOMER_TYPES, example="经销商"),
        Field("customer_grade", gettext_lazy("适用客户等级"), choices=lambda: rules.CUSTOMER_GRADES, example=""),
        Field("valid_from", gettext_lazy("生效日期"), Kind.DATE, required=True, example="2027-01-01"),
        Field("valid_to", gettext_lazy("失效日期"), Kind.DATE, example="2027-12-31"),
        Field("currency", gettext_lazy("币种"), example="CNY", width=6),
        Field("notes", gettext_lazy("备注"), width=30),
    ],
    save=_save_price_list,
)
PRICE_LIST_ITEMS = SheetSpec(
    "price_list_items",
    gettext_lazy("价格表明细"),
    [
        Field("price_list", gettext_lazy("价格表名称"), required=True, example="2027 年经销商价", width=24),
        Field("product", gettext_lazy("产品编码"), required=True, example="BP-100", width=16),
        Field("unit_price", gettext_lazy("含税单价"), Kind.MONEY, required=True, example=1017),
        Field("min_quantity", gettext_lazy("起订量"), Kind.QUANTITY, example=10),
    ],
    save=_save_item,
)

register_importer(
    Importer(
        name="products",
        title=gettext_lazy("产品"),
        sheets=[PRODUCTS],
        allowed=services.can_edit_catalog,
        denied=DENIED,
        list_view="catalog:products",
    ),
    Importer(
        name="price-lists",
        title=gettext_lazy("价格表"),
        sheets=[PRICE_LISTS, PRICE_LIST_ITEMS],
        allowed=services.can_edit_catalog,
        denied=DENIED,
        list_view="catalog:pricelists",
    ),
)
