"""Correcting what the platform holds: the display name, and the mobile number (a code to the
NEW number, then the code and the password). Pages and API; audit free of the digits."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from citizencloud.identity.models import PhoneChange, User
from citizencloud.kernel import sms
from citizencloud.kernel.models import AuditEntry
from tests.identity.support import (
    PASSWORD,
    WANG,
    ZHANG,
    bearer,
    latest_code,
    register,
    run_tasks,
    sign_in,
)

pytestmark = pytest.mark.django_db
NEW_PHONE = "13700000002"


def api(token: str, method: str, path: str, body: dict[str, Any]) -> Any:
    call = getattr(Client(), method)
    return call(path, json.dumps(body), content_type="application/json", **bearer(token))


def _pk() -> int:
    from citizencloud.kernel.crypto import blind_index

    return User.objects.get(phone_index=blind_index(ZHANG["phone"], "phone")).pk


def test_api_changes_the_phone_after_code_and_password_and_tells_the_old_number() -> None:
    register(Client())
    user_pk = _pk()
    token = sign_in(Client(), ZHANG["phone"])
    started = api(token, "post", "/api/v1/me/phone", {"phone": "137 0000 0002"})
    assert started.status_code == 202, started.content
    assert all(m["phone"] != NEW_PHONE for m in sms.recent())  # nothing inside the request
    run_tasks()
    code = latest_code(NEW_PHONE)
    done = api(token, "post", "/api/v1/me/phone/confirm", {"code": code, "password": PASSWORD})
    assert done.status_code == 200, done.content
    assert done.json()["phone"] == "137****0002"
    user = User.objects.get(pk=user_pk)
    assert str(user.phone) == NEW_PHONE
    assert sign_in(Client(), NEW_PHONE)
    assert (
        Client()
        .post(
            "/api/v1/session",
            {"login": ZHANG["phone"], "password": PASSWORD},
            content_type="application/json",
        )
        .status_code
        == 401
    )
    run_tasks()
    notices = [m for m in sms.recent() if m["phone"] == ZHANG["phone"] and not m["code"]]
    assert len(notices) == 1  # the old number is told, without a code
    assert PhoneChange.objects.get().old_phone is None  # forgotten once told
    [entry] = AuditEntry.objects.filter(action="identity.phone_changed")
    text = json.dumps(model_to_dict(entry), default=str)
    for digits in (NEW_PHONE, ZHANG["phone"], NEW_PHONE[-4:] + NEW_PHONE[:3]):
        assert digits not in text
    again = api(token, "post", "/api/v1/me/phone/confirm", {"code": code, "password": PASSWORD})
    assert again.status_code == 422


def test_wrong_code_missing_password_and_wrong_password_are_refused() -> None:
    register(Client())
    token = sign_in(Client(), ZHANG["phone"])
    api(token, "post", "/api/v1/me/phone", {"phone": NEW_PHONE})
    run_tasks()
    code = latest_code(NEW_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    bad = api(token, "post", "/api/v1/me/phone/confirm", {"code": wrong, "password": PASSWORD})
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["type"] == "code.invalid"
    nopass = api(token, "post", "/api/v1/me/phone/confirm", {"code": code})
    assert nopass.status_code == 422
    assert nopass.json()["errors"][0]["type"] == "password.required"
    wrongpass = api(token, "post", "/api/v1/me/phone/confirm", {"code": code, "password": "x" * 9})
    assert wrongpass.json()["errors"][0]["type"] == "password.wrong"
    assert str(User.objects.get(pk=_pk()).phone) == ZHANG["phone"]
    assert not AuditEntry.objects.filter(action="identity.phone_changed").exists()


def test_an_expired_code_is_refused() -> None:
    register(Client())
    token = sign_in(Client(), ZHANG["phone"])
    api(token, "post", "/api/v1/me/phone", {"phone": NEW_PHONE})
    run_tasks()
    code = latest_code(NEW_PHONE)
    PhoneChange.objects.update(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    late = api(token, "post", "/api/v1/me/phone/confirm", {"code": code, "password": PASSWORD})
    assert late.status_code == 422
    assert late.json()["errors"][0]["type"] == "code.invalid"


def test_a_number_of_another_account_is_refused_without_saying_whose() -> None:
    register(Client())
    register(Client(), WANG)
    token = sign_in(Client(), ZHANG["phone"])
    taken = api(token, "post", "/api/v1/me/phone", {"phone": WANG["phone"]})
    assert taken.status_code == 422
    body = taken.content.decode()
    assert taken.json()["errors"][0]["type"] == "phone.taken"
    assert WANG["name"] not in body
    assert "王" not in body
    assert PhoneChange.objects.count() == 0
    bad = api(token, "post", "/api/v1/me/phone", {"phone": "12345"})
    assert bad.json()["errors"][0]["type"] == "phone.format"


def test_code_sends_are_rate_limited(settings: Any) -> None:
    settings.RATELIMIT_ENABLED = True
    settings.IDENTITY_CODE_RATE = "2/h"
    register(Client())
    token = sign_in(Client(), ZHANG["phone"])
    statuses = [
        api(token, "post", "/api/v1/me/phone", {"phone": NEW_PHONE}).status_code for _ in range(3)
    ]
    assert statuses == [202, 202, 429]


def test_api_display_name_is_validated_and_audited() -> None:
    register(Client())
    token = sign_in(Client(), ZHANG["phone"])
    done = api(token, "patch", "/api/v1/me/profile", {"display_name": "  小张  "})
    assert done.status_code == 200, done.content
    assert done.json()["display_name"] == "小张"
    assert User.objects.get(pk=_pk()).display_name == "小张"
    assert AuditEntry.objects.filter(action="identity.display_name_changed").count() == 1
    for bad in ("   ", "x" * 51):
        refused = api(token, "patch", "/api/v1/me/profile", {"display_name": bad})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["type"] == "display_name.length"
    assert (
        Client().patch("/api/v1/me/profile", "{}", content_type="application/json").status_code
        == 401
    )


def login_page(client: Client, login: str = ZHANG["phone"]) -> None:
    response = client.post("/account/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302


def test_correct_page_lists_editable_items_masked_and_what_is_not_ours() -> None:
    register(Client())
    client = Client()
    login_page(client)
    page = client.get("/me/privacy/correct/").content.decode()
    assert "138****0001" in page
    assert ZHANG["phone"] not in page
    assert ZHANG["id_number"] not in page
    assert "/account/phone/" in page
    assert 'name="display_name"' in page
    assert "household registration office" in page or "户籍" in page


def test_pages_change_display_name_and_phone_with_post_redirect_get() -> None:
    register(Client())
    user_pk = _pk()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_page(client)
    saved = client.post(
        "/account/profile/", {"display_name": "Zhang", "next": "/me/privacy/correct/"}
    )
    assert saved.status_code == 302
    assert saved["Location"] == "/me/privacy/correct/"
    assert "Zhang" in client.get("/me/privacy/correct/").content.decode()
    empty = client.post("/account/profile/", {"display_name": "  "})
    assert empty.status_code == 200
    assert "field-error" in empty.content.decode()

    taken = client.post("/account/phone/", {"phone": ZHANG["phone"]})
    assert taken.status_code == 200
    assert "field-error" in taken.content.decode()
    sent = client.post("/account/phone/", {"phone": NEW_PHONE})
    assert sent.status_code == 302
    assert sent["Location"] == "/account/phone/confirm/?sent=1"
    run_tasks()
    code = latest_code(NEW_PHONE)
    nopass = client.post("/account/phone/confirm/", {"code": code, "password": ""})
    assert nopass.status_code == 200
    assert "field-error" in nopass.content.decode()
    wrong = client.post("/account/phone/confirm/", {"code": "999999x", "password": PASSWORD})
    assert wrong.status_code == 200
    assert "field-error" in wrong.content.decode()
    done = client.post("/account/phone/confirm/", {"code": code, "password": PASSWORD})
    assert done.status_code == 302, done.content.decode()[:2000]
    assert str(User.objects.get(pk=user_pk).phone) == NEW_PHONE
    assert "137****0002" in client.get("/me/privacy/correct/").content.decode()


def test_page_errors_are_in_chinese_by_default() -> None:
    register(Client())
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    login_page(client)
    refused = client.post("/account/phone/", {"phone": "12345"}).content.decode()
    assert "手机号" in refused
