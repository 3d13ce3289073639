"""The shared token bucket's Lua script, with explicit clock values (no waiting on time)."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from django.conf import settings

from citizencloud.campaigns import global_bucket


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


@pytest.fixture
def bucket_factory():  # type: ignore[no-untyped-def]
    if not settings.REDIS_URL:
        pytest.skip("needs Redis")
    import redis.asyncio

    key = f"cc-test:{secrets.token_hex(6)}:admission"

    def make(rate: float, burst: float) -> global_bucket.GlobalBucket:
        return global_bucket.GlobalBucket(
            redis.asyncio.Redis.from_url(settings.REDIS_URL), key, rate=rate, burst=burst
        )

    return make


def test_processes_together_never_take_more_than_rate_plus_burst(bucket_factory) -> None:  # type: ignore[no-untyped-def]
    nodes = [bucket_factory(1000, 100) for _ in range(3)]

    async def scenario() -> int:
        granted = 0
        for tick in range(50):  # 50 leases of 0.1 s each = 5 s of (virtual) time
            for node in nodes:
                granted += await node.lease(400, now_ms=1_000_000 + tick * 100)
        return granted

    total = run(scenario())
    assert total <= 1000 * 4.9 + 100  # rate × elapsed + burst
    assert total >= 1000 * 4.9 * 0.95  # and the whole rate is usable


def test_an_idle_bucket_refills_only_up_to_its_burst(bucket_factory) -> None:  # type: ignore[no-untyped-def]
    node = bucket_factory(1000, 50)

    async def scenario() -> tuple[int, int, int]:
        first = await node.lease(500, now_ms=0)
        later = await node.lease(500, now_ms=60_000)  # a minute idle
        none_left = await node.lease(500, now_ms=60_000)
        return first, later, none_left

    assert run(scenario()) == (50, 50, 0)
