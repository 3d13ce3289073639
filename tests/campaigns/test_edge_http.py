"""The edge's language choice and its pre-rendered problem documents (no server needed)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from citizencloud.campaigns import edge_http


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
