"""The booking's QR code: a signed reference to the booking, nothing personal.

The payload is ``CCB1.<booking id, base32>.<HMAC-SHA256, base32>`` keyed by the platform's
secret key (Django's ``Signer`` with its own salt). A forged or altered code fails the MAC; a
genuine code that was used already is refused by the booking's state (it checks in once).
"""

from __future__ import annotations

import base64
import uuid

import segno
from django.core import signing

PREFIX = "CCB1"
_SALT = "citizencloud.booking.qr"


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT, sep=".", algorithm="sha256")


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=")


def token_for(booking_id: uuid.UUID) -> str:
    """The text encoded in the booking's QR code (upper-case, fits an alphanumeric QR)."""
    signed = _signer().sign(f"{PREFIX}.{_b32(booking_id.bytes)}")
    value, _, mac = signed.rpartition(".")
    mac_raw = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
    return f"{value}.{_b32(mac_raw)}"


def booking_id_of(token: str) -> uuid.UUID | None:
    """The booking a genuine token refers to; None for anything forged or malformed."""
    parts = token.strip().upper().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        mac_raw = base64.b32decode(parts[2] + "=" * (-len(parts[2]) % 8))
        booking = uuid.UUID(bytes=base64.b32decode(parts[1] + "=" * (-len(parts[1]) % 8)))
    except (ValueError, TypeError):
        return None
    mac = base64.urlsafe_b64encode(mac_raw).decode().rstrip("=")
    try:
        _signer().unsign(f"{parts[0]}.{parts[1]}.{mac}")
    except signing.BadSignature:
        return None
    return booking


def svg_data_uri(token: str) -> str:
    return str(segno.make(token, error="m").svg_data_uri(scale=5, border=2))
