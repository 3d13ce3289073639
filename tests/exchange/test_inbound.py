"""Inbound requests from peers: verification, replay refusal, guards, signed answers, the log.

Requests are signed with the simulator's own RFC 9421 implementation (an independent one)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from citizencloud.exchange import client as exchange_client
from citizencloud.exchange import demo, guards, schedule
from citizencloud.exchange.models import Message, SeenMessage
from citizencloud.kernel import signing
from citizencloud.kernel.errors import PermissionDenied
from citizencloud_sim import dept as sim

SECRET = "inbound-secret"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _peers() -> Iterator[None]:
    demo.register_demo_peers(base_url="http://127.0.0.1:9", secret=SECRET)
    guards.clear()
    yield
    guards.clear()


def _signed(
    *,
    body: dict[str, Any] | None = None,
    dept: str = "gjj",
    key: sim.Key | None = None,
    created: int | None = None,
    message_id: str | None = None,
    purpose: str = "connectivity",
    subject: str = "",
) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body or {}).encode()
    message_id = message_id or str(uuid.uuid4())
    headers = {
        "content-type": "application/json",
        "content-digest": sim.digest(raw),
        "cc-client": f"dept-{dept}",
        "cc-message-id": message_id,
        "cc-purpose": purpose,
        "cc-legal-basis": "statutory_duty",
        "cc-subject": subject,
    }
    values = {
        **headers,
        "@method": "POST",
        "@authority": "testserver",
        "@path": "/exchange/v1/ping",
    }
    signer = key or sim.Key.from_seed(sim.dept_seed(dept, SECRET))
    headers |= sim.sign(
        signer,
        values,
        sim.REQUEST_COMPONENTS,
        created=created or int(time.time()),
        nonce=message_id,
    )
    return raw, headers


def _post(raw: bytes, headers: dict[str, str]) -> Any:
    sent = {k: v for k, v in headers.items() if k != "content-type"}
    return Client().post(
        "/exchange/v1/ping", data=raw, content_type="application/json", headers=sent
    )


def test_a_verified_request_is_answered_signed_and_logged() -> None:
    raw, headers = _signed()
    response = _post(raw, headers)
    assert response.status_code == 200
    assert response.json()["pong"] is True
    # The answer verifies with the platform's public key (what a peer does).
    names, params, params_raw, signature = sim.parse(
        response["Signature-Input"], response["Signature"]
    )
    values = {
        "@status": "200",
        "content-digest": response["Content-Digest"],
        "cc-message-id": headers["cc-message-id"],
    }
    public = signing.trusted_public_keys()[params["keyid"]]
    sim.Ed25519PublicKey.from_public_bytes(public).verify(
        signature, sim.base(values, names, params_raw)
    )
    assert response["Content-Digest"] == sim.digest(response.content)
    message = Message.objects.get(message_id=headers["cc-message-id"])
    assert (message.direction, message.peer_code, message.outcome) == ("in", "dept-gjj", "ok")


@pytest.mark.parametrize(
    ("tweak", "status", "code"),
    [
        ("unknown_key", 401, "exchange.unknown_peer"),
        ("forged", 401, "exchange.bad_signature"),
        ("skew_past", 401, "exchange.clock_skew"),
        ("skew_future", 401, "exchange.clock_skew"),
        ("tampered_body", 400, "exchange.bad_digest"),
        ("unsigned", 401, "exchange.bad_signature"),
        ("purpose", 403, "exchange.purpose_not_allowed"),
        ("other_client", 401, "exchange.unknown_peer"),
    ],
)
def test_bad_requests_are_refused_logged_and_never_a_500(
    tweak: str, status: int, code: str
) -> None:
    now = int(time.time())
    kwargs: dict[str, Any] = {
        "unknown_key": {"key": sim.Key.from_seed(b"u" * 32)},
        "skew_past": {"created": now - 301 - 5},
        "skew_future": {"created": now + 400},
        "purpose": {"purpose": "marketing"},
    }.get(tweak, {})
    raw, headers = _signed(**kwargs)
    if tweak == "forged":
        forger = sim.Key.from_seed(b"f" * 32)
        real = sim.Key.from_seed(sim.dept_seed("gjj", SECRET))
        values = {**headers, "@method": "POST", "@authority": "testserver"}
        values["@path"] = "/exchange/v1/ping"
        headers |= sim.sign(
            real,
            values,
            sim.REQUEST_COMPONENTS,
            created=now,
            nonce=headers["cc-message-id"],
            signing_key=forger,
        )
    if tweak == "tampered_body":
        raw = raw + b" "
    if tweak == "unsigned":
        headers.pop("Signature")
    if tweak == "other_client":
        raw, headers = _signed(dept="gjj", key=sim.Key.from_seed(sim.dept_seed("hrss", SECRET)))
    response = _post(raw, headers)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert "pong" not in response.json()
    assert Message.objects.get(message_id=headers["cc-message-id"]).outcome == code


def test_a_replayed_message_id_is_refused() -> None:
    raw, headers = _signed()
    assert _post(raw, headers).status_code == 200
    again = _post(raw, headers)
    assert again.status_code == 409
    assert again.json()["code"] == "exchange.replayed"
    outcomes = list(
        Message.objects.filter(message_id=headers["cc-message-id"]).values_list(
            "outcome", flat=True
        )
    )
    assert sorted(outcomes) == ["exchange.replayed", "ok"]


def test_a_guard_refuses_with_its_own_error_and_the_refusal_is_logged() -> None:
    seen: list[guards.Inbound] = []

    @guards.register
    def no_consent(inbound: guards.Inbound) -> None:
        seen.append(inbound)
        raise PermissionDenied("No consent.", code="privacy.no_consent")

    raw, headers = _signed(subject="abcdef0123456789")
    response = _post(raw, headers)
    assert response.status_code == 403
    assert response.json()["code"] == "privacy.no_consent"
    assert seen[0].peer_code == "dept-gjj"
    assert seen[0].subject == "abcdef0123456789"
    assert seen[0].purpose == "connectivity"
    assert seen[0].service == "ping"
    assert Message.objects.get(message_id=headers["cc-message-id"]).outcome == "privacy.no_consent"


def test_the_platform_publishes_its_public_keys() -> None:
    body = Client().get("/exchange/v1/keys").json()
    key = signing.current()
    assert body["keys"][key.key_id] == base64.b64encode(key.public_key).decode()


def test_seen_ids_are_forgotten_long_after_the_window() -> None:
    raw, headers = _signed()
    _post(raw, headers)
    assert SeenMessage.objects.count() == 1
    SeenMessage.objects.update(seen_at="2020-01-01T00:00:00Z")
    assert schedule.forget_seen() == 1


def test_our_signature_base_matches_the_simulators() -> None:
    """Two independent RFC 9421 implementations agree byte for byte."""
    from citizencloud.exchange import httpsig

    values = {"@status": "200", "content-digest": sim.digest(b"{}"), "cc-message-id": "m-1"}
    params = httpsig.params_text(exchange_client.RESPONSE_COMPONENTS, created=1, key_id="k")
    ours = httpsig.signature_base(values, exchange_client.RESPONSE_COMPONENTS, params)
    assert ours == sim.base(values, exchange_client.RESPONSE_COMPONENTS, params)
    assert httpsig.content_digest(b"{}") == sim.digest(b"{}")
