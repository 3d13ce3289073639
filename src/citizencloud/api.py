"""The JSON API at /api/v1: one NinjaAPI; each app contributes its router here."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Schema

from citizencloud import __version__
from citizencloud.applications.api import router as applications_router
from citizencloud.booking.api import router as booking_router
from citizencloud.campaigns.api import router as campaigns_router
from citizencloud.catalog.api import router as catalog_router
from citizencloud.identity.api import router as identity_router
from citizencloud.kernel import ratelimit
from citizencloud.kernel.api import new_api
from citizencloud.kernel.transparency_api import router as transparency_router
from citizencloud.notifications.api import router as notifications_router
from citizencloud.org.api import router as org_router
from citizencloud.payments.api import router as payments_router
from citizencloud.privacy.api import router as privacy_router

api = new_api(
    title="citizencloud API",
    version="1",
    description="One account, one network for a city's services (一号通行，一网通办).",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
ratelimit.install(api)
api.add_router("/", transparency_router)
api.add_router("/", privacy_router)
api.add_router("/", identity_router)
api.add_router("/", payments_router)
api.add_router("/", notifications_router)
api.add_router("/", campaigns_router)


class MetaOut(Schema):
    name: str
    version: str


@api.get("/meta", response=MetaOut, tags=["platform"], summary="Platform name and version")
def meta(request: HttpRequest) -> MetaOut:
    return MetaOut(name="citizencloud", version=__version__)


api.add_router("", org_router)
api.add_router("", catalog_router)
api.add_router("", applications_router)
api.add_router("", booking_router)


from citizencloud.query.api import router as query_router  # noqa: E402

api.add_router("", query_router)
