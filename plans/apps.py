from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("销售计划")

    def ready(self):
        """Tell the kernel who may see a plan (its comment and attachment views 404 on the rest), the home page to show
        one's plans, the customer page the plans naming the customer, the achievement workbook the amounts planned,
        and the approvals engine what the approvers' decision does."""
        from reports.kpis import register_planned
        from salesops.core.access import register_visibility
        from salesops.core.panels import register_panel

        from . import panels, selectors, services
        from .models import SalesPlan

        register_visibility(SalesPlan, selectors.plans_for)
        register_panel("dashboard", panels.dashboard_panel)
        register_panel("customer_detail", panels.customer_panel)
        register_planned(selectors.planned_amounts)
        services.register_handlers()
