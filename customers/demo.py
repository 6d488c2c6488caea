"""Demo customers (salesops.core.demo explains the floors): four customers of alice, bob and carol — three active, one still
an intent customer due for a follow-up today — each with a primary contact, a default ship-to address and a default invoice title."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from .models import Customer
from .services import (
    address_create,
    contact_create,
    customer_change_status,
    customer_create,
    customer_update,
    invoice_title_create,
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
    return {"customers": customers}


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
