"""A token bucket shared by every edge process through Redis (``CAMPAIGN_EDGE_GLOBAL_RATE``).

Asking Redis per request would put a round trip on the hot path, so each process *leases*
tokens: every ``LEASE_SECONDS`` it asks the shared bucket for what it expects to use and adds
what it is granted to its local bucket, which admits requests as before. The bucket lives in one
Lua script (refill by elapsed time, grant at most what is there), so the processes together never
admit more than the global rate plus the burst. If Redis cannot be reached the process falls
back to its own per-node rate (``CAMPAIGN_EDGE_RATE``): the node keeps serving.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from redis.exceptions import RedisError

from citizencloud.campaigns import admission

LEASE_SECONDS = 0.1

# KEYS[1] bucket hash; ARGV: rate (tokens/s), burst, now (ms), wanted → granted tokens.
LEASE = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local now, wanted = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if tokens == nil then tokens, at = burst, now end
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end
local granted = math.min(wanted, math.floor(tokens))
if granted < 0 then granted = 0 end
redis.call('HSET', KEYS[1], 'tokens', tokens - granted, 'at', math.max(now, at))
redis.call('PEXPIRE', KEYS[1], 60000)
return granted
"""

log = logging.getLogger("citizencloud.campaigns.global_bucket")


class GlobalBucket:
    def __init__(self, redis_client: Any, key: str, *, rate: float, burst: float) -> None:
        self.redis, self.key, self.rate, self.burst = redis_client, key, rate, burst
        self._lease = redis_client.register_script(LEASE)

    async def lease(self, wanted: int, *, now_ms: int | None = None) -> int:
        """Take up to ``wanted`` tokens from the shared bucket."""
        stamp = now_ms if now_ms is not None else int(time.time() * 1000)
        granted = await self._lease(keys=[self.key], args=[self.rate, self.burst, stamp, wanted])
        return int(granted)


async def feed(gate: admission.Admission, bucket: GlobalBucket, local_rate: float) -> None:
    """Forever: lease tokens for the next interval into ``gate``'s local bucket."""
    local = gate.bucket
    local.rate = 0.0  # tokens now come from the leases only
    local.tokens = 0.0
    while True:
        wanted = max(1, int(local_rate * LEASE_SECONDS) - int(local.tokens))
        try:
            granted = await bucket.lease(wanted)
        except (OSError, RedisError):  # Redis unreachable: keep serving at the per-node rate
            log.warning("global campaign bucket unreachable; using the per-node rate")
            granted = int(local_rate * LEASE_SECONDS)
        local.tokens = min(local.burst, local.tokens + granted)
        await asyncio.sleep(LEASE_SECONDS)
