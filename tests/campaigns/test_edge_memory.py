"""The edge's memory of who entered through its process (``edge_runtime.Entrants``): a second
entry under another key is refused there, with no database write; everything it cannot be sure
of still goes through the batch. Driven in-process through the ASGI callable, so the test can
count the entries the writer was given."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from citizencloud.campaigns import edge, edge_runtime, store
from citizencloud.campaigns.models import Entry, Kind
from citizencloud.kernel import clock
from tests.campaigns import factories


@given(
    st.lists(st.tuples(st.integers(-5, 3000), st.text(min_size=1, max_size=8)), max_size=40),
    st.integers(-5, 3000),
    st.text(min_size=1, max_size=8),
)
def test_entrants_refuse_only_a_known_person_under_a_key_that_is_certainly_another(
    records: list[tuple[int, str]], user: int, key: str
) -> None:
    memory = edge_runtime.Entrants()
    last: dict[int, str] = {}
    for who, their_key in records:
        memory.record(who, their_key)
        if who >= 0:
            last[who] = their_key
    if memory.refuses(user, key):
        assert user in last
        assert last[user] != key
    if user in last:
        assert not memory.refuses(user, last[user])  # a replay is never refused here


def test_entrants_ignore_ids_beyond_the_bound() -> None:
    memory = edge_runtime.Entrants()
    memory.record(edge_runtime.MAX_REMEMBERED_USER_ID, "a")
    memory.record(-1, "a")
    assert not memory.refuses(edge_runtime.MAX_REMEMBERED_USER_ID, "b")
    assert not memory.refuses(-1, "b")
    memory.record(70_000, "a")
    assert memory.refuses(70_000, "b")
    assert not memory.refuses(69_999, "b")
    half = edge_runtime.MAX_REMEMBERED_USER_ID // 2 + 10
    memory.record(half, "a")
    memory.record(half + 1, "a")  # doubling would pass the bound: it grows to the bound only
    assert memory.refuses(half + 1, "b")
    assert len(memory._keys) == edge_runtime.MAX_REMEMBERED_USER_ID


@pytest.fixture
def own_runtime() -> Iterator[None]:
    """A runtime of this test's own (the module keeps one per process)."""
    edge_runtime._runtime = None
    yield
    rt = edge_runtime._runtime
    edge_runtime._runtime = None
    if rt is not None:
        rt.writer.submit(rt.writes.close).result()
        rt.reader.submit(rt.reads.close).result()
        rt.writer.shutdown()
        rt.reader.shutdown()


async def post(campaign_id: int, token: str, key: str) -> tuple[int, dict[str, Any]]:
    scope = {
        "type": "http",
        "method": "POST",
        "path": f"/api/v1/campaigns/{campaign_id}/entries",
        "headers": [(b"content-type", b"application/json"), (b"idempotency-key", key.encode())],
        "path_params": {"campaign_id": str(campaign_id)},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": json.dumps({"pass": token}).encode()}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await edge.entries(scope, receive, send)
    return int(sent[0]["status"]), json.loads(sent[1]["body"])


def written() -> int:
    rt = edge_runtime.current()
    assert rt is not None
    return rt.batched_entries


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", [Kind.LOTTERY, Kind.FIRST_COME])
def test_a_second_entry_under_another_key_is_refused_without_a_write(
    own_runtime: None, kind: str
) -> None:
    campaign = factories.create_campaign(kind=kind)
    [user] = factories.create_users(1)
    token = factories.pass_for(campaign, user)

    async def scenario() -> list[tuple[int, dict[str, Any], int]]:
        replies = []
        for key in ("k-1", "k-2", "k-3", "k-1"):
            status, body = await post(campaign.pk, token, key)
            replies.append((status, body, written()))
        return replies

    first, second, third, replay = asyncio.run(scenario())
    assert first[0] == 201
    assert (second[0], second[1]["code"]) == (409, "campaigns.already_entered")
    assert (third[0], third[1]["code"]) == (409, "campaigns.already_entered")
    assert second[2] == third[2] == first[2]  # refused from memory: the writer saw nothing
    assert replay[0] == 201
    assert replay[1]["entry_id"] == first[1]["entry_id"]
    assert replay[2] == first[2] + 1  # a replay goes through the batch and gets its entry back
    assert Entry.objects.filter(campaign=campaign).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_entry_another_process_made_is_refused_by_the_database_then_from_memory(
    own_runtime: None,
) -> None:
    campaign = factories.create_campaign(kind=Kind.LOTTERY)
    [user] = factories.create_users(1)
    other_process = store.from_settings(connection.settings_dict)
    try:
        [made] = other_process.write(
            [store.EntryRequest(campaign.pk, user.pk, "theirs", secrets.token_hex(16), clock.now())]
        )
    finally:
        other_process.close()
    assert made.status == store.CREATED
    token = factories.pass_for(campaign, user)

    async def scenario() -> list[tuple[int, int]]:
        replies = []
        for key in ("mine", "mine-again", "theirs"):
            status, _ = await post(campaign.pk, token, key)
            replies.append((status, written()))
        return replies

    (first, after_first), (second, after_second), (replay, after_replay) = asyncio.run(scenario())
    assert (first, second, replay) == (409, 409, 201)
    assert after_first == 1  # not known here yet: the database answered, naming the entry's key
    assert after_second == 1  # then known: refused from memory
    assert after_replay == 2  # the entry's own key is a replay: through the batch, 201


@given(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 10**6), st.booleans()), max_size=30))
def test_one_verifier_keeps_answering_right_across_many_passes(
    passes_seen: list[tuple[int, int, bool]],
) -> None:
    """The verifier keeps one keyed HMAC per campaign and copies it per pass: a forged pass in
    between must not change the answer for the genuine ones after it."""
    from citizencloud.campaigns import passes

    master = b"m" * 32
    verifier = passes.Verifier({}, {"kid": master})
    for campaign_id, user_id, genuine in passes_seen:
        token = passes.issue_mac(
            master if genuine else b"x" * 32,
            "kid",
            campaign_id=campaign_id,
            user_id=user_id,
            expires_at=2_000_000_000,
        )
        if genuine:
            assert verifier.verify(token, now=1_900_000_000).user_id == user_id
        else:
            with pytest.raises(passes.InvalidPass):
                verifier.verify(token, now=1_900_000_000)
