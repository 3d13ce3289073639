"""The campaign edge's per-process state: settings, keys, stores, admission, campaign cache.

Built once per process, in a thread at start-up (``startup()``), so the rush finds it ready:
Django is set up only to read settings and the keys, never used per request.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from array import array
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from citizencloud.campaigns import admission, edge_http, passes, store

CAMPAIGN_TTL = 1.0
MAX_REMEMBERED_USER_ID = 1 << 25  # the entrant memory's bound: 4 bytes × 33.5 M ids = 128 MiB

log = logging.getLogger("citizencloud.campaigns.edge")

Signed = tuple[store.Outcome, str | None]  # the outcome and its receipt as JSON text


@dataclass
class Config:
    concurrency: int
    rate: float
    burst: float
    batch_ms: float
    batch_max: int


class Entrants:
    """Who has entered one campaign, as far as this process has seen: for each
    user id, a 32-bit hash of the idempotency key their entry carries (0: not seen here).

    It is filled from this process's commits (created or replayed) and from the database's
    duplicate answers, which name the key of the person's entry (``Outcome.entered_key``).
    It lets the edge refuse a second entry by the same person (409) without a database write:
    if the person is known here and the new key's hash differs from their entry's, the key is
    certainly another one, and entries are never deleted (``on_delete=PROTECT``), so the answer
    is final. Anything else — not seen here yet (an entry made by another process, or before a
    restart), or the same hash (a replay, or a rare collision) — goes the ordinary way through
    the batch, which decides from the database. An array indexed by user id costs 4 bytes per id
    up to the highest entrant's (17 MB for the 4.2 million of 2021); ids above
    ``MAX_REMEMBERED_USER_ID`` are not remembered.
    """

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys = array("I")

    @staticmethod
    def _hash(key: str) -> int:
        return zlib.crc32(key.encode()) | 1  # never 0, which means "not seen"

    def record(self, user_id: int, key: str) -> None:
        if not 0 <= user_id < MAX_REMEMBERED_USER_ID:
            return
        keys = self._keys
        if user_id >= len(keys):
            size = min(max(user_id + 1, 2 * len(keys), 1024), MAX_REMEMBERED_USER_ID)
            grow = size - len(keys)
            keys.frombytes(bytes(grow * keys.itemsize))
        keys[user_id] = self._hash(key)

    def refuses(self, user_id: int, key: str) -> bool:
        """True when ``user_id`` has an entry here under a key that is certainly not ``key``."""
        keys = self._keys
        if not 0 <= user_id < len(keys):
            return False
        known = keys[user_id]
        return known != 0 and known != self._hash(key)


@dataclass
class CachedCampaign:
    info: store.CampaignInfo
    fetched: float
    sold_out: bool = False
    entrants: dict[int, tuple[str, str, str]] | None = None  # sold-out first come: user → entry
    seen: Entrants = field(default_factory=Entrants)  # who entered, as far as this process saw


@dataclass
class Runtime:
    writes: store.Store
    reads: store.Store
    verifier: passes.Verifier
    signer: Any
    key_id: str
    config: Config
    gate: admission.Admission
    writer: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, "campaign-writer")
    )
    reader: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, "campaign-reader")
    )
    pending: list[tuple[store.EntryRequest, asyncio.Future[Signed]]] = field(default_factory=list)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    writer_task: asyncio.Task[None] | None = None
    campaigns: dict[int, CachedCampaign] = field(default_factory=dict)
    refreshing: set[int] = field(default_factory=set)
    feeder: asyncio.Task[None] | None = None
    batches: int = 0
    batched_entries: int = 0


_runtime: Runtime | None = None
_runtime_lock = asyncio.Lock()


def _build_runtime() -> Runtime:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.conf import settings

    from citizencloud.campaigns import services
    from citizencloud.kernel import signing

    key = signing.current()
    master_id, master = services.pass_master()
    edge_http.localize()
    config = Config(
        concurrency=settings.CAMPAIGN_EDGE_CONCURRENCY,
        rate=float(settings.CAMPAIGN_EDGE_RATE),
        burst=float(settings.CAMPAIGN_EDGE_BURST or settings.CAMPAIGN_EDGE_RATE),
        batch_ms=float(settings.CAMPAIGN_BATCH_MS),
        batch_max=settings.CAMPAIGN_BATCH_MAX,
    )
    return Runtime(
        writes=store.from_settings(
            settings.DATABASES["default"],
            redis_url=settings.REDIS_URL if settings.CAMPAIGN_REDIS else "",
            prefix=settings.CACHES["default"].get("KEY_PREFIX") or "cc",
        ),
        reads=store.from_settings(settings.DATABASES["default"]),
        verifier=passes.Verifier(signing.trusted_public_keys(), {master_id: master}),
        signer=key.private,
        key_id=key.key_id,
        config=config,
        gate=admission.Admission(
            limit=config.concurrency,
            bucket=admission.TokenBucket(rate=config.rate, burst=config.burst),
        ),
    )


def current() -> Runtime | None:
    """The runtime if it is built (the hot path's fast check)."""
    return _runtime


async def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        async with _runtime_lock:
            if _runtime is None:
                built = await asyncio.get_running_loop().run_in_executor(None, _build_runtime)
                _start_global_bucket(built)
                _runtime = built
    return _runtime


def _start_global_bucket(rt: Runtime) -> None:
    """With ``CAMPAIGN_EDGE_GLOBAL_RATE`` and Redis, every edge process leases its tokens from
    one shared bucket (``campaigns.global_bucket``)."""
    from django.conf import settings

    if not (settings.CAMPAIGN_EDGE_GLOBAL_RATE and settings.REDIS_URL):
        return
    import redis.asyncio

    from citizencloud.campaigns import global_bucket

    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "cc"
    shared = global_bucket.GlobalBucket(
        redis.asyncio.Redis.from_url(settings.REDIS_URL),
        f"{prefix}:campaigns:admission",
        rate=float(settings.CAMPAIGN_EDGE_GLOBAL_RATE),
        burst=float(settings.CAMPAIGN_EDGE_GLOBAL_RATE),
    )
    rt.feeder = asyncio.get_running_loop().create_task(
        global_bucket.feed(rt.gate, shared, rt.config.rate)
    )


async def startup() -> None:
    """Build the runtime before the first request (keys, store), so the rush finds it ready."""
    try:
        await runtime()
    except Exception:  # the first request retries and reports it
        log.exception("campaign hot path could not start yet")


# --- the campaign cache ----------------------------------------------------------------------


async def campaign(rt: Runtime, campaign_id: int) -> CachedCampaign | None:
    """The campaign as this process last read it (at most ``CAMPAIGN_TTL`` old; while one
    request refreshes it, the others go on with the previous copy — no stampede)."""
    cached = rt.campaigns.get(campaign_id)
    if cached is not None and time.monotonic() - cached.fetched < CAMPAIGN_TTL:
        return cached
    if cached is not None:
        if campaign_id not in rt.refreshing:
            rt.refreshing.add(campaign_id)
            task = asyncio.get_running_loop().create_task(_refresh(rt, campaign_id))
            task.add_done_callback(lambda _: rt.refreshing.discard(campaign_id))
        return cached
    return await _refresh(rt, campaign_id)


async def _refresh(rt: Runtime, campaign_id: int) -> CachedCampaign | None:
    now = time.monotonic()
    cached = rt.campaigns.get(campaign_id)
    loop = asyncio.get_running_loop()
    info = await loop.run_in_executor(rt.reader, rt.reads.campaign, campaign_id)
    if info is None:
        rt.campaigns.pop(campaign_id, None)
        return None
    if cached is None or cached.info.identity != info.identity:
        cached = CachedCampaign(info=info, fetched=now)
        rt.campaigns[campaign_id] = cached
    cached.info, cached.fetched = info, now
    sold_out = info.kind == "first_come" and info.remaining == 0
    if not sold_out:
        cached.entrants = None
    cached.sold_out = sold_out
    return cached


async def load_entrants(rt: Runtime, cached: CachedCampaign) -> None:
    """Once a first-come campaign is sold out its entrants are final (at most ``stock``): keep
    them in memory so replays and refusals are answered from this process alone."""
    loop = asyncio.get_running_loop()
    cached.entrants = await loop.run_in_executor(rt.reader, rt.reads.entrants, cached.info.id)


def sold_out_for(rt: Runtime, campaign_id: int, token: str) -> bool:
    """True when the campaign is sold out and the pass's claimed holder is not an entrant."""
    cached = rt.campaigns.get(campaign_id)
    if cached is None or not cached.sold_out or cached.entrants is None:
        return False
    if time.monotonic() - cached.fetched >= CAMPAIGN_TTL:
        return False
    user = passes.peek_user(token)
    return user is not None and user not in cached.entrants
