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


@dataclass(frozen=True)
class Published:
    """Everything a lottery publishes; enough to recompute the draw."""

    campaign_id: int
    seed_hash: str
    seed: str
    entry_count: int
    merkle_root: str
    ledger: Sequence[str]
    tiers: Sequence[Tier]
    winners: Sequence[tuple[str, int, int]]  # (entry id, rank, amount in fen)


def verify(p: Published) -> list[str]:
    """Every way the published data fails to add up; empty when the draw checks out."""
    problems: list[str] = []
    seed = bytes.fromhex(p.seed)
    if seed_hash(seed) != p.seed_hash:
        problems.append("the revealed seed does not match the published H(seed)")
    if len(p.ledger) != p.entry_count:
        problems.append(f"the ledger has {len(p.ledger)} entries, {p.entry_count} were published")
    if list(p.ledger) != sorted(set(p.ledger)):
        problems.append("the ledger is not in ascending order without repeats")
    root = ledger_root(p.campaign_id, p.ledger)
    if root.hex() != p.merkle_root:
        problems.append("the ledger's Merkle root differs from the published root")
    total = sum(t.count for t in p.tiers)
    drawn = award(choose(seed, bytes.fromhex(p.merkle_root), len(p.ledger), total), p.tiers)
    expected = sorted((p.ledger[i], t.rank, t.amount_fen) for i, t in drawn)
    if sorted(p.winners) != expected:
        problems.append("the published winners differ from the recomputed draw")
    return problems


def verify_inclusion(
    campaign_id: int, entry_id: str, index: int, size: int, proof: Sequence[str], root: str
) -> bool:
    """Whether ``entry_id`` is leaf ``index`` of the tree of ``size`` leaves with ``root``."""
    leaf = merkle.leaf_hash(leaf_data(campaign_id, entry_id))
    try:
        return (
            merkle.root_from_inclusion(leaf, index, size, [bytes.fromhex(h) for h in proof]).hex()
            == root
        )
    except ValueError:
        return False
