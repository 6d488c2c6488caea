"""/api/v1/ for sales orders, inspections, shipments, invoices, payments, the work queues and receivables, one module
per family (orders, inspections, credit, shipments, invoices, payments, work, receivables).

Querysets always come from orders.selectors (what a user may not see is a 404); input serializers only check the shape;
every write and transition calls orders.services, whose DomainErrors become {"code", "detail"} (400 / 403 / 404 / 409)
through salesops.core.api.exception_handler. Money and quantities are decimal strings, never floats. Detail responses carry
`allowed_actions` (orders.permissions), lists are filtered by orders.filters with the parameter names of the pages.
Emergency releases and credit exceptions are decided at /api/v1/approval-steps/{id}/decide/ (the kernel).
"""

from __future__ import annotations

from .credit_notes import CreditNoteViewSet
from .inspections import InspectionViewSet
from .invoices import InvoiceViewSet
from .orders import OrderViewSet
from .payments import PaymentViewSet
from .receivables import ReceivablesViewSet
from .shipments import ShipmentViewSet
from .statements import StatementViewSet
from .work import WorkViewSet


def register(router):
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("orders", OrderViewSet, basename="order")
    router.register("inspections", InspectionViewSet, basename="inspection")
    router.register("shipments", ShipmentViewSet, basename="shipment")
    router.register("invoices", InvoiceViewSet, basename="invoice")
    router.register("payments", PaymentViewSet, basename="payment")
    router.register("work", WorkViewSet, basename="work")
    router.register("receivables", ReceivablesViewSet, basename="receivables")
    router.register("statements", StatementViewSet, basename="statement")
    router.register("credit-notes", CreditNoteViewSet, basename="credit-note")
