"""The entry hot path in the ASGI edge: verify the pass, admit, write in a batch, acknowledge.

``POST /api/v1/campaigns/{id}/entries`` with ``{"pass": "cp1.…"}`` and an ``Idempotency-Key``.
No Django request, session, middleware or ORM here: Django is set up once at start-up only to
read settings and the signing key ring. Entries waiting in this process go to the database as
one transaction (``store``); the reply is sent after that transaction committed.

Answers (problem+json for errors): 201 entry + signed receipt (a replayed key: 201 again with
``Idempotent-Replayed: true``); 400 bad request; 401 pass invalid or expired; 403 pass for
another campaign; 404 no such campaign; 409 already entered / not open yet; 410 closed or sold
out; 429 or 503 with ``Retry-After`` and a waiting-room ticket when admission says no.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from citizencloud.campaigns import admission, passes, store
from citizencloud.kernel import clock

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PATTERN = r"^/api/v1/campaigns/(?P<campaign_id>[0-9]{1,18})/entries$"
MAX_BODY = 4096
CAMPAIGN_TTL = 1.0
PROBLEM_BASE = "https://citizencloud.org/problems/"

log = logging.getLogger("citizencloud.campaigns.edge")


Signed = tuple[store.Outcome, dict[str, object] | None]


@dataclass
class Config:
    concurrency: int
    rate: float
    burst: float
    batch_ms: float
    batch_max: int


@dataclass
class CachedCampaign:
    info: store.CampaignInfo
    fetched: float
    sold_out: bool = False
    entrants: dict[int, tuple[str, str, str]] | None = None  # sold-out first come: user → entry


@dataclass
class Runtime:
    writes: store.Store
    reads: store.Store
    verifier: passes.Verifier
    signer: Any
    key_id: str
    config: Config
    gate: admission.Admission
    writer: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, "campaign-writer")
    )
    reader: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, "campaign-reader")
    )
    pending: list[tuple[store.EntryRequest, asyncio.Future[Signed]]] = field(default_factory=list)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    writer_task: asyncio.Task[None] | None = None
    campaigns: dict[int, CachedCampaign] = field(default_factory=dict)
    refreshing: set[int] = field(default_factory=set)
    feeder: asyncio.Task[None] | None = None
    batches: int = 0
    batched_entries: int = 0


_runtime: Runtime | None = None
_runtime_lock = asyncio.Lock()


def _build_runtime() -> Runtime:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.conf import settings

    from citizencloud.kernel import signing

    key = signing.current()
    config = Config(
        concurrency=settings.CAMPAIGN_EDGE_CONCURRENCY,
        rate=float(settings.CAMPAIGN_EDGE_RATE),
        burst=float(settings.CAMPAIGN_EDGE_BURST or settings.CAMPAIGN_EDGE_RATE),
        batch_ms=float(settings.CAMPAIGN_BATCH_MS),
        batch_max=settings.CAMPAIGN_BATCH_MAX,
    )
    return Runtime(
        writes=store.from_settings(
            settings.DATABASES["default"],
            redis_url=settings.REDIS_URL if settings.CAMPAIGN_REDIS else "",
            prefix=settings.CACHES["default"].get("KEY_PREFIX") or "cc",
        ),
        reads=store.from_settings(settings.DATABASES["default"]),
        verifier=passes.Verifier(signing.trusted_public_keys()),
        signer=key.private,
        key_id=key.key_id,
        config=config,
        gate=admission.Admission(
            limit=config.concurrency,
            bucket=admission.TokenBucket(rate=config.rate, burst=config.burst),
        ),
    )


async def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        async with _runtime_lock:
            if _runtime is None:
                built = await asyncio.get_running_loop().run_in_executor(None, _build_runtime)
                _start_global_bucket(built)
                _runtime = built
    return _runtime


def _start_global_bucket(rt: Runtime) -> None:
    """With ``CAMPAIGN_EDGE_GLOBAL_RATE`` and Redis, every edge process leases its tokens from
    one shared bucket (``campaigns.global_bucket``)."""
    from django.conf import settings

    if not (settings.CAMPAIGN_EDGE_GLOBAL_RATE and settings.REDIS_URL):
        return
    import redis.asyncio

    from citizencloud.campaigns import global_bucket

    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "cc"
    shared = global_bucket.GlobalBucket(
        redis.asyncio.Redis.from_url(settings.REDIS_URL),
        f"{prefix}:campaigns:admission",
        rate=float(settings.CAMPAIGN_EDGE_GLOBAL_RATE),
        burst=float(settings.CAMPAIGN_EDGE_GLOBAL_RATE),
    )
    rt.feeder = asyncio.get_running_loop().create_task(
        global_bucket.feed(rt.gate, shared, rt.config.rate)
    )


# --- responses ---------------------------------------------------------------------------------


async def _reply(
    send: Send,
    status: int,
    body: dict[str, Any],
    *,
    problem: bool,
    headers: list[tuple[bytes, bytes]] = (),  # type: ignore[assignment]
) -> None:
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    content_type = b"application/problem+json" if problem else b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(payload)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _problem(
    send: Send, scope: Scope, status: int, code: str, title: str, **extra: Any
) -> None:
    headers = extra.pop("headers", [])
    body = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "code": code,
        "instance": scope.get("path", ""),
        **extra,
    }
    await _reply(send, status, body, problem=True, headers=headers)


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


# --- the writer: group commit ---------------------------------------------------------------------


async def _writer(rt: Runtime) -> None:
    loop = asyncio.get_running_loop()
    while True:
        await rt.wakeup.wait()
        rt.wakeup.clear()
        if rt.config.batch_ms > 0 and len(rt.pending) < rt.config.batch_max:
            await asyncio.sleep(rt.config.batch_ms / 1000)
        batch = rt.pending[: rt.config.batch_max]
        del rt.pending[: len(batch)]
        if rt.pending:
            rt.wakeup.set()
        if not batch:
            continue
        try:
            outcomes = await loop.run_in_executor(
                rt.writer, _write_and_sign, rt, [request for request, _ in batch]
            )
        except Exception as error:
            log.exception("campaign batch failed", extra={"entries": len(batch)})
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            continue
        rt.batches += 1
        rt.batched_entries += len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)


def _write_and_sign(rt: Runtime, batch: list[store.EntryRequest]) -> list[Signed]:
    """Commit the batch, then sign the receipts of what it acknowledged (one signature)."""
    outcomes = rt.writes.write(batch)
    return _signed(rt, [(r.campaign_id, o) for r, o in zip(batch, outcomes, strict=True)])


def _signed(rt: Runtime, outcomes: list[tuple[int, store.Outcome]]) -> list[Signed]:
    acked = [i for i, (_, o) in enumerate(outcomes) if o.status in (store.CREATED, store.REPLAYED)]
    statements = [
        (outcomes[i][0], outcomes[i][1].entry_id, _iso(outcomes[i][1].created_at)) for i in acked
    ]
    receipts = passes.sign_receipts(rt.signer, rt.key_id, statements)
    result: list[Signed] = [(o, None) for _, o in outcomes]
    for i, receipt in zip(acked, receipts, strict=True):
        result[i] = (outcomes[i][1], receipt)
    return result


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


async def _submit(rt: Runtime, request: store.EntryRequest) -> Signed:
    if rt.writer_task is None or rt.writer_task.done():
        rt.writer_task = asyncio.get_running_loop().create_task(_writer(rt))
    future: asyncio.Future[Signed] = asyncio.get_running_loop().create_future()
    rt.pending.append((request, future))
    rt.wakeup.set()
    return await future


async def _campaign(rt: Runtime, campaign_id: int) -> CachedCampaign | None:
    """The campaign as this process last read it (at most ``CAMPAIGN_TTL`` old; while one
    request refreshes it, the others go on with the previous copy — no stampede)."""
    cached = rt.campaigns.get(campaign_id)
    if cached is not None and time.monotonic() - cached.fetched < CAMPAIGN_TTL:
        return cached
    if cached is not None:
        if campaign_id not in rt.refreshing:
            rt.refreshing.add(campaign_id)
            task = asyncio.get_running_loop().create_task(_refresh(rt, campaign_id))
            task.add_done_callback(lambda _: rt.refreshing.discard(campaign_id))
        return cached
    return await _refresh(rt, campaign_id)


async def _refresh(rt: Runtime, campaign_id: int) -> CachedCampaign | None:
    now = time.monotonic()
    cached = rt.campaigns.get(campaign_id)
    loop = asyncio.get_running_loop()
    info = await loop.run_in_executor(rt.reader, rt.reads.campaign, campaign_id)
    if info is None:
        rt.campaigns.pop(campaign_id, None)
        return None
    if cached is None or cached.info.identity != info.identity:
        cached = CachedCampaign(info=info, fetched=now)
        rt.campaigns[campaign_id] = cached
    cached.info, cached.fetched = info, now
    sold_out = info.kind == "first_come" and info.remaining == 0
    if not sold_out:
        cached.entrants = None
    cached.sold_out = sold_out
    return cached


async def _load_entrants(rt: Runtime, cached: CachedCampaign) -> None:
    """Once a first-come campaign is sold out its entrants are final (at most ``stock``): keep
    them in memory so replays and refusals are answered from this process alone."""
    loop = asyncio.get_running_loop()
    cached.entrants = await loop.run_in_executor(rt.reader, rt.reads.entrants, cached.info.id)


# --- the handler -------------------------------------------------------------------------------


def _created_body(
    campaign_id: int, entry_id: str, created_at: str, receipt: dict[str, object] | None
) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "entry_id": entry_id,
        "created_at": created_at,
        "receipt": receipt,
    }


async def _shed(send: Send, scope: Scope, rt: Runtime, campaign_id: int, verdict: str) -> None:
    ticket = rt.gate.ticket()
    status, code, title = (
        (429, "campaigns.throttled", "Too many requests")
        if verdict == admission.THROTTLED
        else (503, "campaigns.busy", "Service busy")
    )
    await _problem(
        send,
        scope,
        status,
        code,
        title,
        detail=(
            "Please wait; your place is kept. "
            "Entering later in the window does not change your odds."
        ),
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
    if scope["method"] != "POST":
        await _problem(
            send,
            scope,
            405,
            "request.method_not_allowed",
            "Method not allowed",
            headers=[(b"allow", b"POST")],
        )
        return
    rt = _runtime or await runtime()
    verdict = rt.gate.enter(time.monotonic())
    if verdict != admission.ADMITTED:
        await _shed(send, scope, rt, campaign_id, verdict)
        return
    try:
        await _enter(scope, receive, send, rt, campaign_id)
    finally:
        rt.gate.leave()


def _sold_out_for(rt: Runtime, campaign_id: int, token: str) -> bool:
    """True when the campaign is sold out and the pass's claimed holder is not an entrant."""
    cached = rt.campaigns.get(campaign_id)
    if cached is None or not cached.sold_out or cached.entrants is None:
        return False
    if time.monotonic() - cached.fetched >= CAMPAIGN_TTL:
        return False
    user = passes.peek_user(token)
    return user is not None and user not in cached.entrants


