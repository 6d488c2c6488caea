"""市场信息 in the 客户 menu (salesops.core.navigation): for the sales side and after-sales."""

from django.utils.translation import gettext_lazy as _

from salesops.core import navigation
from salesops.core.navigation import Item

from .permissions import reads_market

navigation.extend(
    "customers",
    [
        Item(_("市场信息"), "market:info_list", reads_market, "nav-market"),
        Item(_("竞争对手分析"), "market:competitors", reads_market, "nav-competitors"),
    ],
)
