"""Payments end to end against the simulator: payments/s from order to verified callback.

Run:  .venv/bin/python bench/payments.py [--payments 300] [--concurrency 16] [--readme]

It creates a throwaway data directory (SQLite), migrates it, creates one citizen with N open
bills on bound accounts, starts ``citizencloud-sim pay`` and ``citizencloud serve`` (granian +
edge + Django + one task worker) as separate processes, then C client threads each loop:
``POST /api/v1/payments`` (Idempotency-Key) → open the cashier URL → pay at the cashier → next.
The simulator notifies the server with signed callbacks; the run ends when every order is
``succeeded`` in the database. It reports payments/s (first order → last success), the
latency of the order request and of pay → succeeded, and checks: no order charged twice, ledger
sums to zero, 2 lines per payment. ``--readme`` writes the figures into bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
DATA = tempfile.mkdtemp(prefix="citizencloud-bench-pay-")
os.environ["CITIZENCLOUD_DATA_DIR"] = DATA
os.environ.pop("CITIZENCLOUD_DATABASE_URL", None)
os.environ.setdefault("CITIZENCLOUD_ENV", "development")
os.environ.setdefault("CITIZENCLOUD_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizencloud.settings")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.core.management import call_command  # noqa: E402

SECRET = "bench-pay-secret"  # noqa: S105 (a throwaway simulator secret)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def _setup(count: int) -> tuple[str, list[tuple[str, int]]]:
    from citizencloud.identity.models import User
    from citizencloud.identity.services.common import Origin
    from citizencloud.identity.services.sessions import start_session
    from citizencloud.payments import services
    from citizencloud.payments.models import Bill, BillerAccount, BindingStatus

    call_command("migrate", "--no-input", verbosity=0)
    user = User.objects.create_user("bench.citizen", "pw")
    biller = services.register_biller(
        code="water",
        name="成都自来水",
        kind="water",
        secret="bench",  # noqa: S106
    )
    bills = []
    for index in range(count):
        account = f"{index:08d}"
        BillerAccount.objects.create(
            biller=biller, account_number=account, holder=user, status=BindingStatus.CONFIRMED
        )
        bill = Bill.objects.create(
            biller=biller,
            reference=f"B{index}",
            account_number=account,
            amount_fen=1000 + index,
            period="2026-11",
        )
        bills.append((str(bill.public_id), bill.amount_fen))
    _, token = start_session(user=user, mfa=False, origin=Origin(ip="127.0.0.1"))
    return token, bills


def _client_loop(
    base: str,
    sim: str,
    token: str,
    work: list[tuple[str, int]],
    lock: threading.Lock,
    order_ms: list[float],
    errors: list[str],
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=30) as client:
        while True:
            with lock:
                if not work:
                    return
                bill_id, amount = work.pop()
            started = time.perf_counter()
            response = client.post(
                f"{base}/api/v1/payments",
                json={"bill_id": bill_id, "amount_fen": amount},
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            order_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 201:
                errors.append(f"{response.status_code} {response.text[:120]}")
                continue
            order = response.json()
            client.get(order["cashier_url"])
            paid = client.post(
                f"{sim}/cashier/pay", data={"order_id": order["id"], "action": "pay"}
            )
            if paid.status_code != 303:
                errors.append(f"cashier {paid.status_code}")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def run(count: int, concurrency: int) -> dict[str, Any]:
    from citizencloud.payments import ledger
    from citizencloud.payments.models import LedgerEntry, Payment

    token, bills = _setup(count)
    sim_port, web_port = _free_port(), _free_port()
    env = dict(
        os.environ,
        CITIZENCLOUD_PAYMENTS_PROVIDER_URL=f"http://127.0.0.1:{sim_port}",
        CITIZENCLOUD_PAYMENTS_PROVIDER_SECRET=SECRET,
        CITIZENCLOUD_PAYMENTS_PUBLIC_BASE_URL=f"http://127.0.0.1:{web_port}",
        PYTHONPATH=str(ROOT / "src"),
    )
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "citizencloud_sim",
            "pay",
            "--port",
            str(sim_port),
            "--secret",
            SECRET,
            "--callback-delay-ms",
            "20",
            "--latency-ms",
            "1",
        ],
        env=env,
        cwd=ROOT,
    )
    web = subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "serve", "--port", str(web_port)],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        _wait(f"http://127.0.0.1:{sim_port}/healthz")
        _wait(f"http://127.0.0.1:{web_port}/healthz")
        load_before = os.getloadavg()
        work, lock = list(bills), threading.Lock()
        order_ms: list[float] = []
        errors: list[str] = []
        started = time.perf_counter()
        threads = [
            threading.Thread(
                target=_client_loop,
                args=(
                    f"http://127.0.0.1:{web_port}",
                    f"http://127.0.0.1:{sim_port}",
                    token,
                    work,
                    lock,
                    order_ms,
                    errors,
                ),
            )
            for _ in range(concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        requests_done = time.perf_counter()
        deadline = time.monotonic() + 120
        while Payment.objects.filter(state="succeeded").count() < count - len(errors):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        finished = time.perf_counter()
        succeeded = list(Payment.objects.filter(state="succeeded"))
        settle_ms = [
            (p.paid_at - p.created_at).total_seconds() * 1000 for p in succeeded if p.paid_at
        ]
        return {
            "payments": count,
            "concurrency": concurrency,
            "succeeded": len(succeeded),
            "errors": len(errors),
            "first_errors": errors[:3],
            "payments_per_s": round(len(succeeded) / (finished - started), 1),
            "client_phase_s": round(requests_done - started, 2),
            "total_s": round(finished - started, 2),
            "order_p50_ms": round(statistics.median(order_ms), 1) if order_ms else 0,
            "order_p99_ms": round(_percentile(order_ms, 0.99), 1),
            "created_to_paid_p50_ms": round(statistics.median(settle_ms), 1) if settle_ms else 0,
            "created_to_paid_p99_ms": round(_percentile(settle_ms, 0.99), 1),
            "orders_per_bill_max": max(
                (
                    Payment.objects.filter(bill__reference=f"B{i}").count()
                    for i in range(0, count, max(1, count // 50))
                ),
                default=0,
            ),
            "ledger_sum": sum(ledger.balances().values()),
            "ledger_lines": LedgerEntry.objects.count(),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        web.terminate()
        sim.terminate()
        web.wait(timeout=30)
        sim.wait(timeout=10)


def _markdown(result: dict[str, Any], command: str) -> str:
    return "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
            f"({os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite embedded, one "
            f"server process + one task worker + the simulator, clients on the same machine); "
            f"load average before/after {result['load_before']} / {result['load_after']}.",
            f"Command: `{command}`",
            "",
            "| payments | clients | succeeded | errors | payments/s | order p50 | order p99 | "
            "created→paid p50 | created→paid p99 | ledger sum | ledger lines |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            f"| {result['payments']} | {result['concurrency']} | {result['succeeded']} | "
            f"{result['errors']} | {result['payments_per_s']} | {result['order_p50_ms']} ms | "
            f"{result['order_p99_ms']} ms | {result['created_to_paid_p50_ms']} ms | "
            f"{result['created_to_paid_p99_ms']} ms | {result['ledger_sum']} | "
            f"{result['ledger_lines']} |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--readme", action="store_true", help="write figures to bench/README.md")
    args = parser.parse_args()
    result = run(args.payments, args.concurrency)
    print(result)
    command = (
        f".venv/bin/python bench/payments.py --payments {args.payments} "
        f"--concurrency {args.concurrency}"
    )
    text = _markdown(result, command)
    print(text)
    if args.readme:
        readme = ROOT / "bench" / "README.md"
        content = readme.read_text()
        begin, end = "<!-- payments:begin -->", "<!-- payments:end -->"
        head, _, rest = content.partition(begin)
        _, _, tail = rest.partition(end)
        readme.write_text(f"{head}{begin}\n{text}\n{end}{tail}")


if __name__ == "__main__":
    main()
