"""The raw ceiling bench/flash_crowd.py compares against: a minimal ASGI app doing the same
store write (``campaigns.store``, group commit, ack after COMMIT) with nothing else — no pass
signature check (the user id is read from the pass unverified), no admission, no receipt. Like
the edge, it reads the body up to its Content-Length and lets a batch gather for 1 ms.

    granian --interface asgi --no-ws raw_ceiling:app   (CITIZENCLOUD_* as for the server)
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django

django.setup()

from django.conf import settings  # noqa: E402

from citizencloud.campaigns import store  # noqa: E402
from citizencloud.kernel import clock  # noqa: E402

_store = store.from_settings(settings.DATABASES["default"])
# The same heap treatment as the edge after its start-up (citizencloud.edge.settle_heap).
gc.collect()
gc.freeze()
gc.set_threshold(20_000, *gc.get_threshold()[1:])
_pool = ThreadPoolExecutor(1)
_pending: list[tuple[store.EntryRequest, asyncio.Future[store.Outcome]]] = []
_wakeup: asyncio.Event | None = None
_task: asyncio.Task[None] | None = None


async def _writer() -> None:
    assert _wakeup is not None
    loop = asyncio.get_running_loop()
    while True:
        await _wakeup.wait()
        _wakeup.clear()
        if len(_pending) < 1024:
            await asyncio.sleep(0.001)
        batch = _pending[:1024]
        del _pending[: len(batch)]
        if _pending:
            _wakeup.set()
        if batch:
            outcomes = await loop.run_in_executor(_pool, _store.write, [r for r, _ in batch])
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                future.set_result(outcome)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _wakeup, _task
    if scope["type"] != "http":
        return
    if scope["method"] != "POST":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"raw ceiling"})
        return
    # Stop at Content-Length, as the edge does (granian sends an empty last message after it).
    headers = dict(scope["headers"])
    length = int(headers.get(b"content-length", b"-1"))
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body") or len(body) == length:
            break
    token = json.loads(body)["pass"]
    payload = base64.urlsafe_b64decode(token.split(".")[1] + "==").decode().split("|")
    campaign_id = int(scope["path"].split("/")[4])
    if _wakeup is None:
        _wakeup = asyncio.Event()
    if _task is None:
        _task = asyncio.get_running_loop().create_task(_writer())
    future: asyncio.Future[store.Outcome] = asyncio.get_running_loop().create_future()
    request = store.EntryRequest(
        campaign_id=campaign_id,
        user_id=int(payload[3]),
        idempotency_key=headers.get(b"idempotency-key", b"").decode(),
        entry_id=secrets.token_hex(16),
        created_at=clock.now(),
    )
    _pending.append((request, future))
    _wakeup.set()
    outcome = await future
    status = {"created": 201, "replayed": 201, "duplicate": 409}.get(outcome.status, 410)
    reply = json.dumps({"entry_id": outcome.entry_id, "status": outcome.status}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": reply})