async def _enter(scope: Scope, receive: Receive, send: Send, rt: Runtime, campaign_id: int) -> None:
    key = _header(scope, b"idempotency-key")
    if not key or len(key) > 255:
        await _problem(
            send,
            scope,
            400,
            "campaigns.idempotency_key_required",
            "An Idempotency-Key header (1–255 characters) is required",
        )
        return
    body = await _read_body(receive)
    try:
        token = json.loads(body or b"")["pass"] if body is not None else None
    except (ValueError, KeyError, TypeError):
        token = None
    if not isinstance(token, str):
        await _problem(
            send, scope, 400, "campaigns.pass_required", 'The body must be {"pass": "…"}'
        )
        return
    if _sold_out_for(rt, campaign_id, token):
        # Final and public: no need to spend a signature check on it (refusals stay cheap).
        await _problem(send, scope, 410, "campaigns.sold_out", "Sold out")
        return
    now = clock.now()
    try:
        claims = rt.verifier.verify(token, now=int(now.timestamp()))
    except passes.InvalidPass as error:
        code = "campaigns.pass_expired" if error.reason == "expired" else "campaigns.pass_invalid"
        await _problem(
            send,
            scope,
            401,
            code,
            "The campaign pass is not valid",
            headers=[(b"www-authenticate", b'CampaignPass realm="campaigns"')],
        )
        return
    if claims.campaign_id != campaign_id:
        await _problem(
            send, scope, 403, "campaigns.pass_other_campaign", "This pass is for another campaign"
        )
        return
    cached = await _campaign(rt, campaign_id)
    if cached is None:
        await _problem(send, scope, 404, "campaigns.not_found", "No such campaign")
        return
    info = cached.info
    if now < info.opens_at:
        wait = int((info.opens_at - now).total_seconds()) + 1
        await _problem(
            send,
            scope,
            409,
            "campaigns.not_open",
            "Registration has not opened yet",
            opens_at=info.opens_at.isoformat(),
            headers=[(b"retry-after", str(min(wait, 3600)).encode())],
        )
        return
    if cached.sold_out and cached.entrants is not None:
        await _answer_final(send, scope, rt, campaign_id, claims.user_id, key, cached.entrants)
        return
    request = store.EntryRequest(
        campaign_id=campaign_id,
        user_id=claims.user_id,
        idempotency_key=key,
        entry_id=secrets.token_hex(16),
        created_at=now,
    )
    if now >= info.closes_at:
        found = await asyncio.get_running_loop().run_in_executor(
            rt.reader, rt.reads.lookup, request
        )
        signed = _signed(rt, [(campaign_id, found)])[0]
    else:
        try:
            signed = await _submit(rt, request)
        except Exception:  # noqa: BLE001 — the batch failed: nothing was acknowledged
            await _problem(
                send,
                scope,
                503,
                "campaigns.write_failed",
                "Please try again",
                headers=[(b"retry-after", str(random.randint(1, 3)).encode())],  # noqa: S311
            )
            return
    if signed[0].status == store.SOLD_OUT and not cached.sold_out:
        cached.sold_out = True
        asyncio.get_running_loop().create_task(_load_entrants(rt, cached))
    await _answer(send, scope, campaign_id, signed)


