"""Liveness, readiness (database, cache, worker heartbeat) and metrics labels."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client

from citizencloud.kernel import clock
from citizencloud.kernel import worker as worker_support

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_dependencies(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_database_cache_and_worker_answer(client: Client) -> None:
    worker_support.beat("worker-test", clock.now())
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": True, "cache": True, "worker": True}


def test_not_ready_without_a_live_worker(client: Client) -> None:
    five_minutes_ago = clock.now() - dt.timedelta(minutes=5)
    with clock.frozen(five_minutes_ago):
        worker_support.beat("worker-old", five_minutes_ago)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] is False


def reset_connection(pooled: bool) -> None:
    connection.close()
    if pooled:
        connection.close_pool()  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_not_ready_when_the_database_is_unreachable(client: Client) -> None:
    worker_support.beat("worker-test", clock.now())
    saved = copy.deepcopy(connection.settings_dict)
    pooled = connection.vendor == "postgresql"
    reset_connection(pooled)
    if pooled:
        connection.settings_dict["NAME"] = "citizencloud_no_such_database"
        connection.settings_dict["OPTIONS"]["pool"]["timeout"] = 1
    else:
        connection.settings_dict["NAME"] = "/nonexistent/directory/db.sqlite3"
    try:
        response = client.get("/readyz")
    finally:
        reset_connection(pooled)
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] is False
    assert body["checks"]["worker"] is False


def test_metrics_are_labelled_by_route_template_never_raw_path(client: Client) -> None:
    client.get("/api/v1/meta")
    client.get("/api/v1/meta")
    client.get("/a/raw/path/with-a-secret-110101199003077777")
    text = client.get("/metrics").content.decode()
    assert 'route="/api/v1/meta"' in text
    assert 'route="<unmatched>"' in text
    assert "with-a-secret" not in text
    assert "citizencloud_http_request_duration_seconds_bucket" in text
    meta = [
        line
        for line in text.splitlines()
        if line.startswith("citizencloud_http_requests_total{")
        and 'route="/api/v1/meta"' in line
        and 'status="200"' in line
    ]
    assert meta
    assert float(meta[0].rsplit(" ", 1)[1]) >= 2
