from django.urls import path

from . import document_views, views

app_name = "contracts"
urlpatterns = [
    path("quotations/<int:pk>/", views.quotation_detail, name="quotation_detail"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    # formal documents (contracts/document_views.py)
    path("quotations/<int:pk>/pdf/", document_views.quotation_pdf, name="quotation_pdf"),
    path("quotations/<int:pk>/xlsx/", document_views.quotation_xlsx, name="quotation_xlsx"),
    path("contracts/<int:pk>/pdf/", document_views.contract_pdf, name="contract_pdf"),
]
