"""Provider callbacks are signed: HMAC-SHA256 over ``timestamp.body``, five minutes' tolerance.

Header ``X-Signature: t=<unix seconds>,v1=<hex>``; the secret is
``CITIZENCLOUD_NOTIFY_CALLBACK_SECRET``, shared with the provider (or the simulator).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from citizencloud.kernel import clock
from citizencloud.kernel.errors import DomainError

TOLERANCE_SECONDS = 300


class BadSignature(DomainError):
    code = "notifications.bad_signature"
    status = 401


def sign(body: bytes, timestamp: int, secret: str) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(body: bytes, header: str) -> None:
    """Raise ``BadSignature`` unless ``header`` signs ``body`` recently with our secret."""
    parts = dict(part.partition("=")[::2] for part in header.split(","))
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        raise BadSignature("Missing or malformed signature.") from None
    if abs(clock.now().timestamp() - timestamp) > TOLERANCE_SECONDS:
        raise BadSignature("Signature too old.")
    expected = sign(body, timestamp, settings.NOTIFY_CALLBACK_SECRET)
    if not hmac.compare_digest(expected.encode(), header.strip().encode()):
        raise BadSignature("Signature does not match.")
