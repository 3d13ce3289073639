"""Where an entry's time goes: the campaign edge handler driven in-process (no HTTP server, no
load generator competing for the CPU), optionally under cProfile.

    .venv/bin/python bench/edge_profile.py --entries 40000 --concurrency 256 [--profile]
    .venv/bin/python bench/edge_profile.py --pass-format cp1      # Ed25519 passes, for contrast
    .venv/bin/python bench/edge_profile.py --duplicates           # then everyone again: 409s

It builds a scratch SQLite data directory, creates a lottery and ``--entries`` people with
pre-issued passes, then calls ``citizencloud.campaigns.edge.entries`` with ``--concurrency``
tasks at a time, exactly as granian would (an ASGI scope, receive and send), checks every reply
is a 201 and every entry is in the database, and prints entries/s of handler + store CPU time.
With ``--duplicates`` it then sends every person again under a new Idempotency-Key (each reply
must be a 409) and prints refusals/s and CPU µs per refusal.
With ``--profile`` it prints the top functions by cumulative and own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import shutil
import time
import uuid
from typing import Any

import scratch as bench_scratch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=40_000)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--pass-format", choices=["cp1", "cp2"], default="cp2")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--duplicates", action="store_true", help="then everyone again under new keys (409s)"
    )
    args = parser.parse_args()
    scratch = bench_scratch.django("cc-edgeprof-")
    import datetime as dt

    from citizencloud.campaigns import edge, passes, services
    from citizencloud.campaigns.models import Entry
    from citizencloud.identity.models import User
    from citizencloud.kernel import clock, signing

    now = clock.now()
    campaign = services.create_campaign(
        slug="bench-profile", title="bench", kind="lottery",
        opens_at=now - dt.timedelta(minutes=1), closes_at=now + dt.timedelta(hours=2),
        tiers=[services.TierSpec(17800, 1)], min_assurance=0,
    )  # fmt: skip
    users = [User(username=f"p{i}", password="!") for i in range(args.entries)]  # noqa: S106
    User.objects.bulk_create(users, batch_size=5000)
    ids = list(User.objects.values_list("pk", flat=True))
    expires = int(now.timestamp()) + 3600
    if args.pass_format == "cp2":  # noqa: S105 (a format name)
        kid, master = services.pass_master()
        tokens = [
            passes.issue_mac(master, kid, campaign_id=campaign.pk, user_id=u, expires_at=expires)
            for u in ids
        ]
    else:
        key = signing.current()
        tokens = [
            passes.issue(
                key.private, key.key_id, campaign_id=campaign.pk, user_id=u, expires_at=expires
            )
            for u in ids
        ]
    bodies = [json.dumps({"pass": t}).encode() for t in tokens]
    path = f"/api/v1/campaigns/{campaign.pk}/entries"
    statuses: dict[int, int] = {}

    async def one(body: bytes) -> None:
        scope = {
            "type": "http",
            "method": "POST",
            "path": path,
            "headers": [
                (b"content-type", b"application/json"),
                (b"idempotency-key", uuid.uuid4().hex.encode()),
            ],
            "path_params": {"campaign_id": str(campaign.pk)},
        }
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await edge.entries(scope, receive, send)
        status = int(sent[0]["status"])
        statuses[status] = statuses.get(status, 0) + 1

    writer_profile = cProfile.Profile() if args.profile else None

    async def phase(label: str) -> tuple[float, float]:
        queue = iter(bodies)

        async def worker() -> None:
            for body in queue:
                await one(body)

        statuses.clear()
        cpu_before = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_before
        phases[label] = {"statuses": dict(statuses)}
        return elapsed, cpu

    phases: dict[str, dict[str, Any]] = {}
    timings: dict[str, tuple[float, float]] = {}

    async def run() -> None:
        await edge.startup()
        if writer_profile is not None:  # cProfile profiles one thread: the writer's own
            from citizencloud.campaigns import edge_runtime

            rt = edge_runtime.current()
            assert rt is not None
            rt.writer.submit(writer_profile.enable).result()
        timings["entries"] = await phase("entries")
        if writer_profile is not None:
            writer_profile.disable()
        if args.duplicates:  # everyone again under a new key: each reply must be a 409
            timings["duplicates"] = await phase("duplicates")

    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    asyncio.run(run())
    if profiler:
        profiler.disable()
    elapsed, cpu = timings["entries"]
    statuses = phases["entries"]["statuses"]
    stored = Entry.objects.filter(campaign=campaign).count()
    result = {
        "entries": args.entries,
        "pass_format": args.pass_format,
        "statuses": statuses,
        "stored": stored,
        "entries_per_s": round(args.entries / elapsed),
        "cpu_us_per_entry": round(cpu / args.entries * 1e6, 1),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }
    if "duplicates" in timings:
        elapsed, cpu = timings["duplicates"]
        result["duplicates"] = {
            "statuses": phases["duplicates"]["statuses"],
            "refused_per_s": round(args.entries / elapsed),
            "cpu_us_per_refusal": round(cpu / args.entries * 1e6, 1),
        }
    print(json.dumps(result))
    if profiler and writer_profile:
        from citizencloud.campaigns import edge_runtime

        rt = edge_runtime.current()
        assert rt is not None
        rt.writer.submit(writer_profile.disable).result()
        print("== the event loop thread ==")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        print("== the writer thread ==")
        pstats.Stats(writer_profile).sort_stats("tottime").print_stats(20)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
