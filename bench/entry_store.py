"""The campaign store's group commit alone: no HTTP, no handler, one process.

    .venv/bin/python bench/entry_store.py [--entries 60000] [--batch 256]

Builds a scratch SQLite data directory (migrated, so the entry table has exactly the indexes the
platform has), creates a lottery and ``--entries`` people, then calls
``campaigns.store.SqliteStore.write`` with batches of ``--batch`` fresh entries — each batch one
``BEGIN IMMEDIATE … COMMIT`` with ``synchronous=FULL``, as the edge's writer thread does — and
then signs the batch receipts (``edge_writer.signed``). Prints the entry table's indexes,
entries/s and CPU µs per entry of each part, and checks every entry is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import sys
import time

import scratch as bench_scratch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=60_000)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    scratch = bench_scratch.django("cc-entry-store-")
    from django.conf import settings
    from django.db import connection

    from citizencloud.campaigns import edge_runtime, edge_writer, services, store
    from citizencloud.campaigns.models import Entry
    from citizencloud.identity.models import User
    from citizencloud.kernel import clock

    now = clock.now()
    campaign = services.create_campaign(
        slug="bench-store", title="bench", kind="lottery",
        opens_at=now - dt.timedelta(minutes=1), closes_at=now + dt.timedelta(hours=2),
        tiers=[services.TierSpec(17800, 1)], min_assurance=0,
    )  # fmt: skip
    people = [User(username=f"s{i}", password="!") for i in range(args.entries)]  # noqa: S106
    User.objects.bulk_create(people, batch_size=5000)
    ids = list(User.objects.filter(username__startswith="s").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE tbl_name = 'campaigns_entry' AND type = 'index'"
        )
        indexes = sorted(str(row[0]) for row in cursor.fetchall())
    writes = store.from_settings(settings.DATABASES["default"])
    requests = [
        store.EntryRequest(campaign.pk, user, os.urandom(16).hex(), os.urandom(16).hex(), now)
        for user in ids
    ]
    batches = [requests[i : i + args.batch] for i in range(0, len(requests), args.batch)]
    started, cpu = time.perf_counter(), time.process_time()
    outcomes = [writes.write(batch) for batch in batches]
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    rt = asyncio.run(edge_runtime.runtime())
    receipts_cpu = time.process_time()
    for batch in outcomes:
        edge_writer.signed(rt, [(campaign.pk, outcome) for outcome in batch])
    receipts_cpu = time.process_time() - receipts_cpu
    stored = Entry.objects.filter(campaign=campaign).count()
    print(
        json.dumps(
            {
                "entry_indexes": indexes,
                "entries": len(requests),
                "batch": args.batch,
                "stored": stored,
                "write_entries_per_s": round(len(requests) / wall),
                "write_cpu_us_per_entry": round(cpu / len(requests) * 1e6, 1),
                "ms_per_batch": round(wall / len(batches) * 1000, 2),
                "receipts_cpu_us_per_entry": round(receipts_cpu / len(requests) * 1e6, 1),
                "load_avg": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )
    shutil.rmtree(scratch, ignore_errors=True)
    if stored != len(requests):
        sys.exit(f"stored {stored} of {len(requests)} entries")


if __name__ == "__main__":
    main()
