from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("quotations/<int:pk>/", views.quotation_detail, name="quotation_detail"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
]
