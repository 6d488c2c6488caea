"""销售计划 in the 目标与报表 menu (salesops.core.navigation): for the sales staff and the company's leaders."""

from django.utils.translation import gettext_lazy as _

from salesops.core import navigation
from salesops.core.navigation import Item

from .permissions import reads_plans

navigation.extend("reports", [Item(_("销售计划"), "plans:plan_list", reads_plans, "nav-plans", group=3)])
