"""TOTP enrolment through the API, sign-in with the second factor, replay, recovery codes, and
staff held at enrolment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
import pytest
from django.test import Client

from citizencloud.identity.models import RecoveryCode, User
from citizencloud.kernel import clock
from citizencloud.kernel.models import AuditEntry
from tests.identity.support import PASSWORD, ZHANG, bearer, register, sign_in

pytestmark = pytest.mark.django_db
START = dt.datetime.now(dt.UTC)


def post(client: Client, path: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return client.post(path, body or {}, content_type="application/json", **headers)


def enrol(token: str) -> tuple[pyotp.TOTP, list[str]]:
    started = post(Client(), "/api/v1/me/mfa/totp", **bearer(token))
    assert started.status_code == 200, started.content
    body = started.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    assert body["qr_svg_data_uri"].startswith("data:image/svg+xml")
    totp = pyotp.TOTP(body["secret"])
    confirmed = post(
        Client(), "/api/v1/me/mfa/totp/confirm", {"code": totp.at(clock.now())}, **bearer(token)
    )
    assert confirmed.status_code == 200, confirmed.content
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10
    return totp, codes


@pytest.fixture
def zhang() -> User:
    register(Client())
    return User.objects.get(username__startswith="c-")


def test_enrol_then_sign_in_needs_the_code(zhang: User) -> None:
    with clock.frozen(START) as advance:
        token = sign_in(Client(), ZHANG["phone"])
        totp, _ = enrol(token)
        assert AuditEntry.objects.filter(action="identity.mfa_enrolled").count() == 1
        login = {"login": ZHANG["phone"], "password": PASSWORD}
        missing = post(Client(), "/api/v1/session", login)
        assert missing.status_code == 401
        assert missing.json()["code"] == "identity.mfa_required"
        advance(dt.timedelta(seconds=30))
        code = totp.at(clock.now())
        ok = post(Client(), "/api/v1/session", {**login, "otp": code})
        assert ok.status_code == 200
        replay = post(Client(), "/api/v1/session", {**login, "otp": code})
        assert replay.status_code == 401
        assert replay.json()["code"] == "identity.bad_otp"
        me = Client().get("/api/v1/me", **bearer(ok.json()["token"])).json()
        assert me["mfa_enabled"] is True


def test_a_wrong_first_code_does_not_enrol(zhang: User) -> None:
    token = sign_in(Client(), ZHANG["phone"])
    post(Client(), "/api/v1/me/mfa/totp", **bearer(token))
    bad = post(Client(), "/api/v1/me/mfa/totp/confirm", {"code": "000000"}, **bearer(token))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["body", "code"]
    assert Client().get("/api/v1/me", **bearer(token)).json()["mfa_enabled"] is False


def test_recovery_codes_work_once(zhang: User) -> None:
    with clock.frozen(START):
        token = sign_in(Client(), ZHANG["phone"])
        _, codes = enrol(token)
    login = {"login": ZHANG["phone"], "password": PASSWORD, "otp": codes[0]}
    assert post(Client(), "/api/v1/session", login).status_code == 200
    assert post(Client(), "/api/v1/session", login).status_code == 401
    assert RecoveryCode.objects.filter(user=zhang, used_at__isnull=True).count() == 9
    assert codes[1] not in str(list(RecoveryCode.objects.values_list("code_hash", flat=True)))


def test_turning_mfa_off_needs_the_password(zhang: User) -> None:
    with clock.frozen(START):
        token = sign_in(Client(), ZHANG["phone"])
        _totp, _ = enrol(token)
    wrong = Client().delete(
        "/api/v1/me/mfa/totp",
        {"password": "nope"},
        content_type="application/json",
        **bearer(token),
    )
    assert wrong.status_code == 422
    ok = Client().delete(
        "/api/v1/me/mfa/totp",
        {"password": PASSWORD},
        content_type="application/json",
        **bearer(token),
    )
    assert ok.status_code == 204
    assert (
        post(
            Client(), "/api/v1/session", {"login": ZHANG["phone"], "password": PASSWORD}
        ).status_code
        == 200
    )


def test_staff_are_sent_to_enrolment_until_they_have_mfa() -> None:
    User.objects.create_user("staff.one", "Staff-Password-2026", kind="staff")
    client = Client()
    response = client.post(
        "/account/login/", {"login": "staff.one", "password": "Staff-Password-2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/mfa/"
    assert client.get("/").status_code == 302  # held at enrolment
    assert client.get("/account/mfa/").status_code == 200


def test_staff_cannot_turn_mfa_off() -> None:
    staff = User.objects.create_user("staff.two", "Staff-Password-2026", kind="staff")
    with clock.frozen(START):
        token = sign_in(Client(), "staff.two", "Staff-Password-2026")
        enrol(token)
    response = Client().delete(
        "/api/v1/me/mfa/totp",
        {"password": "Staff-Password-2026"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 422
    assert staff.totp.confirmed_at is not None


def test_staff_api_tokens_are_held_at_enrolment() -> None:
    User.objects.create_user("staff.three", "Staff-Password-2026", kind="staff")
    token = sign_in(Client(), "staff.three", "Staff-Password-2026")
    held = Client().get("/api/v1/me/sessions", **bearer(token))
    assert held.status_code == 403
    assert held.json()["code"] == "identity.mfa_enrolment_required"
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 200
    enrol(token)
    assert Client().get("/api/v1/me/sessions", **bearer(token)).status_code == 200
