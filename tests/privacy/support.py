"""Helpers for privacy tests: a registered partner bank and its signing key."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from citizencloud.privacy import services
from citizencloud.privacy.demo import BANK_PURPOSES
from citizencloud.privacy.models import ThirdParty

BANK_SEED = "test-bank-key"
BANK_SECRET = "test-bank-secret"


def bank_key(seed: str = BANK_SEED) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def public_key(seed: str = BANK_SEED) -> str:
    raw = bank_key(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return b64(raw)


def register_bank(bank_url: str = "http://127.0.0.1:9", **extra: Any) -> ThirdParty:
    party, _ = services.register_party(
        code="tianfu-bank",
        name="天府示范银行",
        kind="bank",
        purposes=BANK_PURPOSES,
        redirect_uri=f"{bank_url}/callback",
        webhook_url=f"{bank_url}/webhooks/citizencloud",
        ack_public_key=public_key(),
        client_id="test-bank",
        client_secret=BANK_SECRET,
        **extra,
    )
    return party


def signed_ack(notice: Any, *, seed: str = BANK_SEED, outcome: str = "closed") -> tuple[str, bytes]:
    body = json.dumps(
        {
            "notice_id": str(notice.public_id),
            "consent_id": str(notice.consent.public_id),
            "outcome": outcome,
        }
    ).encode()
    stamp = int(time.time())
    sig = bank_key(seed).sign(f"{stamp}.".encode() + body)
    return f"t={stamp},sig={b64(sig)}", body


def basic(client_id: str = "test-bank", secret: str = BANK_SECRET) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {raw}"}
