"""RFC 6962 tree hashing against the published test vectors (certificate-transparency)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citizencloud.kernel import merkle

# The eight leaves of the RFC 6962 reference tests (certificate-transparency, merkle_tree_test).
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
PROOFS = [
    (0, 8, [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]),
    (5, 8, [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]),
]  # fmt: skip
CONSISTENCY = [
    (1, 1, []),
    (1, 8, [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]),
    (6, 8, [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]),
    (2, 5, [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]),
]  # fmt: skip
HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def test_the_empty_tree_hash_is_sha256_of_nothing() -> None:
    assert merkle.root([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.mark.parametrize("size", range(1, 9))
def test_tree_heads_match_the_rfc6962_vectors(size: int) -> None:
    assert merkle.root(HASHES[:size]).hex() == ROOTS[size - 1]


@pytest.mark.parametrize("size", range(1, 9))
def test_the_frontier_gives_the_same_heads(size: int) -> None:
    frontier: list[bytes] = []
    for index in range(size):
        frontier = merkle.frontier_append(frontier, index, HASHES[index])
    assert merkle.frontier_root(frontier).hex() == ROOTS[size - 1]
    assert len(frontier) == bin(size).count("1")


@pytest.mark.parametrize(("index", "size", "expected"), PROOFS)
def test_inclusion_proofs_match_the_rfc6962_vectors(
    index: int, size: int, expected: list[str]
) -> None:
    proof = merkle.inclusion_proof(HASHES[:size], index)
    assert [node.hex() for node in proof] == expected
    assert merkle.root_from_inclusion(HASHES[index], index, size, proof).hex() == ROOTS[size - 1]


@given(size=st.integers(1, 300), data=st.data())
def test_every_proof_verifies_and_a_wrong_leaf_does_not(size: int, data: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    index = data.draw(st.integers(0, size - 1))
    proof = merkle.inclusion_proof(leaves, index)
    head = merkle.root(leaves)
    assert merkle.root_from_inclusion(leaves[index], index, size, proof) == head
    assert merkle.root_from_inclusion(merkle.leaf_hash(b"forged"), index, size, proof) != head
    frontier: list[bytes] = []
    for i, leaf in enumerate(leaves):
        frontier = merkle.frontier_append(frontier, i, leaf)
    assert merkle.frontier_root(frontier) == head


@pytest.mark.parametrize(("first", "second", "expected"), CONSISTENCY)
def test_consistency_proofs_match_the_rfc6962_vectors(
    first: int, second: int, expected: list[str]
) -> None:
    proof = merkle.consistency_proof(HASHES[:second], first)
    assert [node.hex() for node in proof] == expected
    assert merkle.verify_consistency(
        first, second, bytes.fromhex(ROOTS[first - 1]), bytes.fromhex(ROOTS[second - 1]), proof
    )


@given(second=st.integers(1, 200), data=st.data())
def test_stored_subtrees_give_the_same_roots_and_proofs(second: int, data: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(second)]
    stored: dict[tuple[int, int], bytes] = {}
    frontier: list[bytes] = []
    for i, leaf in enumerate(leaves):
        frontier, nodes = merkle.frontier_append_nodes(frontier, i, leaf)
        stored.update({(level, index): node for level, index, node in nodes})
    root_of = merkle.stored_root_of(lambda level, index: stored[level, index])
    first = data.draw(st.integers(1, second))
    assert root_of(0, first) == merkle.root(leaves[:first])
    proof = merkle.consistency(root_of, first, second)
    assert proof == merkle.consistency_proof(leaves, first)
    assert merkle.verify_consistency(
        first, second, merkle.root(leaves[:first]), merkle.root(leaves), proof
    )
    index = data.draw(st.integers(0, second - 1))
    assert merkle.path(root_of, index, 0, second) == merkle.inclusion_proof(leaves, index)
