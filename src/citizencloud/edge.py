"""The ASGI edge (DESIGN.md §5): answers its own lean routes, hands the rest to Django.

Embedded mode (``citizencloud serve``) runs this app alone: edge routes are answered here with
no Django middleware, and every other request goes to Django's WSGI app through a2wsgi. At
scale (``--role edge``) it runs without Django and nginx sends it only the edge paths.
Later issues add the campaign hot path and server-sent events here.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from citizencloud.campaigns import edge as campaign_edge
from citizencloud.campaigns import edge_pages as campaign_pages
from citizencloud.notifications import stream as notification_stream

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

EDGE_PREFIX = "/edge/"


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


def match(path: str) -> ASGIApp | None:
    """The edge handler for ``path``, or None (Django answers it)."""
    route = ROUTES.get(path)
    if route is not None:
        return route
    if path.startswith(("/api/v1/campaigns/", "/campaigns/")):
        for pattern, handler in PATTERN_ROUTES:
            found = pattern.match(path)
            if found is not None:
                return _with_params(handler, found.groupdict())
    return None


def _with_params(handler: ASGIApp, params: dict[str, str]) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await handler({**scope, "path_params": params}, receive, send)

    return app


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await campaign_edge.startup()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def django_app() -> ASGIApp:
    """Django's WSGI app as ASGI, through a2wsgi's thread pool."""
    from a2wsgi import WSGIMiddleware

    from citizencloud.wsgi import application

    threads = int(os.environ.get("CITIZENCLOUD_WSGI_THREADS", "16"))
    wsgi = WSGIMiddleware(application, workers=threads)  # type: ignore[arg-type]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # a2wsgi passes ``receive()`` to run_coroutine_threadsafe, which needs a real
        # coroutine; granian's receive returns a native awaitable, so wrap it.
        async def coroutine_receive() -> Message:
            return await receive()

        await wsgi(scope, coroutine_receive, send)  # type: ignore[arg-type]

    return app


def build(*, with_django: bool) -> ASGIApp:
    """The edge app; with Django behind it for every path it does not answer itself."""
    fallback = django_app() if with_django else not_found

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] == "http":
            route = match(scope["path"])
            if route is not None:
                await route(scope, receive, send)
                return
        await fallback(scope, receive, send)

    return app


def _app_from_environment() -> ASGIApp:
    return build(with_django=os.environ.get("CITIZENCLOUD_EDGE_ONLY", "") != "1")


app = _app_from_environment()
