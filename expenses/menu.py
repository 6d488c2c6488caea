"""费用报销 in the 订单 menu (salesops.core.navigation): for whoever has claims to read."""

from django.utils.translation import gettext_lazy as _

from salesops.core import navigation
from salesops.core.navigation import Item

from .permissions import reads_claims

navigation.extend("orders", [Item(_("费用报销"), "expenses:claim_list", reads_claims, "nav-expenses", group=3)])
