from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("报价与合同")

    def ready(self):
        """Register who may see quotations and contracts (and which figures of their history), what approvals do to
        them, their card on the customer page and the quotations of a sales opportunity on its page."""
        from salesops.core.access import register_file_readers, register_visibility
        from salesops.core.hooks import subscribe
        from salesops.core.panels import register_panel
        from salesops.core.timeline import register_hidden_fields

        from . import selectors, services, views
        from .models import Contract, Quotation

        register_visibility(Quotation, selectors.quotation_list_for)
        register_visibility(Contract, selectors.contract_list_for)
        register_file_readers(Quotation, selectors.sees_prices)  # the signed scan and other files show every price
        register_file_readers(Contract, selectors.sees_prices)
        register_hidden_fields(Quotation, selectors.history_hidden)
        register_hidden_fields(Contract, selectors.history_hidden)
        services.register_handlers()
        subscribe("customer_reassigned", services.documents_follow_the_customer)
        register_panel("customer_detail", views.customer_documents_panel)
        register_panel("opportunity_detail", views.opportunity_quotations_panel)
