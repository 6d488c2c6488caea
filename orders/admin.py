"""Admin for support: orders, shipments, invoices and payments read-only (they move only through the services, which
lock rows, keep line quantities right and write the timeline)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from salesops.core.admin import ReadOnlyMixin

from .models import (
    CreditException,
    EmergencyRelease,
    Inspection,
    InvoiceRequest,
    OrderChange,
    Payment,
    PaymentAllocation,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = SalesOrderLine
    fields = [
        "line_no",
        "name",
        "spec",
        "quantity",
        "unit_price",
        "amount_incl",
        "passed_quantity",
        "released_quantity",
        "shipped_quantity",
        "delivered_quantity",
    ]
    readonly_fields = fields


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = ["order_line", "quantity", "delivered_quantity", "lot_no", "amount_incl"]
    readonly_fields = fields


class AllocationInline(ReadOnlyInline):
    model = PaymentAllocation
    fields = ["order", "amount"]
    readonly_fields = fields


@admin.register(SalesOrder)
class SalesOrderAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    search_fields = ["number", "project_name", "customer__name", "customer_po"]
    list_display = [
        "number",
        "customer",
        "owner",
        "status",
        "production_status",
        "amount_incl",
        "received_on",
        "promised_ship_date",
    ]
    list_filter = ["status", "production_status", "needs_reverification"]
    inlines = [OrderLineInline]


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["number", "order", "status", "amount_incl", "has_emergency_release", "shipped_at", "delivered_on"]
    list_filter = ["status", "has_emergency_release"]
    search_fields = ["number", "order__number", "tracking_no"]
    inlines = [ShipmentLineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["number", "bank_reference", "customer", "amount", "kind", "method", "status", "received_on", "confirmed_by"]
    list_filter = ["status", "kind", "method"]
    search_fields = ["number", "bank_reference", "customer__name"]
    inlines = [AllocationInline]


@admin.register(InvoiceRequest)
class InvoiceRequestAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["number", "order", "title", "invoice_type", "amount", "status", "invoice_numbers", "issued_on"]
    list_filter = ["status", "invoice_type"]
    search_fields = ["number", "order__number", "title", "invoice_numbers"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["order", "line", "lot_no", "quantity", "result", "qc_signed_by", "warehouse_signed_by"]
    list_filter = ["result"]
    search_fields = ["order__number", "lot_no"]


@admin.register(EmergencyRelease, CreditException, OrderChange)
class OtherOrderDocumentsAdmin(ReadOnlyMixin, admin.ModelAdmin):
    search_fields = ["order__number"]
