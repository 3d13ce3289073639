"""URL composition: every app's pages and the one API."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from citizencloud import pages
from citizencloud.api import api
from citizencloud.booking import api as booking_api
from citizencloud.identity import views as identity_views
from citizencloud.kernel import dev_views
from citizencloud.kernel import views as kernel_views
from citizencloud.kernel.api import outside_request_transaction
from citizencloud.query import api as query_api

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

# Routes that open their own short transactions instead of ATOMIC_REQUESTS: booking's release
# rush answers "full" before taking a write lock (docs/booking.md, ADR 0012); 查 asks a
# department with no transaction held (ADR 0015).
outside_request_transaction(
    urlpatterns,
    "api/v1/",
    [*booking_api.OUTSIDE_REQUEST_TRANSACTION, *query_api.OUTSIDE_REQUEST_TRANSACTION],
)
