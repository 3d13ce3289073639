"""PURE: admission control for the hot path — a concurrency limit and a token bucket.

Both are per process (per node when one edge process serves a node); at scale the token bucket
can be shared through Redis. What is not admitted gets a waiting-room ticket: a number in the
node's virtual queue, whose position is how many tickets were issued before it and not yet
admitted, and an estimated wait at the bucket's rate.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

ADMITTED = "admitted"
BUSY = "busy"  # concurrency limit reached → 503
THROTTLED = "throttled"  # token bucket empty → 429


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    burst: float
    tokens: float = -1.0
    updated: float = 0.0

    def take(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.updated = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(frozen=True)
class Ticket:
    number: int
    position: int
    wait_seconds: int
    retry_after: int


@dataclass
class Admission:
    limit: int
    bucket: TokenBucket
    inflight: int = 0
    admitted_total: int = 0
    last_ticket: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def enter(self, now: float) -> str:
        if self.inflight >= self.limit:
            return BUSY
        if not self.bucket.take(now):
            return THROTTLED
        self.inflight += 1
        self.admitted_total += 1
        return ADMITTED

    def leave(self) -> None:
        self.inflight -= 1

    def ticket(self) -> Ticket:
        """A place in the waiting room, with a jittered Retry-After so retries spread out."""
        number = self.last_ticket = max(self.last_ticket, self.admitted_total) + 1
        position = self.position(number)
        wait = max(1, math.ceil(position / max(self.bucket.rate, 1.0)))
        retry = min(60, max(1, round(wait * self.rng.uniform(0.5, 1.5))))
        return Ticket(number=number, position=position, wait_seconds=wait, retry_after=retry)

    def position(self, number: int) -> int:
        """How many are ahead of ticket ``number`` (an estimate; at least 1 while it waits)."""
        return max(1, number - self.admitted_total)
