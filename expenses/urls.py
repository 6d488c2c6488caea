from django.urls import path

from . import views

app_name = "expenses"

urlpatterns = [
    path("", views.claim_list, name="claim_list"),
    path("new/", views.claim_create, name="claim_create"),
    path("<int:pk>/", views.claim_detail, name="claim_detail"),
    path("<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("<int:pk>/pay/", views.claim_pay, name="claim_pay"),
    path("<int:pk>/pdf/", views.claim_pdf, name="claim_pdf"),
    path("<int:pk>/<str:action>/", views.claim_action, name="claim_action"),
]
