"""RFC 6962 (Certificate Transparency) Merkle tree hashing, inclusion proofs and a frontier.

``leaf_hash(d) = SHA-256(0x00 ‖ d)``, ``node_hash(l, r) = SHA-256(0x01 ‖ l ‖ r)``; the tree over
n leaves splits at the largest power of two below n. A *frontier* is the list of roots of the
perfect subtrees that make up the tree (left to right, one per set bit of n), enough to append
a leaf and to compute the root in O(log n) without reading old leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over already-hashed leaves."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(root(leaf_hashes[:k]), root(leaf_hashes[k:]))


#: ``root_of(lo, hi)`` → MTH of leaves [lo, hi); lets proofs run over stored subtree roots.
RootOf = Callable[[int, int], bytes]


def _list_root_of(leaf_hashes: Sequence[bytes]) -> RootOf:
    return lambda lo, hi: root(leaf_hashes[lo:hi])


def path(root_of: RootOf, index: int, lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi]) of RFC 6962 §2.1.1, siblings from ``root_of``."""
    if hi - lo == 1:
        return []
    k = _split(hi - lo)
    if index < lo + k:
        return [*path(root_of, index, lo, lo + k), root_of(lo + k, hi)]
    return [*path(root_of, index, lo + k, hi), root_of(lo, lo + k)]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(m, D[n]): the audit path proving leaf ``index`` is in the tree of ``leaf_hashes``."""
    if not 0 <= index < len(leaf_hashes):
        raise IndexError(index)
    return path(_list_root_of(leaf_hashes), index, 0, len(leaf_hashes))


def _subproof(root_of: RootOf, m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if whole else [root_of(lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_subproof(root_of, m, lo, lo + k, whole), root_of(lo + k, hi)]
    return [*_subproof(root_of, m - k, lo + k, hi, False), root_of(lo, lo + k)]


def consistency(root_of: RootOf, first: int, second: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2: the tree of ``first`` leaves is a prefix of ``second``."""
    if not 0 < first <= second:
        raise ValueError("need 0 < first <= second")
    return _subproof(root_of, first, 0, second, True)


def consistency_proof(leaf_hashes: Sequence[bytes], first: int) -> list[bytes]:
    return consistency(_list_root_of(leaf_hashes), first, len(leaf_hashes))


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show tree ``first`` is a prefix of tree ``second``?"""
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    nodes = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first root is the first node
        nodes.insert(0, first_root)
    if not nodes:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2); compare with a signed root."""
    if not 0 <= index < size:
        raise ValueError("index outside the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ValueError("proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("proof too short")
    return r


def frontier_append(frontier: Sequence[bytes], size: int, leaf: bytes) -> list[bytes]:
    """The frontier after appending ``leaf`` to a tree of ``size`` leaves."""
    result = [*frontier, leaf]
    while size & 1:
        right = result.pop()
        left = result.pop()
        result.append(node_hash(left, right))
        size >>= 1
    return result


def frontier_append_nodes(
    frontier: Sequence[bytes], size: int, leaf: bytes
) -> tuple[list[bytes], list[tuple[int, int, bytes]]]:
    """``frontier_append`` plus the subtree roots it completes, as (level, index, hash): the
    leaf itself at level 0, and each merged perfect subtree [index·2^level, (index+1)·2^level)."""
    result, nodes = [*frontier, leaf], [(0, size, leaf)]
    level, index = 0, size
    while index & 1:
        right = result.pop()
        left = result.pop()
        result.append(node_hash(left, right))
        level, index = level + 1, index >> 1
        nodes.append((level, index, result[-1]))
    return result, nodes


def stored_root_of(lookup: Callable[[int, int], bytes]) -> RootOf:
    """A ``root_of`` over stored perfect subtree roots: ``lookup(level, index)`` → hash.

    In an RFC 6962 tree every left child is a perfect subtree aligned on its size, so any node
    is a combination of O(log n) stored perfect subtrees."""

    def root_of(lo: int, hi: int) -> bytes:
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            level = n.bit_length() - 1
            return lookup(level, lo >> level)
        k = _split(n)
        return node_hash(root_of(lo, lo + k), root_of(lo + k, hi))

    return root_of


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """MTH of the tree the frontier describes."""
    if not frontier:
        return EMPTY_ROOT
    current = frontier[-1]
    for left in reversed(frontier[:-1]):
        current = node_hash(left, current)
    return current
