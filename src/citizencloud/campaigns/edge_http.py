"""HTTP for the campaign edge: replies, problem+json in the reader's language, request bodies.

No Django at request time. The problem titles and details are English msgids (marked with
``gettext_noop`` so they are in the catalog); ``localize()`` renders them once, at start-up,
in both languages into ready-made JSON prefixes, so a refusal costs one dictionary lookup and
a few byte concatenations. The language is chosen from ``Accept-Language`` (zh-Hans unless
English is preferred), like Django's own choice between the two languages the platform has.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.utils.translation import gettext_noop

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

MAX_BODY = 4096
PROBLEM_BASE = "https://citizencloud.org/problems/"
ZH, EN = "zh-hans", "en"
LANGUAGES = (ZH, EN)

_WAIT = gettext_noop(
    "Please wait; your place is kept. Entering later in the window does not change your odds."
)

#: code → (status, title, detail or "") — English msgids, rendered per language by localize().
PROBLEMS: dict[str, tuple[int, str, str]] = {
    "request.method_not_allowed": (405, gettext_noop("Method not allowed"), ""),
    "campaigns.throttled": (429, gettext_noop("Too many requests"), _WAIT),
    "campaigns.busy": (503, gettext_noop("Service busy"), _WAIT),
    "campaigns.idempotency_key_required": (
        400,
        gettext_noop("An Idempotency-Key header (1–255 characters) is required"),
        "",
    ),
    "campaigns.pass_required": (400, gettext_noop('The body must be {"pass": "…"}'), ""),
    "campaigns.pass_invalid": (401, gettext_noop("The campaign pass is not valid"), ""),
    "campaigns.pass_expired": (
        401,
        gettext_noop("The campaign pass is not valid"),
        gettext_noop("The pass has expired: get a new one from the campaign page."),
    ),
    "campaigns.pass_other_campaign": (
        403,
        gettext_noop("This pass is for another campaign"),
        "",
    ),
    "campaigns.not_found": (404, gettext_noop("No such campaign"), ""),
    "campaigns.not_open": (409, gettext_noop("Registration has not opened yet"), ""),
    "campaigns.already_entered": (
        409,
        gettext_noop("You have already entered this campaign"),
        "",
    ),
    "campaigns.sold_out": (410, gettext_noop("Sold out"), ""),
    "campaigns.closed": (410, gettext_noop("Registration is closed"), ""),
    "campaigns.write_failed": (503, gettext_noop("Please try again"), ""),
}


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _heads(translate: Callable[[str], str]) -> dict[str, bytes]:
    """Per code, the problem document up to ``"instance":`` (the rest depends on the request)."""
    heads = {}
    for code, (status, title, detail) in PROBLEMS.items():
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + code,
            "title": translate(title),
            "status": status,
            "code": code,
        }
        if detail:
            body["detail"] = translate(detail)
        heads[code] = _dumps(body)[:-1] + b',"instance":'
    return heads


# Until localize() runs (Django not set up yet): the English msgids.
_HEADS: dict[str, dict[str, bytes]] = {lang: _heads(str) for lang in LANGUAGES}


def localize() -> None:
    """Render every problem in both languages (needs Django's settings; called at start-up)."""
    from django.utils import translation

    heads = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            heads[lang] = _heads(translation.gettext)
    _HEADS.update(heads)
    _READY.clear()


_LANGUAGE_CACHE: dict[bytes, str] = {}


def language(accept: bytes) -> str:
    """zh-Hans or English from an ``Accept-Language`` value (q-values honoured; default zh)."""
    if not accept:
        return ZH
    cached = _LANGUAGE_CACHE.get(accept)
    if cached is not None:
        return cached
    best, best_q = ZH, 0.0
    for part in accept.decode("latin-1").split(","):
        tag, _, params = part.partition(";")
        tag = tag.strip().lower()
        q = 1.0
        params = params.strip().replace(" ", "")
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        lang = ZH if tag.startswith("zh") else EN if tag.startswith("en") else ""
        if lang and q > best_q:
            best, best_q = lang, q
    if len(_LANGUAGE_CACHE) > 512:
        _LANGUAGE_CACHE.clear()
    _LANGUAGE_CACHE[accept] = best
    return best


JSON_HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
]
_PROBLEM_HEADERS = {
    lang: [
        (b"content-type", b"application/problem+json"),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        (b"content-language", b"zh-Hans" if lang == ZH else b"en"),
        (b"vary", b"Accept-Language"),
    ]
    for lang in LANGUAGES
}


async def send_bytes(send: Send, status: int, payload: bytes, headers: Headers) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def reply(send: Send, status: int, body: dict[str, Any], headers: Headers = ()) -> None:  # type: ignore[assignment]
    """A JSON answer (not an error)."""
    await send_bytes(send, status, _dumps(body), [*JSON_HEADERS, *headers])


async def problem(
    send: Send,
    scope: Scope,
    lang: str,
    code: str,
    *,
    headers: Headers = (),  # type: ignore[assignment]
    **extra: Any,
) -> None:
    """The problem+json answer for ``code`` (a key of PROBLEMS) in ``lang``."""
    path = scope.get("path", "")
    if not extra and not headers:
        # The refusals of a rush (sold out, already entered): the same few answers again and
        # again, so each is built once and kept.
        ready = _READY.get((lang, code, path))
        if ready is None:
            ready = _ready(lang, code, path)
        await send(ready[0])
        await send(ready[1])
        return
    tail = b"," + _dumps(extra)[1:] if extra else b"}"
    payload = _HEADS[lang][code] + _dumps(path) + tail
    await send_bytes(send, PROBLEMS[code][0], payload, [*_PROBLEM_HEADERS[lang], *headers])


#: (language, code, path) → the two ASGI messages of that problem answer, at most _READY_MAX.
_READY: dict[tuple[str, str, str], tuple[Message, Message]] = {}
_READY_MAX = 1024


def _ready(lang: str, code: str, path: str) -> tuple[Message, Message]:
    payload = _HEADS[lang][code] + _dumps(path) + b"}"
    headers = [*_PROBLEM_HEADERS[lang], (b"content-length", str(len(payload)).encode())]
    start = {"type": "http.response.start", "status": PROBLEMS[code][0], "headers": headers}
    messages = (start, {"type": "http.response.body", "body": payload})
    if len(_READY) >= _READY_MAX:  # paths carry a campaign id: keep the cache bounded
        _READY.clear()
    _READY[(lang, code, path)] = messages
    return messages


async def read_body(receive: Receive, length: int = -1) -> bytes | None:
    """The request body, or None when the client left or it exceeds MAX_BODY.

    ``length`` is the request's Content-Length (-1 when it has none). granian hands over a whole
    small body with ``more_body`` set and then an empty last message; once ``length`` bytes are
    here the body is complete (the server frames it by that header), so the second wait, a round
    trip into granian for every entry, is skipped."""
    message = await receive()
    if message["type"] == "http.disconnect":
        return None
    body = message.get("body", b"")
    if not message.get("more_body", False) or len(body) == length:
        return body if len(body) <= MAX_BODY else None
    chunks, size = [body], len(body)
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


def request_headers(scope: Scope) -> tuple[bytes, bytes, int]:
    """``(Idempotency-Key, Accept-Language, Content-Length or -1)`` from one pass over the
    headers."""
    key = accept = b""
    length = -1
    for name, value in scope.get("headers", ()):
        if name == b"idempotency-key":
            key = bytes(value)
        elif name == b"accept-language":
            accept = bytes(value)
        elif name == b"content-length" and value.isdigit():
            length = int(value)
    return key, accept, length
