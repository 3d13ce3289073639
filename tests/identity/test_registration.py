"""Registration through the API: the code goes out after the commit through the SMS port, proves
the phone, and the account becomes active at L1. Bad input gets field errors, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from citizencloud.identity.models import Assurance, PendingRegistration, User
from citizencloud.kernel import clock, sms
from citizencloud.kernel.crypto import blind_index
from citizencloud.kernel.models import AuditEntry
from tests.identity.support import PASSWORD, WANG, ZHANG, latest_code, register, run_tasks

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(path, body, content_type="application/json", **headers)


def test_registration_answers_202_and_the_code_is_sent_only_by_the_task() -> None:
    client = Client()
    response = post(client, "/api/v1/citizens", {**ZHANG, "password": PASSWORD})
    assert response.status_code == 202
    assert response.json()["status"] == "code_sent"
    assert sms.recent() == []  # nothing leaves inside the request
    assert DBTaskResult.objects.count() == 1
    run_tasks()
    [message] = sms.recent()
    assert message["phone"] == ZHANG["phone"]
    assert message["code"] in message["text"]
    assert len(message["code"]) == 6


def test_the_code_activates_the_account_at_l1() -> None:
    client = Client()
    response = register(client)
    body = response.json()
    assert body["status"] == "active"
    assert body["assurance_level"] == 1
    user = User.objects.get(public_id=body["id"])
    assert user.assurance == Assurance.PHONE
    assert user.id_number == ZHANG["id_number"]
    assert user.phone == ZHANG["phone"]
    assert user.real_name == "张三"
    assert user.display_name == "张*"
    assert user.id_number_index == blind_index(ZHANG["id_number"])
    assert AuditEntry.objects.filter(action="identity.registered").count() == 1


def test_a_code_works_once() -> None:
    client = Client()
    post(client, "/api/v1/citizens", {**ZHANG, "password": PASSWORD})
    run_tasks()
    code = latest_code(ZHANG["phone"])
    first = post(client, "/api/v1/citizens/verify-phone", {"phone": ZHANG["phone"], "code": code})
    again = post(client, "/api/v1/citizens/verify-phone", {"phone": ZHANG["phone"], "code": code})
    assert first.status_code == 200
    assert again.status_code == 422
    assert again.json()["errors"][0]["loc"] == ["body", "code"]


def test_an_expired_code_is_refused() -> None:
    client = Client()
    start = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    with clock.frozen(start) as advance:
        post(client, "/api/v1/citizens", {**ZHANG, "password": PASSWORD})
        run_tasks()
        code = latest_code(ZHANG["phone"])
        advance(dt.timedelta(minutes=11))
        response = post(
            client, "/api/v1/citizens/verify-phone", {"phone": ZHANG["phone"], "code": code}
        )
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "code.invalid"


def test_five_wrong_codes_burn_the_registration() -> None:
    client = Client()
    post(client, "/api/v1/citizens", {**ZHANG, "password": PASSWORD})
    run_tasks()
    code = latest_code(ZHANG["phone"])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        bad = post(
            client, "/api/v1/citizens/verify-phone", {"phone": ZHANG["phone"], "code": wrong}
        )
        assert bad.status_code == 422
    late = post(client, "/api/v1/citizens/verify-phone", {"phone": ZHANG["phone"], "code": code})
    assert late.status_code == 422
    assert not User.objects.filter(phone_index=blind_index(ZHANG["phone"], "phone")).exists()


def test_a_new_registration_supersedes_the_old_code() -> None:
    client = Client()
    post(client, "/api/v1/citizens", {**ZHANG, "password": PASSWORD})
    run_tasks()
    old = latest_code(ZHANG["phone"])
    post(client, "/api/v1/citizens", {**ZHANG, "password": PASSWORD})
    run_tasks()
    new = latest_code(ZHANG["phone"])
    if old != new:
        stale = post(
            client, "/api/v1/citizens/verify-phone", {"phone": ZHANG["phone"], "code": old}
        )
        assert stale.status_code == 422
    ok = post(client, "/api/v1/citizens/verify-phone", {"phone": ZHANG["phone"], "code": new})
    assert ok.status_code == 200


def test_registering_a_known_phone_answers_the_same_and_texts_the_owner() -> None:
    client = Client()
    register(client)
    again = post(
        client, "/api/v1/citizens", {**WANG, "phone": ZHANG["phone"], "password": PASSWORD}
    )
    assert again.status_code == 202
    assert again.json()["status"] == "code_sent"
    run_tasks()
    newest = sms.recent()[0]
    assert newest["phone"] == ZHANG["phone"]
    assert newest["code"] == ""
    assert "已注册" in newest["text"]


def test_a_known_id_number_is_refused_only_after_the_phone_is_proven() -> None:
    client = Client()
    register(client)
    second = post(
        client,
        "/api/v1/citizens",
        {**WANG, "id_number": ZHANG["id_number"], "name": "张三", "password": PASSWORD},
    )
    assert second.status_code == 202
    run_tasks()
    code = latest_code(WANG["phone"])
    response = post(client, "/api/v1/citizens/verify-phone", {"phone": WANG["phone"], "code": code})
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "id_number.taken"
    assert User.objects.filter(id_number_index=blind_index(ZHANG["id_number"])).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "error_type"),
    [
        ("id_number", "510114200105071683", "id_number.checksum"),
        ("id_number", "51011420010507168", "id_number.format"),
        ("id_number", "510114200113071688", "id_number.birth_date"),
        ("id_number", "990114200105071680", "id_number.region"),
        ("phone", "1380000000", "phone.format"),
        ("phone", "+1 415 555 0100", "phone.format"),
        ("phone", "abc", "phone.format"),
        ("password", "short", "password.too_short"),
        ("password", "password123", "password.common"),
        ("password", "my-510114200105071682", "password.personal"),
        ("password", "call me on 13800000001", "password.personal"),
        ("password", "x" * 200, "password.too_long"),
        ("name", "1", "name.format"),
    ],
)
def test_bad_input_gets_a_field_error(field: str, value: str, error_type: str) -> None:
    from stdnum.cn import ric

    if field == "id_number" and error_type != "id_number.checksum" and len(value) == 18:
        value = value[:17] + ric.calc_check_digit(value)  # only the intended part is wrong
    response = post(Client(), "/api/v1/citizens", {**ZHANG, "password": PASSWORD, field: value})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert {"loc": ["body", field], "type": error_type} in [
        {"loc": e["loc"], "type": e["type"]} for e in errors
    ]
    assert PendingRegistration.objects.count() == 0


def test_field_errors_speak_chinese_by_default_and_english_on_request() -> None:
    body = {**ZHANG, "password": PASSWORD, "id_number": "510114200105071683"}
    zh = post(Client(), "/api/v1/citizens", body)
    en = post(Client(), "/api/v1/citizens", body, HTTP_ACCEPT_LANGUAGE="en")
    assert "校验" in zh.json()["errors"][0]["msg"]
    assert "check digit" in en.json()["errors"][0]["msg"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": None, "id_number": 5, "phone": [], "password": {}},
        {"name": "张三", "id_number": "\x00" * 18, "phone": "١٣٨٠٠٠٠٠٠٠١", "password": "𝔭" * 9},
        {"name": "x" * 5000, "id_number": "1", "phone": "1", "password": "p"},
    ],
)
def test_garbage_never_gives_a_500(body: dict[str, Any]) -> None:
    response = post(Client(), "/api/v1/citizens", body)
    assert response.status_code == 422


def test_verify_phone_with_garbage_is_a_field_error() -> None:
    response = post(Client(), "/api/v1/citizens/verify-phone", {"phone": "nope", "code": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "phone"]


def test_codes_per_phone_are_rate_limited() -> None:
    client = Client()
    statuses = [
        post(client, "/api/v1/citizens", {**ZHANG, "password": PASSWORD}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [202] * 5
    assert statuses[5] == 429


def test_stale_registrations_are_pruned_by_later_ones() -> None:
    start = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    with clock.frozen(start) as advance:
        post(Client(), "/api/v1/citizens", {**ZHANG, "password": PASSWORD})
        advance(dt.timedelta(days=2))
        post(Client(), "/api/v1/citizens", {**WANG, "password": PASSWORD})
    assert PendingRegistration.objects.count() == 1
