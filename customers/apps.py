from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("客户")

    def ready(self):
        """Tell the kernel who may see which customer document (its comment/attachment views 404 on the rest), and the
        approvals engine what a decision on a 比价/投标 does."""
        from salesops.core.access import register_visibility

        from . import selectors, services
        from .models import Customer, Opportunity, Visit, VisitPlan

        register_visibility(Customer, selectors.customer_list_for)
        register_visibility(VisitPlan, selectors.visit_plan_list_for)
        register_visibility(Visit, selectors.visit_list_for)
        register_visibility(Opportunity, selectors.opportunity_list_for)
        services.register_handlers()
