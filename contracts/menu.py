"""The 报价与合同 menu (salesops.core.navigation)."""

from django.utils.translation import gettext_lazy as _

from salesops.core import navigation
from salesops.core.navigation import Item
from salesops.core.roles import REVIEWER_ROLES, Role, has_role

from .permissions import can_quote
from .selectors import DEAL_ROLES


def reads_deals(user) -> bool:
    """Sales, the clerk, managers, finance and the department reviewers work with quotations and contracts."""
    return has_role(user, *DEAL_ROLES, *REVIEWER_ROLES)


def quotes_daily(user) -> bool:
    """ "新建报价单" in the menu for those who quote as daily work; leadership may still quote from the list."""
    return can_quote(user) and has_role(user, Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK, Role.SALES_MANAGER, Role.ADMIN)


navigation.register(
    "contracts",
    _("报价与合同"),
    30,
    [
        Item(_("报价单"), "contracts:quotation_list", reads_deals, "nav-quotations"),
        Item(_("合同"), "contracts:contract_list", reads_deals, "nav-contracts"),
        Item(_("新建报价单"), "contracts:quotation_create", quotes_daily, "nav-quotation-create", group=1),
    ],
    first_for=REVIEWER_ROLES,
    testid="nav-sales",
)
