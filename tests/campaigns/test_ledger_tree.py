"""The stored ledger tree: proofs from one chunk equal RFC 6962 proofs over the whole ledger;
closing and proofs never need the whole ledger in memory."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citizencloud.campaigns import ledger_tree, lottery, selectors, services
from citizencloud.campaigns.models import Entry, Kind, LedgerTree
from citizencloud.kernel import clock, merkle
from tests.campaigns import factories


def _ids(n: int) -> list[str]:
    return sorted({secrets.token_hex(16) for _ in range(n)})


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=70), chunk=st.sampled_from([1, 2, 4, 8, 16]))
def test_chunked_proofs_equal_whole_tree_proofs(n: int, chunk: int) -> None:
    ids = _ids(n)
    tree = ledger_tree.build(7, iter(ids), chunk=chunk)
    leaves = lottery.leaf_hashes(7, ids)
    assert ledger_tree.root(tree) == merkle.root(leaves) == lottery.ledger_root(7, ids)
    for index, entry_id in enumerate(ids):
        c = tree.chunk_of(entry_id)
        assert c == index // chunk
        low, high = tree.bounds(c)
        part = [e for e in ids if e >= low and (high is None or e < high)]
        found = ledger_tree.proof(tree, 7, c, part, entry_id)
        assert found == (index, merkle.inclusion_proof(leaves, index))


def test_a_changed_chunk_gives_no_proof_and_bad_input_is_refused() -> None:
    ids = _ids(20)
    tree = ledger_tree.build(3, iter(ids), chunk=4)
    tampered = [*ids[:4]]
    tampered[1] = "0" * 32 if tampered[1] != "0" * 32 else "1" * 32
    assert ledger_tree.proof(tree, 3, 0, sorted(tampered), ids[0]) is None
    assert ledger_tree.proof(tree, 3, 0, ids[:4], ids[5]) is None
    with pytest.raises(ValueError, match="ascending"):
        ledger_tree.build(3, iter([ids[1], ids[0]]))
    with pytest.raises(ValueError, match="power of two"):
        ledger_tree.build(3, iter(ids), chunk=3)
    empty = ledger_tree.build(3, iter([]))
    assert ledger_tree.root(empty) == merkle.root([])
    assert empty.chunk_of(ids[0]) is None


@pytest.mark.django_db
def test_close_stores_the_tree_and_proofs_come_from_one_chunk(
    django_assert_max_num_queries: object,
) -> None:
    now = clock.now()
    campaign = factories.create_campaign(
        kind=Kind.LOTTERY,
        opens_at=now - dt.timedelta(hours=2),
        closes_at=now - dt.timedelta(hours=1),
        tiers=[services.TierSpec(100, 5)],
    )
    n = 2 * ledger_tree.CHUNK + 77  # three chunks, the last one partial
    users = factories.create_users(n)
    ids = _ids(n)
    Entry.objects.bulk_create(
        Entry(campaign=campaign, user=u, entry_id=e, idempotency_key="k", created_at=now)
        for u, e in zip(users, ids, strict=False)
    )
    ids = sorted(ids[: len(users)])
    closed = services.close(campaign_id=campaign.pk)
    stored = LedgerTree.objects.get(campaign=campaign)
    assert (stored.size, len(bytes(stored.chunk_roots))) == (n, 3 * 32)
    assert closed.merkle_root == lottery.ledger_root(campaign.pk, ids).hex()
    for index in (0, ledger_tree.CHUNK - 1, ledger_tree.CHUNK, n - 1, 1500):
        entry = Entry.objects.get(entry_id=ids[index])
        with django_assert_max_num_queries(5):  # type: ignore[operator]
            mine = selectors.my_entry(user=entry.user, campaign_id=campaign.pk)
        assert (mine.leaf_index, mine.tree_size) == (index, n)
        assert lottery.verify_inclusion(
            campaign.pk, entry.entry_id, index, n, mine.proof, closed.merkle_root
        )
