"""The ASGI edge (DESIGN.md §5): answers its own lean routes, hands the rest to Django.

Embedded mode (``citizencloud serve``) runs this app alone: edge routes are answered here with
no Django middleware, and every other request goes to Django's WSGI app through a2wsgi. At
scale (``--role edge``) it runs without Django and nginx sends it only the edge paths.
Later issues add the campaign hot path and server-sent events here.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from citizencloud.campaigns import edge as campaign_edge
from citizencloud.campaigns import edge_pages as campaign_pages
from citizencloud.notifications import stream as notification_stream

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
P = ParamSpec("P")
T = TypeVar("T")

EDGE_PREFIX = "/edge/"
# How long a stopping worker waits for requests still inside Django; below ``serve --grace`` (10 s)
# so the supervisor never has to kill a worker that is only finishing its requests.
DRAIN_SECONDS = 8.0


async def _json(send: Send, status: int, body: dict[str, Any], content_type: str) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(payload)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def edge_healthz(scope: Scope, receive: Receive, send: Send) -> None:
    await _json(send, 200, {"status": "ok", "role": "edge"}, "application/json")


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    await _json(
        send,
        404,
        {
            "type": "https://citizencloud.org/problems/request.not_found",
            "title": "Not found",
            "status": 404,
            "code": "request.not_found",
            "instance": scope.get("path", ""),
        },
        "application/problem+json",
    )


ROUTES: dict[str, ASGIApp] = {
    "/edge/healthz": edge_healthz,
    notification_stream.PATH: notification_stream.endpoint,
}

# Paths with parameters, tried in order after ROUTES; the match's groups go to
# ``scope["path_params"]``.
PATTERN_ROUTES: list[tuple[re.Pattern[str], ASGIApp]] = [
    (re.compile(campaign_edge.PATTERN), campaign_edge.entries),
    (re.compile(campaign_pages.WAITING_PATTERN), campaign_pages.waiting_room),
    (re.compile(campaign_pages.FORM_PATTERN), campaign_pages.enter_form),
]


def route(scope: Scope) -> ASGIApp | None:
    """The edge handler for this request, or None (Django answers it). A path with parameters
    puts them in the request's own scope (no wrapper, no copy: this runs for every entry)."""
    path = scope["path"]
    handler = ROUTES.get(path)
    if handler is not None:
        return handler
    if path.startswith(("/api/v1/campaigns/", "/campaigns/")):
        for pattern, handler in PATTERN_ROUTES:
            found = pattern.match(path)
            if found is not None:
                scope["path_params"] = found.groupdict()
                return handler
    return None


Drain = Callable[[float], Awaitable[bool]]

# Allocations between two young-generation collections once the server is up (CPython's
# default is 700: a collection every few requests under a rush).
GC_YOUNG_THRESHOLD = 20_000


def settle_heap() -> None:
    """Once start-up is done (Django, templates, keys, the campaign runtime loaded), move every
    object that exists into the collector's permanent generation and collect the young one less
    often. Under a rush the cyclic collector otherwise walked Django's whole start-up heap again
    and again: 15 % of the worker's CPU in ``perf`` (bench/README.md, "Campaigns: CPU").
    Reference counting still frees almost everything at once; only cycles wait a little longer."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


async def _lifespan(receive: Receive, send: Send, drain: Drain | None) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await campaign_edge.startup()
            settle_heap()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if drain is not None:
                await drain(DRAIN_SECONDS)
            await send({"type": "lifespan.shutdown.complete"})
            return


class _CountingExecutor(ThreadPoolExecutor):
    """a2wsgi's thread pool, counting the calls that have not finished yet."""

    def __init__(self, threads: int) -> None:
        super().__init__(thread_name_prefix="WSGI", max_workers=threads)
        self._count_lock = threading.Lock()
        self.unfinished = 0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._count_lock:
            self.unfinished += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: Future[Any] | None) -> None:
        with self._count_lock:
            self.unfinished -= 1


class DjangoBridge:
    """Django's WSGI app as ASGI, through a2wsgi's thread pool, drained before the worker stops.

    Why the drain: on SIGTERM granian stops running the worker's event loop as soon as it stops
    accepting connections, and runs it again only for the lifespan shutdown. A request still
    inside Django then has its a2wsgi thread blocked in ``run_coroutine_threadsafe(...).result()``
    for a loop that no longer runs; the interpreter joins that thread at exit, so the worker never
    exits and granian waits for it forever (the supervisor saw "ignored SIGTERM"). Waiting in the
    lifespan shutdown runs the loop until those threads have finished, and the worker exits.
    """

    def __init__(self, threads: int) -> None:
        from a2wsgi import WSGIMiddleware

        from citizencloud.wsgi import application

        self.wsgi = WSGIMiddleware(application, workers=threads)  # type: ignore[arg-type]
        self.wsgi.executor.shutdown(wait=False)
        self.executor = _CountingExecutor(threads)
        self.wsgi.executor = self.executor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # a2wsgi passes ``receive()`` to run_coroutine_threadsafe, which needs a real
        # coroutine; granian's receive returns a native awaitable, so wrap it.
        async def coroutine_receive() -> Message:
            return await receive()

        await self.wsgi(scope, coroutine_receive, send)  # type: ignore[arg-type]

    async def drain(self, timeout: float) -> bool:
        """Run the loop until no call is left in the thread pool (True) or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while self.executor.unfinished and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        self.executor.shutdown(wait=False, cancel_futures=True)
        return self.executor.unfinished == 0


def django_app() -> DjangoBridge:
    """Django's WSGI app behind the edge (``CITIZENCLOUD_WSGI_THREADS`` threads, default 16)."""
    return DjangoBridge(int(os.environ.get("CITIZENCLOUD_WSGI_THREADS", "16")))


def build(*, with_django: bool) -> ASGIApp:
    """The edge app; with Django behind it for every path it does not answer itself."""
    bridge = django_app() if with_django else None
    fallback: ASGIApp = bridge if bridge is not None else not_found
    drain = bridge.drain if bridge is not None else None

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send, drain)
            return
        if scope["type"] == "http":
            handler = route(scope)
            if handler is not None:
                await handler(scope, receive, send)
                return
        await fallback(scope, receive, send)

    return app


def _app_from_environment() -> ASGIApp:
    return build(with_django=os.environ.get("CITIZENCLOUD_EDGE_ONLY", "") != "1")


app = _app_from_environment()
