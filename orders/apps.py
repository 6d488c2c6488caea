from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("订单与发货")

    def ready(self):
        """Register who may see orders, shipments, payments and invoices, what approvals (emergency release, credit
        exception) do, and the credit exposure of direct orders for the contract review, and the orders card on the
        customer page."""
        from salesops.core.access import register_visibility
        from salesops.core.actions import register_actions
        from salesops.core.exposure import register_exposure
        from salesops.core.hooks import subscribe
        from salesops.core.ordered import register_ordered
        from salesops.core.panels import register_panel

        from . import panels, permissions, selectors, services
        from .models import CreditException, EmergencyRelease, InvoiceRequest, Payment, SalesOrder, Shipment

        register_visibility(SalesOrder, selectors.order_list_for)
        register_visibility(Shipment, selectors.shipment_list_for)
        register_visibility(Payment, selectors.payment_list_for)  # their timelines: comments, files, the API's
        register_visibility(InvoiceRequest, selectors.invoice_list_for)
        for request_model in (EmergencyRelease, CreditException):  # approved requests about an order: its readers'
            register_visibility(request_model, selectors.requests_of_visible_orders(request_model))
        services.register_handlers()
        register_exposure(selectors.direct_orders_exposure)
        register_ordered(selectors.ordered_per_contract_line)  # a contract change never cuts below what is ordered
        register_actions("contract", permissions.contract_order_actions)  # 下订单 on the contract page and its API
        subscribe("contract_changed", services.on_contract_changed)
        register_panel("customer_detail", panels.customer_panel)
