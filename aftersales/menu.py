"""The 售后 menu (salesops.core.navigation)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import navigation
from salesops.core.navigation import Item
from salesops.core.roles import Role

from .permissions import may_own_actions, sees_desk, sees_plans, serves_customers

navigation.register(
    "aftersales",
    pgettext_lazy("menu", "售后"),
    50,
    [
        Item(_("售后服务台"), "aftersales:desk", sees_desk, "nav-service-desk"),
        Item(_("满意度回访"), "aftersales:callback_list", serves_customers, testid="nav-callbacks", group=1),
        Item(_("服务工单"), "aftersales:ticket_list", serves_customers, testid="nav-tickets", group=1),
        Item(_("客户投诉"), "aftersales:complaint_list", serves_customers, testid="nav-complaints", group=1),
        Item(_("退换修"), "aftersales:rma_list", serves_customers, testid="nav-returns", group=1),
        Item(_("年度售后服务计划"), "aftersales:plan_list", sees_plans, "nav-plans", group=1),
        Item(_("月度服务统计"), "aftersales:stats", serves_customers, testid="nav-service-stats", group=1),
        Item(_("我的整改措施"), "aftersales:my_actions", may_own_actions, testid="nav-my-actions", group=2),
    ],
    first_for=(Role.SERVICE,),
)
