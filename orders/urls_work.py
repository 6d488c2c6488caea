"""Routes of the work queues, shipments, invoices, payments and refunds, receivables and credit-note pages (included by orders/urls.py)."""

from django.urls import path

from . import document_views, work_views

urlpatterns = [
    # work queues
    path("work/clerk/", work_views.clerk_queue, name="clerk_queue"),
    path("work/finance/", work_views.finance_queue, name="finance_queue"),
    path("work/warehouse/", work_views.warehouse_queue, name="warehouse_queue"),
    path("inspections/<int:pk>/sign/", work_views.inspection_sign, name="inspection_sign"),
    # shipments
    path("shipments/", work_views.shipment_list, name="shipment_list"),
    path("shipments/new/<int:order_pk>/", work_views.shipment_create, name="shipment_create"),
    path("shipments/<int:pk>/", work_views.shipment_detail, name="shipment_detail"),
    path("shipments/<int:pk>/release/", work_views.shipment_release, name="shipment_release"),
    path("shipments/<int:pk>/ship/", work_views.shipment_ship, name="shipment_ship"),
    path("shipments/<int:pk>/deliver/", work_views.shipment_deliver, name="shipment_deliver"),
    path("shipments/<int:pk>/cancel/", work_views.shipment_cancel, name="shipment_cancel"),
    path("shipments/<int:pk>/receive-refused/", work_views.shipment_receive_refused, name="shipment_receive_refused"),
    path("shipments/<int:pk>/pdf/", document_views.shipment_pdf, name="shipment_pdf"),
    # payments
    path("payments/", work_views.payment_list, name="payment_list"),
    path("payments/new/", work_views.payment_create, name="payment_create"),
    path("payments/<int:pk>/", work_views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/confirm/", work_views.payment_confirm, name="payment_confirm"),
    path("payments/confirm-many/", work_views.payments_confirm_many, name="payments_confirm_many"),
    path("payments/<int:pk>/void/", work_views.payment_void, name="payment_void"),
    path("payments/refund/<int:order_pk>/", work_views.refund_create, name="refund_create"),
    # invoices
    path("invoices/", work_views.invoice_list, name="invoice_list"),
    path("invoices/new/<int:order_pk>/", work_views.invoice_create, name="invoice_create"),
    path("invoices/<int:pk>/", work_views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/issue/", work_views.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/cancel/", work_views.invoice_cancel, name="invoice_cancel"),
    # receivables
    path("receivables/", work_views.receivables, name="receivables"),
    # credit notes (红字冲减单)
    path("credit-notes/", work_views.credit_note_list, name="credit_note_list"),
]
