"""Booking release benchmark: 10,000 people at the 08:00 release for 1,000 seats.

    .venv/bin/python bench/booking_release.py [--users 10000] [--seats 1000] [--slots 50]
                                              [--concurrency 256] [--workers 1]

A throwaway data directory (SQLite; PostgreSQL when CITIZENCLOUD_BENCH_DATABASE_URL is set),
one resource whose ``--slots`` slots hold ``--seats`` seats together and are released a few
seconds after the server is up, ``--users`` citizens with bearer sessions, then:

* ``citizencloud serve`` (granian + edge + Django + one task worker) as one process;
* the load from a second process (``bench/booking_release.py client``): every user, at the
  release instant, ``POST /api/v1/bookings`` (with an ``Idempotency-Key``) on a random slot; a
  "full" answer makes them try another slot they have not seen full (up to 4 tries); an
  "opens at" answer (a clock a little early) makes them retry 200 ms later. At most
  ``--concurrency`` requests are in flight.

It reports requests/s, bookings/s until sold out, latency p50/p99, the answers by code, and
checks what must never happen: a slot with ``booked > capacity`` (overbooked), ``booked`` not
equal to the slot's active bookings (lost or phantom seats), anyone with two active bookings.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


# --- the load generator (a second process) ------------------------------------------------------


async def _client(args: argparse.Namespace) -> None:
    import httpx

    plan = json.loads(Path(args.plan).read_text())
    slots: list[int] = plan["slots"]
    tokens: list[str] = plan["tokens"]
    latencies: list[float] = []
    answers: collections.Counter[str] = collections.Counter()
    booked_at: list[float] = []
    full: set[int] = set()
    gate = asyncio.Semaphore(args.concurrency)
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx.AsyncClient(base_url=args.url, limits=limits, timeout=120) as client:

        async def post(token: str, slot: int) -> tuple[int, str]:
            async with gate:
                t0 = time.perf_counter()
                response = await client.post(
                    "/api/v1/bookings",
                    json={"slot_id": slot},
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": uuid.uuid4().hex,
                    },
                )
                latencies.append(time.perf_counter() - t0)
            code = "booked" if response.status_code == 201 else response.json().get("code", "?")
            answers[code] += 1
            return response.status_code, code

        async def user(token: str) -> None:
            tries = 0
            while tries < 4:
                open_slots = [s for s in slots if s not in full] or slots
                slot = random.choice(open_slots)
                try:
                    _status, code = await post(token, slot)
                except httpx.HTTPError as exc:
                    answers[type(exc).__name__] += 1
                    return
                if code == "booked":
                    booked_at.append(time.time())
                    return
                if code == "booking.not_released":
                    await asyncio.sleep(0.2)
                    continue
                if code == "booking.slot_full":
                    full.add(slot)
                    tries += 1
                    if len(full) >= len(slots):
                        return
                    continue
                return

        delay = plan["release_at"] - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        started = time.time()
        await asyncio.gather(*(user(token) for token in tokens))
        finished = time.time()
    Path(args.out).write_text(
        json.dumps(
            {
                "started": started,
                "finished": finished,
                "requests": len(latencies),
                "answers": answers,
                "p50": _percentile(latencies, 0.5),
                "p99": _percentile(latencies, 0.99),
                "sold_out_after": (max(booked_at) - started) if booked_at else None,
                "booked": len(booked_at),
            }
        )
    )


# --- the orchestrator ----------------------------------------------------------------------------


def _django(data_dir: str) -> None:
    os.environ["CITIZENCLOUD_DATA_DIR"] = data_dir
    os.environ.pop("CITIZENCLOUD_DATABASE_URL", None)
    if os.environ.get("CITIZENCLOUD_BENCH_DATABASE_URL"):
        os.environ["CITIZENCLOUD_DATABASE_URL"] = os.environ["CITIZENCLOUD_BENCH_DATABASE_URL"]
    os.environ.setdefault("CITIZENCLOUD_ENV", "development")
    os.environ.setdefault("CITIZENCLOUD_LOG_LEVEL", "WARNING")
    os.environ.setdefault("CITIZENCLOUD_RATELIMIT_ENABLED", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizencloud.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--no-input", verbosity=0)


def _prepare(args: argparse.Namespace, release_at: dt.datetime) -> dict[str, Any]:
    import secrets

    from django.db import transaction

    from citizencloud.booking.models import Resource, Slot
    from citizencloud.identity.models import User, UserKind, UserSession
    from citizencloud.identity.services.common import sha256
    from citizencloud.kernel import clock
    from citizencloud.org.models import Department, Region, ServicePoint

    region = Region.objects.create(code="b510100", name="成都市", tier="city", path="b510100")
    department = Department.objects.create(
        code="b-office", name="政务服务中心", function="office", region=region
    )
    point = ServicePoint.objects.create(
        code="hall-bench", name="压测大厅", kind="hall", region=region, department=department,
        address="—", opening_hours="9:00–17:00",
    )  # fmt: skip
    resource = Resource.objects.create(
        code="bench-window", name="综合窗口", kind="window", point=point, department=department,
        limit_group="bench", sessions=[["09:00", "17:00"]], capacity=args.seats // args.slots,
    )  # fmt: skip
    tomorrow = dt.datetime.combine(
        clock.now().date() + dt.timedelta(days=2), dt.time(1, 0), tzinfo=dt.UTC
    )
    per_slot = args.seats // args.slots
    Slot.objects.bulk_create(
        Slot(
            resource=resource,
            starts_at=tomorrow + dt.timedelta(minutes=10 * i),
            ends_at=tomorrow + dt.timedelta(minutes=10 * (i + 1)),
            released_at=release_at,
            capacity=per_slot,
        )
        for i in range(args.slots)
    )
    now = clock.now()
    tokens = []
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(username=f"bench{i:06d}", kind=UserKind.CITIZEN, password="!")  # noqa: S106
            for i in range(args.users)
        )
        sessions = []
        for user in users:
            token = secrets.token_urlsafe(32)
            tokens.append(token)
            sessions.append(
                UserSession(
                    user=user, token_hash=sha256(token), ip="127.0.0.1", mfa=False,
                    created_at=now, last_seen_at=now, expires_at=now + dt.timedelta(days=1),
                )
            )  # fmt: skip
        UserSession.objects.bulk_create(sessions, batch_size=1000)
    return {"slots": list(Slot.objects.values_list("pk", flat=True)), "tokens": tokens}


def _check() -> dict[str, int]:
    from django.db.models import Count, F, Q

    from citizencloud.booking.models import Booking, Slot

    slots = Slot.objects.annotate(active=Count("bookings", filter=Q(bookings__state="booked")))
    twice = (
        Booking.objects.filter(state="booked")
        .values("citizen")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "bookings": Booking.objects.filter(state="booked").count(),
        "overbooked": sum(max(s.booked - s.capacity, 0) for s in slots),
        "mismatched": slots.exclude(booked=F("active")).count(),
        "two_active": twice,
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode")
    client = sub.add_parser("client")
    client.add_argument("--url", required=True)
    client.add_argument("--plan", required=True)
    client.add_argument("--out", required=True)
    client.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--seats", type=int, default=1_000)
    parser.add_argument("--slots", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--lead", type=float, default=8.0, help="seconds from start to release")
    args = parser.parse_args()
    if args.mode == "client":
        asyncio.run(_client(args))
        return
    data_dir = tempfile.mkdtemp(prefix="cc-bench-booking-")
    _django(data_dir)
    t0 = time.time()
    release_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=600)  # fixed below
    plan = _prepare(args, release_at)
    took = time.time() - t0
    print(f"prepared {args.users} users, {args.slots} slots, {args.seats} seats in {took:.1f} s")
    port = _free_port()
    env = dict(os.environ)
    server = subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "serve", "--port", str(port), "--workers",
         str(args.workers)],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + "/healthz")
        from citizencloud.booking.models import Slot

        release = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=args.lead)
        Slot.objects.update(released_at=release)  # "08:00": a few seconds from now
        plan["release_at"] = release.timestamp()
        plan_file, out_file = Path(data_dir) / "plan.json", Path(data_dir) / "out.json"
        plan_file.write_text(json.dumps(plan))
        load_before = os.getloadavg()
        subprocess.run(
            [sys.executable, __file__, "client", "--url", url, "--plan", str(plan_file),
             "--out", str(out_file), "--concurrency", str(args.concurrency)],
            check=True, cwd=ROOT,
        )  # fmt: skip
        load_after = os.getloadavg()
        result = json.loads(out_file.read_text())
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    checks = _check()
    seconds = result["finished"] - result["started"]
    engine = "PostgreSQL" if os.environ.get("CITIZENCLOUD_BENCH_DATABASE_URL") else "SQLite"
    print(f"engine {engine}; load average before/after {load_before} / {load_after}")
    print(
        "| users | seats | requests | seconds | requests/s | sold out after | p50 | p99 "
        "| booked | overbooked | seat/row mismatches | two active | answers |"
    )
    print("| " + " | ".join(["---"] * 13) + " |")
    sold = result["sold_out_after"]
    answers = ", ".join(f"{k} {v}" for k, v in sorted(result["answers"].items()))
    print(
        f"| {args.users} | {args.seats} | {result['requests']} | {seconds:.1f} | "
        f"{result['requests'] / seconds:.0f} | {sold:.1f} s | {result['p50']:.0f} ms | "
        f"{result['p99']:.0f} ms | {checks['bookings']} | {checks['overbooked']} | "
        f"{checks['mismatched']} | {checks['two_active']} | {answers} |"
    )
    assert checks["overbooked"] == 0
    assert checks["mismatched"] == 0
    assert checks["two_active"] == 0


if __name__ == "__main__":
    main()
