"""Notification pipeline benchmark: messages/s from ``notify`` to "delivered" at the simulator.

Run:  .venv/bin/python bench/notifications.py [--messages 1000] [--workers 2]
                                              [--database-url postgres://…]

Everything is real and separate: ``citizencloud-sim sms`` (its own process, 5 ms answer, signed
callbacks 50 ms after accepting), a web server for the callbacks (``citizencloud serve
--no-worker``) and N ``citizencloud worker`` processes, on a throwaway SQLite database (default)
or the PostgreSQL database you name (it is migrated; use a scratch one). Phases:

1. persist: ``services.notify`` for every message (message + inbox + SMS delivery + task row),
   in transactions of 100 — messages/s written;
2. pipeline: workers hand each SMS to the simulator, the simulator calls back, the web server
   applies the status — messages/s until every delivery is final, and the p50/p99 from the
   message's creation to "delivered";
3. checks: lost (not delivered) = 0 and duplicates (sends at the simulator beyond one per
   delivery) = 0.

The run is bounded (``--timeout``) and stops every process it started.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--timeout", type=float, default=300.0)
    return parser.parse_args()


ARGS = _arguments()
DATA_DIR = tempfile.mkdtemp(prefix="citizencloud-bench-notify-")
os.environ.update(
    CITIZENCLOUD_DATA_DIR=DATA_DIR, CITIZENCLOUD_ENV="development",
    CITIZENCLOUD_LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="citizencloud.settings",
    CITIZENCLOUD_RATELIMIT_ENABLED="false",
)  # fmt: skip
if ARGS.database_url:
    os.environ["CITIZENCLOUD_DATABASE_URL"] = ARGS.database_url
os.environ.pop("CITIZENCLOUD_REDIS_URL", None)

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from citizencloud.identity.models import User  # noqa: E402
from citizencloud.notifications import services  # noqa: E402
from citizencloud.notifications.models import Delivery  # noqa: E402

HTTP_SMS = "citizencloud.notifications.gateways.SettingsHttpSms"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def database_url() -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{connection.settings_dict['NAME']}"
    return ARGS.database_url


def main() -> None:
    call_command("migrate", verbosity=0)
    sim_port, web_port = free_port(), free_port()
    env = dict(os.environ)
    env.update(
        CITIZENCLOUD_DATABASE_URL=database_url(), CITIZENCLOUD_SMS_BACKEND=HTTP_SMS,
        CITIZENCLOUD_SMS_URL=f"http://127.0.0.1:{sim_port}",
        CITIZENCLOUD_NOTIFY_CALLBACK_BASE_URL=f"http://127.0.0.1:{web_port}",
        PYTHONPATH=str(ROOT / "src"),
    )  # fmt: skip
    py = sys.executable
    children = [
        subprocess.Popen([py, "-m", "citizencloud_sim", "sms", "--port", str(sim_port),
                          "--latency-ms", "5", "--callback-delay-ms", "50"], env=env),
        subprocess.Popen([py, "-m", "citizencloud", "serve", "--port", str(web_port),
                          "--no-worker", "--threads", "32"], env=env, start_new_session=True),
    ]  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{sim_port}/healthz")
        wait_http(f"http://127.0.0.1:{web_port}/healthz")
        persisted = persist(ARGS.messages)
        started = time.monotonic()
        children += [
            subprocess.Popen([py, "-m", "citizencloud", "worker", "--interval", "0.05"], env=env)
            for _ in range(ARGS.workers)
        ]
        final = wait_final(ARGS.messages, started)
        report(persisted, final, time.monotonic() - started, sim_port)
    finally:
        for child in reversed(children):
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()


def persist(count: int) -> float:
    template = services.create_template(
        code="service.bench", category="service", channels=["inbox", "sms"],
        placeholders=["case"], subject_zh="办件进度", subject_en="Case progress",
        body_zh="您的办件 {case} 已受理。", body_en="Your case {case} was accepted.",
    )  # fmt: skip
    users = []
    with transaction.atomic():
        for n in range(count):
            user = User.objects.create(username=f"bench{n}", password="!")  # noqa: S106 (unusable)
            # Ends in 5: never a simulator test number (…0000, …0001).
            services.set_address(user=user, channel="sms", value=f"139{n:07d}5")
            users.append(user)
    started = time.monotonic()
    for offset in range(0, count, 100):
        with transaction.atomic():
            for n, user in enumerate(users[offset : offset + 100], start=offset):
                services.notify(recipient=user, template_code=template.code,
                                context={"case": f"CD-{n}"}, dedupe_key=f"bench-{n}")  # fmt: skip
    return count / (time.monotonic() - started)


def wait_final(count: int, started: float) -> int:
    sms = Delivery.objects.filter(channel="sms")
    while time.monotonic() - started < ARGS.timeout:
        final = sms.filter(final=True).count()
        if final >= count:
            return final
        time.sleep(0.2)
    return int(sms.filter(final=True).count())


def report(persisted: float, final: int, seconds: float, sim_port: int) -> None:
    sms = Delivery.objects.filter(channel="sms")
    rows = list(sms.values_list("status", "status_at", "message__created_at"))
    delivered = [at - created for status, at, created in rows if status == "delivered"]
    latencies = sorted(d.total_seconds() for d in delivered)
    sent = httpx.get(f"http://127.0.0.1:{sim_port}/_sim/messages").json()["messages"]
    keys = {m["key"] for m in sent}
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {connection.vendor}")  # fmt: skip
    print(f"messages: {ARGS.messages}, workers: {ARGS.workers}")
    print(f"persist (notify, 100 per transaction): {persisted:,.0f} messages/s")
    print(f"pipeline (first worker start → every SMS final): {final / seconds:,.1f} messages/s "
          f"({final} final in {seconds:.1f} s)")  # fmt: skip
    if latencies:
        p50 = statistics.median(latencies) * 1000
        print(f"created → delivered: p50 {p50:,.0f} ms, p99 {p99 * 1000:,.0f} ms "
              "(includes the queue built up before workers start)")  # fmt: skip
    print(f"lost (not delivered): {ARGS.messages - len(delivered)}; "
          f"duplicates at the simulator: {len(sent) - len(keys)} "
          f"(sends {len(sent)}, distinct keys {len(keys)})")  # fmt: skip


if __name__ == "__main__":
    main()
