"""The OIDC signing key (RS256, the algorithm every OIDC client library implements), loaded the
way ``kernel.keys`` loads its keys: from the environment in production, generated once into the
data directory (mode 0600) elsewhere. Old keys stay published in the JWKS until their tokens
expire, so ``kid`` rotation never breaks a client. Imported by settings: no Django here."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

FILE_NAME = "oidc-rsa.pem"


def _pem(text: str) -> str:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        return text
    return base64.b64decode(text + "=" * (-len(text) % 4)).decode()


def private_key(configured: str, keys_dir: Path, environment: str) -> str:
    """The PEM of the active key: ``configured`` (PEM or base64 of PEM) or a generated one."""
    if configured:
        return _pem(configured)
    if environment == "production":
        return ""  # settings refuse to start (kernel.config lists it with the other keys)
    path = keys_dir / FILE_NAME
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        from citizencloud.kernel.config import write_key_file

        write_key_file(path, pem)
    return path.read_text()


def previous_keys(configured: list[str]) -> list[str]:
    """PEMs of retired keys, still published in the JWKS (base64 of PEM, comma-separated)."""
    return [_pem(item) for item in configured if item.strip()]
