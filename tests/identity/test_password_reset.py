"""Forgotten password: the same answer for any phone, a code only to a real account, a new
password that lifts a lockout and ends every session."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from citizencloud.identity.models import LoginThrottle
from citizencloud.identity.services import throttle
from citizencloud.identity.services.signin import throttle_key
from citizencloud.kernel import clock, sms
from citizencloud.kernel.models import AuditEntry
from tests.identity.support import (
    PASSWORD,
    ZHANG,
    bearer,
    latest_code,
    register,
    run_tasks,
    sign_in,
)

pytestmark = pytest.mark.django_db
NEW = "another long pass phrase"


def post(path: str, body: dict[str, Any]) -> Any:
    return Client().post(path, body, content_type="application/json")


def test_reset_sets_a_new_password_unlocks_and_signs_out_everywhere() -> None:
    register(Client())
    token = sign_in(Client(), ZHANG["phone"])
    LoginThrottle.objects.create(
        scope="account",
        key=throttle_key(ZHANG["id_number"]),
        failures=100,
        window_started_at=clock.now(),
        locked_until=throttle.FOREVER,
    )
    assert post("/api/v1/password-reset", {"phone": ZHANG["phone"]}).status_code == 202
    run_tasks()
    code = latest_code(ZHANG["phone"])
    done = post(
        "/api/v1/password-reset/confirm",
        {"phone": ZHANG["phone"], "code": code, "new_password": NEW},
    )
    assert done.status_code == 204, done.content
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 401
    assert sign_in(Client(), ZHANG["id_number"], NEW)
    assert (
        post("/api/v1/session", {"login": ZHANG["phone"], "password": PASSWORD}).status_code == 401
    )
    assert AuditEntry.objects.filter(action="identity.password_reset").count() == 1
    again = post(
        "/api/v1/password-reset/confirm",
        {"phone": ZHANG["phone"], "code": code, "new_password": NEW + "!"},
    )
    assert again.status_code == 422


def test_an_unknown_phone_gets_the_same_answer_and_no_message() -> None:
    response = post("/api/v1/password-reset", {"phone": "13912340000"})
    assert response.status_code == 202
    run_tasks()
    assert sms.recent() == []
    refused = post(
        "/api/v1/password-reset/confirm",
        {"phone": "13912340000", "code": "123456", "new_password": NEW},
    )
    assert refused.status_code == 422


def test_a_weak_new_password_is_a_field_error() -> None:
    register(Client())
    post("/api/v1/password-reset", {"phone": ZHANG["phone"]})
    run_tasks()
    response = post(
        "/api/v1/password-reset/confirm",
        {
            "phone": ZHANG["phone"],
            "code": latest_code(ZHANG["phone"]),
            "new_password": "password",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "new_password"]


def test_reset_pages_work_without_javascript() -> None:
    register(Client())
    client = Client()
    assert client.get("/account/password-reset/").status_code == 200
    sent = client.post("/account/password-reset/", {"phone": ZHANG["phone"]})
    assert sent.status_code == 302
    run_tasks()
    done = client.post(
        "/account/password-reset/confirm/",
        {
            "phone": ZHANG["phone"],
            "code": latest_code(ZHANG["phone"]),
            "new_password": NEW,
        },
    )
    assert done.status_code == 302
    assert done["Location"] == "/account/login/"
