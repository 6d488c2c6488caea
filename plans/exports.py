"""导出 Excel of the sales plans (registered in CoreConfig.ready, salesops.core.exports): one row per plan with its
target, its planned total and how far the plan covers the target."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import kpis
from salesops.core.exports import ListExport, choice_label, plain, register_export
from salesops.core.names import display_name
from salesops.core.sheets import Column, Kind

from .filters import SalesPlanFilter
from .models import SalesPlan
from .selectors import plans_for


def plan_columns() -> list[Column]:
    return [
        Column(_("计划编号"), Kind.TEXT, 16, lambda p: p.number),
        Column(_("计划层级"), Kind.TEXT, 12, choice_label(SalesPlan, "level")),
        Column(_("计划期间"), Kind.TEXT, 12, lambda p: p.period.label),
        Column(_("计划对象"), Kind.TEXT, 12, lambda p: p.owner_label),
        Column(_("制定人"), Kind.TEXT, 10, lambda p: display_name(p.author)),
        Column(_("目标额"), Kind.MONEY, 14, lambda p: p.target),
        Column(_("计划合计"), Kind.MONEY, 14, lambda p: p.planned),
        Column(_("计划/目标"), Kind.PERCENT, 10, lambda p: kpis.rate_of(p.planned, p.target)),
        Column(_("差距说明"), Kind.TEXT, 30, lambda p: p.gap_reason),
        Column(_("状态"), Kind.TEXT, 10, choice_label(SalesPlan, "status")),
        Column(_("提交时间"), Kind.DATETIME, 17, lambda p: p.submitted_at),
        Column(_("批准时间"), Kind.DATETIME, 17, lambda p: p.approved_at),
    ]


register_export(
    ListExport(
        name="sales-plans",
        list_view="plans:plan_list",
        title=gettext_lazy("销售计划"),
        source=plain(SalesPlanFilter, plans_for),
        columns=plan_columns,
    )
)
