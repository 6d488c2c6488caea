"""The 订单 menu (salesops.core.navigation): each work queue only for those its view lets in."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import navigation
from salesops.core.navigation import Item
from salesops.core.roles import Role

from .permissions import handles_money, is_clerk, reads_orders, sees_queue

navigation.register(
    "orders",
    pgettext_lazy("menu", "订单"),
    40,
    [
        Item(_("订单列表"), "orders:order_list", reads_orders, "nav-order-list"),
        Item(_("新建订单"), "orders:order_create", is_clerk, "nav-order-create"),
        Item(_("内勤工作台"), "orders:clerk_queue", lambda u: sees_queue(u, "clerk"), "nav-clerk-queue", group=1),
        Item(_("财务工作台"), "orders:finance_queue", lambda u: sees_queue(u, "finance"), "nav-finance-queue", group=1),
        Item(_("仓库工作台"), "orders:warehouse_queue", lambda u: sees_queue(u, "warehouse"), "nav-warehouse-queue", group=1),
        Item(_("出货单"), "orders:shipment_list", reads_orders, "nav-shipments", group=2),
        Item(_("回款"), "orders:payment_list", handles_money, "nav-payments", group=2),
        Item(_("开票"), "orders:invoice_list", handles_money, "nav-invoices", group=2),
        Item(_("应收账款"), "orders:receivables", handles_money, "nav-receivables", group=2),
        Item(_("红字冲减单"), "orders:credit_note_list", handles_money, "nav-credit-notes", group=2),
    ],
    first_for=(Role.SALES_CLERK, Role.FINANCE, Role.WAREHOUSE, Role.QC),
)
