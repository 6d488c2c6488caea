"""The 产品与价格 menu (salesops.core.navigation)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import navigation
from salesops.core.navigation import Item
from salesops.core.roles import MANAGER_ROLES, Role, has_role


def quotes_prices(user) -> bool:
    """Who works with the discount limits: the sales roles and the managers (the system administrator edits them)."""
    return has_role(user, Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK, *MANAGER_ROLES)


navigation.register(
    "catalog",
    pgettext_lazy("menu", "产品与价格"),
    20,
    [
        Item(_("产品"), "catalog:products", testid="nav-products"),
        Item(_("价格表"), "catalog:pricelists", testid="nav-pricelists"),
        Item(_("折扣权限"), "catalog:discounts", quotes_prices, "nav-discounts"),
    ],
)
