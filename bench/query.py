"""查 我的 dashboard latency with every department healthy, and with one slow.

Run:  .venv/bin/python bench/query.py [--citizens 16] [--concurrency 8] [--seconds 20] [--readme]

It creates a throwaway data directory (SQLite), migrates it, registers the seven department
peers and N citizens, starts ``citizencloud-sim dept`` (default latency 40 ms ± 30 %) and
``citizencloud serve`` (granian + edge + Django + one task worker) as separate processes, signs
each citizen in through the real login page, then C client threads in this process (a second
process from the server) load ``GET /me/`` for S seconds per scenario. The record cache is off
(``QUERY_CACHE_SECONDS=0``) so every page view makes seven signed exchanges (the worst case).

Scenarios: ``healthy``; ``one slow`` (the housing fund answers after 5 s: each view waits at
most ``QUERY_FETCH_SECONDS`` = 1.5 s for it until the circuit opens, then shows its stale copy
at once; a probe every 30 s). Reports views/s, p50, p90, p99, max and non-200 answers.
``--readme`` writes the figures into bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
DATA = tempfile.mkdtemp(prefix="citizencloud-bench-query-")
os.environ["CITIZENCLOUD_DATA_DIR"] = DATA
os.environ.pop("CITIZENCLOUD_DATABASE_URL", None)
os.environ.pop("CITIZENCLOUD_REDIS_URL", None)
os.environ.setdefault("CITIZENCLOUD_ENV", "development")
os.environ.setdefault("CITIZENCLOUD_LOG_LEVEL", "WARNING")
os.environ["CITIZENCLOUD_QUERY_CACHE_SECONDS"] = "0"
os.environ["CITIZENCLOUD_RATELIMIT_ENABLED"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizencloud.settings")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


DEPT_PORT = _free_port()
os.environ["CITIZENCLOUD_EXCHANGE_DEPT_URL"] = f"http://127.0.0.1:{DEPT_PORT}"

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.core.management import call_command  # noqa: E402

PASSWORD = "Bench-Citizen-2026"  # noqa: S105 (throwaway accounts)


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


def _setup(citizens: int) -> list[str]:
    from citizencloud.exchange import demo
    from citizencloud.identity.models import User, UserKind

    call_command("migrate", "--no-input", verbosity=0)
    url = os.environ["CITIZENCLOUD_EXCHANGE_DEPT_URL"]
    demo.register_demo_peers(base_url=url, secret="dev-dept-secret")  # noqa: S106 (the sim's)
    logins = []
    for index in range(citizens):
        login = f"bench.citizen{index}"
        User.objects.create_user(login, PASSWORD, kind=UserKind.CITIZEN, display_name="市*")
        logins.append(login)
    return logins


def _signed_in(url: str, login: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30, follow_redirects=False)
    page = client.get("/account/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    answer = client.post(
        "/account/login/",
        data={"login": login, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": url + "/account/login/"},
    )
    assert answer.status_code in (302, 303), f"sign-in failed: {answer.status_code}"
    return client


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _load(clients: list[httpx.Client], concurrency: int, seconds: float) -> dict[str, Any]:
    took: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def loop(index: int) -> None:
        client = clients[index % len(clients)]
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            response = client.get("/me/")
            elapsed = time.perf_counter() - t0
            with lock:
                took.append(elapsed)
                if response.status_code != 200 or "record-housing_fund" not in response.text:
                    failures[0] += 1
                    print(f"failed view: {response.status_code}", file=sys.stderr)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    ms = [t * 1000 for t in took]
    return {
        "views": len(took),
        "views_per_s": round(len(took) / wall, 1),
        "p50_ms": round(_percentile(ms, 0.50), 1),
        "p90_ms": round(_percentile(ms, 0.90), 1),
        "p99_ms": round(_percentile(ms, 0.99), 1),
        "max_ms": round(max(ms, default=0.0), 1),
        "errors": failures[0],
    }


def run(citizens: int, concurrency: int, seconds: float) -> dict[str, Any]:
    logins = _setup(citizens)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    sim = subprocess.Popen(
        [sys.executable, "-m", "citizencloud_sim", "dept", "--port", str(DEPT_PORT),
         "--platform-url", url],
        cwd=ROOT,
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "serve", "--port", str(port)],
        cwd=ROOT,
        start_new_session=True,
    )
    dept = f"http://127.0.0.1:{DEPT_PORT}"
    try:
        _wait(url + "/healthz")
        _wait(dept + "/healthz")
        clients = [_signed_in(url, login) for login in logins]
        for client in clients:  # warm up: keys fetched, connections open
            client.get("/me/")
        load_before = [round(x, 2) for x in os.getloadavg()]
        healthy = _load(clients, concurrency, seconds)
        httpx.post(dept + "/_sim/faults", json={"dept": "gjj", "slow_ms": 5000}).raise_for_status()
        slow = _load(clients, concurrency, seconds)
        load_after = [round(x, 2) for x in os.getloadavg()]
        stats = httpx.get(dept + "/_sim/stats").json()
    finally:
        server.terminate()
        sim.terminate()
        server.wait(timeout=30)
        sim.wait(timeout=10)
    return {
        "citizens": citizens,
        "concurrency": concurrency,
        "seconds": seconds,
        "healthy": healthy,
        "one_slow": slow,
        "gjj_requests": stats.get("gjj.requests", 0),
        "load_before": load_before,
        "load_after": load_after,
    }


def _markdown(result: dict[str, Any], command: str) -> str:
    rows = []
    for label, key in (("all healthy", "healthy"), ("housing fund slow (5 s)", "one_slow")):
        r = result[key]
        rows.append(
            f"| {label} | {r['views']} | {r['views_per_s']} | {r['p50_ms']} ms | "
            f"{r['p90_ms']} ms | {r['p99_ms']} ms | {r['max_ms']} ms | {r['errors']} |"
        )
    return "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()} "
            f"({os.cpu_count()} CPUs shared with other sessions' work, Python "
            f"{platform.python_version()}, SQLite embedded, one server process + one task worker "
            f"+ the department simulator, clients on the same machine); load average "
            f"before/after {result['load_before']} / {result['load_after']}. Every view made 7 "
            f"signed exchanges (cache off).",
            f"Command: `{command}`",
            "",
            "| scenario | views | views/s | p50 | p90 | p99 | max | errors |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--readme", action="store_true", help="write figures to bench/README.md")
    args = parser.parse_args()
    result = run(args.citizens, args.concurrency, args.seconds)
    print(result)
    command = (
        f".venv/bin/python bench/query.py --citizens {args.citizens} "
        f"--concurrency {args.concurrency} --seconds {args.seconds:g}"
    )
    text = _markdown(result, command)
    print(text)
    if args.readme:
        readme = ROOT / "bench" / "README.md"
        content = readme.read_text()
        begin, end = "<!-- query:begin -->", "<!-- query:end -->"
        head, _, rest = content.partition(begin)
        _, _, tail = rest.partition(end)
        readme.write_text(f"{head}{begin}\n{text}\n{end}{tail}")


if __name__ == "__main__":
    main()
