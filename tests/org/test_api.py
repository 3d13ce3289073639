"""GET /api/v1/regions, /departments, /service-points: paginated {"items", "count"}."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_regions_by_tier_and_parent(client: Client) -> None:
    body = client.get("/api/v1/regions?tier=district").json()
    assert body["count"] == 22
    assert len(body["items"]) == 22
    assert {"code", "name", "name_en", "tier", "parent"} <= set(body["items"][0])
    streets = client.get("/api/v1/regions?parent=510104").json()
    assert {r["name"] for r in streets["items"]} >= {"春熙路街道", "合江亭街道"}


def test_departments_of_a_region(client: Client) -> None:
    body = client.get("/api/v1/departments?region=510104&function=hrss").json()
    assert [d["code"] for d in body["items"]] == ["510104-hrss"]
    assert body["items"][0]["contacts"][0]["value"] == "12333"


def test_service_points_of_a_region_include_its_communities(client: Client) -> None:
    body = client.get("/api/v1/service-points?region=510104").json()
    kinds = {p["kind"] for p in body["items"]}
    assert kinds == {"hall", "community"}
    assert body["count"] == len(body["items"])


def test_unknown_region_and_bad_tier_are_problems(client: Client) -> None:
    response = client.get("/api/v1/service-points?region=999")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "org.region_not_found"
    assert client.get("/api/v1/regions?tier=planet").status_code == 422
