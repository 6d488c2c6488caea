from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = _("市场信息")

    def ready(self):
        """Tell the kernel who may see an entry (its comment and attachment views 404 on the rest), and the home page and
        the customer page and the weekly report to show the entries for them."""
        from salesops.core.access import register_visibility
        from salesops.core.panels import register_panel

        from . import panels, selectors
        from .models import MarketInfo

        register_visibility(MarketInfo, selectors.infos_for)
        register_panel("dashboard", panels.dashboard_panel)
        register_panel("customer_detail", panels.customer_panel)
        register_panel("weekly_report", panels.weekly_panel)
