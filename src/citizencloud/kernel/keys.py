"""Envelope keys: a master key (KEK) wraps the data keys (DEKs) that are stored in the database.

* The master key is ``CITIZENCLOUD_MASTER_KEY`` (base64, 32 bytes); in development it is generated
  on first use as ``<data>/keys/master.key`` (mode 0600). Production refuses the generated file.
* Data keys live in ``kernel.DataKey``, each wrapped with AES-256-GCM under the master key, with
  the key id and algorithm as associated data. A value's stored form names its data key, so
  values written under any data key that is still in the table decrypt.
* KEK rotation (``citizencloud keys rewrap``) rewraps the data keys only: set the new master key,
  list the old one in ``CITIZENCLOUD_MASTER_KEYS_PREVIOUS``, run ``rewrap``, drop the old one.
* DEK rotation (``citizencloud keys rotate``) adds a data key and re-encrypts values to it.

Unwrapped data keys are cached in process memory by key id. Key ids are random, so a cached key
whose row was rolled back can never be confused with another key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from citizencloud.kernel import clock, config
from citizencloud.kernel.models import DataKey

#: algorithm name in stored values → (data key length in bytes, human name)
ALGORITHMS: dict[str, int] = {"aes256gcm": 32, "sm4gcm": 16}
PROFILES = {"aes-256-gcm": "aes256gcm", "sm4-gcm": "sm4gcm"}
_WRAP_LABEL = b"citizencloud/data-key/v1"


def _decode_key(text: str, *, name: str, length: int) -> bytes:
    try:
        raw = base64.b64decode(text.strip() + "=" * (-len(text.strip()) % 4), altchars=b"-_")
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != length:
        raise ImproperlyConfigured(
            f"{config.PREFIX}{name} must be {length} random bytes in base64 "
            f"(generate one with: python -c 'import os,base64;"
            f"print(base64.b64encode(os.urandom({length})).decode())')"
        )
    return raw


def load_secret(name: str, configured: str, *, length: int = 32) -> bytes:
    """The key named ``name``: from its setting, else (not in production) a generated file."""
    if configured:
        return _decode_key(configured, name=name, length=length)
    if settings.ENVIRONMENT == "production":
        raise ImproperlyConfigured(f"{config.PREFIX}{name} is required in production")
    path = Path(settings.KEYS_DIR) / config.DEV_TRUST_KEY_FILES[name]
    config.write_key_file(path, base64.b64encode(secrets.token_bytes(length)) + b"\n")
    return _decode_key(path.read_text(), name=name, length=length)


def kek_id(kek: bytes) -> str:
    """A public fingerprint of a master key (64 bits of a domain-separated hash)."""
    return hashlib.sha256(b"citizencloud/kek-id\x00" + kek).hexdigest()[:16]


@dataclass(frozen=True)
class MasterKeys:
    current: bytes
    previous: tuple[bytes, ...]

    @property
    def current_id(self) -> str:
        return kek_id(self.current)

    def by_id(self, key_id: str) -> bytes | None:
        for key in (self.current, *self.previous):
            if kek_id(key) == key_id:
                return key
        return None


def master_keys() -> MasterKeys:
    """The current master key and the previous ones still accepted for unwrapping."""
    current = load_secret("MASTER_KEY", settings.MASTER_KEY)
    previous = tuple(
        _decode_key(text, name="MASTER_KEYS_PREVIOUS", length=32)
        for text in settings.MASTER_KEYS_PREVIOUS
    )
    return MasterKeys(current=current, previous=previous)


def _wrap_aad(key_id: str, algorithm: str) -> bytes:
    return b"|".join([_WRAP_LABEL, key_id.encode(), algorithm.encode()])


def wrap(kek: bytes, key_id: str, algorithm: str, material: bytes) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(kek).encrypt(nonce, material, _wrap_aad(key_id, algorithm))


def unwrap(kek: bytes, key_id: str, algorithm: str, wrapped: bytes) -> bytes:
    return AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], _wrap_aad(key_id, algorithm))


class UnknownKey(LookupError):
    """A stored value names a data key that is missing or cannot be unwrapped."""


_cache: dict[str, tuple[str, bytes]] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    """Forget unwrapped data keys (after a master key change, and in tests)."""
    with _lock:
        _cache.clear()


def profile_algorithm() -> str:
    return PROFILES[settings.CRYPTO_PROFILE]


def create_data_key(algorithm: str | None = None) -> DataKey:
    """Generate a data key for ``algorithm`` (default: the configured profile), wrapped."""
    algorithm = algorithm or profile_algorithm()
    masters = master_keys()
    key_id = secrets.token_hex(4)
    material = secrets.token_bytes(ALGORITHMS[algorithm])
    row = DataKey.objects.create(
        key_id=key_id,
        algorithm=algorithm,
        wrapped=wrap(masters.current, key_id, algorithm, material),
        kek_id=masters.current_id,
        created_at=clock.now(),
    )
    with _lock:
        _cache[key_id] = (algorithm, material)
    return row


_PRIMARY_SQL = (
    f"SELECT key_id FROM {DataKey._meta.db_table} WHERE state = %s AND algorithm = %s "  # noqa: S608
    "ORDER BY created_at DESC, id DESC LIMIT 1"
)


def primary() -> tuple[str, str, bytes]:
    """``(key_id, algorithm, material)`` of the data key new values are encrypted with."""
    algorithm = profile_algorithm()
    # Read on every call, not cached: a rotation in another process takes effect at once, and a
    # key created in a transaction that rolled back is never used. A raw query keeps it ~20 µs.
    with connection.cursor() as cursor:
        cursor.execute(_PRIMARY_SQL, [DataKey.State.ACTIVE.value, algorithm])
        row = cursor.fetchone()
    key_id = str(row[0]) if row is not None else create_data_key(algorithm).key_id
    found_algorithm, material = material_for(key_id)
    return key_id, found_algorithm, material


def material_for(key_id: str) -> tuple[str, bytes]:
    """``(algorithm, material)`` of data key ``key_id``, unwrapped once per process."""
    cached = _cache.get(key_id)
    if cached is not None:
        return cached
    row = DataKey.objects.filter(key_id=key_id).first()
    if row is None:
        raise UnknownKey(key_id)
    kek = master_keys().by_id(row.kek_id)
    if kek is None:
        raise UnknownKey(f"{key_id}: its master key {row.kek_id} is not configured")
    try:
        material = unwrap(kek, row.key_id, row.algorithm, bytes(row.wrapped))
    except InvalidTag:
        raise UnknownKey(f"{key_id}: the wrapped key does not authenticate") from None
    with _lock:
        _cache[key_id] = (row.algorithm, material)
    return row.algorithm, material


def rewrap_all() -> tuple[int, int]:
    """Rewrap every data key not under the current master key. Returns (rewrapped, total)."""
    masters = master_keys()
    rewrapped = 0
    rows = list(DataKey.objects.order_by("id"))
    for row in rows:
        if row.kek_id == masters.current_id:
            continue
        old = masters.by_id(row.kek_id)
        if old is None:
            raise ImproperlyConfigured(
                f"data key {row.key_id} is wrapped by master key {row.kek_id}, which is neither "
                f"{config.PREFIX}MASTER_KEY nor listed in {config.PREFIX}MASTER_KEYS_PREVIOUS"
            )
        material = unwrap(old, row.key_id, row.algorithm, bytes(row.wrapped))
        updated = DataKey.objects.filter(pk=row.pk, kek_id=row.kek_id).update(
            wrapped=wrap(masters.current, row.key_id, row.algorithm, material),
            kek_id=masters.current_id,
        )
        rewrapped += updated
    return rewrapped, len(rows)
