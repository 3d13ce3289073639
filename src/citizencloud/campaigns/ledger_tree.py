"""PURE: the lottery ledger's Merkle tree, stored so that closing streams the ledger once and an
inclusion proof reads one chunk of it (never the whole ledger in memory).

The ledger (entry ids ascending) is cut into chunks of ``CHUNK`` leaves (a power of two). In
RFC 6962's tree every split point of a range longer than ``CHUNK`` is a multiple of ``CHUNK``,
so each full chunk is a subtree, the last (possibly partial) chunk too, and the tree above them
is exactly the RFC 6962 tree over the chunk roots. Stored at closing:

* ``fences``: the first entry id of every chunk (16 bytes each) — which chunk holds an id;
* ``chunk_roots``: the root of every chunk (32 bytes each) — the upper part of every proof.

A proof for an entry is its path inside its chunk (recomputed from that chunk's ≤ CHUNK ids,
read by an index range) followed by the chunk's path among the chunk roots. For 4.2 million
entries: 4,102 chunks, 66 KB of fences and 131 KB of roots.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from citizencloud.campaigns import lottery
from citizencloud.kernel import merkle

CHUNK = 1024
_ID = 16  # bytes of an entry id (32 hex digits)
_HASH = 32


@dataclass(frozen=True)
class Tree:
    size: int
    chunk: int
    fences: bytes
    chunk_roots: bytes

    @property
    def chunks(self) -> int:
        return len(self.chunk_roots) // _HASH

    def roots(self) -> list[bytes]:
        r = self.chunk_roots
        return [r[i : i + _HASH] for i in range(0, len(r), _HASH)]

    @property
    def root(self) -> bytes:
        return merkle.root(self.roots())

    def chunk_of(self, entry_id: str) -> int | None:
        """The chunk that would hold ``entry_id`` (None for an empty ledger)."""
        if not self.size:
            return None
        key = bytes.fromhex(entry_id)
        fences = [self.fences[i : i + _ID] for i in range(0, len(self.fences), _ID)]
        return max(0, bisect.bisect_right(fences, key) - 1)

    def bounds(self, chunk: int) -> tuple[str, str | None]:
        """The id range ``[low, high)`` of chunk ``chunk`` (high None for the last chunk)."""
        low = self.fences[chunk * _ID : (chunk + 1) * _ID].hex()
        high = self.fences[(chunk + 1) * _ID : (chunk + 2) * _ID].hex() or None
        return low, high


def build(campaign_id: int, ids: Iterable[str], chunk: int = CHUNK) -> Tree:
    """Stream the ledger (ids ascending, no repeats) once; O(size / chunk) memory."""
    if chunk & (chunk - 1):
        raise ValueError("the chunk size must be a power of two")
    fences, roots, size = bytearray(), bytearray(), 0
    current: list[bytes] = []
    previous = ""
    for entry_id in ids:
        if entry_id <= previous:
            raise ValueError("the ledger must be ascending without repeats")
        previous = entry_id
        if not current:
            fences += bytes.fromhex(entry_id)
        current.append(merkle.leaf_hash(lottery.leaf_data(campaign_id, entry_id)))
        size += 1
        if len(current) == chunk:
            roots += merkle.root(current)
            current = []
    if current:
        roots += merkle.root(current)
    return Tree(size=size, chunk=chunk, fences=bytes(fences), chunk_roots=bytes(roots))


def root(tree: Tree) -> bytes:
    """The ledger root (SHA-256 of nothing for an empty ledger, as RFC 6962 says)."""
    return tree.root if tree.size else merkle.root([])


def proof(
    tree: Tree, campaign_id: int, chunk: int, chunk_ids: Sequence[str], entry_id: str
) -> tuple[int, list[bytes]] | None:
    """``(leaf index, audit path)`` of ``entry_id``, given the ids of its chunk (ascending);
    None if it is not in the chunk, or the chunk read does not match the stored tree."""
    try:
        offset = list(chunk_ids).index(entry_id)
    except ValueError:
        return None
    leaves = [merkle.leaf_hash(lottery.leaf_data(campaign_id, e)) for e in chunk_ids]
    roots = tree.roots()
    if merkle.root(leaves) != roots[chunk]:
        return None
    inner = merkle.inclusion_proof(leaves, offset)
    outer = merkle.inclusion_proof(roots, chunk)
    return chunk * tree.chunk + offset, inner + outer
