"""The entry hot path in the ASGI edge: admit, check the pass, write in a batch, acknowledge.

``POST /api/v1/campaigns/{id}/entries`` with ``{"pass": "cp2.…"}`` and an ``Idempotency-Key``.
No Django request, session, middleware or ORM here: Django is set up once at start-up only to
read settings and keys (``edge_runtime``). Entries waiting in this process go to the database
as one transaction (``edge_writer``); the reply is sent after that transaction committed.
Problems are problem+json in the reader's language (``edge_http``).

Answers: 201 entry + signed receipt (a replayed key: 201 again with
``Idempotent-Replayed: true``); 400 bad request; 401 pass invalid or expired; 403 pass for
another campaign; 404 no such campaign; 409 already entered / not open yet; 410 closed or sold
out; 429 or 503 with ``Retry-After`` and a waiting-room ticket when admission says no.

Order of checks, cheapest refusal first: admission (a counter and a token bucket), the headers,
the body, a sold-out flag held in memory (before any MAC), the pass, the cached campaign, the
memory of who entered through this process (a second entry under another key is refused there).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import string
import time

from citizencloud.campaigns import admission, edge_http, edge_runtime, edge_writer, passes, store
from citizencloud.campaigns.edge_http import Receive, Scope, Send
from citizencloud.campaigns.edge_runtime import CachedCampaign, Runtime, Signed
from citizencloud.kernel import clock

PATTERN = r"^/api/v1/campaigns/(?P<campaign_id>[0-9]{1,18})/entries$"

# Re-exported for the edge pages and the composition root.
startup = edge_runtime.startup
read_body = edge_http.read_body

_WWW_AUTHENTICATE = [(b"www-authenticate", b'CampaignPass realm="campaigns"')]


_random = bytearray()


def _entry_id() -> str:
    """A random 128-bit entry id, from a pool refilled 256 ids at a time (one getrandom call
    instead of one per entry)."""
    if not _random:
        _random.extend(os.urandom(16 * 256))
    chunk = bytes(_random[-16:])
    del _random[-16:]
    return chunk.hex()


_PREFIX, _SUFFIX = b'{"pass":"', b'"}'
_SHORTEST = len(_PREFIX) + len(_SUFFIX)
_PASS_ALPHABET = (string.ascii_letters + string.digits + "-_.").encode()  # base64url and dots


def _pass_of(body: bytes | None) -> str | None:
    """The pass of a ``{"pass": "…"}`` body, or None. The body every client of ours sends,
    ``{"pass":"<base64url and dots>"}``, is cut out directly (what JSON would give: those
    characters need no unescaping); anything else goes through the JSON parser."""
    if not body:
        return None
    if len(body) >= _SHORTEST and body.startswith(_PREFIX) and body.endswith(_SUFFIX):
        token = body[len(_PREFIX) : -len(_SUFFIX)]
        if not token.translate(None, _PASS_ALPHABET):
            return token.decode("ascii")
    try:
        found = json.loads(body)["pass"]
    except (ValueError, KeyError, TypeError):
        return None
    return found if isinstance(found, str) else None


async def runtime() -> Runtime:
    return edge_runtime.current() or await edge_runtime.runtime()


async def _shed(
    send: Send, scope: Scope, lang: str, rt: Runtime, campaign_id: int, verdict: str
) -> None:
    ticket = rt.gate.ticket()
    await edge_http.problem(
        send,
        scope,
        lang,
        "campaigns.throttled" if verdict == admission.THROTTLED else "campaigns.busy",
        waiting_room={
            "ticket": ticket.number,
            "position": ticket.position,
            "estimated_wait_seconds": ticket.wait_seconds,
            "url": f"/campaigns/{campaign_id}/waiting-room?ticket={ticket.number}",
        },
        headers=[(b"retry-after", str(ticket.retry_after).encode())],
    )


async def entries(scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /api/v1/campaigns/{id}/entries``."""
    campaign_id = int(scope["path_params"]["campaign_id"])
    key, accept, length = edge_http.request_headers(scope)
    lang = edge_http.language(accept)
    if scope["method"] != "POST":
        await edge_http.problem(
            send, scope, lang, "request.method_not_allowed", headers=[(b"allow", b"POST")]
        )
        return
    rt = edge_runtime.current() or await edge_runtime.runtime()
    verdict = rt.gate.enter(time.monotonic())
    if verdict != admission.ADMITTED:
        await _shed(send, scope, lang, rt, campaign_id, verdict)
        return
    try:
        await _enter(scope, receive, send, rt, campaign_id, key, lang, length)
    finally:
        rt.gate.leave()


