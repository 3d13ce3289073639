"""Applications benchmark: submissions per second, and the staff queue with 100,000 cases.

    .venv/bin/python bench/applications.py [--cases 100000] [--submissions 300] [--samples 200]

Builds a throwaway data directory (migrate, seed_demo), bulk-inserts ``--cases`` cases spread
over the ten demo services (and so over seven departments, open states, deadlines over two
months), then, in-process on one core through Django's test client (full middleware, session,
templates; no HTTP server):
1. ``services.submit`` one case per transaction, ``--submissions`` times (form validated by
   jsonschema, encrypted, timeline step, audit entry, event) → submissions/s;
2. the staff queue page ``/staff/cases/`` and ``GET /api/v1/staff/cases`` as a clerk of the
   busiest department, ``--samples`` times each → p50/p95/p99.
SQLite unless CITIZENCLOUD_DATABASE_URL is set.

HTTP mode (``--http``): the same data, then a real ``citizencloud serve`` (granian + edge +
Django + its task worker) on a loopback port, and the load from this process (a second process)
with ``--concurrency`` client threads over keep-alive httpx connections:
1. ``POST /api/v1/applications`` (bearer token of the demo citizen), ``--submissions`` in all
   → submissions/s (wall clock, first request to last answer) and per-request p50/p99;
2. the staff queue page ``/staff/cases/`` (session cookie of ``clerk.cd-gjj``), the queue page
   filtered ``?assignee=unassigned&sla=red``, and ``GET /api/v1/staff/cases``, ``--samples``
   each → requests/s, p50/p99.

    .venv/bin/python bench/applications.py --http
    .venv/bin/python bench/applications.py --http \
        --database-url postgres://postgres@127.0.0.1:5432/cc_apps_bench \
        --redis-url redis://127.0.0.1:6379/14

``--database-url`` drops and recreates that PostgreSQL database first (it must be a throwaway
one). Client threads, server and its worker share the machine's cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _setup(data_dir: str) -> None:
    os.environ["CITIZENCLOUD_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizencloud.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"p50 {pick(0.5):.1f} ms, p95 {pick(0.95):.1f} ms, p99 {pick(0.99):.1f} ms"


def _recreate_postgres(url: str) -> None:
    """Drop and create the throwaway benchmark database named in ``url``."""
    import psycopg

    base, _, name = url.rpartition("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing an odd database name: {name!r}")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--http", action="store_true", help="load a real server over HTTP")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (--http)")
    parser.add_argument("--database-url", default="", help="PostgreSQL (recreated!)")
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    if args.database_url:
        _recreate_postgres(args.database_url)
        os.environ["CITIZENCLOUD_DATABASE_URL"] = args.database_url
    if args.redis_url:
        os.environ["CITIZENCLOUD_REDIS_URL"] = args.redis_url
    os.environ.setdefault("CITIZENCLOUD_ENV", "development")
    os.environ.setdefault("CITIZENCLOUD_LOG_LEVEL", "WARNING")
    with tempfile.TemporaryDirectory(prefix="cc-bench-apps-") as data_dir:
        _setup(data_dir)
        if args.http:
            _insert(args.cases)
            run_http(args, data_dir)
        else:
            run(args)


FORM = {
    "name": "张三",
    "phone": "13800000001",
    "bank_card": "6222020200001234567",
    "rent_kind": "market",
    "monthly_rent": 1800,
}


def _insert(count: int) -> None:
    """``count`` cases over the demo services, open states, deadlines over two months."""
    from django.db import connection, transaction

    from citizencloud.applications import definitions
    from citizencloud.applications.models import Application, State
    from citizencloud.catalog.models import Service
    from citizencloud.identity.models import User
    from citizencloud.kernel import clock

    citizen = User.objects.get(username="citizen.zhang")
    rows = list(Service.objects.filter(code__in=definitions.service_codes()).order_by("code"))
    states = [State.SUBMITTED, State.ACCEPTED, State.IN_REVIEW, State.SUPPLEMENT_REQUESTED]
    rng = random.Random(8)
    start = time.perf_counter()
    today = dt.date.today()
    now = clock.now()
    batch: list[Application] = []
    for i in range(count):
        service = rows[i % len(rows)]
        on = today - dt.timedelta(days=rng.randint(0, 60))
        batch.append(
            Application(
                reference=f"B{i:010d}",
                citizen=citizen,
                service=service,
                department_id=service.department_id,
                state=rng.choice(states),
                form_data=json.dumps(FORM, ensure_ascii=False),
                started_on=on,
                sla_days=5,
                deadline=on + dt.timedelta(days=7),
                # As if the SLA sweep had already run over these: the figures are about
                # submissions and the queue, not about a first sweep of 100,000 cases.
                sla_warned_at=now,
                sla_escalated_at=now if on + dt.timedelta(days=7) < today else None,
            )
        )
        if len(batch) == 2000 or i == count - 1:
            with transaction.atomic():
                Application.objects.bulk_create(batch)
            batch = []
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load in production: without statistics the
        # planner guesses ~500 rows per department and joins before it limits.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"inserted {count} cases in {time.perf_counter() - start:.1f} s", flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _credentials() -> tuple[str, str, dict[str, str], int]:
    """(citizen bearer, clerk bearer, clerk session cookie, cases in the clerk's department)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from citizencloud.applications.models import Application
    from citizencloud.identity.middleware import SESSION_ID
    from citizencloud.identity.models import User
    from citizencloud.identity.services.common import Origin
    from citizencloud.identity.services.sessions import start_session

    origin = Origin(ip="127.0.0.1")
    citizen = User.objects.get(username="citizen.zhang")
    _, citizen_token = start_session(user=citizen, mfa=True, origin=origin)
    clerk = User.objects.get(username="clerk.cd-gjj")
    session, clerk_token = start_session(user=clerk, mfa=True, origin=origin)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(clerk.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = clerk.get_session_auth_hash()
    store[SESSION_ID] = str(session.public_id)
    store.create()
    in_department = Application.objects.filter(department__code="cd-gjj").count()
    return (
        citizen_token,
        clerk_token,
        {settings.SESSION_COOKIE_NAME: store.session_key},
        in_department,
    )


def _wait(url: str, timeout: float = 90) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server did not answer {url}")


def _drive(
    base: str,
    total: int,
    concurrency: int,
    call: Callable[[Any], Any],
    expect: int,
    **client: Any,
) -> tuple[float, list[float], int]:
    """``total`` requests from ``concurrency`` threads: (wall seconds, latencies, errors)."""
    import httpx

    lock = threading.Lock()
    left = [total]
    took: list[float] = []
    errors = [0]

    def loop() -> None:
        with httpx.Client(base_url=base, timeout=60, **client) as http:
            while True:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                t0 = time.perf_counter()
                try:
                    ok = call(http).status_code == expect
                except httpx.HTTPError:
                    ok = False
                spent = time.perf_counter() - t0
                with lock:
                    took.append(spent)
                    errors[0] += not ok

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, took, errors[0]


def run_http(args: argparse.Namespace, data_dir: str) -> None:
    from django.db import connections

    citizen_token, clerk_token, cookie, in_department = _credentials()
    connections.close_all()
    port = _free_port()
    env = dict(os.environ, CITIZENCLOUD_DATA_DIR=data_dir, CITIZENCLOUD_DEBUG="false")
    log = Path(data_dir) / "server.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    database = "PostgreSQL" if args.database_url else "SQLite"
    try:
        _wait(base + "/healthz")
        time.sleep(5)  # let the worker's start-up jobs (SLA sweep, reconciliation) pass
        load_before = os.getloadavg()
        citizen = {"headers": {"Authorization": f"Bearer {citizen_token}"}}
        clerk_api = {"headers": {"Authorization": f"Bearer {clerk_token}"}}
        body = {"service_code": "gjj-withdraw-rent", "form": FORM}
        phases: list[tuple[str, int, Callable[[Any], Any], int, dict[str, Any]]] = [
            ("warm-up", 20, lambda h: h.get("/staff/cases/"), 200, {"cookies": cookie}),
            (
                "submit POST /api/v1/applications",
                args.submissions,
                lambda h: h.post("/api/v1/applications", json=body),
                201,
                citizen,
            ),
            (
                "queue page /staff/cases/",
                args.samples,
                lambda h: h.get("/staff/cases/"),
                200,
                {"cookies": cookie},
            ),
            (
                "queue page ?assignee=unassigned&sla=red",
                args.samples,
                lambda h: h.get("/staff/cases/?assignee=unassigned&sla=red"),
                200,
                {"cookies": cookie},
            ),
            (
                "queue API /api/v1/staff/cases",
                args.samples,
                lambda h: h.get("/api/v1/staff/cases"),
                200,
                clerk_api,
            ),
        ]
        print(
            f"HTTP mode, {database}{' + Redis' if args.redis_url else ''}, "
            f"{args.cases} cases ({in_department} in clerk.cd-gjj's department), "
            f"{args.concurrency} client threads; {platform.node()} {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}",
            flush=True,
        )
        for label, total, call, expect, client in phases:
            wall, took, errors = _drive(base, total, args.concurrency, call, expect, **client)
            if label == "warm-up":
                continue
            print(
                f"{label}: {len(took) / wall:.1f}/s; {_percentiles(took)}; errors {errors}",
                flush=True,
            )
        print(f"load average before/after: {load_before} / {os.getloadavg()}")
        text = log.read_text(errors="replace")
        print(f"server log: {text.count('Internal Server Error')} internal errors")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def run(args: argparse.Namespace) -> None:
    from django.db import transaction
    from django.test import Client

    from citizencloud.applications import definitions, services
    from citizencloud.applications.models import Application
    from citizencloud.catalog.models import Service
    from citizencloud.identity.middleware import SESSION_ID
    from citizencloud.identity.models import User
    from citizencloud.identity.services.common import Origin
    from citizencloud.identity.services.sessions import start_session

    citizen = User.objects.get(username="citizen.zhang")
    rows = list(Service.objects.filter(code__in=definitions.service_codes()).order_by("code"))
    form = FORM
    _insert(args.cases)

    took = []
    for _ in range(args.submissions):
        t0 = time.perf_counter()
        with transaction.atomic():
            services.submit(citizen=citizen, service_code="gjj-withdraw-rent", form=form)
        took.append(time.perf_counter() - t0)
    print(f"submit: {len(took) / sum(took):.0f} submissions/s on one core; {_percentiles(took)}")

    clerk = User.objects.get(username="clerk.cd-gjj")
    session, token = start_session(user=clerk, mfa=True, origin=Origin(ip="127.0.0.1"))
    client = Client()
    client.force_login(clerk)
    s = client.session
    s[SESSION_ID] = str(session.public_id)
    s.save()
    open_cases = Application.objects.filter(department_id=rows[0].department_id).count()
    for label, url, extra in [
        ("queue page /staff/cases/", "/staff/cases/", {}),
        (
            "queue API /api/v1/staff/cases",
            "/api/v1/staff/cases",
            {"HTTP_AUTHORIZATION": f"Bearer {token}"},
        ),
    ]:
        samples = []
        for _ in range(args.samples):
            t0 = time.perf_counter()
            response = client.get(url, **extra)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
        print(
            f"{label} ({open_cases} cases in the department, first page of 50):",
            _percentiles(samples),
        )


if __name__ == "__main__":
    main()
