"""The 目标与报表 menu (salesops.core.navigation): for everyone who has figures to see (reports.scopes.scope_for); its
月度报表 also for service and QC (the after-sales statistics, reports.permissions.report_kinds_for)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import navigation
from salesops.core.navigation import Item
from salesops.core.roles import Role

from .permissions import has_own_appraisals, reads_rounds, reads_weekly, report_kinds_for
from .scopes import scope_for


def sees_figures(user) -> bool:
    return scope_for(user) is not None


def requests_reports(user) -> bool:
    """Has the 月度报表 page: who sees sales figures, and service and QC (their 售后服务统计)."""
    return bool(report_kinds_for(user))


navigation.register(
    "reports",
    pgettext_lazy("menu", "目标与报表"),
    60,
    [
        Item(_("经营指标"), "reports:figures", sees_figures, "nav-figures"),
        Item(_("销售目标"), "reports:targets", sees_figures, "nav-targets"),
        Item(_("指标说明"), "reports:glossary", sees_figures, "nav-glossary"),
        Item(_("销售周报"), "reports:weekly_list", reads_weekly, "nav-weekly", group=1),
        Item(_("日报"), "reports:digest", sees_figures, "nav-digest", group=1),
        Item(_("月度报表"), "reports:run_list", requests_reports, "nav-report-runs", group=1),
        Item(_("绩效考核"), "reports:appraisal_rounds", reads_rounds, "nav-appraisals", group=2),
        Item(_("我的考核"), "reports:appraisal_list", has_own_appraisals, "nav-my-appraisals", group=2),
    ],
    first_for=(Role.SALES_VP, Role.GM),
)
