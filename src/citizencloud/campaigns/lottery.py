"""PURE: the verifiable lottery (docs/lottery.md is the standalone specification).

Leaves are the entries in ascending ``entry_id`` order; leaf data is
``"citizencloud/campaign-entry/v1|<campaign id>|<entry id>"`` (ASCII) and the tree is RFC 6962's.
Winners: a partial Fisher–Yates shuffle of the leaf indices driven by a SHA-256 counter stream
keyed with ``K = SHA-256(seed ‖ root)``; the i-th chosen entry gets the i-th prize (tiers in rank
order). Changing nothing here without a new ``ALGORITHM`` name: published draws must recompute.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from citizencloud.kernel import merkle

ALGORITHM = "citizencloud-lottery/v1"
LEAF_CONTEXT = "citizencloud/campaign-entry/v1"


def leaf_data(campaign_id: int, entry_id: str) -> bytes:
    return f"{LEAF_CONTEXT}|{campaign_id}|{entry_id}".encode("ascii")


def seed_hash(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def leaf_hashes(campaign_id: int, entry_ids: Sequence[str]) -> list[bytes]:
    """The leaf hashes in ledger order (entry ids must already be sorted ascending)."""
    return [merkle.leaf_hash(leaf_data(campaign_id, e)) for e in entry_ids]


def ledger_root(campaign_id: int, entry_ids: Sequence[str]) -> bytes:
    """The Merkle root over the sorted entry ids, computed with an O(log n) frontier."""
    frontier: list[bytes] = []
    for size, entry_id in enumerate(entry_ids):
        frontier = merkle.frontier_append(
            frontier, size, merkle.leaf_hash(leaf_data(campaign_id, entry_id))
        )
    return merkle.frontier_root(frontier)


def _stream(key: bytes) -> Iterator[int]:
    counter = 0
    while True:
        block = hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        for offset in range(0, 32, 8):
            yield int.from_bytes(block[offset : offset + 8], "big")
        counter += 1


def _uniform(stream: Iterator[int], n: int) -> int:
    """An unbiased integer in [0, n): reject draws from the incomplete last bucket."""
    limit = (1 << 64) - ((1 << 64) % n)
    while True:
        x = next(stream)
        if x < limit:
            return x % n


def draw_key(seed: bytes, root: bytes) -> bytes:
    return hashlib.sha256(seed + root).digest()


def choose(seed: bytes, root: bytes, size: int, winners: int) -> list[int]:
    """The leaf indices of the winners, in the order they were drawn (O(winners) memory)."""
    stream = _stream(draw_key(seed, root))
    swapped: dict[int, int] = {}
    chosen: list[int] = []
    for i in range(min(winners, size)):
        j = i + _uniform(stream, size - i)
        chosen.append(swapped.get(j, j))
        swapped[j] = swapped.get(i, i)
    return chosen


@dataclass(frozen=True)
class Tier:
    rank: int
    amount_fen: int
    count: int


def award(chosen: Sequence[int], tiers: Sequence[Tier]) -> list[tuple[int, Tier]]:
    """Pair the drawn indices with prizes: tiers in rank order, ``count`` prizes each."""
    prizes = [tier for tier in sorted(tiers, key=lambda t: t.rank) for _ in range(tier.count)]
    return list(zip(chosen, prizes, strict=False))
