"""The edge's language choice and its pre-rendered problem documents (no server needed)."""

from __future__ import annotations

import asyncio
import json
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citizencloud.campaigns import edge, edge_http


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        (b"", "zh-hans"),
        (b"zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),
        (b"en-US,en;q=0.9", "en"),
        (b"en;q=0.3, zh-Hans;q=0.7", "zh-hans"),
        (b"fr-FR, de;q=0.9", "zh-hans"),
        (b"fr, en;q=0.1", "en"),
        (b"en;q=0, zh;q=0", "zh-hans"),
        (b"en;q=abc", "zh-hans"),
    ],
)
def test_language_from_accept_language(accept: bytes, lang: str) -> None:
    assert edge_http.language(accept) == lang


def test_every_problem_renders_as_json_in_both_languages() -> None:
    edge_http.localize()
    for lang in edge_http.LANGUAGES:
        for code, (status, _title, _detail) in edge_http.PROBLEMS.items():
            sent: list[dict[str, Any]] = []

            async def send(message: dict[str, Any], sent: list[dict[str, Any]] = sent) -> None:
                sent.append(message)

            extra = {"waiting_room": {"ticket": 3}} if code == "campaigns.busy" else {}
            asyncio.run(edge_http.problem(send, {"path": '/x/"y"'}, lang, code, **extra))
            body = json.loads(sent[1]["body"])
            assert (body["code"], body["status"], sent[0]["status"]) == (code, status, status)
            assert body["instance"] == '/x/"y"'
            assert body["title"]
            if extra:
                assert body["waiting_room"] == {"ticket": 3}
    zh = json.loads(edge_http._HEADS["zh-hans"]["campaigns.sold_out"][:-12] + b"}")
    assert zh["title"] == "已售罄"


def _receiver(messages: list[dict[str, Any]]) -> tuple[Any, list[int]]:
    """An ASGI ``receive`` handing out ``messages`` in turn, counting the calls; one call too
    many fails the test (the request has nothing more to give)."""
    calls = [0]

    async def receive() -> dict[str, Any]:
        calls[0] += 1
        assert calls[0] <= len(messages), "read past the end of the request"
        return messages[calls[0] - 1]

    return receive, calls


def test_a_body_of_its_declared_length_is_read_in_one_receive() -> None:
    # granian's way: the whole body with more_body set, then an empty last message.
    body = b'{"pass":"cp2.x"}'
    granian = [
        {"type": "http.request", "body": body, "more_body": True},
        {"type": "http.request", "body": b"", "more_body": False},
    ]
    receive, calls = _receiver(granian)
    assert asyncio.run(edge_http.read_body(receive, len(body))) == body
    assert calls == [1]
    receive, calls = _receiver(granian)  # no Content-Length: read to the last message
    assert asyncio.run(edge_http.read_body(receive)) == body
    assert calls == [2]
    chunked = [
        {"type": "http.request", "body": body[:5], "more_body": True},
        {"type": "http.request", "body": body[5:], "more_body": False},
    ]
    receive, calls = _receiver(chunked)  # fewer bytes than declared so far: keep reading
    assert asyncio.run(edge_http.read_body(receive, len(body))) == body
    assert calls == [2]
    big = [{"type": "http.request", "body": b"x" * (edge_http.MAX_BODY + 1), "more_body": True}]
    receive, calls = _receiver(big)
    assert asyncio.run(edge_http.read_body(receive, edge_http.MAX_BODY + 1)) is None


def test_request_headers_read_the_content_length() -> None:
    scope = {
        "headers": [
            (b"content-length", b"42"),
            (b"idempotency-key", b"k-1"),
            (b"accept-language", b"en"),
        ]
    }
    assert edge_http.request_headers(scope) == (b"k-1", b"en", 42)
    assert edge_http.request_headers({"headers": [(b"content-length", b"-3")]}) == (b"", b"", -1)
    assert edge_http.request_headers({"headers": []}) == (b"", b"", -1)


def _as_json(body: bytes) -> str | None:
    try:
        found = json.loads(body)["pass"]
    except (ValueError, KeyError, TypeError):
        return None
    return found if isinstance(found, str) else None


_PASSLIKE = st.text(alphabet=string.ascii_letters + string.digits + '-_."\\ é{}:', max_size=40)


@settings(max_examples=400)
@given(
    st.one_of(
        _PASSLIKE.map(lambda t: b'{"pass":"' + t.encode() + b'"}'),
        _PASSLIKE.map(lambda t: json.dumps({"pass": t}).encode()),
        st.binary(max_size=30).map(lambda b: b'{"pass":"' + b),
        st.binary(max_size=40),
    )
)
def test_the_pass_is_what_json_says_it_is(body: bytes) -> None:
    # The edge cuts the usual body apart without the JSON parser; for any body at all it must
    # find exactly the pass (or nothing) that the parser would.
    assert edge._pass_of(body) == _as_json(body)


def test_the_pass_of_bodies_a_client_might_send() -> None:
    assert edge._pass_of(b'{"pass":"cp2.abc-_.DEF"}') == "cp2.abc-_.DEF"
    assert edge._pass_of(b'{"pass": "cp2.x"}') == "cp2.x"  # a space: through the parser
    assert edge._pass_of(b'{"pass":"}') is None  # prefix and suffix overlap: not JSON
    assert edge._pass_of(b'{"pass":7}') is None
    assert edge._pass_of(b"") is None
    assert edge._pass_of(None) is None


def test_ready_refusals_are_kept_bounded_and_rebuilt_after_localize() -> None:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    edge_http._READY.clear()
    for n in range(edge_http._READY_MAX + 5):  # a campaign id per path: bounded all the same
        asyncio.run(edge_http.problem(send, {"path": f"/c/{n}"}, "en", "campaigns.sold_out"))
        assert len(edge_http._READY) <= edge_http._READY_MAX
    body = json.loads(sent[-1]["body"])
    assert (body["instance"], body["status"]) == (f"/c/{edge_http._READY_MAX + 4}", 410)
    assert sent[-2]["headers"][-1] == (b"content-length", str(len(sent[-1]["body"])).encode())
    edge_http.localize()
    assert not edge_http._READY  # answers built before the catalog was loaded are dropped
