"""The Ed25519 key ring: the platform's signing key and the public keys it used before.

``CITIZENCLOUD_SIGNING_KEY`` is a base64 32-byte Ed25519 seed (in development, generated as
``<data>/keys/signing.key``). After a rotation the old public key goes into
``CITIZENCLOUD_SIGNING_PUBLIC_KEYS_PREVIOUS`` so statements signed before still verify.
Audit checkpoints use it now; OIDC, exchange and campaign passes can reuse it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from citizencloud.kernel import keys


def key_id(public_key: bytes) -> str:
    """The id of a public key: the first 8 bytes of its SHA-256, in hex."""
    return hashlib.sha256(public_key).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public_key: bytes

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


@functools.cache
def _load(seed: bytes) -> SigningKey:
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return SigningKey(private=private, public_key=public)


def current() -> SigningKey:
    """The key that signs new statements."""
    return _load(keys.load_secret("SIGNING_KEY", settings.SIGNING_KEY))


def trusted_public_keys() -> dict[str, bytes]:
    """Every public key whose signatures are accepted, by key id (current first)."""
    ring = {current().key_id: current().public_key}
    for text in settings.SIGNING_PUBLIC_KEYS_PREVIOUS:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_")
        ring[key_id(raw)] = raw
    return ring


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature of ``message``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
