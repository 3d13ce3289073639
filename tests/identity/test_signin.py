"""Sign-in by phone or ID number, bearer tokens and the session cookie, throttling held in the
database, sessions that time out, end one by one or everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from citizencloud.identity.models import Activity, LoginThrottle, User, UserSession
from citizencloud.identity.services import throttle
from citizencloud.kernel import clock, events
from citizencloud.kernel.models import AuditEntry
from tests.identity.support import PASSWORD, ZHANG, bearer, register, sign_in

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(path, body, content_type="application/json", **headers)


@pytest.fixture
def zhang() -> User:
    register(Client())
    return User.objects.get(username__startswith="c-")


@pytest.mark.parametrize(
    "login",
    [
        ZHANG["phone"],
        "+86 138 0000 0001",
        "138-0000-0001",
        ZHANG["id_number"],
        ZHANG["id_number"].lower(),
        "５１０１１４２００１０５０７１６８２",  # full-width digits
    ],
)
def test_sign_in_by_phone_or_id_number_in_any_spelling(zhang: User, login: str) -> None:
    response = post(Client(), "/api/v1/session", {"login": login, "password": PASSWORD})
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["token"]) >= 40
    assert body["expires_at"]
    assert settings.SESSION_COOKIE_NAME in response.cookies


def test_me_is_masked_and_tells_kind_and_level(zhang: User) -> None:
    token = sign_in(Client(), ZHANG["phone"])
    me = Client().get("/api/v1/me", **bearer(token)).json()
    assert me["name"] == "张*"
    assert me["id_number"] == "5101**********1682"
    assert me["phone"] == "138****0001"
    assert me["kind"] == "citizen"
    assert me["assurance_level"] == 1
    assert ZHANG["id_number"] not in str(me)
    assert ZHANG["phone"] not in str(me)


def test_the_session_cookie_works_too_and_the_id_rotates_at_login(zhang: User) -> None:
    client = Client()
    client.get("/account/login/")
    before = client.cookies.get(settings.SESSION_COOKIE_NAME)
    sign_in(client, ZHANG["phone"])
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before is None or before.value != after
    assert client.get("/api/v1/me").status_code == 200


def test_no_or_bad_token_is_401_with_a_bearer_challenge() -> None:
    for headers in ({}, bearer("nope"), {"HTTP_AUTHORIZATION": "Basic eDp5"}):
        response = Client().get("/api/v1/me", **headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_password_and_unknown_account_answer_alike(zhang: User) -> None:
    wrong = post(Client(), "/api/v1/session", {"login": ZHANG["phone"], "password": "nope-nope"})
    unknown = post(Client(), "/api/v1/session", {"login": "13900000009", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda b: {k: v for k, v in b.items() if k not in ("request_id",)}  # noqa: E731
    assert strip(wrong.json()) == strip(unknown.json())
    assert Activity.objects.filter(user=zhang, kind=Activity.Kind.LOGIN_FAILED).count() == 1
    assert AuditEntry.objects.filter(action="identity.login_failed").count() == 2


def test_delete_session_ends_the_token(zhang: User) -> None:
    token = sign_in(Client(), ZHANG["phone"])
    assert Client().delete("/api/v1/session", **bearer(token)).status_code == 204
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 401


def test_sessions_list_and_end_one_from_another_device(zhang: User) -> None:
    phone_token = sign_in(Client(), ZHANG["phone"])
    laptop_token = sign_in(Client(), ZHANG["phone"])
    sessions = Client().get("/api/v1/me/sessions", **bearer(laptop_token)).json()
    assert len(sessions) == 2
    other = next(s for s in sessions if not s["current"])
    ended = Client().delete(f"/api/v1/me/sessions/{other['id']}", **bearer(laptop_token))
    assert ended.status_code == 204
    assert Client().get("/api/v1/me", **bearer(phone_token)).status_code == 401
    assert Client().get("/api/v1/me", **bearer(laptop_token)).status_code == 200


def test_cannot_end_someone_elses_session(zhang: User) -> None:
    from tests.identity.support import WANG

    register(Client(), WANG)
    mine = sign_in(Client(), ZHANG["phone"])
    theirs = sign_in(Client(), WANG["phone"])
    their_id = Client().get("/api/v1/me/sessions", **bearer(theirs)).json()[0]["id"]
    response = Client().delete(f"/api/v1/me/sessions/{their_id}", **bearer(mine))
    assert response.status_code == 404
    assert Client().get("/api/v1/me", **bearer(theirs)).status_code == 200


def test_sign_out_everywhere(zhang: User) -> None:
    tokens = [sign_in(Client(), ZHANG["phone"]) for _ in range(3)]
    assert Client().delete("/api/v1/me/sessions", **bearer(tokens[0])).status_code == 204
    assert all(Client().get("/api/v1/me", **bearer(t)).status_code == 401 for t in tokens)


def test_idle_and_absolute_timeouts(zhang: User) -> None:
    start = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    with clock.frozen(start) as advance:
        token = sign_in(Client(), ZHANG["phone"])
        for _ in range(40):  # active every 25 minutes: never idle, but not forever
            advance(dt.timedelta(minutes=25))
            if Client().get("/api/v1/me", **bearer(token)).status_code != 200:
                break
        elapsed = clock.now() - start
    assert dt.timedelta(hours=11) < elapsed <= dt.timedelta(hours=12, minutes=25)
    with clock.frozen(start) as advance:
        idle = sign_in(Client(), ZHANG["phone"])
        advance(dt.timedelta(minutes=31))
        assert Client().get("/api/v1/me", **bearer(idle)).status_code == 401


def test_the_page_session_ends_with_its_device_session(zhang: User) -> None:
    client = Client()
    sign_in(client, ZHANG["phone"])
    assert client.get("/account/").status_code == 200
    UserSession.objects.update(ended_at=clock.now())
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_growing_delays_after_five_failures_then_a_lock(zhang: User) -> None:
    start = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    client = Client()
    bad = {"login": ZHANG["phone"], "password": "wrong-password"}
    with clock.frozen(start) as advance:
        for _ in range(5):
            assert post(client, "/api/v1/session", bad).status_code == 401
        locked = post(client, "/api/v1/session", {**bad, "password": PASSWORD})
        assert locked.status_code == 429
        assert locked.json()["code"] == "identity.locked"
        assert locked.json()["retry_after"] == 30
        advance(dt.timedelta(seconds=31))
        assert post(client, "/api/v1/session", bad).status_code == 401  # 6th failure: 60 s
        assert post(client, "/api/v1/session", bad).status_code == 429
        advance(dt.timedelta(seconds=61))
        ok = post(client, "/api/v1/session", {**bad, "password": PASSWORD})
        assert ok.status_code == 200
    assert not LoginThrottle.objects.filter(scope="account").exists()


def test_unknown_accounts_are_throttled_like_known_ones() -> None:
    client = Client()
    bad = {"login": "13900000009", "password": "wrong-password"}
    statuses = [post(client, "/api/v1/session", bad).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]


def test_the_delay_policy_is_capped_and_locks_for_good_at_100() -> None:
    delays = [throttle.account_delay(n) for n in range(0, 101)]
    assert delays[:5] == [None] * 5
    assert delays[5] == dt.timedelta(seconds=30)
    assert delays[6] == dt.timedelta(seconds=60)
    assert all(d is not None and d <= dt.timedelta(hours=1) for d in delays[5:100])
    assert delays[100] is not None
    assert delays[100] > dt.timedelta(days=365)


def test_hard_lock_after_100_consecutive_failures(zhang: User) -> None:
    from citizencloud.identity.services.signin import throttle_key

    key = throttle_key(ZHANG["phone"])
    LoginThrottle.objects.create(
        scope="account", key=key, failures=99, window_started_at=clock.now()
    )
    throttle.fail("account", key)
    response = post(Client(), "/api/v1/session", {"login": ZHANG["phone"], "password": PASSWORD})
    assert response.status_code == 429
    row = LoginThrottle.objects.get(key=key)
    assert row.failures == 100
    assert row.locked_until is not None
    assert row.locked_until >= throttle.FOREVER


def test_per_ip_throttle(zhang: User, settings: Any) -> None:
    settings.IDENTITY_IP_FAILURES = 8
    client = Client()
    for n in range(8):
        body = {"login": f"1390000{n:04d}", "password": "wrong-password"}
        assert post(client, "/api/v1/session", body).status_code == 401
    blocked = post(client, "/api/v1/session", {"login": ZHANG["phone"], "password": PASSWORD})
    assert blocked.status_code == 429
    other_ip = post(
        Client(REMOTE_ADDR="10.1.2.3"),
        "/api/v1/session",
        {"login": ZHANG["phone"], "password": PASSWORD},
    )
    assert other_ip.status_code == 200


def test_logins_are_audited_recorded_and_new_devices_announced(
    zhang: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    emitted: list[tuple[str, dict[str, Any]]] = []
    real_emit = events.emit
    monkeypatch.setattr(
        events, "emit", lambda name, **p: emitted.append((name, p)) or real_emit(name, **p)
    )
    sign_in(Client(), ZHANG["phone"], HTTP_X_DEVICE_ID="phone-1")  # type: ignore[arg-type]
    sign_in(Client(HTTP_X_DEVICE_ID="phone-1"), ZHANG["phone"])
    sign_in(Client(HTTP_X_DEVICE_ID="laptop-9"), ZHANG["phone"])
    assert AuditEntry.objects.filter(action="identity.login").count() == 3
    kinds = list(Activity.objects.filter(user=zhang).values_list("kind", flat=True))
    assert kinds.count("new_device") >= 1
    names = [name for name, _ in emitted]
    assert "identity.new_device_login" in names
    payload = dict(emitted[names.index("identity.new_device_login")][1])
    assert set(payload) == {"user_id", "session_id"}
