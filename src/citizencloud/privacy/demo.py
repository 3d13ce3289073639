"""Demo data (development only): a partner bank (``citizencloud-sim bank``) registered as a third
party that may open a Class III account (III类账户) — only with the citizen's consent."""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from citizencloud.kernel import demo
from citizencloud.privacy import services

BANK_CODE = "tianfu-bank"
BANK_CLIENT_ID = "demo-bank"
BANK_CLIENT_SECRET = "dev-bank-secret"  # noqa: S105 - published demo secret (development only)
# The simulator's default key seed (``citizencloud-sim bank --key-seed``), development only.
BANK_DEV_KEY_SEED = "dev-bank-key"
BANK_PURPOSES = {
    "open_class3_account": {
        "text": "开立III类银行账户 Open a Class III bank account in your name",
        "items": ["real_name", "id_number", "phone"],
        "actions": ["read", "open_account"],
        "max_days": 365,
    },
    "sign_in": {
        "text": "用市民云账号登录银行 Sign in to the bank",
        "items": ["real_name", "phone", "assurance"],
        "actions": ["read"],
        "max_days": 365,
    },
}


def public_key_of_seed(seed_text: str) -> str:
    """The base64url Ed25519 public key for a simulator's ``--key-seed``."""
    seed = hashlib.sha256(seed_text.encode()).digest()
    raw = (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@demo.register(order=45, name="privacy")
def seed() -> list[demo.DemoAccount]:
    bank = settings.PRIVACY_DEMO_BANK_URL.rstrip("/")
    services.register_party(
        code=BANK_CODE,
        name="天府示范银行 Tianfu Demo Bank",
        kind="bank",
        purposes=BANK_PURPOSES,
        redirect_uri=f"{bank}/callback",
        webhook_url=f"{bank}/webhooks/citizencloud",
        ack_public_key=settings.PRIVACY_DEMO_BANK_PUBLIC_KEY
        or public_key_of_seed(BANK_DEV_KEY_SEED),
        client_id=BANK_CLIENT_ID,
        client_secret=BANK_CLIENT_SECRET,
    )
    return []
