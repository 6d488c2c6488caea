"""Sales orders through delivery and money (SPEC.md "Sales order", "Inspection", "Shipment", "Invoices and payments").

- SalesOrder (SO-) with lines whose shipped / delivered / passed / released quantities are kept by the services under the
  order's row lock, so "shipped ≤ ordered" and "ship only inspected or released goods" are checked in one place.
- OrderCheck rows are the same-day verification checklist (核单); OrderChange rows the changes made after verification
  (they reset the verification and count against order accuracy).
- ProductionUpdate rows are production tracking (跟单); Inspection rows the per-lot QC + warehouse sign-off;
  EmergencyRelease a manager-approved release of uninspected goods (紧急放行).
- Shipment (FH-) with lines from one order; released only through the payment gate (rules.py) or an approved CreditException.
- InvoiceRequest (开票申请) handled by finance; Payment with PaymentAllocation rows to orders, confirmed by finance.
"""

# One module per document family (ARCHITECTURE.md: modules per action family); every model is importable from here.
from .money import CreditNote, InvoiceRequest, Payment, PaymentAllocation
from .orders import (
    DUE_BEFORE_SHIPMENT,
    HALF_FEN,
    LINE_READY,
    OPEN_STATUSES,
    REFUSED_PENDING,
    SHIPPING_STATUSES,
    TO_PLACE,
    TO_VERIFY,
    USER,
    ApprovedRequest,
    CreditException,
    EmergencyRelease,
    Inspection,
    OrderChange,
    OrderCheck,
    ProductionUpdate,
    RefusalReturn,
    RefusalReturnLine,
    RiskAlert,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
    kept_amount,
    returned_after,
)

__all__ = [
    "DUE_BEFORE_SHIPMENT",
    "HALF_FEN",
    "LINE_READY",
    "OPEN_STATUSES",
    "REFUSED_PENDING",
    "SHIPPING_STATUSES",
    "TO_PLACE",
    "TO_VERIFY",
    "USER",
    "ApprovedRequest",
    "CreditException",
    "CreditNote",
    "EmergencyRelease",
    "Inspection",
    "InvoiceRequest",
    "OrderChange",
    "OrderCheck",
    "Payment",
    "PaymentAllocation",
    "ProductionUpdate",
    "RefusalReturn",
    "RefusalReturnLine",
    "RiskAlert",
    "SalesOrder",
    "SalesOrderLine",
    "Shipment",
    "ShipmentLine",
    "kept_amount",
    "returned_after",
]
