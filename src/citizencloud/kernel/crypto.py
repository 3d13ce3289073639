"""Field encryption and blind indexes for personal data (docs/security.md).

``EncryptedField`` stores ``v1:<algorithm>:<key id>:<nonce>:<ciphertext+tag>`` (base64url parts):
AES-256-GCM (or SM4-GCM with ``CITIZENCLOUD_CRYPTO_PROFILE=sm4-gcm``) under a data key from
``kernel.keys``, a fresh random 96-bit nonce per value, and associated data binding the value to
its table, column and the row's immutable ``public_id``, so a ciphertext copied to another row or
column does not decrypt. Reading ``obj.field`` gives the plaintext ``str``; assigning a ``str``
encrypts it on ``save()``. Values are written only through ``Model.save()``/``bulk_create``
(never ``QuerySet.update(field="clear text")``), and the field cannot be filtered on: look rows
up by a ``BlindIndexField`` instead.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
import unicodedata
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from citizencloud.kernel import keys
from citizencloud.kernel.errors import DomainError
from citizencloud.kernel.logging import get_logger

__all__ = [
    "BlindIndexField",
    "EncryptedField",
    "IntegrityFailure",
    "blind_index",
    "decrypt",
    "encrypt",
    "normalize",
]

VERSION = "v1"
security_log = get_logger("citizencloud.security")


class IntegrityFailure(DomainError):
    """A stored ciphertext failed authentication: tampered, moved, truncated or keyless."""

    code = "crypto.integrity_failed"
    status = 500


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _aad(algorithm: str, key_id: str, context: tuple[str, str, str]) -> bytes:
    # The header is authenticated too, so no part of the stored form can be swapped.
    return "\x1f".join(["citizencloud", VERSION, algorithm, key_id, *context]).encode()


@functools.lru_cache(maxsize=64)
def _aesgcm(key: bytes) -> AESGCM:
    return AESGCM(key)  # reusable and thread-safe; building one costs more than a short value


def _seal(algorithm: str, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    if algorithm == "aes256gcm":
        return _aesgcm(key).encrypt(nonce, data, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _open(algorithm: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    if algorithm == "aes256gcm":
        return _aesgcm(key).decrypt(nonce, sealed, aad)
    if len(sealed) < 16:
        raise InvalidTag()
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-16:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(sealed[:-16]) + decryptor.finalize()


def encrypt(
    plaintext: str,
    *,
    context: tuple[str, str, str],
    key: tuple[str, str, bytes] | None = None,
) -> str:
    """The stored form of ``plaintext`` bound to ``context`` = (table, column, row uuid).

    ``key`` is ``(key id, algorithm, material)``; the primary data key by default."""
    key_id, algorithm, material = key or keys.primary()
    nonce = secrets.token_bytes(12)
    sealed = _seal(algorithm, material, nonce, plaintext.encode(), _aad(algorithm, key_id, context))
    return ":".join([VERSION, algorithm, key_id, _b64(nonce), _b64(sealed)])


def key_id_of(token: str) -> str:
    """The data key id named by a stored value ('' if malformed)."""
    parts = token.split(":")
    return parts[2] if len(parts) == 5 else ""


def decrypt(token: str, *, context: tuple[str, str, str]) -> str:
    """The plaintext of ``token``; ``IntegrityFailure`` (logged as a security event) if it fails."""
    parts = token.split(":")
    reason = "malformed"
    if len(parts) == 5 and parts[0] == VERSION and parts[1] in keys.ALGORITHMS:
        _, algorithm, key_id, nonce, sealed = parts
        try:
            found_algorithm, key = keys.material_for(key_id)
            if found_algorithm != algorithm:
                raise InvalidTag()
            aad = _aad(algorithm, key_id, context)
            return _open(algorithm, key, _unb64(nonce), _unb64(sealed), aad).decode()
        except keys.UnknownKey:
            reason = "unknown_key"
        except (InvalidTag, ValueError):
            reason = "authentication_failed"
    table, column, row = context
    security_log.error(
        "security.ciphertext_rejected",
        reason=reason,
        table=table,
        column=column,
        row=row,
        key_id=key_id_of(token),
    )
    raise IntegrityFailure(
        "A protected value could not be read. The incident has been logged.",
    )


# --- the model fields ---------------------------------------------------------------------------


class Sealed:
    """An ``EncryptedField`` value as loaded from the database; opened on first read."""

    __slots__ = ("plaintext", "token")

    def __init__(self, token: str, plaintext: str | None = None) -> None:
        self.token = token
        self.plaintext = plaintext

    def __repr__(self) -> str:
        return "<Sealed>"


class _Token(str):
    """A ciphertext produced by ``pre_save``: the only ``str`` the field lets reach the database."""

    __slots__ = ()


class _EncryptedAttribute(DeferredAttribute):
    field: EncryptedField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            if value.plaintext is None:
                value.plaintext = decrypt(value.token, context=self.field.context(instance))
            return value.plaintext
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        if value is not None and not isinstance(value, str | Sealed):
            value = str(value)
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.TextField):  # type: ignore[type-arg]
    """A text column holding an encrypted ``str`` (see the module docstring for the contract)."""

    descriptor_class = _EncryptedAttribute
    description = "Encrypted text (AES-256-GCM / SM4-GCM, bound to table, column and row)"

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        found = super().check(**kwargs)
        try:
            public_id = self.model._meta.get_field("public_id")
        except FieldDoesNotExist:
            public_id = None
        if not (
            isinstance(public_id, models.UUIDField) and public_id.unique and not public_id.editable
        ):
            found.append(
                checks.Error(
                    "EncryptedField binds values to the row's public_id: the model needs "
                    "public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)",
                    obj=self,
                    id="kernel.E001",
                )
            )
        if self.unique or getattr(self, "db_index", False) or self.primary_key:
            found.append(
                checks.Error(
                    "An EncryptedField cannot be unique or indexed (its ciphertexts all differ): "
                    "index a BlindIndexField instead",
                    obj=self,
                    id="kernel.E002",
                )
            )
        return found

    def context(self, instance: models.Model) -> tuple[str, str, str]:
        row_id = getattr(instance, "public_id", None)
        if row_id is None:
            raise ImproperlyConfigured(
                f"{type(instance).__name__} needs an immutable public_id UUID for EncryptedField"
            )
        return (instance._meta.db_table, self.column, str(row_id))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Sealed | None:
        return None if value is None else Sealed(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return None
        if isinstance(value, Sealed):
            return _Token(value.token)
        token = _Token(encrypt(value, context=self.context(model_instance)))
        model_instance.__dict__[self.attname] = Sealed(str(token), value)
        return token

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, _Token):
            return None if value is None else str(value)
        if isinstance(value, Sealed):
            return value.token
        raise TypeError(
            "EncryptedField values are written by Model.save() and cannot be filtered on; "
            "use a BlindIndexField for lookups"
        )

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) never writes clear text.
        value = obj.__dict__.get(self.attname)
        if isinstance(value, Sealed):
            return value.token
        return "" if value is None else "<unsaved>"


# --- blind index --------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\-\u00a0\u3000]+")
_MOBILE_PREFIX = re.compile(r"^(?:\+?86|0086)(1\d{10})$")


def normalize(value: str, kind: str) -> str:
    """The canonical form of an identifier: NFKC (full-width digits), no spaces, upper-case X."""
    text = _compact(value)
    if kind == "id_number":
        return _compact(text.upper())
    if kind == "phone":
        match = _MOBILE_PREFIX.match(text)
        return match.group(1) if match else text
    if kind == "email":
        return _compact(text.lower())
    return text


def _compact(value: str) -> str:
    # NFKC again after stripping: removing a space can leave a combining mark that composes.
    stripped = _SPACES.sub("", unicodedata.normalize("NFKC", value))
    return _SPACES.sub("", unicodedata.normalize("NFKC", stripped))


_blind_keys: dict[str, bytes] = {}


def _blind_key() -> bytes:
    configured = settings.BLIND_INDEX_KEY
    cached = _blind_keys.get(configured)
    if cached is None:
        cached = keys.load_secret("BLIND_INDEX_KEY", configured)
        _blind_keys[configured] = cached
    return cached


def blind_index(value: str, kind: str = "id_number") -> str:
    """HMAC-SHA256 (own key) of the normalized value, hex: equal for equal identifiers."""
    message = kind.encode() + b"\x00" + normalize(value, kind).encode()
    return hmac.new(_blind_key(), message, hashlib.sha256).hexdigest()


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """The blind index of another field, kept up to date on save: ``unique=True`` for lookups."""

    def __init__(self, *args: Any, source: str = "", kind: str = "id_number", **kwargs: Any):
        self.source = source
        self.kind = kind
        kwargs["max_length"] = 64
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if not self.source:
            return super().pre_save(model_instance, add)
        raw = model_instance.__dict__.get(self.source)
        if isinstance(raw, Sealed) and raw.plaintext is None:
            return getattr(model_instance, self.attname)  # source untouched: index unchanged
        value = getattr(model_instance, self.source)
        index = blind_index(value, self.kind) if value else None
        setattr(model_instance, self.attname, index)
        return index


# --- re-encryption (``citizencloud keys rotate``) -----------------------------------------------


def encrypted_columns() -> list[tuple[type[models.Model], list[EncryptedField]]]:
    """Every concrete model with encrypted fields, and those fields."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.local_fields if isinstance(f, EncryptedField)]
        if fields:
            found.append((model, fields))
    return found


