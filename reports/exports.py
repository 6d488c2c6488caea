"""导出 Excel of the weekly reports (销售周报), registered in CoreConfig.ready (salesops.core.exports): one row per report
with what the rep wrote, the comment, and the week's figures as handed in (empty for a draft)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.exports import ListExport, choice_label, plain, register_export
from salesops.core.names import display_name
from salesops.core.sheets import Column, Kind

from .filters import WeeklyReportFilter
from .models import WeeklyReport
from .selectors import WEEK_FIGURES, weekly_reports_for


def _figure(key: str, kind: str):
    def cell(report):
        value = report.figures.get(key)
        return Decimal(value) if value is not None and kind == "money" else value

    return cell


def weekly_columns() -> list[Column]:
    return [
        Column(_("周"), Kind.TEXT, 10, lambda r: r.period.key),
        Column(_("周（周一）"), Kind.DATE, 12, lambda r: r.week),
        Column(_("业务员"), Kind.TEXT, 10, lambda r: display_name(r.rep)),
        Column(_("销售组"), Kind.TEXT, 10, lambda r: r.team.name if r.team_id else ""),
        Column(_("状态"), Kind.TEXT, 8, choice_label(WeeklyReport, "status")),
        Column(_("提交时间"), Kind.DATETIME, 17, lambda r: r.submitted_at),
        *(
            Column(str(label), Kind.MONEY if kind == "money" else Kind.INTEGER, 12, _figure(key, kind))
            for key, label, kind in WEEK_FIGURES
        ),
        Column(_("本周工作总结"), Kind.TEXT, 40, lambda r: r.summary),
        Column(_("市场与竞争信息"), Kind.TEXT, 30, lambda r: r.market),
        Column(_("下周计划"), Kind.TEXT, 30, lambda r: r.next_plan),
        Column(_("点评"), Kind.TEXT, 30, lambda r: r.review_note),
        Column(_("点评人"), Kind.TEXT, 10, lambda r: display_name(r.reviewed_by, "")),
    ]


register_export(
    ListExport(
        name="weekly-reports",
        list_view="reports:weekly_list",
        title=gettext_lazy("销售周报"),
        source=plain(WeeklyReportFilter, weekly_reports_for),
        columns=weekly_columns,
    )
)
