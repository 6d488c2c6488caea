from django.urls import path

from . import views

app_name = "market"

urlpatterns = [
    path("", views.info_list, name="info_list"),
    path("new/", views.info_create, name="info_create"),
    path("competitors/", views.competitors, name="competitors"),
    path("<int:pk>/", views.info_detail, name="info_detail"),
    path("<int:pk>/edit/", views.info_edit, name="info_edit"),
    path("<int:pk>/<str:action>/", views.info_action, name="info_action"),
]
