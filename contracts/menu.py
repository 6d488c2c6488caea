"""The 报价与合同 menu (salesops.core.navigation)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import navigation
from salesops.core.navigation import Item
from salesops.core.roles import REVIEWER_ROLES

from .permissions import quotes_daily, reads_deals, reads_quotations

navigation.register(
    "contracts",
    pgettext_lazy("menu", "报价与合同"),
    30,
    [
        Item(_("报价单"), "contracts:quotation_list", reads_quotations, "nav-quotations"),
        Item(_("合同"), "contracts:contract_list", reads_deals, "nav-contracts"),
        Item(_("新建报价单"), "contracts:quotation_create", quotes_daily, "nav-quotation-create", group=1),
    ],
    first_for=REVIEWER_ROLES,
    testid="nav-sales",
)