async def _enter(
    scope: Scope, receive: Receive, send: Send, rt: Runtime, campaign_id: int, raw_key: bytes,
    lang: str, length: int,
) -> None:  # fmt: skip
    if not raw_key or len(raw_key) > 255:
        await edge_http.problem(send, scope, lang, "campaigns.idempotency_key_required")
        return
    key = raw_key.decode("latin-1")
    token = _pass_of(await edge_http.read_body(receive, length))
    if not isinstance(token, str):
        await edge_http.problem(send, scope, lang, "campaigns.pass_required")
        return
    if edge_runtime.sold_out_for(rt, campaign_id, token):
        # Final and public: no need to spend a pass check on it (refusals stay cheap).
        await edge_http.problem(send, scope, lang, "campaigns.sold_out")
        return
    now = clock.now()
    try:
        claims = rt.verifier.verify(token, now=int(now.timestamp()))
    except passes.InvalidPass as error:
        code = "campaigns.pass_expired" if error.reason == "expired" else "campaigns.pass_invalid"
        await edge_http.problem(send, scope, lang, code, headers=_WWW_AUTHENTICATE)
        return
    if claims.campaign_id != campaign_id:
        await edge_http.problem(send, scope, lang, "campaigns.pass_other_campaign")
        return
    cached = await edge_runtime.campaign(rt, campaign_id)
    if cached is None:
        await edge_http.problem(send, scope, lang, "campaigns.not_found")
        return
    info = cached.info
    if now < info.opens_at:
        wait = int((info.opens_at - now).total_seconds()) + 1
        await edge_http.problem(
            send,
            scope,
            lang,
            "campaigns.not_open",
            opens_at=info.opens_at.isoformat(),
            headers=[(b"retry-after", str(min(wait, 3600)).encode())],
        )
        return
    if cached.sold_out and cached.entrants is not None:
        await _answer_final(send, scope, lang, rt, campaign_id, claims.user_id, key, cached)
        return
    if cached.seen.refuses(claims.user_id, key):
        # Entered through this process under another key: final, no write needed (Entrants).
        await edge_http.problem(send, scope, lang, "campaigns.already_entered")
        return
    request = store.EntryRequest(
        campaign_id=campaign_id,
        user_id=claims.user_id,
        idempotency_key=key,
        entry_id=_entry_id(),
        created_at=now,
    )
    if now >= info.closes_at:
        found = await asyncio.get_running_loop().run_in_executor(
            rt.reader, rt.reads.lookup, request
        )
        signed = edge_writer.signed(rt, [(campaign_id, found)])[0]
    else:
        try:
            signed = await edge_writer.submit(rt, request)
        except Exception:  # noqa: BLE001 — the batch failed: nothing was acknowledged
            await edge_http.problem(
                send,
                scope,
                lang,
                "campaigns.write_failed",
                headers=[(b"retry-after", str(random.randint(1, 3)).encode())],  # noqa: S311
            )
            return
    if signed[0].status in (store.CREATED, store.REPLAYED):
        cached.seen.record(claims.user_id, key)
    elif signed[0].status == store.DUPLICATE and signed[0].entered_key:
        cached.seen.record(claims.user_id, signed[0].entered_key)  # learnt from the database
    if signed[0].status == store.SOLD_OUT and not cached.sold_out:
        cached.sold_out = True
        asyncio.get_running_loop().create_task(edge_runtime.load_entrants(rt, cached))
    await _answer(send, scope, lang, campaign_id, signed)


async def _answer_final(
    send: Send,
    scope: Scope,
    lang: str,
    rt: Runtime,
    campaign_id: int,
    user_id: int,
    key: str,
    cached: CachedCampaign,
) -> None:
    known = (cached.entrants or {}).get(user_id)
    if known is None:
        outcome = store.Outcome(store.SOLD_OUT)
    elif known[1] == key:
        outcome = store.Outcome(store.REPLAYED, known[0], dt.datetime.fromisoformat(known[2]))
    else:
        outcome = store.Outcome(store.DUPLICATE)
    signed = edge_writer.signed(rt, [(campaign_id, outcome)])[0]
    await _answer(send, scope, lang, campaign_id, signed)


_REFUSALS = {
    store.DUPLICATE: "campaigns.already_entered",
    store.SOLD_OUT: "campaigns.sold_out",
    store.CLOSED: "campaigns.closed",
}


async def _answer(send: Send, scope: Scope, lang: str, campaign_id: int, signed: Signed) -> None:
    outcome, receipt = signed
    if outcome.status in (store.CREATED, store.REPLAYED):
        headers = [(b"location", f"/api/v1/campaigns/{campaign_id}/my-entry".encode())]
        if outcome.status == store.REPLAYED:
            headers.append((b"idempotent-replayed", b"true"))
        # Every value is a number, hex, an ISO time or the receipt's JSON: no escaping needed.
        body = (
            '{"campaign_id":' + str(campaign_id) + ',"entry_id":"' + outcome.entry_id
            + '","created_at":"' + edge_writer.iso(outcome.created_at)
            + '","receipt":' + (receipt or "null") + "}"
        )  # fmt: skip
        await edge_http.send_bytes(send, 201, body.encode(), [*edge_http.JSON_HEADERS, *headers])
        return
    await edge_http.problem(send, scope, lang, _REFUSALS.get(outcome.status, "campaigns.not_found"))
