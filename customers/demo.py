"""Demo customers (salesops.core.demo explains the floors): four customers of alice, bob and carol — three active, one still
an intent customer due for a follow-up today — each with a primary contact, a default ship-to address and a default invoice title — and a sales opportunity at each stage of
the pipeline (销售机会), so the funnel on the opportunities page has something to show, and a tender waiting for the
leaders' decision to take part (比价/投标) with a question to the technical department (技术咨询)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .models import Customer, Opportunity
from .services import (
    address_create,
    contact_create,
    customer_change_status,
    customer_create,
    customer_update,
    invoice_title_create,
    opportunity_create,
    opportunity_lose,
    opportunity_move,
    opportunity_request_bid,
    opportunity_win,
    question_ask,
)
from .validators import uscc_check_char

# owner, name, type, grade, status, province, city
DEMO_CUSTOMERS = [
    ("alice", "苏州恒通机电设备有限公司", "distributor", "A", "active", "江苏", "苏州"),
    ("alice", "无锡新锐自动化科技有限公司", "end_customer", "B", "intent", "江苏", "无锡"),
    ("bob", "杭州华泰工业专卖店", "franchise_store", "B", "active", "浙江", "杭州"),
    ("carol", "广州粤海贸易有限公司", "dealer", "A", "active", "广东", "广州"),
]


def seed(seeded: Mapping[str, Any]) -> dict[str, Any]:
    """Creates each demo customer not already there (by name); the manager activates the active ones.
    Returns {"customers": {name: Customer}}."""
    users = seeded["users"]
    customers = {}
    for n, (owner, name, ctype, grade, status, province, city) in enumerate(DEMO_CUSTOMERS, start=1):
        customer = Customer.objects.filter(name=name).order_by("pk").first()
        if customer is None:
            customer = _create(n, users[owner], users["manager"], name, ctype, grade, status, province, city)
        customers[name] = customer
    if not Opportunity.objects.exists():
        _opportunities(users, customers)
    return {"customers": customers}


# customer, title, needs, amount, days to the expected close, the stage it reaches
DEMO_OPPORTUNITIES = [
    ("苏州恒通机电设备有限公司", "华东门店展柜升级", "三十家门店更换展柜，分两期", "360000.00", 45, "negotiation"),
    ("苏州恒通机电设备有限公司", "包装线伺服升级", "包装线伺服电机升级三十台，要求送货上门", "80000.00", 60, "proposal"),
    ("无锡新锐自动化科技有限公司", "新产线配套设备", "新建产线需要两台定制设备，技术参数待确认", "520000.00", 90, "qualified"),
    ("杭州华泰工业专卖店", "门店开业首批备货", "新店开业，首批样机与配件", "45000.00", 20, "won"),
    ("杭州华泰工业专卖店", "展会样机", "展会用样机三台", "18000.00", 30, "lost"),
    ("广州粤海贸易有限公司", "华南代理区域扩展", "代理区域扩大到佛山、东莞，了解代理政策", "150000.00", 120, "lead"),
    (
        "无锡新锐自动化科技有限公司",
        "新厂区供水泵站招标",
        "公开招标：增压泵二十台及控制柜，技术标与商务标",
        "680000.00",
        50,
        "tender",
    ),
]


def _opportunities(users: Mapping[str, Any], customers: Mapping[str, Customer]) -> None:
    today = date.today()
    for name, title, needs, amount, days, stage in DEMO_OPPORTUNITIES:
        customer = customers[name]
        owner = customer.owner
        data = {"title": title, "needs": needs, "amount": Decimal(amount), "expected_close": today + timedelta(days=days)}
        if stage == "tender":  # reported, waiting for the sales manager and (a major one) the VP to decide
            data |= {"bidding": Opportunity.Bidding.TENDER, "bid_deadline": today + timedelta(days=12)}
        opp = opportunity_create(actor=owner, customer=customer, data=data)
        if stage == "tender":
            opportunity_request_bid(opportunity=opp, actor=owner, note="招标文件已购买，技术参数与我司 BP 系列吻合")
            question_ask(  # waiting for the technical department (rev_technical)
                actor=owner,
                opportunity=opp,
                data={
                    "subject": "增压泵在 80 米扬程下的流量",
                    "question": "招标文件要求 80 米扬程下单台流量不低于 20 m³/h，BP-100 能否满足？是否需要更换叶轮？",
                    "needed_by": today + timedelta(days=5),
                },
            )
        elif stage in ("qualified", "proposal", "negotiation"):
            opportunity_move(opportunity=opp, actor=owner, stage=stage)
        elif stage == "won":
            opportunity_win(opportunity=opp, actor=owner, note="客户已下单")
        elif stage == "lost":
            opportunity_lose(opportunity=opp, actor=owner, reason="客户选择了价格更低的方案", competitor="友商机电")


def _create(n: int, owner, manager, name: str, ctype: str, grade: str, status: str, province: str, city: str) -> Customer:
    first17 = f"9132050{n:010d}"
    customer = customer_create(
        actor=owner,
        data={
            "name": name,
            "type": ctype,
            "grade": grade,
            "province": province,
            "city": city,
            "uscc": first17 + uscc_check_char(first17),
            "next_contact_date": date.today() if status == "intent" else None,
        },
    )
    customer_update(customer=customer, actor=manager, data={"credit_limit": Decimal("200000.00")})
    if status == "active":
        customer_change_status(customer=customer, actor=manager, action="activate")
    contact_create(
        actor=owner,
        customer=customer,
        data={
            "name": f"{name[2:4]}采购",
            "title": "采购经理",
            "mobile": f"1390000{n:04d}",
            "email": f"buyer{n}@example.com",
            "is_primary": True,
        },
    )
    address_create(
        actor=owner,
        customer=customer,
        data={
            "province": province,
            "city": city,
            "address": "工业园区 1 号厂房",
            "consignee": "仓库王师傅",
            "phone": "0512-66668888",
            "preferred_carrier": "德邦物流",
            "is_default": True,
        },
    )
    invoice_title_create(
        actor=owner,
        customer=customer,
        data={
            "title": name,
            "tax_id": customer.uscc,
            "bank": "中国银行",
            "account": f"6217000000000{n:04d}",
            "address_phone": f"{province}{city} 0512-66668888",
            "invoice_type": "special",
            "is_default": True,
        },
    )
    return customer
