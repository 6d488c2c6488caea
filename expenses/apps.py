from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpensesConfig(AppConfig):
    name = "expenses"
    verbose_name = _("费用报销")

    def ready(self):
        """Tell the kernel who may see a claim (its comment and attachment views 404 on the rest), the customer page
        to show the claims naming the customer, and the approvals engine what the approvers' decision does."""
        from salesops.core.access import register_visibility
        from salesops.core.panels import register_panel

        from . import panels, selectors, services
        from .models import ExpenseClaim

        register_visibility(ExpenseClaim, selectors.claims_for)
        register_panel("customer_detail", panels.customer_panel)
        services.register_handlers()
