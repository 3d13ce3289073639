"""The batch writer on the database under test (SQLite or PostgreSQL): arrival order, twins in
one batch, replays, duplicates, sold out and closed, all decided inside one transaction."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from citizencloud.campaigns import store
from citizencloud.campaigns.models import Campaign, Entry, Kind
from citizencloud.kernel import clock
from tests.campaigns import factories

pytestmark = pytest.mark.django_db(transaction=True)


def redis_url() -> str:
    from django.conf import settings

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("the Redis path runs with PostgreSQL and Redis")
    return str(settings.REDIS_URL)


def make_store(
    kind: str, settings_dict: dict[str, Any] | None = None, prefix: str = ""
) -> store.Store:
    url = redis_url() if kind == "redis" else ""
    return store.from_settings(settings_dict or connection.settings_dict, redis_url=url,
                               prefix=prefix or f"cc-test-{secrets.token_hex(4)}")  # fmt: skip


@pytest.fixture(params=["plain", "redis"])
def db_store(request: pytest.FixtureRequest) -> Iterator[store.Store]:
    s = make_store(request.param)
    yield s
    s.close()


def req(campaign: Campaign, user_id: int, key: str = "") -> store.EntryRequest:
    return store.EntryRequest(
        campaign_id=campaign.pk,
        user_id=user_id,
        idempotency_key=key or secrets.token_hex(4),
        entry_id=secrets.token_hex(16),
        created_at=clock.now(),
    )


def test_a_batch_sells_in_arrival_order_and_handles_twins(db_store: store.Store) -> None:
    campaign = factories.create_campaign(tiers=[factories.services.TierSpec(100, 2)])
    a, b, c = factories.create_users(3)
    batch = [req(campaign, a.pk, "ka"), req(campaign, a.pk, "ka"), req(campaign, a.pk, "other"),
             req(campaign, b.pk), req(campaign, c.pk)]  # fmt: skip
    outcomes = db_store.write(batch)
    assert [o.status for o in outcomes] == [
        store.CREATED, store.REPLAYED, store.DUPLICATE, store.CREATED, store.SOLD_OUT,
    ]  # fmt: skip
    assert outcomes[1].entry_id == outcomes[0].entry_id
    assert outcomes[2].entered_key == "ka"  # a duplicate names the key of the entry it met
    assert Campaign.objects.get(pk=campaign.pk).remaining == 0
    assert set(Entry.objects.values_list("user_id", flat=True)) == {a.pk, b.pk}
    again = db_store.write([req(campaign, a.pk, "ka"), req(campaign, c.pk)])
    assert [o.status for o in again] == [store.REPLAYED, store.SOLD_OUT]


def test_lottery_batch_and_unknown_campaign(db_store: store.Store) -> None:
    campaign = factories.create_campaign(kind=Kind.LOTTERY)
    users = factories.create_users(50)
    outcomes = db_store.write([req(campaign, u.pk) for u in users])
    assert {o.status for o in outcomes} == {store.CREATED}
    assert Entry.objects.filter(campaign=campaign).count() == 50
    ghost = store.EntryRequest(999_999, users[0].pk, "k", secrets.token_hex(16), clock.now())
    assert db_store.write([ghost])[0].status == store.UNKNOWN


def test_nothing_is_accepted_after_closing(db_store: store.Store) -> None:
    campaign = factories.create_campaign(kind=Kind.LOTTERY)
    [early, late] = factories.create_users(2)
    assert db_store.write([req(campaign, early.pk, "k")])[0].status == store.CREATED
    Campaign.objects.filter(pk=campaign.pk).update(closed_at=clock.now())
    outcomes = db_store.write([req(campaign, late.pk), req(campaign, early.pk, "k")])
    assert [o.status for o in outcomes] == [store.CLOSED, store.REPLAYED]
    assert Entry.objects.filter(campaign=campaign).count() == 1


@pytest.mark.parametrize("kind", ["plain", "redis"])
def test_concurrent_writers_never_oversell(kind: str) -> None:
    """Four stores (as four edge processes would have) race for the same stock."""
    if kind == "redis":
        redis_url()  # skips unless PostgreSQL and Redis
    stock = 50
    campaign = factories.create_campaign(tiers=[factories.services.TierSpec(100, stock)])
    users = factories.create_users(400)
    settings_dict = dict(connection.settings_dict)
    prefix = f"cc-test-{secrets.token_hex(4)}"  # one Redis namespace, as for one deployment
    results: list[store.Outcome] = []
    lock = threading.Lock()

    def writer(chunk: list[int]) -> None:
        s = make_store(kind, settings_dict, prefix)
        try:
            for start in range(0, len(chunk), 20):
                outcomes = s.write([req(campaign, u) for u in chunk[start : start + 20]])
                with lock:
                    results.extend(outcomes)
        finally:
            s.close()

    ids = [u.pk for u in users]
    threads = [threading.Thread(target=writer, args=(ids[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    created = [o for o in results if o.status == store.CREATED]
    assert len(created) == stock
    assert len(results) - len(created) == len(users) - stock
    assert Entry.objects.filter(campaign=campaign).count() == stock
    assert Campaign.objects.get(pk=campaign.pk).remaining == 0


def test_redis_reservation_left_by_a_crash_becomes_durable_on_retry() -> None:
    from citizencloud.campaigns.redis_store import RedisPostgresStore

    s = make_store("redis")
    assert isinstance(s, RedisPostgresStore)
    campaign = factories.create_campaign(tiers=[factories.services.TierSpec(100, 5)])
    [user] = factories.create_users(1)
    info = s.campaign(campaign.pk)
    assert info is not None
    # The process reserved in Redis and died before its COMMIT.
    s._reserve(keys=s.keys(info), args=["first_come", 5, user.pk, "e" * 32, "k1"])
    assert not Entry.objects.exists()
    outcome = s.write([req(campaign, user.pk, "k1")])[0]
    assert (outcome.status, outcome.entry_id) == (store.REPLAYED, "e" * 32)
    assert Entry.objects.get().entry_id == "e" * 32
    assert Campaign.objects.get(pk=campaign.pk).remaining == 4
    assert s.write([req(campaign, user.pk, "k2")])[0].status == store.DUPLICATE
    s.close()


def test_redis_reservations_are_released_when_the_commit_fails() -> None:
    prefix = f"cc-test-{secrets.token_hex(4)}"
    s = store.from_settings(connection.settings_dict, redis_url=redis_url(), prefix=prefix)
    campaign = factories.create_campaign(tiers=[factories.services.TierSpec(100, 3)])
    [user] = factories.create_users(1)
    ghost = 987_654_321  # no such user: the foreign key fails the transaction
    with pytest.raises(Exception):  # noqa: B017, PT011 — whatever the driver raises
        s.write([req(campaign, user.pk), req(campaign, ghost)])
    info = s.campaign(campaign.pk)
    assert info is not None
    stock_key, entrants_key = s.keys(info)  # type: ignore[attr-defined]
    redis_client = s.redis  # type: ignore[attr-defined]
    assert redis_client.hlen(entrants_key) == 0
    assert int(redis_client.get(stock_key)) == 3
    assert not Entry.objects.exists()
    assert s.write([req(campaign, user.pk)])[0].status == store.CREATED
    assert int(redis_client.get(stock_key)) == 2
    assert Campaign.objects.get(pk=campaign.pk).remaining == 2
    s.close()


def test_set_based_batches_decide_replays_twins_and_stock_in_arrival_order(
    db_store: store.Store,
) -> None:
    """Batches mixing new people, replays, twins and too little stock: each entry gets the
    outcome it would get alone, in arrival order."""
    lottery = factories.create_campaign(kind=Kind.LOTTERY)
    people = factories.create_users(6)
    first = [req(lottery, u.pk, f"k{u.pk}") for u in people[:3]]
    assert [o.status for o in db_store.write(first)] == [store.CREATED] * 3
    mixed = [req(lottery, people[0].pk, f"k{people[0].pk}"), req(lottery, people[3].pk),
             req(lottery, people[3].pk), req(lottery, people[1].pk, "new-key")]  # fmt: skip
    outcomes = db_store.write(mixed)
    assert [o.status for o in outcomes] == [
        store.REPLAYED, store.CREATED, store.DUPLICATE, store.DUPLICATE,
    ]  # fmt: skip
    assert outcomes[0].entry_id == first[0].entry_id
    assert outcomes[2].entered_key == mixed[1].idempotency_key  # its twin's, earlier in the batch
    assert outcomes[3].entered_key == f"k{people[1].pk}"
    assert [o.status for o in db_store.write([req(lottery, people[4].pk)])] == [store.CREATED]
    assert Entry.objects.filter(campaign=lottery).count() == 5
    stock = factories.create_campaign(tiers=[factories.services.TierSpec(100, 2)])
    fresh = make_store("plain")
    try:
        outcomes = fresh.write([req(stock, u.pk) for u in people[:3]])
    finally:
        fresh.close()
    assert [o.status for o in outcomes] == [store.CREATED, store.CREATED, store.SOLD_OUT]
    assert Campaign.objects.get(pk=stock.pk).remaining == 0
    assert Entry.objects.filter(campaign=stock).count() == 2


def test_sqlite_edge_writers_take_turns_on_a_file_lock() -> None:
    """Two edge processes' writers: while one holds its turn, the other's batch waits for it
    (on ``flock``, which wakes it at once) instead of meeting SQLite's sleeping busy handler."""
    if connection.vendor != "sqlite":
        pytest.skip("the writer turn is SQLite's")
    campaign = factories.create_campaign(kind=Kind.LOTTERY)
    [user] = factories.create_users(1)
    first, second = make_store("plain"), make_store("plain")
    outcomes: list[list[store.Outcome]] = []
    waiter = threading.Thread(
        target=lambda: outcomes.append(second.write([req(campaign, user.pk)]))
    )
    try:
        with first._turn:  # type: ignore[attr-defined]  # as if its batch were being written
            waiter.start()
            waiter.join(0.5)
            assert waiter.is_alive()
            assert not outcomes
        waiter.join(10)
        assert not waiter.is_alive()
        assert [o.status for o in outcomes[0]] == [store.CREATED]
    finally:
        first.close()
        second.close()
    assert Entry.objects.filter(campaign=campaign).count() == 1
