"""The consent check in the exchange path: a third party that reaches the platform as a signed
exchange peer is answered only under the citizen's live consent (issue 12, "ConsentRequired sits
in the exchange and OIDC paths"). Requests are signed with the simulator's RFC 9421 code."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from typing import Any

import pytest
from django.test import Client

from citizencloud.exchange import guards, inbound
from citizencloud.exchange import services as exchange
from citizencloud.kernel.models import AuditEntry
from citizencloud.privacy import consents
from citizencloud.privacy.models import PartyKind, ThirdParty
from citizencloud_sim import dept as sim
from tests.factories.applications import create_citizen

pytestmark = pytest.mark.django_db

PEER = "city-insurer"
SERVICE = "test-claim-contact"
KEY = sim.Key.from_seed(hashlib.sha256(b"city-insurer test key").digest())


@inbound.service(SERVICE, items=("name", "phone"))
def _claim_contact(request: guards.Inbound, body: dict[str, Any]) -> dict[str, Any]:
    return {"answered_for": request.subject}


@pytest.fixture(autouse=True)
def _insurer() -> None:
    # Other suites clear the guard registry; this one needs privacy's guard in place.
    guards.register(consents.exchange_guard)
    exchange.register_peer(
        code=PEER,
        name="城市惠民保",
        endpoint="http://127.0.0.1:9/insurer",
        public_keys={KEY.kid: base64.b64encode(KEY.public).decode()},
        purposes=["claim_contact"],
    )
    ThirdParty.objects.create(
        code=PEER,
        name="城市惠民保",
        kind=PartyKind.PEER,
        purposes={
            "claim_contact": {
                "text": "Contact you about your claim",
                "items": ["name", "phone"],
                "actions": [SERVICE],
                "max_days": 30,
            }
        },
    )


def _ask(subject: str) -> Any:
    raw = json.dumps({}).encode()
    message_id = str(uuid.uuid4())
    headers = {
        "content-type": "application/json",
        "content-digest": sim.digest(raw),
        "cc-client": PEER,
        "cc-message-id": message_id,
        "cc-purpose": "claim_contact",
        "cc-legal-basis": "consent",
        "cc-subject": subject,
    }
    values = {**headers, "@method": "POST", "@authority": "testserver"}
    values["@path"] = f"/exchange/v1/{SERVICE}"
    headers |= sim.sign(
        KEY, values, sim.REQUEST_COMPONENTS, created=int(time.time()), nonce=message_id
    )
    sent = {k: v for k, v in headers.items() if k != "content-type"}
    return Client().post(
        f"/exchange/v1/{SERVICE}", data=raw, content_type="application/json", headers=sent
    )


def test_a_peer_without_consent_is_refused_and_the_refusal_audited() -> None:
    citizen = create_citizen()
    response = _ask(exchange.pseudonym(citizen, PEER))
    assert response.status_code == 403
    assert response.json()["code"] == "privacy.consent_required"
    # The guard's own writes roll back with the refused request; the refusal stays in the
    # exchange's message log and its audit entry (committed after the rollback).
    [entry] = AuditEntry.objects.filter(action="exchange.message_received")
    assert entry.details["outcome"] == "privacy.consent_required"
    assert entry.details["peer"] == PEER


def test_with_consent_the_peer_is_answered_and_after_revoking_refused_again() -> None:
    citizen = create_citizen()
    subject = exchange.pseudonym(citizen, PEER)
    consent = consents.grant(
        citizen=citizen,
        party_code=PEER,
        purpose="claim_contact",
        items=["name", "phone"],
        actions=[SERVICE],
        days=30,
    )
    assert consent.subject_ref == subject  # the party names the citizen by its pseudonym
    answered = _ask(subject)
    assert answered.status_code == 200, answered.content
    assert answered.json()["answered_for"] == subject
    # Another citizen's pseudonym is not covered by this consent.
    assert _ask(exchange.pseudonym(create_citizen(), PEER)).status_code == 403
    consents.revoke(citizen=citizen, consent_id=consent.public_id)
    assert _ask(subject).status_code == 403


def test_a_department_peer_acting_under_law_is_not_asked_for_consent() -> None:
    ThirdParty.objects.filter(code=PEER).delete()  # the same peer, no longer a third party
    assert _ask(exchange.pseudonym(create_citizen(), PEER)).status_code == 200
