from django.urls import path, re_path

from . import statement_views, views
from .urls_work import urlpatterns as work_urlpatterns

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("new/", views.order_create, name="order_create"),
    path("new/from-contract/<int:contract_pk>/", views.order_create_from_contract, name="order_create_from_contract"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("<int:pk>/checks/", views.order_checks, name="order_checks"),
    path("<int:pk>/verify/", views.order_verify, name="order_verify"),
    path("<int:pk>/place/", views.order_place, name="order_place"),
    path("<int:pk>/production/", views.order_production, name="order_production"),
    path("<int:pk>/inspections/", views.order_inspection, name="order_inspection"),
    path("<int:pk>/inspections/<int:inspection_pk>/sign/", views.order_inspection_sign, name="order_inspection_sign"),
    path("<int:pk>/emergency-release/", views.order_emergency_release, name="order_emergency_release"),
    path("<int:pk>/credit-exception/", views.order_credit_exception, name="order_credit_exception"),
    re_path(
        r"^(?P<pk>[0-9]+)/(?P<kind>credit-exceptions|emergency-releases)/(?P<request_pk>[0-9]+)/withdraw/$",
        views.order_request_withdraw,
        name="order_request_withdraw",
    ),
    re_path(
        r"^(?P<pk>[0-9]+)/(?P<action>close|close_short|cancel|acknowledge_contract)/$", views.order_action, name="order_action"
    ),
    path("statements/<int:customer_pk>/", statement_views.statement, name="statement"),
    re_path(
        r"^statements/(?P<customer_pk>[0-9]+)/(?P<fmt>pdf|xlsx)/$", statement_views.statement_download, name="statement_download"
    ),
    *work_urlpatterns,
]
