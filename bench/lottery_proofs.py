"""Closing a lottery of realistic size and serving inclusion proofs from the stored tree.

    .venv/bin/python bench/lottery_proofs.py                      # 4.2 million entries, SQLite
    .venv/bin/python bench/lottery_proofs.py --entries 200000 --proofs 100

Builds a scratch data directory, migrates, writes ``--entries`` entries of one lottery straight
into SQLite (the ids random like the hot path's; user ids synthetic, foreign keys off for the
load only), then times ``services.close`` (streams the ledger once, stores the chunk fences and
roots), the peak memory it added, and ``selectors.my_entry`` (one chunk read + two short
proofs) for random entrants — each proof is checked against the published root.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import shutil
import sqlite3
import statistics
import time

import scratch as bench_scratch


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=4_200_000)
    parser.add_argument("--proofs", type=int, default=200)
    args = parser.parse_args()
    scratch = bench_scratch.django("cc-proofs-")
    import datetime as dt

    from django.conf import settings
    from django.db import transaction

    from citizencloud.campaigns import lottery, selectors, services
    from citizencloud.identity.models import User
    from citizencloud.kernel import clock

    now = clock.now()
    campaign = services.create_campaign(
        slug="bench-proofs", title="bench", kind="lottery",
        opens_at=now - dt.timedelta(days=2), closes_at=now - dt.timedelta(days=1),
        tiers=[services.TierSpec(17800, 138_805), services.TierSpec(23800, 64_255)],
        min_assurance=0,
    )  # fmt: skip
    started = time.perf_counter()
    db = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("PRAGMA synchronous = OFF")
    stamp = now.isoformat()
    with db:
        for start in range(0, args.entries, 100_000):
            rows = [
                (campaign.pk, i + 1, secrets.token_hex(16), "k", stamp)
                for i in range(start, min(args.entries, start + 100_000))
            ]
            db.executemany(
                "INSERT INTO campaigns_entry (campaign_id, user_id, entry_id, idempotency_key, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
    db.close()
    load_s = time.perf_counter() - started
    rss_before = rss_mb()
    started = time.perf_counter()
    with transaction.atomic():
        closed = services.close(campaign_id=campaign.pk)
    close_s = time.perf_counter() - started
    close_rss = rss_mb() - rss_before
    assert closed.entry_count == args.entries
    from citizencloud.campaigns.models import Entry

    sample = random.sample(range(1, args.entries + 1), args.proofs)
    timings = []
    for user_id in sample:
        started = time.perf_counter()
        mine = selectors.my_entry(user=User(pk=user_id), campaign_id=campaign.pk)
        timings.append((time.perf_counter() - started) * 1000)
        entry_id = Entry.objects.get(campaign=campaign, user_id=user_id).entry_id
        assert mine.leaf_index is not None
        assert lottery.verify_inclusion(
            campaign.pk, entry_id, mine.leaf_index, args.entries, mine.proof, closed.merkle_root
        )
    timings.sort()
    result = {
        "entries": args.entries,
        "load_s": round(load_s, 1),
        "close_s": round(close_s, 1),
        "close_peak_rss_added_mb": round(close_rss, 1),
        "stored_tree_bytes": len(bytes(closed.tree.fences)) + len(bytes(closed.tree.chunk_roots)),
        "proofs": args.proofs,
        "proof_ms_p50": round(statistics.median(timings), 2),
        "proof_ms_p99": round(timings[int(len(timings) * 0.99) - 1], 2),
        "proof_path_length": len(mine.proof),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
