"""``kernel.api.outside_request_transaction``: which API routes run without ATOMIC_REQUESTS."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path, resolve
from ninja import Router

from citizencloud.kernel.api import new_api, outside_request_transaction


def _marked(callback: object) -> bool:
    return getattr(callback, "_non_atomic_requests", set()) == {"default"}


def test_an_exact_route_and_a_prefix_are_marked_and_nothing_else() -> None:
    router = Router()

    @router.post("/things")
    def things(request: HttpRequest) -> dict[str, str]:
        return {}

    @router.post("/things/{thing}")
    def thing(request: HttpRequest, thing: str) -> dict[str, str]:
        return {}

    @router.get("/mine/records/{kind}")
    def record(request: HttpRequest, kind: str) -> dict[str, str]:
        return {}

    api = new_api(urls_namespace="outside-test")
    api.add_router("/", router)
    patterns = [path("api/v9/", api.urls)]
    outside_request_transaction(patterns, "api/v9/", ["things", "mine/records/"])
    routes = {str(r.pattern): r.callback for r in patterns[0].url_patterns}
    assert _marked(routes["things"])
    assert _marked(routes["mine/records/<kind>"])
    assert not _marked(routes["things/<thing>"])


def test_the_projects_rush_and_department_routes_run_outside_the_request_transaction() -> None:
    assert _marked(resolve("/api/v1/bookings").func)
    assert _marked(resolve("/api/v1/me/records/housing_fund").func)
    assert not _marked(resolve("/api/v1/bookings/some-booking").func)
    assert not _marked(resolve("/api/v1/me/profile").func)
