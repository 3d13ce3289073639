"""Every bad input gets a clear answer in the right shape, never a bare 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client

PROBLEM = "application/problem+json"
pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.kernel.urls_for_tests")]


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def problem_of(response) -> dict:  # type: ignore[no-untyped-def]
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == response.status_code
    assert body["type"].endswith(body["code"])
    assert body["title"]
    return body


def test_unknown_api_route_is_a_404_problem(client: Client) -> None:
    body = problem_of(client.get("/api/v1/no-such-thing"))
    assert body["code"] == "request.not_found"
    assert body["instance"] == "/api/v1/no-such-thing"


def test_unknown_page_is_a_localized_404_page(client: Client) -> None:
    zh = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert zh.status_code == 404
    assert zh["Content-Type"].startswith("text/html")
    assert "页面不存在" in zh.content.decode()
    en = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Not found" in en.content.decode()


def test_wrong_method_is_405_with_allow(client: Client) -> None:
    api = client.delete("/api/v1/meta")
    assert api.status_code == 405
    assert problem_of(api)["code"] == "request.method_not_allowed"
    assert "GET" in api["Allow"]
    page = client.post("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 405
    assert "Method not allowed" in page.content.decode()


def test_malformed_json_is_422_with_position(client: Client) -> None:
    response = client.post(
        "/api/probe/applications", data=b'{"service_code": "x",', content_type="application/json"
    )
    assert response.status_code == 422
    body = problem_of(response)
    assert body["code"] == "request.malformed_json"
    assert body["errors"][0]["loc"] == ["body"]
    assert "line 1" in body["errors"][0]["msg"]


def test_schema_violation_is_422_with_field_errors(client: Client) -> None:
    response = client.post(
        "/api/probe/applications",
        data=json.dumps({"service_code": "residence-permit", "copies": "many"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = problem_of(response)
    assert body["code"] == "request.validation_failed"
    assert body["errors"][0]["loc"] == ["body", "body", "copies"]
    assert body["errors"][0]["type"] == "int_parsing"


def test_invalid_utf8_is_400(client: Client) -> None:
    response = client.post(
        "/api/probe/applications",
        data=b'{"service_code": "\xff\xfe", "copies": 1}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert problem_of(response)["code"] == "request.invalid_encoding"


def test_oversized_body_is_413_before_it_is_read(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAX_BODY_BYTES = 1024
    response = client.post(
        "/api/probe/applications", data=b"x" * 2048, content_type="application/json"
    )
    assert response.status_code == 413
    assert problem_of(response)["code"] == "request.too_large"


def test_domain_error_on_the_api_is_its_problem(client: Client) -> None:
    response = client.post(
        "/api/probe/applications",
        data=json.dumps({"service_code": "closed", "copies": 1}),
        content_type="application/json",
    )
    assert response.status_code == 409
    body = problem_of(response)
    assert body["code"] == "applications.closed"
    assert body["detail"] == "This service is closed."


def test_domain_error_on_a_page_shows_the_message(client: Client) -> None:
    response = client.get("/probe/domain-error/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "Bookings open at 08:00." in response.content.decode()


def test_unexpected_api_error_is_a_500_problem_without_internals(client: Client) -> None:
    response = client.get("/api/probe/boom")
    assert response.status_code == 500
    body = problem_of(response)
    assert body["code"] == "request.internal_error"
    assert "secret internals" not in response.content.decode()
    assert body["request_id"] == response["X-Request-ID"]


def test_unexpected_page_error_is_a_localized_500_page(client: Client) -> None:
    response = client.get("/probe/boom/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统内部错误" in text
    assert "page exploded" not in text
    assert response["X-Request-ID"] in text


def test_an_unknown_host_is_a_400_in_the_right_shape(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ALLOWED_HOSTS = ["gov.example.cn"]
    api = client.get("/api/v1/meta", HTTP_HOST="evil.example")
    assert api.status_code == 400
    assert problem_of(api)["code"] == "request.bad_request"
    page = client.get("/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "Bad request" in page.content.decode()
