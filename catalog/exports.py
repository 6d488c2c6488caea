"""导出 Excel of the catalog lists (products, price lists): columns declared once, registered in CatalogConfig.ready."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.exports import ListExport, choice_label, plain, register_export
from salesops.core.sheets import Column, Kind

from . import rules, selectors
from .filters import PriceListFilter, ProductFilter
from .models import Product


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def product_columns() -> list[Column]:
    return [
        Column(_("产品编码"), Kind.TEXT, 16, lambda p: p.code),
        Column(_("产品名称"), Kind.TEXT, 28, lambda p: p.name),
        Column(_("型号"), Kind.TEXT, 14, lambda p: p.model),
        Column(_("规格"), Kind.TEXT, 18, lambda p: p.spec),
        Column(_("单位"), Kind.TEXT, 6, lambda p: p.unit),
        Column(_("产品类别"), Kind.TEXT, 10, choice_label(Product, "kind")),
        Column(_("标准含税单价"), Kind.MONEY, 14, lambda p: p.list_price),
        Column(_("税率"), Kind.PERCENT, 8, lambda p: p.tax_rate),
        Column(_("月产能"), Kind.QUANTITY, 10, lambda p: p.monthly_capacity),
        Column(_("在售"), Kind.TEXT, 6, lambda p: _yes_no(p.is_active)),
    ]


def price_list_columns() -> list[Column]:
    return [
        Column(_("价格表名称"), Kind.TEXT, 28, lambda p: p.name),
        Column(_("适用客户类型"), Kind.TEXT, 12, lambda p: rules.customer_type_label(p.customer_type)),
        Column(_("适用客户等级"), Kind.TEXT, 12, lambda p: rules.customer_grade_label(p.customer_grade)),
        Column(_("生效日期"), Kind.DATE, 12, lambda p: p.valid_from),
        Column(_("失效日期"), Kind.DATE, 12, lambda p: p.valid_to),
        Column(_("币种"), Kind.TEXT, 6, lambda p: p.currency),
        Column(_("启用"), Kind.TEXT, 6, lambda p: _yes_no(p.is_active)),
        Column(_("备注"), Kind.TEXT, 30, lambda p: p.notes),
    ]


register_export(
    ListExport(
        name="products",
        list_view="catalog:products",
        title=gettext_lazy("产品目录"),
        source=plain(ProductFilter, selectors.product_list_for),
        columns=product_columns,
    ),
    ListExport(
        name="price-lists",
        list_view="catalog:pricelists",
        title=gettext_lazy("价格表"),
        source=plain(PriceListFilter, selectors.price_list_list_for),
        columns=price_list_columns,
    ),
)
