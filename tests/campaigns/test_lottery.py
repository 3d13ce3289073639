"""The verifiable draw: properties of the algorithm, reproducibility, proofs, tampering."""

from __future__ import annotations

import hashlib
import secrets

from hypothesis import given, settings
from hypothesis import strategies as st

from citizencloud.campaigns import lottery
from citizencloud.kernel import merkle

TIERS = [lottery.Tier(1, 17800, 3), lottery.Tier(2, 23800, 2)]


def ids(n: int) -> list[str]:
    return sorted(hashlib.sha256(str(i).encode()).hexdigest()[:32] for i in range(n))


@settings(max_examples=200, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    root=st.binary(min_size=32, max_size=32),
    size=st.integers(1, 500),
    winners=st.integers(0, 600),
)
def test_choose_picks_distinct_leaves_in_range(
    seed: bytes, root: bytes, size: int, winners: int
) -> None:
    chosen = lottery.choose(seed, root, size, winners)
    assert len(chosen) == min(size, winners)
    assert len(set(chosen)) == len(chosen)
    assert all(0 <= i < size for i in chosen)
    assert chosen == lottery.choose(seed, root, size, winners)  # reproducible


@settings(max_examples=50, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), size=st.integers(2, 200))
def test_everyone_wins_when_prizes_cover_the_entries(seed: bytes, size: int) -> None:
    assert sorted(lottery.choose(seed, b"\x00" * 32, size, size)) == list(range(size))


def test_draw_is_roughly_uniform() -> None:
    counts = [0] * 10
    for trial in range(3000):
        for i in lottery.choose(trial.to_bytes(32, "big"), b"r" * 32, 10, 2):
            counts[i] += 1
    assert all(480 < c < 720 for c in counts), counts  # expectation 600 each


def test_prefix_stability_of_the_draw() -> None:
    """Drawing more prizes never changes who won the first ones (tiers are drawn in order)."""
    seed, root = secrets.token_bytes(32), secrets.token_bytes(32)
    assert lottery.choose(seed, root, 1000, 50)[:10] == lottery.choose(seed, root, 1000, 10)


def test_ledger_root_matches_the_rfc6962_tree() -> None:
    for n in (0, 1, 2, 3, 7, 8, 9, 100):
        entry_ids = ids(n)
        assert lottery.ledger_root(5, entry_ids) == merkle.root(lottery.leaf_hashes(5, entry_ids))


def _published(n: int = 40) -> lottery.Published:
    seed = secrets.token_bytes(32)
    ledger = ids(n)
    root = lottery.ledger_root(9, ledger)
    drawn = lottery.award(lottery.choose(seed, root, n, 5), TIERS)
    return lottery.Published(
        campaign_id=9,
        seed_hash=lottery.seed_hash(seed),
        seed=seed.hex(),
        entry_count=n,
        merkle_root=root.hex(),
        ledger=ledger,
        tiers=TIERS,
        winners=[(ledger[i], t.rank, t.amount_fen) for i, t in drawn],
    )


def test_an_honest_draw_verifies() -> None:
    assert lottery.verify(_published()) == []


def test_a_tampered_entry_list_fails_verification() -> None:
    honest = _published()
    swapped = list(honest.ledger)
    swapped[3] = "f" * 32
    removed = list(honest.ledger)[1:]
    for ledger in (sorted(swapped), removed):
        forged = lottery.Published(**{**honest.__dict__, "ledger": ledger})
        assert lottery.verify(forged)


def test_other_tampering_fails_verification() -> None:
    honest = _published()
    loser = next(e for e in honest.ledger if e not in {w[0] for w in honest.winners})
    cases = [
        {"seed": secrets.token_bytes(32).hex()},
        {"winners": [*honest.winners[:-1], (loser, 2, 23800)]},
        {"merkle_root": "00" * 32},
        {"entry_count": honest.entry_count + 1},
    ]
    for change in cases:
        assert lottery.verify(lottery.Published(**{**honest.__dict__, **change})), change


def test_every_entrant_gets_a_working_inclusion_proof() -> None:
    ledger = ids(37)
    leaves = lottery.leaf_hashes(3, ledger)
    root = lottery.ledger_root(3, ledger).hex()
    for index, entry_id in enumerate(ledger):
        proof = [p.hex() for p in merkle.inclusion_proof(leaves, index)]
        assert lottery.verify_inclusion(3, entry_id, index, len(ledger), proof, root)
        assert not lottery.verify_inclusion(3, "0" * 32, index, len(ledger), proof, root)
        assert not lottery.verify_inclusion(4, entry_id, index, len(ledger), proof, root)


def test_batch_receipts_match_rfc6962_proofs_and_resist_tampering() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from citizencloud.campaigns import passes

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    for n in (1, 2, 3, 5, 8, 13):
        statements = [(7, f"{i:032x}", "2021-02-24T00:00:00+00:00") for i in range(n)]
        receipts = passes.sign_receipts(key, "k", statements)
        leaves = [merkle.leaf_hash(passes.receipt_message(*s)) for s in statements]
        for i, receipt in enumerate(receipts):
            assert receipt["proof"] == [p.hex() for p in merkle.inclusion_proof(leaves, i)]
            assert passes.verify_receipt(
                public,
                campaign_id=7,
                entry_id=statements[i][1],
                created_at=statements[i][2],
                receipt=receipt,
            )
            assert not passes.verify_receipt(
                public,
                campaign_id=8,
                entry_id=statements[i][1],
                created_at=statements[i][2],
                receipt=receipt,
            )
            assert not passes.verify_receipt(
                public,
                campaign_id=7,
                entry_id=statements[i][1],
                created_at=statements[i][2],
                receipt={**receipt, "batch_size": n + 1},
            )
