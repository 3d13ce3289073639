"""Outbound calls: sign, send with a deadline, retry under the same message id, verify the answer.

Nothing here touches the database, so calls to several peers run in threads
(``services.call_many``) and the caller's thread writes the log. A ``Result`` carries either
the verified JSON object or the error that refused it; it is never both.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from citizencloud.exchange import breaker, httpsig
from citizencloud.exchange import errors as ex
from citizencloud.kernel import clock, ratelimit, signing

__all__ = ["Call", "PeerInfo", "Result", "fingerprint", "new_message_id", "send"]

REQUEST_COMPONENTS = (
    "@method",
    "@authority",
    "@path",
    "content-type",
    "content-digest",
    "cc-client",
    "cc-message-id",
    "cc-purpose",
    "cc-legal-basis",
    "cc-subject",
)
RESPONSE_COMPONENTS = ("@status", "content-digest", "cc-message-id")
RETRYABLE_STATUS = {502, 503, 504}


def new_message_id() -> str:
    return str(uuid.uuid4())


def fingerprint(data: bytes) -> str:
    """A base32 SHA-256 of ``data`` (no digit runs that look like phone or ID numbers)."""
    return base64.b32encode(hashlib.sha256(data).digest()).decode().rstrip("=").lower()


@dataclass(frozen=True)
class PeerInfo:
    """What a call needs of a peer, detached from the ORM (calls run in threads)."""

    code: str
    endpoint: str
    public_keys: dict[str, str]
    rate: str


@dataclass(frozen=True)
class Call:
    peer: PeerInfo
    path: str
    body: dict[str, Any]
    purpose: str
    legal_basis: str
    subject: str  # the citizen's pseudonymous id at this peer
    message_id: str = field(default_factory=new_message_id)
    timeout: float | None = None  # seconds for all attempts; at most EXCHANGE_TIMEOUT_SECONDS


@dataclass
class Result:
    call: Call
    data: dict[str, Any] | None = None
    error: ex.ExchangeError | ratelimit.RateLimited | None = None
    status: int | None = None
    attempts: int = 0
    duration_ms: int = 0
    request_digest: str = ""
    response_digest: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


def _signed_request(call: Call, body: bytes) -> tuple[str, dict[str, str]]:
    url = call.peer.endpoint.rstrip("/") + call.path
    parts = urlsplit(url)
    headers = {
        "content-type": "application/json",
        "content-digest": httpsig.content_digest(body),
        "cc-client": settings.EXCHANGE_SELF_ID,
        "cc-message-id": call.message_id,
        "cc-purpose": call.purpose,
        "cc-legal-basis": call.legal_basis,
        "cc-subject": call.subject,
    }
    values = {
        **headers,
        "@method": "POST",
        "@authority": parts.netloc.lower(),
        "@path": parts.path or "/",
    }
    key = signing.current()
    params = httpsig.params_text(
        REQUEST_COMPONENTS,
        created=int(clock.now().timestamp()),
        key_id=key.key_id,
        nonce=call.message_id,
    )
    signature = key.sign(httpsig.signature_base(values, REQUEST_COMPONENTS, params))
    headers["signature-input"] = f"sig1={params}"
    headers["signature"] = f"sig1=:{base64.b64encode(signature).decode()}:"
    return url, headers


def _read_limited(response: httpx.Response) -> bytes:
    limit = settings.EXCHANGE_MAX_RESPONSE_BYTES
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ex.Oversized("The department's answer is too large.")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise ex.Oversized("The department's answer is too large.")
        chunks.append(chunk)
    return b"".join(chunks)


def verify_response(call: Call, status: int, headers: httpx.Headers, body: bytes) -> dict[str, Any]:
    """Check the peer's signature, time, message id and digest; return the JSON object."""
    try:
        parsed = httpsig.parse(headers.get("signature-input", ""), headers.get("signature", ""))
        created = parsed.created
    except httpsig.Malformed as error:
        raise ex.BadSignature("The department's answer is not signed.") from error
    public = call.peer.public_keys.get(parsed.key_id)
    if public is None:
        raise ex.BadSignature("The department's answer is signed by an unknown key.")
    if not set(RESPONSE_COMPONENTS) <= set(parsed.names):
        raise ex.BadSignature("The department's signature does not cover the answer.")
    values = {
        "@status": str(status),
        "content-digest": headers.get("content-digest", ""),
        "cc-message-id": headers.get("cc-message-id", ""),
    }
    try:
        base = httpsig.signature_base(values, parsed.names, parsed.params_text)
    except httpsig.Malformed as error:
        raise ex.BadSignature("The department's signature does not cover the answer.") from error
    if not signing.verify(base64.b64decode(public), parsed.signature, base):
        raise ex.BadSignature("The department's signature does not verify.")
    if abs(clock.now().timestamp() - created) > settings.EXCHANGE_CLOCK_SKEW_SECONDS:
        raise ex.ClockSkew("The department's clock is too far from ours.")
    if values["cc-message-id"] != call.message_id:
        raise ex.Replayed("The department answered another message (a replayed answer).")
    if not httpsig.digest_matches(values["content-digest"], body):
        raise ex.BadDigest("The department's answer was altered on the way.")
    try:
        data = json.loads(body)
    except ValueError as error:
        raise ex.Malformed("The department's answer is not valid JSON.") from error
    if not isinstance(data, dict):
        raise ex.Malformed("The department's answer is not a JSON object.")
    return data


