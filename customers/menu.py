"""The 客户 menu (salesops.core.navigation)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import navigation
from salesops.core.navigation import Item
from salesops.core.roles import ALL_CUSTOMERS_ROLES, Role, has_role

from .selectors import sees_opportunities, sees_questions, works_the_field


def sees_customers(user) -> bool:
    return has_role(user, Role.SALES_REP, Role.TEAM_LEAD, *ALL_CUSTOMERS_ROLES)


navigation.register(
    "customers",
    pgettext_lazy("menu", "客户"),
    10,
    [
        Item(_("客户档案"), "customers:list", sees_customers, "nav-customer-list"),
        Item(_("今日待跟进意向客户"), "customers:followups_due", works_the_field, "nav-followups"),
        Item(_("拜访计划"), "customers:visit_plans", works_the_field, "nav-visit-plans"),
        Item(_("拜访记录"), "customers:visits", works_the_field, "nav-visits"),
        Item(_("销售机会"), "customers:opportunity_list", sees_opportunities, "nav-opportunities"),
        Item(_("技术咨询"), "customers:question_list", sees_questions, "nav-questions"),
    ],
    first_for=(Role.SALES_REP, Role.TEAM_LEAD),
)
