from django.urls import path

from . import document_views, views

app_name = "contracts"
urlpatterns = [
    # quotations
    path("quotations/", views.quotation_list, name="quotation_list"),
    path("quotations/new/", views.quotation_create, name="quotation_create"),
    path("quotations/<int:pk>/", views.quotation_detail, name="quotation_detail"),
    path("quotations/<int:pk>/edit/", views.quotation_edit, name="quotation_edit"),
    # contracts
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/review/", views.contract_review, name="contract_review"),
    path("contracts/<int:pk>/upgrade/", views.contract_upgrade, name="contract_upgrade"),
    path("contracts/<int:pk>/sign/", views.contract_sign, name="contract_sign"),
    path("contracts/<int:pk>/change/", views.contract_change, name="contract_change"),
    path("contracts/<int:pk>/change/withdraw/", views.contract_change_withdraw, name="contract_change_withdraw"),
    path("contracts/<int:pk>/versions/<int:version>/", views.contract_version, name="contract_version"),
    # what a chosen product's line starts with (the line tables of the document and order forms)
    path("line-price/", views.line_price, name="line_price"),
    # formal documents (contracts/document_views.py)
    path("quotations/<int:pk>/pdf/", document_views.quotation_pdf, name="quotation_pdf"),
    path("quotations/<int:pk>/xlsx/", document_views.quotation_xlsx, name="quotation_xlsx"),
    path("contracts/<int:pk>/pdf/", document_views.contract_pdf, name="contract_pdf"),
    # status actions last: "<pk>/<action>/" must not shadow the routes above
    path("quotations/<int:pk>/<str:action>/", views.quotation_action, name="quotation_action"),
    path("contracts/<int:pk>/<str:action>/", views.contract_action, name="contract_action"),
]
