"""导出 Excel of the market information list (registered in CoreConfig.ready, salesops.core.exports)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.exports import ListExport, choice_label, plain, register_export
from salesops.core.names import display_name
from salesops.core.sheets import Column, Kind

from .filters import MarketInfoFilter
from .models import MarketInfo
from .selectors import infos_for


def info_columns() -> list[Column]:
    return [
        Column(_("信息编号"), Kind.TEXT, 16, lambda i: i.number),
        Column(_("报告时间"), Kind.DATETIME, 17, lambda i: i.created_at),
        Column(_("信息类别"), Kind.TEXT, 10, choice_label(MarketInfo, "kind")),
        Column(_("信息来源"), Kind.TEXT, 10, choice_label(MarketInfo, "source")),
        Column(_("标题"), Kind.TEXT, 30, lambda i: i.title),
        Column(_("信息内容"), Kind.TEXT, 60, lambda i: i.content),
        Column(_("竞争对手"), Kind.TEXT, 16, lambda i: i.competitor),
        Column(_("地区"), Kind.TEXT, 10, lambda i: i.region),
        Column(_("相关客户"), Kind.TEXT, 24, lambda i: i.customer.name if i.customer_id else ""),
        Column(_("相关产品"), Kind.TEXT, 20, lambda i: i.product.name if i.product_id else ""),
        Column(_("重要"), Kind.TEXT, 6, lambda i: _("是") if i.important else ""),
        Column(_("报告人"), Kind.TEXT, 10, lambda i: display_name(i.reported_by)),
        Column(_("状态"), Kind.TEXT, 8, choice_label(MarketInfo, "status")),
    ]


register_export(
    ListExport(
        name="market-info",
        list_view="market:info_list",
        title=gettext_lazy("市场信息"),
        source=plain(MarketInfoFilter, infos_for),
        columns=info_columns,
    )
)
