"""``GET /api/v1/me/notifications/stream``: server-sent events from the ASGI edge (DESIGN.md §5).

Authentication without Django's middleware: the edge reads the session cookie and checks it
with a small synchronous lookup in a thread (the session store, then the user and the session's
auth hash, exactly the checks ``django.contrib.auth.get_user`` makes, then identity's live device
session as its middleware does), so a signed-out, timed-out or password-changed session is
refused with 401. The check runs when the stream opens (and so at each reconnect).
EventSource sends the cookie by itself; no ticket round trip is needed.

Fan-out: one ``Hub`` per process holds the open connections by user id and one feed task:
Redis pub/sub at scale (every process subscribes, whichever holds the connection pushes), or
embedded a poll of new message ids from the database every ``NOTIFY_STREAM_POLL_SECONDS`` (the
task worker, which creates messages, is another process). Events: ``counts`` on connect, then
``notification`` (``id:`` the message's public id) with the message and the unread counts; a comment
every 15 s keeps proxies from closing the connection. A stream lasts at most 5 minutes: the
browser reconnects with ``Last-Event-ID``, which re-checks the session and replays what it
missed (up to 50 messages). The inbox page opens the stream with ``?after=`` the newest message it
rendered (``start`` when there was none), so a message created between the page and the
connection is replayed too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from citizencloud.kernel import serving

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PATH = "/api/v1/me/notifications/stream"
KEEPALIVE_SECONDS = 15.0
DRAIN_CHECK_SECONDS = 0.5
# A stream ends after this long; the browser reconnects after RECONNECT_MILLISECONDS with
# Last-Event-ID, the session is checked again and missed messages are replayed.
MAX_STREAM_SECONDS = 300.0
RECONNECT_MILLISECONDS = 2000
IDENTITY_SESSION_KEY = "identity_session"  # identity.middleware.SESSION_ID


def _django() -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _user_for_session(session_key: str) -> int | None:
    """The signed-in user id of a session cookie, or None (sync: run in a thread)."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.db import close_old_connections
    from django.utils.crypto import constant_time_compare
    from django.utils.module_loading import import_string

    from citizencloud.identity import selectors as identity

    try:
        store = import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key)
        user_id = store.get(SESSION_KEY)
        if user_id is None or not store.get(BACKEND_SESSION_KEY):
            return None
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            return None
        if not constant_time_compare(store.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
            return None
        # Identity ties each of its sign-ins to a live device session (idle and absolute
        # timeouts, "sign out that device"): the same check as its SessionGuardMiddleware, which
        # also leaves a session made by Django's own login() without one alone.
        device = store.get(IDENTITY_SESSION_KEY) or ""
        if device:
            live = identity.session_by_id(device)
            if live is None or live.user_id != user.pk:
                return None
        return int(user.pk)
    finally:
        close_old_connections()


def _snapshot(user_id: int, message_id: int | None, english: bool) -> dict[str, Any]:
    """The event payload: unread counts and, for a new message, the message (sync)."""
    from django.db import close_old_connections

    from citizencloud.notifications import selectors
    from citizencloud.notifications.models import Message as Row

    try:
        data: dict[str, Any] = {"unread": selectors.unread_counts(user_id)}
        row = None if message_id is None else Row.objects.filter(pk=message_id).first()
        if row is not None and row.recipient_id == user_id:
            data["message"] = {
                "id": str(row.public_id), "category": row.category, "partner": row.partner,
                "subject": row.subject_en if english else row.subject_zh,
                "body": row.body_en if english else row.body_zh,
                "created_at": row.created_at.isoformat(),
            }  # fmt: skip
        return data
    finally:
        close_old_connections()


class Hub:
    """Open connections of this process by user id, fed from Redis or the database."""

    def __init__(self) -> None:
        self.queues: dict[int, set[asyncio.Queue[int | None]]] = {}
        self.feed: asyncio.Task[None] | None = None

    def subscribe(self, user_id: int) -> asyncio.Queue[int | None]:
        queue: asyncio.Queue[int | None] = asyncio.Queue(maxsize=100)
        self.queues.setdefault(user_id, set()).add(queue)
        if self.feed is None or self.feed.done():
            self.feed = asyncio.get_running_loop().create_task(self._run())
        return queue

    def unsubscribe(self, user_id: int, queue: asyncio.Queue[int | None]) -> None:
        self.queues.get(user_id, set()).discard(queue)
        if not self.queues.get(user_id):
            self.queues.pop(user_id, None)

    def dispatch(self, user_id: int, message_id: int | None) -> None:
        for queue in list(self.queues.get(user_id, ())):
            with contextlib.suppress(asyncio.QueueFull):  # a stuck client misses a nudge
                queue.put_nowait(message_id)

    async def _run(self) -> None:
        from django.conf import settings

        if settings.REDIS_URL:
            await self._from_redis(settings.REDIS_URL)
        else:
            await self._from_database(settings.NOTIFY_STREAM_POLL_SECONDS)

    async def _from_redis(self, url: str) -> None:
        import redis.asyncio as aioredis

        from citizencloud.notifications.fanout import CHANNEL

        client = aioredis.Redis.from_url(url)
        pubsub = client.pubsub()
        await pubsub.subscribe(CHANNEL)
        try:
            while True:
                item = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                if item is not None:
                    data = json.loads(item["data"])
                    self.dispatch(int(data["user"]), data.get("message"))
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            await client.aclose()

    async def _from_database(self, interval: float) -> None:
        last = await asyncio.to_thread(_latest_id)
        while True:
            await asyncio.sleep(interval)
            if not self.queues:  # nobody listening: just keep up with the newest id
                last = await asyncio.to_thread(_latest_id)
                continue
            rows = await asyncio.to_thread(_after, last)
            for message_id, user_id in rows:
                last = max(last, message_id)
                self.dispatch(user_id, message_id)


def _latest_id() -> int:
    from django.db import close_old_connections

    from citizencloud.notifications import selectors

    try:
        return selectors.latest_message_id()
    finally:
        close_old_connections()


def _after(last: int) -> list[tuple[int, int]]:
    from django.db import close_old_connections

    from citizencloud.notifications import selectors

    try:
        return selectors.messages_after(last)
    finally:
        close_old_connections()


hub = Hub()


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            with contextlib.suppress(Exception):
                jar.load(value.decode("latin-1"))
    return {key: morsel.value for key, morsel in jar.items()}


async def _refuse(send: Send, status: int, code: str) -> None:
    body = json.dumps({"type": f"https://citizencloud.org/problems/{code}", "status": status,
                       "code": code, "title": "Sign-in required"}).encode()  # fmt: skip
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _event(name: str, data: dict[str, Any], event_id: str | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _last_event_id(scope: Scope) -> str | None:
    """Where to resume: the browser's ``Last-Event-ID`` after a reconnect, else the page's
    ``?after=`` cursor (the newest message it rendered, or ``start``), else nowhere."""
    for name, value in scope.get("headers", []):
        if name == b"last-event-id":
            return str(value.decode("latin-1"))[:40]
    after = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1")).get("after")
    return after[0][:40] if after else None


async def _push(send: Send, chunk: bytes) -> None:
    await send({"type": "http.response.body", "body": chunk, "more_body": True})


async def _notification(user_id: int, message_id: int | None, english: bool) -> bytes:
    data = await asyncio.to_thread(_snapshot, user_id, message_id, english)
    if "message" in data:
        return _event("notification", data, data["message"]["id"])
    return _event("counts", data)


async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    """The SSE response: missed messages (``Last-Event-ID``), counts, then each new message."""
    if scope.get("method") != "GET":
        await _refuse(send, 405, "request.method_not_allowed")
        return
    await asyncio.to_thread(_django)
    from django.conf import settings

    cookies = _cookies(scope)
    session_key = cookies.get(settings.SESSION_COOKIE_NAME, "")
    user_id = await asyncio.to_thread(_user_for_session, session_key) if session_key else None
    if user_id is None:
        await _refuse(send, 401, "identity.unauthenticated")
        return
    english = cookies.get(settings.LANGUAGE_COOKIE_NAME, "").startswith("en")
    queue = hub.subscribe(user_id)  # before the catch-up, so nothing falls in between
    try:
        headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-store"),
            (b"x-accel-buffering", b"no"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await _push(send, f"retry: {RECONNECT_MILLISECONDS}\n\n".encode())
        last = _last_event_id(scope)
        if last is not None:
            for message_id in await asyncio.to_thread(_missed, user_id, last):
                await _push(send, await _notification(user_id, message_id, english))
        await _push(send, await _notification(user_id, None, english))
        await _pump(user_id, english, queue, receive, send)
    except OSError:
        pass  # the client went away mid-write
    finally:
        hub.unsubscribe(user_id, queue)


async def _pump(
    user_id: int, english: bool, queue: asyncio.Queue[int | None], receive: Receive, send: Send
) -> None:
    """Forward this person's changes until they hang up or the stream's lifetime ends."""
    disconnected = asyncio.ensure_future(_wait_disconnect(receive))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAX_STREAM_SECONDS
    quiet_since = loop.time()
    try:
        # The server stopping ends the stream too (the browser reconnects elsewhere or later).
        while not disconnected.done() and loop.time() < deadline and not serving.draining():
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, disconnected}, timeout=DRAIN_CHECK_SECONDS,
                                         return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
            if getter in done:
                chunk = await _notification(user_id, getter.result(), english)
            else:
                getter.cancel()
                if loop.time() - quiet_since < KEEPALIVE_SECONDS:
                    continue
                chunk = b": keep-alive\n\n"
            quiet_since = loop.time()
            if not disconnected.done():
                await _push(send, chunk)
    finally:
        disconnected.cancel()
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _missed(user_id: int, last_id: str) -> list[int]:
    from django.db import close_old_connections

    from citizencloud.notifications import selectors

    try:
        return selectors.message_ids_after(user_id, last_id)
    finally:
        close_old_connections()


async def _wait_disconnect(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
