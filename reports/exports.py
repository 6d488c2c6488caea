"""导出 Excel of the weekly reports (销售周报) and the appraisals (个人考核), registered in CoreConfig.ready
(salesops.core.exports): one row per report with what the rep wrote, the comment, and the week's figures as handed in
(empty for a draft); one row per appraisal with its parts, total, grade and the words exchanged."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.exports import ListExport, choice_label, plain, register_export
from salesops.core.names import display_name
from salesops.core.sheets import Column, Kind

from .appraisal_selectors import PARTS, appraisals_for, part_totals
from .filters import AppraisalFilter, WeeklyReportFilter
from .models import Appraisal, WeeklyReport
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


def appraisal_columns() -> list[Column]:
    """The table for the GM and finance (整体统计表): one row per person, the three parts, total and grade, and the
    薪酬激励 fixed when it went to the GM (empty before)."""

    def part(code):
        return lambda a: None if a.status == Appraisal.Status.EXCLUDED else part_totals(a).get(code, Decimal("0.00"))

    return [
        Column(_("考核期"), Kind.TEXT, 10, lambda a: a.round.period.key),
        Column(_("被考核人"), Kind.TEXT, 10, lambda a: display_name(a.employee)),
        Column(_("岗位"), Kind.TEXT, 8, choice_label(Appraisal, "post")),
        Column(_("销售组"), Kind.TEXT, 10, lambda a: a.team.name if a.team_id else ""),
        *(Column(str(label), Kind.MONEY, 10, part(code)) for code, label in PARTS),
        Column(_("总分"), Kind.MONEY, 8, lambda a: None if a.status == Appraisal.Status.EXCLUDED else a.total),
        Column(_("等级"), Kind.TEXT, 8, lambda a: a.get_grade_display() if a.shows_grade else ""),
        Column(_("绩效工资系数"), Kind.QUANTITY, 10, lambda a: a.pay_factor),
        Column(_("销售级别调整"), Kind.TEXT, 10, choice_label(Appraisal, "level_change")),
        Column(_("状态"), Kind.TEXT, 10, choice_label(Appraisal, "status")),
        Column(_("评分人"), Kind.TEXT, 10, lambda a: display_name(a.appraiser, "")),
        Column(_("评语与奖惩意见"), Kind.TEXT, 30, lambda a: a.comment),
        Column(_("本人异议"), Kind.TEXT, 24, lambda a: a.objection),
        Column(_("经理复核意见"), Kind.TEXT, 24, lambda a: a.reply),
        Column(_("不参与考核原因"), Kind.TEXT, 20, lambda a: a.exclude_reason),
    ]


register_export(
    ListExport(
        name="appraisals",
        list_view="reports:appraisal_list",
        title=gettext_lazy("个人考核"),
        source=plain(AppraisalFilter, appraisals_for),
        columns=appraisal_columns,
        prepare=lambda qs, params: qs.prefetch_related("scores"),
    )
)
