"""GET /api/v1/themes, /services, /services/{code}, /life-events."""

from __future__ import annotations

import pytest
from django.test import Client

from citizencloud.catalog import services
from citizencloud.catalog.models import Service

pytestmark = pytest.mark.django_db


def test_themes_are_paginated_with_counts(client: Client) -> None:
    body = client.get("/api/v1/themes").json()
    assert body["count"] >= 10
    assert len(body["items"]) == body["count"]
    assert all(theme["service_count"] >= 10 for theme in body["items"])


def test_search_answers_items_and_count(client: Client) -> None:
    body = client.get("/api/v1/services", {"q": "gjj"}).json()
    assert set(body) == {"items", "count"}
    assert body["items"][0]["code"] == "gjj-withdraw-purchase"
    assert body["items"][0]["department"]["code"] == "cd-gjj"
    assert body["items"][0]["url"] == "/services/gjj-withdraw-purchase/"


def test_search_pages_through_everything(client: Client) -> None:
    first = client.get("/api/v1/services").json()
    assert first["count"] >= 180
    assert len(first["items"]) == 20
    last_page = (first["count"] + 19) // 20
    last = client.get("/api/v1/services", {"page": last_page}).json()
    assert 0 < len(last["items"]) <= 20


def test_search_filters(client: Client) -> None:
    body = client.get(
        "/api/v1/services",
        {"theme": "huji", "tier": "district", "verb": "apply", "audience": "citizen"},
    ).json()
    assert body["count"] > 0
    assert all(i["theme"] == "huji" and i["tier"] == "district" for i in body["items"])


@pytest.mark.parametrize(
    "query", ['"', "*", "NEAR(", "((", "公积金 OR", "'; --", "%", "x" * 200, ""]
)
def test_awkward_queries_answer_200(client: Client, query: str) -> None:
    assert client.get("/api/v1/services", {"q": query}).status_code == 200


def test_a_huge_query_is_a_400_problem(client: Client) -> None:
    response = client.get("/api/v1/services", {"q": "公" * 201})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "catalog.query_too_long"


def test_a_bad_filter_is_a_422(client: Client) -> None:
    assert client.get("/api/v1/services", {"verb": "steal"}).status_code == 422


def test_a_service_with_its_guide(client: Client) -> None:
    body = client.get("/api/v1/services/hj-residence-permit").json()
    assert body["name"] == "居住证申领"
    guide = body["guide"]
    assert guide["materials"][0]["name"] == "居民身份证"
    assert {"statutory_days", "promised_days"} == set(guide["time_limit"])
    assert body["version"] >= 1
    assert body["service_points"]


def test_an_unknown_code_is_a_404_with_suggestions(client: Client) -> None:
    response = client.get("/api/v1/services/hj-residence-permt")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "catalog.service_not_found"
    assert "hj-residence-permit" in body["suggestions"]


def test_a_merged_service_redirects_to_its_successor(client: Client) -> None:
    old = Service.objects.get(code="gjj-account-merge")
    services.retire(
        service=old, editor=None, note="并入", successor=Service.objects.get(code="gjj-transfer")
    )
    response = client.get("/api/v1/services/gjj-account-merge")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/services/gjj-transfer"


def test_history_is_public(client: Client) -> None:
    body = client.get("/api/v1/services/gjj-transfer/history").json()
    assert body[0]["number"] >= 1
    assert body[0]["change_note"]


def test_life_events_list_services_in_order(client: Client) -> None:
    body = client.get("/api/v1/life-events").json()
    assert body["count"] >= 8
    birth = next(e for e in body["items"] if e["code"] == "birth")
    codes = [s["service"] for s in birth["steps"]]
    assert codes.index("jk-birth-certificate") < codes.index("hj-newborn-registration")
    assert [s["position"] for s in birth["steps"]] == list(range(1, len(codes) + 1))


def test_openapi_lists_the_catalog(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/themes",
        "/api/v1/services",
        "/api/v1/services/{code}",
        "/api/v1/life-events",
        "/api/v1/regions",
        "/api/v1/departments",
        "/api/v1/service-points",
    ):
        assert path in paths
