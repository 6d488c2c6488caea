"""Demo orders (salesops.core.demo explains the floors): work for the clerk, QC, warehouse and finance — an order of
杭州华泰 to verify, and one of 苏州恒通 verified, placed, inspected and signed, with an outbound note held at the payment
gate and its deposit recorded by the clerk but not yet confirmed by finance."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from .models import SalesOrder
from .rules import CHECK_ITEMS
from .services import (
    inspection_record,
    inspection_sign,
    order_check,
    order_create,
    order_place,
    order_verify,
    payment_record,
    shipment_create,
)


def seed(seeded: Mapping[str, Any]) -> None:
    """Each order runs only if it is not there yet (customer, project name)."""
    users, customers, products = seeded["users"], seeded["customers"], seeded["products"]
    clerk = users["clerk"]
    hangzhou, suzhou = customers["杭州华泰工业专卖店"], customers["苏州恒通机电设备有限公司"]
    today = date.today()

    def missing(customer, project_name: str) -> bool:
        return not SalesOrder.objects.filter(customer=customer, project_name=project_name).exists()

    if missing(hangzhou, "门店备货"):
        order_create(
            actor=clerk,
            customer=hangzhou,
            data={"project_name": "门店备货", "promised_ship_date": today + timedelta(days=7)},
            lines=[{"product": products["P-1001"].pk, "quantity": "5"}],
        )
    if missing(suzhou, "装配线改造"):
        order = order_create(
            actor=clerk,
            customer=suzhou,
            data={"project_name": "装配线改造", "promised_ship_date": today + timedelta(days=14)},
            lines=[{"product": products["P-1002"].pk, "quantity": "8"}],
        )
        for item in CHECK_ITEMS:
            order_check(order=order, actor=clerk, item=item.code, parties=item.parties)
        order_verify(order=order, actor=clerk)
        order_place(order=order, actor=clerk, requested_date=today + timedelta(days=10))
        line = order.lines.get()
        inspection = inspection_record(
            order=order, actor=users["qc"], line_id=line.pk, lot_no="20261120-01", quantity="5", result="pass"
        )
        inspection_sign(inspection=inspection, actor=users["warehouse"])
        shipment_create(order=order, actor=clerk, lines={line.pk: {"quantity": "5", "lot_no": "20261120-01"}})
        payment_record(
            actor=clerk,
            customer=suzhou,
            data={"amount": str(order.amount_incl), "bank_reference": "DEMO-20261120-001", "kind": "deposit"},
            allocations={order.pk: str(order.amount_incl)},
        )
