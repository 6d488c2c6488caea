"""Root URLs: pages, /api/v1/, /api/schema/, /admin/, /accounts/."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from aftersales import api as aftersales_api
from catalog import api as catalog_api
from contracts import api as contracts_api
from customers import api as customers_api
from expenses import api as expenses_api
from market import api as market_api
from orders import api as orders_api
from plans import api as plans_api
from reports import api as reports_api
from reports import appraisal_api
from reports import run_api as report_run_api
from reports import views as report_views
from salesops.core import account_views
from salesops.core import api_views as core_api
from salesops.core import views as core_views
from salesops.core.api import Router

router = Router()
for module in (
    core_api,
    customers_api,
    catalog_api,
    contracts_api,
    orders_api,
    aftersales_api,
    expenses_api,
    reports_api,
    report_run_api,
    appraisal_api,
    plans_api,
    market_api,
):
    module.register(router)

urlpatterns = [
    path("", report_views.dashboard, name="dashboard"),
    path("core/", include("salesops.core.urls")),
    path("customers/", include("customers.urls")),
    path("catalog/", include("catalog.urls")),
    path("sales/", include("contracts.urls")),
    path("orders/", include("orders.urls")),
    path("aftersales/", include("aftersales.urls")),
    path("expenses/", include("expenses.urls")),
    path("reports/", include("reports.urls")),
    path("plans/", include("plans.urls")),
    path("market/", include("market.urls")),
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", account_views.account, name="account"),
    path("accounts/profile/token/", account_views.account_token, name="account_token"),
    path("accounts/profile/token/revoke/", account_views.account_token_revoke, name="account_token_revoke"),
    path("accounts/profile/sign-ins/<int:pk>/sign-out/", account_views.sign_out_device, name="sign_out_device"),
    path("accounts/profile/sign-ins/sign-out-others/", account_views.sign_out_others, name="sign_out_others"),
    path("accounts/password/", account_views.password_change, name="password_change"),
    path("accounts/password/forgotten/", account_views.password_forgotten, name="password_forgotten"),
    path(
        "accounts/password/reset/<str:uidb64>/<str:token>/",
        account_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("i18n/setlang/", account_views.language_switch, name="set_language"),
    path("api/v1/", include(router.urls)),
    path("api/v1/", include("salesops.core.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # any other address under /api/ answers the API's 404, also with DEBUG on (not Django's HTML page); only addresses
    # ending in "/", so one without it is still redirected to its "/" form first (APPEND_SLASH)
    re_path(r"^api/.*/$", core_views.api_address_unknown),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
handler404 = "salesops.core.views.page_not_found"
