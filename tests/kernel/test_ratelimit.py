"""Sliding-window rate limits on the Django cache, per IP and per account."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, RequestFactory
from django.urls import path
from ninja.decorators import decorate_view

from citizencloud.kernel import ratelimit
from citizencloud.kernel.api import new_api
from citizencloud.kernel.ratelimit import Rate, hit, parse_rate, rate_limit

api = new_api(urls_namespace="ratelimit-tests")
ratelimit.install(api)


@api.post("/login")
@decorate_view(
    rate_limit(
        "tests.login",
        per_ip="5/m",
        per_account="3/m",
        account=lambda request: request.headers.get("X-Login-Name"),
    )
)
def login(request: HttpRequest) -> dict[str, bool]:
    return {"ok": True}


@api.get("/search")
def search(request: HttpRequest) -> dict[str, bool]:
    ratelimit.check("tests.search", ratelimit.client_ip(request), "2/m")  # from a service
    return {"ok": True}


@rate_limit("tests.page", per_ip="1/m")
def page(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("api/", api.urls), path("page/", page)]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def login_as(name: str, ip: str = "203.0.113.7") -> HttpResponse:
    return Client(REMOTE_ADDR=ip).post("/api/login", headers={"X-Login-Name": name})


def test_parse_rate() -> None:
    assert parse_rate("10/m") == Rate(10, 60)
    assert parse_rate("100/5m") == Rate(100, 300)
    assert parse_rate("3/h") == Rate(3, 3600)
    with pytest.raises(ValueError, match="bad rate"):
        parse_rate("3/w")


def test_the_window_slides_instead_of_resetting_at_the_boundary() -> None:
    rate, boundary = Rate(limit=10, window=60), 1_000_000 * 60
    for _ in range(10):
        assert hit("s", "k", rate, now=boundary - 10) == 0  # late in one window
    # Just after the boundary the previous window still counts almost fully: no new burst.
    wait = hit("s", "k", rate, now=boundary + 1)
    assert 1 <= wait <= 60
    # Halfway through, half of the previous window has slid out: about five more.
    allowed = sum(hit("s", "k", rate, now=boundary + 30) == 0 for _ in range(10))
    assert allowed == 4  # 10 x 0.5 + the refused one + 4 = 10


def test_over_the_account_limit_is_429_problem_json_with_retry_after() -> None:
    for _ in range(3):
        assert login_as("zhang").status_code == 200
    refused = login_as("zhang")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert int(refused["Retry-After"]) >= 1
    body = refused.json()
    assert body["code"] == "request.rate_limited"
    assert body["status"] == 429
    assert login_as("li").status_code == 200  # another account is not affected
    assert login_as(" ZHANG ").status_code == 429  # account names are normalised


def test_over_the_ip_limit_every_account_from_that_address_is_refused() -> None:
    statuses = [login_as(f"user{i}").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
    assert login_as("user9", ip="198.51.100.1").status_code == 200


def test_ipv6_clients_are_limited_per_64_prefix() -> None:
    factory = RequestFactory()
    one = factory.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    other = factory.get("/", REMOTE_ADDR="2001:db8:1:2:bbbb::9")
    assert ratelimit.client_ip(one) == ratelimit.client_ip(other) == "2001:db8:1:2::"
    assert ratelimit.client_ip(factory.get("/", REMOTE_ADDR="garbage")) == "unknown"


def test_a_service_can_raise_rate_limited_and_the_api_answers_429() -> None:
    client = Client(REMOTE_ADDR="192.0.2.5")
    assert [client.get("/api/search").status_code for _ in range(3)] == [200, 200, 429]
    assert "Retry-After" in client.get("/api/search")


def test_a_plain_view_can_be_limited(settings: object) -> None:
    client = Client(REMOTE_ADDR="192.0.2.9")
    assert client.get("/page/").status_code == 200
    assert client.get("/page/").status_code == 429
    settings.RATELIMIT_ENABLED = False  # type: ignore[attr-defined]
    assert client.get("/page/").status_code == 200


def test_cache_keys_do_not_carry_the_subject() -> None:
    hit("tests.keys", "13812345678", Rate(5, 60), now=600.0)
    store = cache._cache  # type: ignore[attr-defined]
    if isinstance(store, dict):  # local memory
        keys = list(store.keys())
    else:  # Redis
        keys = [key.decode() for key in store.get_client().keys("*")]
    assert keys
    assert not any("13812345678" in key for key in keys)