def reencrypt_batch(
    model: type[models.Model],
    fields: list[EncryptedField],
    *,
    after_pk: Any,
    batch: int,
    key: tuple[str, str, bytes],
) -> tuple[Any, int, int]:
    """Re-encrypt under ``key`` the values of up to ``batch`` rows after ``after_pk`` that are
    under another key, one short transaction. Returns (last pk, values changed, rows scanned).

    Each value is replaced by a conditional UPDATE (``WHERE column = old ciphertext``), so a
    value a user changed meanwhile is left as they wrote it."""
    from django.db import connection, transaction

    table = connection.ops.quote_name(model._meta.db_table)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    changed, last = 0, after_pk
    with transaction.atomic():
        queryset = model._base_manager.order_by("pk")
        if after_pk is not None:
            queryset = queryset.filter(pk__gt=after_pk)
        rows = list(queryset.values_list("pk", "public_id", *[f.attname for f in fields])[:batch])
        with connection.cursor() as cursor:
            for pk, public_id, *values in rows:
                last = pk
                for field, value in zip(fields, values, strict=True):
                    if not isinstance(value, Sealed) or key_id_of(value.token) == key[0]:
                        continue
                    context = (model._meta.db_table, field.column, str(public_id))
                    fresh = encrypt(decrypt(value.token, context=context), context=context, key=key)
                    column = connection.ops.quote_name(field.column)
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s "  # noqa: S608 (quoted names)
                        f"WHERE {pk_column} = %s AND {column} = %s",
                        [fresh, pk, value.token],
                    )
                    changed += cursor.rowcount
    return last, changed, len(rows)


def count_not_under(key_id: str) -> int:
    """How many stored values are under a data key other than ``key_id`` (a full scan)."""
    remaining = 0
    for model, fields in encrypted_columns():
        for values in model._base_manager.values_list(*[f.attname for f in fields]).iterator():
            remaining += sum(
                1 for v in values if isinstance(v, Sealed) and key_id_of(v.token) != key_id
            )
    return remaining
