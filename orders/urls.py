from django.urls import path

from . import views
from .urls_work import urlpatterns as work_urlpatterns

app_name = "orders"
urlpatterns = [
    path("<int:pk>/", views.order_detail, name="order_detail"),
    *work_urlpatterns,
]
