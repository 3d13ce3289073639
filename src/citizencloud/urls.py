"""URL composition: every app's pages and the one API."""

from django.contrib import admin
from django.db import transaction
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from citizencloud import pages
from citizencloud.api import api
from citizencloud.booking.api import run_rush_routes_outside_request_transaction
from citizencloud.identity import views as identity_views
from citizencloud.kernel import dev_views
from citizencloud.kernel import views as kernel_views

handler400 = "citizencloud.kernel.views.bad_request"
handler403 = "citizencloud.kernel.views.permission_denied"
handler404 = "citizencloud.kernel.views.page_not_found"
handler500 = "citizencloud.kernel.views.server_error"

urlpatterns = [
    path("", pages.home, name="home"),
    path("help/report/", pages.report_problem, name="report-problem"),
    path("", include("citizencloud.catalog.urls")),
    path("", include("citizencloud.applications.urls")),
    path("healthz", kernel_views.healthz, name="healthz"),
    path("readyz", kernel_views.readyz, name="readyz"),
    path("metrics", kernel_views.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("me/notifications/", include("citizencloud.notifications.urls")),
    path("pay/", include("citizencloud.payments.urls")),
    path("me/privacy/", include("citizencloud.privacy.urls")),
    path("dev/sms", dev_views.sms_page, name="dev-sms"),
    path("dev/sms.json", dev_views.sms_json, name="dev-sms-json"),
    path("account/", include("citizencloud.identity.urls")),
    path("", include("citizencloud.identity.oidc_urls")),
    path("admin/login/", identity_views.admin_login),
    path("campaigns/", include("citizencloud.campaigns.urls")),
    path("booking/", include("citizencloud.booking.urls")),
    path("admin/", admin.site.urls),
    path("me/", include("citizencloud.query.urls")),
    path("exchange/v1/", include("citizencloud.exchange.urls")),
]

# booking's release rush: POST /api/v1/bookings answers "full" before taking a write lock
# (docs/booking.md, ADR 0012).
run_rush_routes_outside_request_transaction(urlpatterns)

# 查: GET /api/v1/me/records/<kind> asks a department, so like the 我的 page it runs without a
# request transaction: none is held while the department answers (ADR 0015).
for _resolver in urlpatterns:
    if str(getattr(_resolver, "pattern", "")) == "api/v1/":
        for _route in getattr(_resolver, "url_patterns", []):
            if str(getattr(_route, "pattern", "")).startswith("me/records/"):
                transaction.non_atomic_requests(_route.callback)
