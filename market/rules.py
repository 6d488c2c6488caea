"""The rules of 市场信息 (market intelligence), pure: its kinds and channels, what an entry must say, who writes and reads.

Seed 001 (销售服务流程 1. 市场调研): 收集行业动态、竞争对手信息、客户需求等资料; seed 004 (销售内勤): 内勤人员应做好信息的
收集、整理和传递工作，将市场信息、竞争信息、客户信息等有关信息及时准确地传达给销售人员. An entry is published at once to
every reader (a customer's need only to those who may see the customer); an important one is also sent to them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.errors import DomainError
from salesops.core.roles import MANAGER_ROLES, Role

# The sales side and after-sales, who meet the market: they write and read it.
READER_ROLES = (Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK, Role.SERVICE, *MANAGER_ROLES)
# Besides its author, who may withdraw an entry: the sales managers and leaders.
WITHDRAWER_ROLES = tuple(MANAGER_ROLES)


class Kind(models.TextChoices):
    INDUSTRY = "industry", gettext_lazy("行业动态")
    COMPETITOR = "competitor", gettext_lazy("竞争对手")
    DEMAND = "demand", gettext_lazy("客户需求")
    PRICE = "price", gettext_lazy("价格行情")
    POLICY = "policy", gettext_lazy("政策法规")
    OTHER = "other", gettext_lazy("其他")


class Source(models.TextChoices):
    VISIT = "visit", gettext_lazy("客户拜访")
    PHONE = "phone", gettext_lazy("电话沟通")
    EXHIBITION = "exhibition", gettext_lazy("展会")
    WEB = "web", gettext_lazy("网络")
    PEER = "peer", gettext_lazy("同行/经销商")
    MEDIA = "media", gettext_lazy("报刊媒体")
    OTHER = "other", gettext_lazy("其他")


def check_entry(*, kind: str, source: str, title: str, content: str, competitor: str) -> None:
    """What every entry must say: its kind and channel, a title and the information; a competitor's, whose."""
    if kind not in Kind.values:
        raise DomainError(_("请选择信息类别。"), code="market_kind")
    if source not in Source.values:
        raise DomainError(_("请选择信息来源。"), code="market_source")
    if not title.strip():
        raise DomainError(_("请填写标题。"), code="market_title")
    if not content.strip():
        raise DomainError(_("请填写信息内容。"), code="market_content")
    if kind == Kind.COMPETITOR and not competitor.strip():
        raise DomainError(_("竞争对手信息请填写竞争对手名称。"), code="market_competitor")