_http: httpx.Client | None = None
_http_lock = threading.Lock()


def _client() -> httpx.Client:
    """One pooled HTTP client per process (thread-safe; keeps connections to peers alive)."""
    global _http
    with _http_lock:
        if _http is None:
            limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
            _http = httpx.Client(follow_redirects=False, limits=limits)
        return _http


def _attempt(call: Call, url: str, headers: dict[str, str], body: bytes, timeout: float) -> Any:
    """One HTTP exchange: (status, data) or raise; retryable failures raise ``Unavailable``."""
    try:
        with _client().stream(
            "POST", url, content=body, headers=headers, timeout=max(0.05, timeout)
        ) as response:
            raw = _read_limited(response)
            if response.status_code in RETRYABLE_STATUS:
                raise ex.Unavailable("The department's system is unavailable.")
            data = verify_response(call, response.status_code, response.headers, raw)
            if response.status_code != 200:
                raise ex.RefusedByPeer(
                    "The department's system refused the request.",
                    extra={"peer_code": str(data.get("code", ""))[:60]},
                )
            return response.status_code, data
    except httpx.TimeoutException as error:
        raise ex.Unavailable("The department's system did not answer in time.") from error
    except httpx.HTTPError as error:
        raise ex.Unavailable("The department's system cannot be reached.") from error


def send(call: Call) -> Result:
    """Send ``call`` within ``EXCHANGE_TIMEOUT_SECONDS`` (all retries included); never raises."""
    started = time.monotonic()
    budget = min(
        call.timeout or settings.EXCHANGE_TIMEOUT_SECONDS, settings.EXCHANGE_TIMEOUT_SECONDS
    )
    deadline = started + budget
    body = json.dumps(call.body, ensure_ascii=False, sort_keys=True).encode()
    result = Result(call=call, request_digest=fingerprint(body))
    try:
        ratelimit.check("exchange.out", call.peer.code, call.peer.rate)
        if not breaker.allow(call.peer.code):
            raise ex.CircuitOpen("The department's system is failing; we stopped asking it.")
        url, headers = _signed_request(call, body)
        for attempt in range(1 + settings.EXCHANGE_RETRIES):
            result.attempts = attempt + 1
            remaining = deadline - time.monotonic()
            try:
                result.status, result.data = _attempt(call, url, headers, body, remaining)
                break
            except ex.Unavailable:
                if attempt == settings.EXCHANGE_RETRIES or deadline - time.monotonic() < 0.3:
                    raise
                time.sleep(0.05 * (attempt + 1))
        breaker.success(call.peer.code)
    except (ex.ExchangeError, ratelimit.RateLimited) as error:
        result.error, result.data = error, None
        if not isinstance(error, ex.CircuitOpen | ratelimit.RateLimited):
            breaker.failure(call.peer.code)
    if result.data is not None:
        canonical = json.dumps(result.data, sort_keys=True, ensure_ascii=False).encode()
        result.response_digest = fingerprint(canonical)
    result.duration_ms = int((time.monotonic() - started) * 1000)
    return result
