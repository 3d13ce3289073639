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
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cc-bench-apps-") as data_dir:
        _setup(data_dir)
        run(args)


def run(args: argparse.Namespace) -> None:
    from django.db import transaction
    from django.test import Client

    from citizencloud.applications import definitions, services
    from citizencloud.applications.models import Application, State
    from citizencloud.catalog.models import Service
    from citizencloud.identity.middleware import SESSION_ID
    from citizencloud.identity.models import User
    from citizencloud.identity.services.common import Origin
    from citizencloud.identity.services.sessions import start_session

    citizen = User.objects.get(username="citizen.zhang")
    rows = list(Service.objects.filter(code__in=definitions.service_codes()))
    form = {
        "name": "张三",
        "phone": "13800000001",
        "bank_card": "6222020200001234567",
        "rent_kind": "market",
        "monthly_rent": 1800,
    }
    states = [State.SUBMITTED, State.ACCEPTED, State.IN_REVIEW, State.SUPPLEMENT_REQUESTED]
    start = time.perf_counter()
    today = dt.date(2026, 11, 2)
    batch: list[Application] = []
    for i in range(args.cases):
        service = rows[i % len(rows)]
        on = today - dt.timedelta(days=random.randint(0, 60))
        batch.append(
            Application(
                reference=f"B{i:010d}",
                citizen=citizen,
                service=service,
                department_id=service.department_id,
                state=random.choice(states),
                form_data=json.dumps(form, ensure_ascii=False),
                started_on=on,
                sla_days=5,
                deadline=on + dt.timedelta(days=7),
            )
        )
        if len(batch) == 2000:
            with transaction.atomic():
                Application.objects.bulk_create(batch)
            batch = []
    if batch:
        Application.objects.bulk_create(batch)
    print(f"inserted {args.cases} cases in {time.perf_counter() - start:.1f} s")

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
