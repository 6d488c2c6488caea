from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("目标与报表")

    def ready(self):
        """Tell the kernel who may see the weekly reports and the appraisals (their comment and attachment views 404 on
        the rest), and the approvals engine what the GM's decision on an appraisal round does."""
        from salesops.core.access import register_visibility

        from . import appraisal_selectors, selectors
        from .models import Appraisal, AppraisalRound, WeeklyReport
        from .services import appraisals

        register_visibility(WeeklyReport, selectors.weekly_reports_for)
        register_visibility(AppraisalRound, appraisal_selectors.appraisal_rounds_for)
        register_visibility(Appraisal, appraisal_selectors.appraisals_for)
        appraisals.register_handlers()
