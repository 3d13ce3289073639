"""Language negotiation, CSRF, security headers, the API shell and static files."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept", "lang", "heading"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans", "一号通行，一网通办"),
        ("zh-TW,zh;q=0.9", "zh-Hans", "一号通行，一网通办"),
        ("zh-Hans", "zh-Hans", "一号通行，一网通办"),
        ("en-US,en;q=0.9", "en", "One account for everything"),
        ("fr-FR,fr;q=0.9", "zh-Hans", "一号通行，一网通办"),
        ("", "zh-Hans", "一号通行，一网通办"),
    ],
)
def test_accept_language_is_negotiated(
    client: Client, accept: str, lang: str, heading: str
) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    text = response.content.decode()
    assert f'<html lang="{lang}">' in text
    assert heading in text


def test_the_language_choice_is_remembered(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/help/report/"})
    assert response.status_code == 302
    assert response["Location"] == "/help/report/"
    assert response.cookies["django_language"].value == "en"
    again = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en">' in again.content.decode()


def test_a_form_post_without_csrf_token_is_refused_politely() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()


def test_a_form_post_with_the_csrf_token_is_accepted() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = client.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_security_headers_on_every_page(client: Client) -> None:
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    directives = dict(
        ([*part.split(" ", 1), ""])[:2] for part in (p.strip() for p in csp.split(";")) if part
    )
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # development: no HSTS


def test_hsts_in_production_settings(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_session_and_csrf_cookies_are_http_only(client: Client) -> None:
    response = client.get("/")
    assert response.cookies["csrftoken"]["httponly"]
    assert response.cookies["csrftoken"]["samesite"] == "Lax"


def test_openapi_and_local_docs(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "citizencloud API"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_vendored_htmx_is_served_locally(client: Client) -> None:
    page = client.get("/").content.decode()
    assert 'src="/static/vendor/htmx/htmx.min.js"' in page
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
    static = client.get("/static/vendor/htmx/htmx.min.js")
    assert static.status_code == 200
    assert b"htmx" in b"".join(static.streaming_content)  # type: ignore[attr-defined]


def test_report_a_problem_is_linked_from_every_page(client: Client) -> None:
    for path in ("/", "/help/report/", "/no-such-page/"):
        assert 'href="/help/report/"' in client.get(path).content.decode()
