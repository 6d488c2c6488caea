"""Every write of orders, inspections, shipments, invoices and payments (SPEC.md "Sales order" … "Invoices and payments"),
one module per action family (like Zulip's zerver/actions/): orders, inspections (with emergency release), shipments,
credit (credit exceptions), credit_notes (红字冲减), invoices, payments, alerts (at-risk warnings). Reads are in orders.selectors, who may do what
in orders.permissions.

Every writer locks the order first, then the document it changes (_common.lock_order), so quantities per order line
change in one place at a time. Callers use `from orders import services; services.order_create(...)`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from salesops.core import approvals

from ..permissions import sees_queue
from ._common import lock_order_then
from .alerts import orders_warn_at_risk
from .credit import (
    CREDIT_KIND,
    credit_exception_request,
    credit_exception_summary,
    credit_exception_withdraw,
    on_credit_exception_decided,
)
from .credit_notes import credit_note_create
from .inspections import (
    EMERGENCY_KIND,
    emergency_release_request,
    emergency_release_summary,
    emergency_release_withdraw,
    inspection_record,
    inspection_sign,
    on_emergency_release_decided,
)
from .invoices import invoice_cancel, invoice_issue, invoice_request
from .orders import (
    on_contract_changed,
    order_acknowledge_contract,
    order_cancel,
    order_check,
    order_close,
    order_close_short,
    order_create,
    order_create_from_contract,
    order_place,
    order_update,
    order_verify,
    production_update,
)
from .payments import payment_confirm, payment_record, payment_void, payments_confirm_many
from .shipments import (
    shipment_cancel,
    shipment_create,
    shipment_deliver,
    shipment_notify_customer,
    shipment_receive_refused,
    shipment_release,
    shipment_ship,
)


def register_handlers() -> None:
    """What an approved or rejected emergency release / credit exception does, and what the inbox shows of an
    emergency release (called from OrdersConfig.ready)."""
    approvals.register_outcome_handler(
        EMERGENCY_KIND,
        on_emergency_release_decided,
        label=gettext_lazy("紧急放行"),
        locker=lock_order_then,
        summary=emergency_release_summary,
    )
    approvals.register_outcome_handler(
        CREDIT_KIND,
        on_credit_exception_decided,
        label=gettext_lazy("信用放行"),
        locker=lock_order_then,
        summary=credit_exception_summary,
    )


__all__ = [
    "CREDIT_KIND",
    "EMERGENCY_KIND",
    "credit_exception_request",
    "credit_exception_summary",
    "credit_exception_withdraw",
    "credit_note_create",
    "emergency_release_request",
    "emergency_release_summary",
    "emergency_release_withdraw",
    "inspection_record",
    "inspection_sign",
    "invoice_cancel",
    "invoice_issue",
    "invoice_request",
    "on_contract_changed",
    "order_acknowledge_contract",
    "order_cancel",
    "order_check",
    "order_close",
    "order_close_short",
    "order_create",
    "order_create_from_contract",
    "order_place",
    "order_update",
    "order_verify",
    "orders_warn_at_risk",
    "payment_confirm",
    "payment_record",
    "payment_void",
    "payments_confirm_many",
    "production_update",
    "register_handlers",
    "sees_queue",  # reports.selectors asks it here
    "shipment_cancel",
    "shipment_create",
    "shipment_deliver",
    "shipment_notify_customer",
    "shipment_receive_refused",
    "shipment_release",
    "shipment_ship",
]
