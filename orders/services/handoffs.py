"""Hand-offs: when a step enables someone else's step, that person is told (in-app) and finds it in their work queue.

The chain and who is next (each function is called by the service that did the enabling step, inside its transaction):

    payment recorded             → finance confirms it          (财务工作台 · 待确认到账)
    payment confirmed / credit   → the clerk releases the note  (内勤工作台 · 待放行)
      exception approved
    inspection signed (passed)   → the clerk makes the note     (内勤工作台 · 可发货)
    outbound note released       → the warehouse ships it       (仓库工作台 · 待发货)
    goods shipped                → the rep follows the delivery (shipment_ship tells the rep)
    delivery signed              → the clerk asks for invoicing (内勤工作台 · 待开票)
    goods refused at delivery    → the warehouse receives them  (仓库工作台 · 待收回拒收货物)
    refused goods received back  → the clerk ships them again   (内勤工作台 · 可发货) or closes the order short
    invoice requested            → finance issues it            (财务工作台 · 待开票)

Approval steps tell their next tier through the approvals engine (salesops.core.approvals).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from salesops.core.money import money_text
from salesops.core.notifications import notify
from salesops.core.roles import Role, users_with_role

from ..models import Inspection, InvoiceRequest, Payment, RefusalReturn, SalesOrder, Shipment
from ..selectors import order_gate
from ._common import order_url


def order_clerks(order: SalesOrder) -> list:
    """The clerk who verified the order; before verification (or if that clerk left), every active clerk."""
    if order.verified_by_id and order.verified_by.is_active:
        return [order.verified_by]
    return list(users_with_role(Role.SALES_CLERK))


def _shipment_url(shipment: Shipment) -> str:
    return reverse("orders:shipment_detail", args=[shipment.pk])


def releasable_notes(order: SalesOrder) -> list[Shipment]:
    """Draft outbound notes of `order` whose payment gate is open now."""
    if not order_gate(order).open:
        return []
    return list(order.shipments.filter(status=Shipment.Status.DRAFT).order_by("pk"))


def gate_opened(order: SalesOrder) -> None:
    """After a confirmed payment or an approved credit exception: tell the clerks about each note they may now release."""
    for shipment in releasable_notes(order):
        notify(
            recipients=order_clerks(order),
            title=gettext_lazy("出货单 %(number)s 可以放行（订单 %(order)s，%(customer)s）"),
            params={"number": shipment.number, "order": order.number, "customer": order.customer.name},
            url=_shipment_url(shipment),
            email=False,
        )


def payment_recorded(payment: Payment, orders) -> None:
    notify(
        recipients=users_with_role(Role.FINANCE),
        title=gettext_lazy("回款待确认 %(number)s：%(customer)s %(amount)s 元（%(ref)s）"),
        body=gettext_lazy("订单：%(orders)s"),
        params={
            "number": payment.number,
            "customer": payment.customer.name,
            "amount": money_text(payment.amount),
            "ref": payment.bank_reference,
            "orders": "、".join(o.number for o in orders),
        },
        url=reverse("orders:payment_detail", args=[payment.pk]),
        email=False,
    )


def inspection_passed(inspection: Inspection, order: SalesOrder) -> None:
    if inspection.result != Inspection.Result.PASS:
        return
    notify(
        recipients=order_clerks(order),
        title=gettext_lazy("检验合格可发货：订单 %(order)s 批号 %(lot)s（%(customer)s）"),
        params={"order": order.number, "lot": inspection.lot_no, "customer": order.customer.name},
        url=order_url(order),
        email=False,
    )


def shipment_released(shipment: Shipment, order: SalesOrder) -> None:
    notify(
        recipients=users_with_role(Role.WAREHOUSE),
        title=gettext_lazy("出货单 %(number)s 已放行，请发货（订单 %(order)s，%(customer)s）"),
        params={"number": shipment.number, "order": order.number, "customer": order.customer.name},
        url=_shipment_url(shipment),
        email=False,
    )


def shipment_delivered(shipment: Shipment, order: SalesOrder) -> None:
    """The clerk may ask for the invoice of what the customer signed for — not of an order agreed without an invoice
    (priced without tax), nor of a note refused whole."""
    if not order.prices_include_tax or not shipment.lines.filter(delivered_quantity__gt=0).exists():
        return
    notify(
        recipients=order_clerks(order),
        title=gettext_lazy("客户已签收 %(number)s，可以申请开票（订单 %(order)s，%(customer)s）"),
        params={"number": shipment.number, "order": order.number, "customer": order.customer.name},
        url=order_url(order),
        email=False,
    )


def shipment_refused(shipment: Shipment, order: SalesOrder, lines: list[str]) -> None:
    """The customer refused part of a note at delivery: the warehouse is told the goods are coming back."""
    notify(
        recipients=users_with_role(Role.WAREHOUSE),
        title=gettext_lazy("客户拒收 %(number)s 的部分货物，请安排收回入库（订单 %(order)s，%(customer)s）"),
        body=gettext_lazy("拒收：%(lines)s"),
        params={"number": shipment.number, "order": order.number, "customer": order.customer.name, "lines": "、".join(lines)},
        url=_shipment_url(shipment),
        email=False,
    )


def refused_goods_returned(receipt: RefusalReturn, order: SalesOrder, lines: list[str]) -> None:
    """Refused goods are back in the warehouse: the order's clerk and its rep decide — ship them again (补发) or close
    the order short (短交关闭)."""
    notify(
        recipients=[*order_clerks(order), order.owner],
        title=gettext_lazy("拒收货物已退回入库：%(number)s（订单 %(order)s，%(customer)s），请补发或短交关闭"),
        body=gettext_lazy("退回：%(lines)s"),
        params={
            "number": receipt.shipment.number,
            "order": order.number,
            "customer": order.customer.name,
            "lines": "、".join(lines),
        },
        url=order_url(order),
        email=False,
    )


def invoice_requested(invoice: InvoiceRequest, order: SalesOrder) -> None:
    notify(
        recipients=users_with_role(Role.FINANCE),
        title=gettext_lazy("开票申请 %(number)s：订单 %(order)s %(amount)s 元（%(customer)s）"),
        params={
            "number": invoice.number,
            "order": order.number,
            "amount": money_text(invoice.amount),
            "customer": order.customer.name,
        },
        url=reverse("orders:invoice_detail", args=[invoice.pk]),
        email=False,
    )
