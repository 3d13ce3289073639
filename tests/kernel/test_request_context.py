"""Request ids: honoured, created, echoed, and carried by every log line of the request."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.fixtures import LogCapture

pytestmark = pytest.mark.django_db


def test_a_given_request_id_is_echoed(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="trace-42.abc")
    assert response["X-Request-ID"] == "trace-42.abc"


def test_a_missing_request_id_is_created(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_a_hostile_request_id_is_replaced(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert response["X-Request-ID"].isalnum()


def test_the_request_id_is_in_the_access_log_and_problem_body(
    client: Client, logs: LogCapture
) -> None:
    response = client.get("/api/v1/nothing-here", HTTP_X_REQUEST_ID="req-7")
    assert json.loads(response.content)["request_id"] == "req-7"
    access = [line for line in logs.lines() if line.get("event") == "request"]
    assert access, logs.text
    assert access[-1]["request_id"] == "req-7"
    assert access[-1]["route"] == "<unmatched>"
    assert access[-1]["status"] == 404
