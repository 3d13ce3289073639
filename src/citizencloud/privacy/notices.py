"""Revocation notices: the platform's signed webhook to a party and the party's signed
acknowledgement (Ed25519 both ways, docs/decisions/0016).

Webhook: ``POST <webhook_url>`` with a JSON body and
``Citizencloud-Signature: t=<unix>,kid=<key id>,sig=<base64url Ed25519("<t>." + body)>`` by the
platform's signing key (public keys at ``GET /api/v1/partners/signing-keys``). The party answers
200 with a signed acknowledgement at once, or 202 and later ``POST
/api/v1/partners/revocations/{id}/ack``; the acknowledgement body is
``{"notice_id", "consent_id", "outcome", "at"}`` with
``Partner-Signature: t=<unix>,sig=<base64url Ed25519("<t>." + body)>`` by the key the party
registered. Anything else counts as not acknowledged and is retried with backoff.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

from citizencloud.kernel import signing

SIGNATURE_HEADER = "Citizencloud-Signature"
ACK_SIGNATURE_HEADER = "Partner-Signature"
MAX_SKEW_SECONDS = 300


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def notice_body(notice: Any, ack_url: str) -> bytes:
    consent = notice.consent
    body = {
        "type": "consent.revoked",
        "notice_id": str(notice.public_id),
        "consent_id": str(consent.public_id),
        "party": consent.party.code,
        "sub": consent.subject_ref,
        "purpose": consent.purpose,
        "actions": list(consent.actions),
        "revoked_at": consent.revoked_at.isoformat() if consent.revoked_at else None,
        "ack_url": ack_url,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def sign(body: bytes, *, now: float | None = None) -> str:
    """The platform's signature header value over ``body``."""
    key = signing.current()
    stamp = int(now if now is not None else time.time())
    sig = key.sign(f"{stamp}.".encode() + body)
    return f"t={stamp},kid={key.key_id},sig={b64(sig)}"


def _parts(header: str) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in header.split(",") if "=" in item)


@dataclass(frozen=True)
class Ack:
    notice_id: str
    consent_id: str
    outcome: str


class BadAck(ValueError):
    """An acknowledgement that is unsigned, badly signed, stale or about another notice."""


def verify_ack(*, public_key: str, header: str, body: bytes, notice: Any) -> Ack:
    """The acknowledgement in ``body`` if ``header`` is the party's fresh signature of it and it
    names this notice; else BadAck."""
    parts = _parts(header or "")
    stamp = parts.get("t", "")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_SKEW_SECONDS:
        raise BadAck("stale or missing timestamp")
    try:
        key, sig = unb64(public_key), unb64(parts.get("sig", ""))
    except ValueError as error:
        raise BadAck("undecodable signature") from error
    if len(key) != 32 or not signing.verify(key, sig, f"{stamp}.".encode() + body):
        raise BadAck("bad signature")
    try:
        data = json.loads(body)
    except ValueError as error:
        raise BadAck("not JSON") from error
    if not isinstance(data, dict):
        raise BadAck("not an object")
    ack = Ack(
        notice_id=str(data.get("notice_id", "")),
        consent_id=str(data.get("consent_id", "")),
        outcome=str(data.get("outcome", ""))[:40],
    )
    if ack.notice_id != str(notice.public_id) or ack.consent_id != str(notice.consent.public_id):
        raise BadAck("acknowledges another notice")
    if not ack.outcome:
        raise BadAck("no outcome")
    return ack
