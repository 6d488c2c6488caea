"""Demo data of the after-sales floor (called by the demo registry after the orders demo data; safe to run again):
a franchise store's order delivered through the real order flow, its day-7 callback in service's queue today, a
commissioning ticket in progress with a call logged, an unassigned repair ticket, a complaint for QC, and the store's
return request with a photo waiting for the sales VP."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Product
from customers.models import Customer
from orders import rules as order_rules
from orders import services as orders
from orders.models import Shipment
from salesops.core.models import Department

from .models import Callback, ServiceTicket
from .services import callbacks, complaints, returns, tickets

STORE = "杭州华泰工业专卖店"
DISTRIBUTOR = "苏州恒通机电设备有限公司"


def _photo() -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (190, 60, 50)).save(buf, "JPEG")
    return SimpleUploadedFile("外壳破损.jpg", buf.getvalue(), content_type="image/jpeg")


def _delivered_order(users, customer, product, qty: str):
    clerk = users["clerk"]
    order = orders.order_create(
        actor=clerk, customer=customer, data={"project_name": "门店补货"}, lines=[{"product": product.pk, "quantity": qty}]
    )
    for item in order_rules.CHECK_ITEMS:
        orders.order_check(order=order, actor=clerk, item=item.code, parties=item.parties)
    orders.order_verify(order=order, actor=clerk)
    orders.order_place(order=order, actor=clerk, requested_date=None, from_stock=True)
    payment = orders.payment_record(
        actor=clerk,
        customer=customer,
        data={"amount": str(order.amount_incl), "bank_reference": f"DEMO-AS-{order.number}"},
        allocations={order.pk: str(order.amount_incl)},
    )
    orders.payment_confirm(payment=payment, actor=users["finance"])
    line = order.lines.get()
    inspection = orders.inspection_record(
        order=order, actor=users["qc"], line_id=line.pk, lot_no="20261101-02", quantity=qty, result="pass"
    )
    orders.inspection_sign(inspection=inspection, actor=users["warehouse"])
    shipment = orders.shipment_create(order=order, actor=clerk, lines={line.pk: {"quantity": qty, "lot_no": "20261101-02"}})
    orders.shipment_release(shipment=shipment, actor=clerk)
    orders.shipment_ship(shipment=shipment, actor=users["warehouse"], tracking_no="SF-DEMO-0001", carrier="顺丰")
    orders.shipment_deliver(shipment=shipment, actor=clerk, delivered_on=None, signer="店长")  # the hook schedules the callbacks
    return order


@transaction.atomic
def seed(seeded: Mapping[str, Any]) -> None:
    """The after-sales demo (idempotent): a delivered order whose day-7 callback is due today, tickets, a complaint, a return."""
    if ServiceTicket.objects.exists():
        return
    users = seeded["users"]
    Department.objects.filter(code=Department.Code.SERVICE, head__isnull=True).update(head=users["service"])
    store, distributor = Customer.objects.get(name=STORE), Customer.objects.get(name=DISTRIBUTOR)
    product = Product.objects.get(code="P-1001")
    order = _delivered_order(users, store, product, "6")

    # Demo only: pretend the delivery was a week ago, so the day-7 callback is in service's queue today. The shipment
    # says so too (signed for, and shipped, a week ago) and every callback is due its offset after that day, so the
    # callback page's 签收日期 and 应回访日期 agree (day 7: today; day 30: in 23 days).
    today = timezone.localdate()
    delivered_on = today - timedelta(days=7)
    shipments = Shipment.objects.filter(order=order, delivered_on__isnull=False)
    shipments.update(delivered_on=delivered_on, shipped_at=F("shipped_at") - timedelta(days=7))
    for cb in Callback.objects.filter(order=order):
        due = delivered_on + timedelta(days=cb.offset_days)
        Callback.objects.filter(pk=cb.pk).update(due_on=due, queue_on=due)
    callbacks.callbacks_queue_due(today=today)

    service = users["service"]
    commissioning = tickets.ticket_create(
        actor=service,
        customer=distributor,
        data={
            "ticket_type": "commissioning",
            "priority": "high",
            "subject": "伺服电机现场调试",
            "contact_name": "设备科刘工",
            "contact_phone": "0512-66668888",
            "engineer": service,
        },
    )
    tickets.ticket_start(ticket=commissioning, actor=service)
    tickets.ticket_log(
        ticket=commissioning, actor=service, kind="phone_out", summary="约定周四上午到现场调试", counterpart="刘工"
    )
    tickets.ticket_create(
        actor=users["bob"],
        customer=store,
        data={"ticket_type": "repair", "subject": "变频器报警 E07", "order": order.pk, "lot_no": "20261101-02"},
    )
    complaints.complaint_create(
        actor=users["bob"],
        customer=store,
        data={
            "order": order.pk,
            "description": "两台变频器外壳运输破损，门店要求退货",
            "severity": "major",
            "lot_no": "20261101-02",
        },
    )
    rma = returns.rma_create(
        actor=users["bob"],
        order=order,
        kind="return",
        reason="运输途中外壳破损（见照片）",
        lines=[{"order_line": order.lines.get().pk, "quantity": "2", "lot_no": "20261101-02"}],
    )
    returns.rma_photo_add(rma=rma, actor=users["bob"], upload=_photo())
    returns.rma_submit(rma=rma, actor=users["bob"])
