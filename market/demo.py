"""Demo data of 市场信息 (called after the plans demo, safe to run again): a competitor's price cut in 华东 reported by
alice and marked important (so every reader has it unread on the home page), an industry policy from the clerk, and a
customer's need noted by alice on her customer 苏州恒通 (read only by who may see that customer)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from customers.models import Customer

from . import services
from .models import MarketInfo


def seed(seeded: Mapping[str, Any]) -> dict:
    users = seeded["users"]
    if MarketInfo.objects.exists():
        return {}
    services.info_report(
        actor=users["clerk"],
        data={
            "kind": "policy",
            "source": "web",
            "title": "工业设备更新改造专项贷款贴息政策延续到明年",
            "content": "省工信厅发布通知：设备更新改造专项贷款贴息政策延续至明年底，制造企业技改项目可申请。"
            "可作为包装线、产线改造项目的报价卖点。",
            "region": "江苏",
        },
    )
    services.info_report(
        actor=users["alice"],
        data={
            "kind": "competitor",
            "source": "visit",
            "title": "友商华东区域伺服电机降价约 5%",
            "content": "拜访客户时得知：友商本月起在华东对伺服电机系列降价约 5%，交期仍为 6 周。"
            "建议我们强调 3 周交期和上门调试服务，价格上不跟进。",
            "competitor": "友商机电",
            "region": "华东",
            "important": True,
        },
    )
    hengtong = Customer.objects.filter(owner=users["alice"], name__startswith="苏州恒通").first()
    if hengtong is not None:
        services.info_report(
            actor=users["alice"],
            data={
                "kind": "demand",
                "source": "phone",
                "title": "恒通明年计划新建两条包装线",
                "content": "客户设备部透露：明年二季度新建两条包装线，预算已报集团审批，希望三月前拿到方案。",
                "customer": hengtong.pk,
                "region": "苏州",
            },
        )
    return {}
