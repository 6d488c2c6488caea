"""Routes of the work queues, shipments, invoices, payments and receivables pages (included by orders/urls.py)."""
urlpatterns = []
