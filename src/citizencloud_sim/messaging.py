"""A simulated SMS or email provider: accepts sends, returns ids, calls back with signed statuses.

API (what ``citizencloud.notifications.gateways.HttpSms/HttpEmail`` speak):

* ``POST /v1/sms`` ``{"to", "text", "reference", "callback_url"}`` (email: ``/v1/email`` with
  ``subject``), ``Authorization: Bearer <api key>``, ``Idempotency-Key`` → ``202 {"id"}``. The same
  key again answers the same id and sends nothing (``200``).
* Later, ``POST callback_url`` ``{"id", "reference", "status", "occurred_at"}`` with
  ``X-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``: ``sending`` then one of
  ``delivered``, ``temporary-failure``, ``permanent-failure``.
* Test recipients: a phone ending in 0000 or an address starting ``bounce@`` fails permanently;
  ending in 0001 or ``busy@`` fails temporarily.
* Switches (also ``POST /_sim/faults`` at run time): slow, down, failure rate, duplicate and
  out-of-order callbacks. ``GET /_sim/messages`` lists what was sent; ``POST /_sim/reset``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import random
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Faults:
    latency_ms: int = 30
    callback_delay_ms: int = 200
    slow_ms: int = 0
    down: bool = False
    failure_rate: float = 0.0
    duplicate: bool = False
    out_of_order: bool = False


@dataclass
class Provider:
    kind: str
    api_key: str
    secret: str
    faults: Faults
    rng: random.Random
    lock: threading.Lock = field(default_factory=threading.Lock)
    by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    callbacks_sent: int = 0

    def accept(self, key: str, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Record a send under ``key``; (record, created)."""
        with self.lock:
            if key in self.by_key:
                return self.by_key[key], False
            record = {
                "id": uuid.uuid4().hex, "key": key, "to": body.get("to", ""),
                "reference": body.get("reference", key), "text": body.get("text", ""),
                "subject": body.get("subject", ""), "callback_url": body.get("callback_url", ""),
                "status": "sending", "accepted_at": time.time(),
            }  # fmt: skip
            record["outcome"] = self._outcome(str(record["to"]))
            self.by_key[key] = record
            return record, True

    def _outcome(self, to: str) -> str:
        if to.endswith("0000") or to.startswith("bounce@"):
            return "permanent-failure"
        if to.endswith("0001") or to.startswith("busy@"):
            return "temporary-failure"
        if self.rng.random() < self.faults.failure_rate:
            return "temporary-failure"
        return "delivered"

    def sign(self, body: bytes) -> str:
        stamp = int(time.time())
        mac = hmac.new(self.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        return f"t={stamp},v1={mac.hexdigest()}"

    def call_back(self, record: dict[str, Any]) -> None:
        """Report ``sending`` then the outcome, with the switched-on faults."""
        time.sleep(self.faults.callback_delay_ms / 1000)
        start = dt.datetime.now(dt.UTC)
        sending = (record, "sending", start)
        final = (record, record["outcome"], start + dt.timedelta(milliseconds=50))
        reports = [final, sending] if self.faults.out_of_order else [sending, final]
        if self.faults.duplicate:
            reports.append(final)
        for rec, status, at in reports:
            self._post(rec, status, at)
        with self.lock:
            record["status"] = record["outcome"]

    def _post(self, record: dict[str, Any], status: str, at: dt.datetime) -> None:
        payload = {"id": record["id"], "reference": record["reference"], "status": status,
                   "occurred_at": at.isoformat()}  # fmt: skip
        body = json.dumps(payload).encode()
        for attempt in range(3):
            request = urllib.request.Request(  # noqa: S310 (the URL is the caller's own)
                record["callback_url"], data=body, method="POST",
                headers={"Content-Type": "application/json", "X-Signature": self.sign(body)},
            )  # fmt: skip
            try:
                with urllib.request.urlopen(request, timeout=10):  # noqa: S310
                    with self.lock:
                        self.callbacks_sent += 1
                    return
            except Exception:  # noqa: BLE001 — a provider retries, whatever went wrong
                time.sleep(0.2 * (attempt + 1))


class Handler(BaseHTTPRequestHandler):
    server: SimServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle plus the client's
    # delayed ACK add ~40 ms to every answer, which a real provider's server does not.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        # A client that gave up (a killed worker) will resend the same key.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        parsed: dict[str, Any] = json.loads(raw or b"{}")
        return parsed

    def do_GET(self) -> None:
        provider = self.server.provider
        if self.path == "/_sim/messages":
            with provider.lock:
                items = [dict(r) for r in provider.by_key.values()]
            self._answer(200, {"messages": items, "callbacks_sent": provider.callbacks_sent})
        elif self.path == "/healthz":
            self._answer(200, {"status": "ok", "kind": provider.kind})
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        provider = self.server.provider
        try:
            body = self._body()
        except ValueError:
            self._answer(400, {"error": "malformed JSON"})
            return
        if self.path == "/_sim/faults":
            provider.faults = dataclasses.replace(provider.faults, **body)
            self._answer(200, dataclasses.asdict(provider.faults))
        elif self.path == "/_sim/reset":
            with provider.lock:
                provider.by_key.clear()
                provider.callbacks_sent = 0
            self._answer(200, {"reset": True})
        elif self.path == f"/v1/{provider.kind}":
            self._send(provider, body)
        else:
            self._answer(404, {"error": "not found"})

    def _send(self, provider: Provider, body: dict[str, Any]) -> None:
        faults = provider.faults
        if self.headers.get("Authorization") != f"Bearer {provider.api_key}":
            self._answer(401, {"error": "bad api key"})
            return
        if faults.down:
            self._answer(503, {"error": "down"})
            return
        key = self.headers.get("Idempotency-Key") or ""
        if not key or not body.get("to") or not body.get("callback_url"):
            self._answer(400, {"error": "Idempotency-Key, to and callback_url are required"})
            return
        record, created = provider.accept(key, body)
        if created:
            threading.Thread(target=provider.call_back, args=(record,), daemon=True).start()
        # Accepted first, answered late: a client that gives up here must resend the same key.
        time.sleep((faults.latency_ms + faults.slow_ms) / 1000)
        self._answer(202 if created else 200, {"id": record["id"]})


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    provider: Provider


def serve(
    *, kind: str, host: str, port: int, api_key: str, secret: str, faults: Faults,
    seed: int | None = None,
) -> SimServer:  # fmt: skip
    """A bound (not yet serving) simulator; call ``serve_forever()``."""
    server = SimServer((host, port), Handler)
    server.provider = Provider(kind=kind, api_key=api_key, secret=secret, faults=faults,
                               rng=random.Random(seed))  # noqa: S311  # fmt: skip
    return server
