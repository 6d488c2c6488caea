from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("售后服务")

    def ready(self):
        """Who may see after-sales documents (timeline views 404 on the rest), what approvals do to returns, plans and
        complaints' answers, the "order_delivered" hook that schedules callbacks, and the after-sales cards on customer
        and order pages, the home page and the warehouse's work page."""
        from salesops.core.access import register_visibility
        from salesops.core.hooks import subscribe
        from salesops.core.panels import register_panel

        from . import selectors
        from .models import Callback, Complaint, ReturnRequest, ServicePlan, ServiceTicket
        from .services import callbacks, complaints, plans, returns
        from .views import callback_panel, panels

        register_visibility(Callback, selectors.callback_list_for)
        register_visibility(ServiceTicket, selectors.ticket_list_for)
        register_visibility(Complaint, selectors.complaint_list_for)
        register_visibility(ReturnRequest, selectors.rma_list_for)
        register_visibility(ServicePlan, selectors.plan_list_for)
        returns.register()
        plans.register()
        complaints.register()
        subscribe("order_delivered", callbacks.on_order_delivered)
        register_panel("customer_detail", panels.customer_panel)
        register_panel("order_detail", panels.order_panel)
        register_panel("dashboard", panels.dashboard_panel)
        register_panel("dashboard", callback_panel.dashboard_panel)
        register_panel("warehouse_queue", panels.warehouse_panel)
