"""Pages the edge serves itself, so they stay up while the entry path is saturated: the waiting
room (``GET /campaigns/{id}/waiting-room``) and the browser's entry form
(``POST /campaigns/{id}/enter``), which goes through the same hot path as the API."""

from __future__ import annotations

import json
import random

from citizencloud.campaigns.edge import entries, runtime
from citizencloud.campaigns.edge_http import Message, Receive, Scope, Send, read_body

WAITING_PATTERN = r"^/campaigns/(?P<campaign_id>[0-9]{1,18})/waiting-room$"

# --- the waiting room --------------------------------------------------------------------------

_WAITING_HTML = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{refresh}">
<title>排队中 · Waiting room</title>
<meta name="htmx-config" content='{{"includeIndicatorStyles": false, "allowEval": false}}'>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/css/site.css">
<script src="/static/vendor/htmx/htmx.min.js" defer></script>
</head><body><main class="wrap">
<h1>排队中 <small lang="en">Waiting room</small></h1>
{fragment}
<p>登记期内任何时间登记，中签机会相同；请不要反复刷新。</p>
<p lang="en">Registering at any time in the window gives equal odds; there is no need to hurry.</p>
<p><a href="/campaigns/{campaign_id}/">返回活动页 · Back to the campaign</a></p>
</main></body></html>
"""

_FRAGMENT = (
    '<p class="position">您前面约有 <strong>{position}</strong> 人，预计等待 {wait} 秒。'
    '<span lang="en">About {position} ahead of you; about {wait} s.</span></p>'
)


async def waiting_room(scope: Scope, receive: Receive, send: Send) -> None:
    """``GET /campaigns/{id}/waiting-room?ticket=N``: the position of a ticket, refreshed with
    jitter (meta refresh without JavaScript, HTMX polling with it). Served by the edge, so it
    stays up while the entry path is saturated."""
    from urllib.parse import parse_qs

    campaign_id = int(scope["path_params"]["campaign_id"])
    query = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
    try:
        number = int(query.get("ticket", ["0"])[0])
    except ValueError:
        number = 0
    rt = await runtime()
    position = rt.gate.position(number) if number > rt.gate.admitted_total else 0
    wait = max(1, round(position / max(rt.config.rate, 1.0)))
    refresh = random.randint(3, 8) + min(wait, 30)  # noqa: S311 (jitter spreads the polls)
    self_url = f"/campaigns/{campaign_id}/waiting-room?ticket={number}"
    fragment = (
        f'<div id="position" hx-get="{self_url}&amp;partial=1" hx-trigger="every {refresh}s" '
        f'hx-swap="outerHTML">{_FRAGMENT.format(position=position, wait=wait)}</div>'
    )
    if query.get("partial"):
        html = fragment
    else:
        html = _WAITING_HTML.format(
            refresh=refresh,
            self_url=self_url,
            fragment=fragment,
            campaign_id=campaign_id,
        )
    payload = html.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(payload)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
                (
                    b"content-security-policy",
                    b"default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
                    b"base-uri 'self'; frame-ancestors 'none'",
                ),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


# --- the browser's form (no JavaScript needed) -------------------------------------------------

FORM_PATTERN = r"^/campaigns/(?P<campaign_id>[0-9]{1,18})/enter$"

_PAGE = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta name="htmx-config" content='{{"includeIndicatorStyles": false, "allowEval": false}}'>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/css/site.css">
<script src="/static/vendor/htmx/htmx.min.js" defer></script>
</head><body><main class="wrap">
<h1>{title}</h1>
{body}
<p><a href="/campaigns/{campaign_id}/">返回活动页 · Back to the campaign</a></p>
</main></body></html>
"""


async def _html(send: Send, status: int, html: str, headers: list[tuple[bytes, bytes]]) -> None:
    payload = html.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(payload)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
                (b"content-security-policy", _CSP),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    b"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


async def enter_form(scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /campaigns/{id}/enter`` from the join page's form: the same hot path as the API
    (same admission, pass check and batch), answered as a page. Over capacity, the page shows
    the place in the queue and the same form again: with JavaScript it resubmits itself after
    the jittered wait, without it the person presses the button (a refresh cannot re-post)."""
    from html import escape
    from urllib.parse import parse_qs

    campaign_id = int(scope["path_params"]["campaign_id"])
    body = await read_body(receive)
    fields = parse_qs((body or b"").decode("latin-1"))
    token = fields.get("pass", [""])[0]
    key = fields.get("key", [""])[0][:255]
    replies: list[Message] = []

    async def json_receive() -> Message:
        return {"type": "http.request", "body": json.dumps({"pass": token}).encode()}

    async def capture(message: Message) -> None:
        replies.append(message)

    headers = [(b"idempotency-key", key.encode("latin-1"))] if key else []
    headers += [(n, v) for n, v in scope.get("headers", ()) if n == b"accept-language"]
    await entries({**scope, "method": "POST", "headers": headers}, json_receive, capture)
    status = int(replies[0]["status"])
    result = json.loads(replies[1]["body"])
    retry = dict(replies[0]["headers"]).get(b"retry-after", b"").decode()
    if status == 201:
        title = "登记成功 · Registered"
        receipt = json.dumps(result.get("receipt"), indent=2, ensure_ascii=False)
        text = (
            f'<p>您的登记号 <code id="entry-id">{escape(result["entry_id"])}</code>'
            f"（{escape(result['created_at'])}）。</p>"
            f'<p lang="en">Your entry id is <code>{escape(result["entry_id"])}</code>.</p>'
            "<details open><summary>登记回执（平台签名，请保存）· Signed receipt: keep it</summary>"
            f'<pre id="receipt">{escape(receipt)}</pre>'
            "<p>回执证明平台已接受您的登记，即使日后名单遗漏也可凭此申诉。"
            '<span lang="en">It proves the platform accepted your entry.</span></p></details>'
        )
    elif status in (429, 503):
        room = result["waiting_room"]
        title = "排队中 · Waiting room"
        text = (
            f"<p>您前面约有 <strong>{room['position']}</strong> 人，请约 {retry} 秒后再试；"
            "登记期内任何时间登记，中签机会相同。</p>"
            f'<p lang="en">About {room["position"]} ahead of you; try again in about {retry} s. '
            "Registering at any time in the window gives equal odds.</p>"
            f'<form method="post" action="/campaigns/{campaign_id}/enter" '
            f'hx-post="/campaigns/{campaign_id}/enter" hx-trigger="load delay:{retry}s" '
            'hx-target="body" hx-push-url="false">'
            f'<input type="hidden" name="pass" value="{escape(token)}">'
            f'<input type="hidden" name="key" value="{escape(key)}">'
            '<button type="submit" class="button button-small">再试一次 · Try again</button></form>'
        )
    else:
        title = "未能登记 · Not registered"
        reason, code = escape(str(result.get("title", ""))), escape(str(result.get("code", "")))
        text = f"<p>{reason} <small>({code})</small></p>"
    page = _PAGE.format(title=title, body=text, campaign_id=campaign_id)
    extra = [(b"retry-after", retry.encode())] if retry else []
    # The waiting room is a page like any other (200); the API's 429/503 stays for clients.
    await _html(send, 200 if status in (429, 503) else status, page, extra)
