"""The real URLs plus a few views that fail on purpose, to test error shapes end to end."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import Schema

from citizencloud.kernel.api import new_api
from citizencloud.kernel.errors import DomainError
from citizencloud.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

probe_api = new_api(urls_namespace="probe", docs_url=None)


class ApplicationIn(Schema):
    service_code: str
    copies: int


@probe_api.post("/applications")
def submit(request: HttpRequest, body: ApplicationIn) -> dict[str, object]:
    if body.service_code == "closed":
        raise DomainError("This service is closed.", code="applications.closed", status=409)
    return {"service_code": body.service_code, "copies": body.copies}


@probe_api.get("/boom")
def boom(request: HttpRequest) -> None:
    raise RuntimeError("secret internals: 110101199003077777")


def page_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("page exploded")


def page_half_write(request: HttpRequest) -> HttpResponse:
    from citizencloud.identity.models import User

    User.objects.create_user("half.written", "Half-Written-2026")
    raise DomainError("The second half failed.", code="tests.half_write", status=409)


def page_domain_error(request: HttpRequest) -> HttpResponse:
    raise DomainError("Bookings open at 08:00.", code="booking.not_open", status=409)


urlpatterns = [
    *urlpatterns,
    path("api/probe/", probe_api.urls),
    path("probe/boom/", page_boom),
    path("probe/domain-error/", page_domain_error),
    path("probe/half-write/", page_half_write),
]