async def _answer_final(
    send: Send,
    scope: Scope,
    rt: Runtime,
    campaign_id: int,
    user_id: int,
    key: str,
    entrants: dict[int, tuple[str, str, str]],
) -> None:
    known = entrants.get(user_id)
    if known is None:
        outcome = store.Outcome(store.SOLD_OUT)
    elif known[1] == key:
        outcome = store.Outcome(store.REPLAYED, known[0], _parse(known[2]))
    else:
        outcome = store.Outcome(store.DUPLICATE)
    await _answer(send, scope, campaign_id, _signed(rt, [(campaign_id, outcome)])[0])


def _parse(text: str) -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(text)


async def _answer(send: Send, scope: Scope, campaign_id: int, signed: Signed) -> None:
    outcome, receipt = signed
    if outcome.status in (store.CREATED, store.REPLAYED):
        created = _iso(outcome.created_at)
        headers = [(b"location", f"/api/v1/campaigns/{campaign_id}/my-entry".encode())]
        if outcome.status == store.REPLAYED:
            headers.append((b"idempotent-replayed", b"true"))
        await _reply(
            send,
            201,
            _created_body(campaign_id, outcome.entry_id, created, receipt),
            problem=False,
            headers=headers,
        )
    elif outcome.status == store.DUPLICATE:
        await _problem(
            send, scope, 409, "campaigns.already_entered", "You have already entered this campaign"
        )
    elif outcome.status == store.SOLD_OUT:
        await _problem(send, scope, 410, "campaigns.sold_out", "Sold out")
    elif outcome.status == store.CLOSED:
        await _problem(send, scope, 410, "campaigns.closed", "Registration is closed")
    else:
        await _problem(send, scope, 404, "campaigns.not_found", "No such campaign")


async def startup() -> None:
    """Build the runtime before the first request (keys, store), so the rush finds it ready."""
    try:
        await runtime()
    except Exception:  # the first request retries and reports it
        log.exception("campaign hot path could not start yet")


async def _runtime_or_build() -> Runtime:
    return _runtime or await runtime()
