"""Who is calling the biller API: ``X-Biller-Signature: t=<unix>,v1=<hex HMAC-SHA256(biller
secret, "<t>.<METHOD> <path>.<body>")>``, checked against the biller's own secret."""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from citizencloud.kernel.errors import DomainError
from citizencloud.payments import selectors
from citizencloud.payments.models import Biller

HEADER = "X-Biller-Signature"


def signature(secret: str, method: str, path: str, body: bytes, stamp: int | None = None) -> str:
    """The header value a biller sends (also used by tests and the demo)."""
    stamp = int(time.time()) if stamp is None else stamp
    message = f"{stamp}.{method} {path}.".encode() + body
    return f"t={stamp},v1={hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()}"


def authenticate(request: HttpRequest, code: str) -> Biller:
    """The biller whose signature this request carries, or 401."""
    biller = selectors.biller_by_code(code)
    parts = dict(i.split("=", 1) for i in request.headers.get(HEADER, "").split(",") if "=" in i)
    stamp = parts.get("t", "")
    fresh = stamp.isdigit() and (
        abs(time.time() - int(stamp)) <= settings.PAYMENTS_BILLER_CLOCK_SKEW_SECONDS
    )
    if biller is not None and fresh:
        expected = signature(
            str(biller.api_secret), request.method or "", request.path, request.body, int(stamp)
        )
        if hmac.compare_digest(expected, request.headers.get(HEADER, "")):
            return biller
    raise DomainError(_("Bad biller signature."), code="payments.bad_biller_signature", status=401)
