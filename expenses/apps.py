from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpensesConfig(AppConfig):
    name = "expenses"
    verbose_name = _("费用报销")

    def ready(self):
        """Tell the kernel who may see a claim (its comment and attachment views 404 on the rest) and the approvals
        engine what the approvers' decision does."""
        from salesops.core.access import register_visibility

        from . import selectors, services
        from .models import ExpenseClaim

        register_visibility(ExpenseClaim, selectors.claims_for)
        services.register_handlers()
