"""Flash-crowd benchmark for the campaign hot path (issue 7, DESIGN.md §6). One command:

    .venv/bin/python bench/flash_crowd.py                 # embedded: SQLite, one granian worker
    .venv/bin/python bench/flash_crowd.py --database-url postgres://postgres@127.0.0.1:5432/ccbench

Loopback only, bounded in time (each phase runs ``--duration`` seconds; the whole run takes a few
minutes, most of it signing passes). Needs ``wrk``. It builds a scratch data directory, migrates,
creates ``--users`` people and campaigns with pre-issued passes, then, in the same run:

A. the edge (``citizencloud serve``) on a lottery: entries acknowledged/s, p50/p99, shed, lost,
   and the p99 of an ordinary Django page (a catalog guide page) fetched during the spike;
B. refusals: a sold-out first-come campaign (refused from the local flag; oversold checked in
   the database) and duplicates (every person again, refused from the edge's memory of its
   entrants, ADR 0023);
C. the naive Django view (bench/naive_campaign.py) on the same machine and data;
D. the raw ceiling (bench/raw_ceiling.py): the same store write with nothing else;
E. durability: kill -9 the server mid-spike, restart it, check every acknowledged entry exists.

Results: a JSON document on stdout (and ``--out``) and a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LUA = BENCH / "flash_entries.lua"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


class Server:
    def __init__(self, command: list[str], env: dict[str, str], health: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [part.replace("{port}", str(self.port)) for part in command]
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=BENCH,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_http(self.url + health)
        except TimeoutError:
            self.stop()  # a server that never became healthy must not outlive the benchmark
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def kill9(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def serve_command(workers: int) -> list[str]:
    return [sys.executable, "-m", "citizencloud", "serve", "--port", "{port}",
            "--workers", str(workers), "--grace", "5"]  # fmt: skip


def granian_command(interface: str, target: str, workers: int) -> list[str]:
    command = [
        sys.executable, "-m", "granian", "--interface", interface, "--host", "127.0.0.1",
        "--port", "{port}", "--workers", str(workers), "--no-ws", "--log-level", "warning",
    ]  # fmt: skip
    if interface == "wsgi":
        command += ["--blocking-threads", "16"]
    return [*command, target]


class PageProbe(threading.Thread):
    """Fetches an ordinary page every ``interval`` s and keeps the latencies (ms)."""

    def __init__(self, url: str, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.url, self.interval = url, interval
        self.latencies: list[float] = []
        self.failures = 0
        self.stop_flag = threading.Event()

    def run(self) -> None:
        import httpx

        with httpx.Client(timeout=10) as client:
            while not self.stop_flag.is_set():
                start = time.perf_counter()
                try:
                    ok = client.get(self.url).status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    self.latencies.append((time.perf_counter() - start) * 1000)
                else:
                    self.failures += 1
                self.stop_flag.wait(self.interval)

    def summary(self) -> dict[str, Any]:
        values = sorted(self.latencies)
        if not values:
            return {"samples": 0, "failures": self.failures}
        return {
            "samples": len(values),
            "failures": self.failures,
            "p50_ms": round(values[len(values) // 2], 1),
            "p99_ms": round(values[min(len(values) - 1, int(len(values) * 0.99))], 1),
        }


def wrk(
    url: str, passes_file: Path, args: argparse.Namespace, label: str, ack_prefix: str = "-"
) -> dict[str, Any]:
    command = [
        "wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s",
        "--timeout", "10s", "--latency", "-s", str(LUA), url, "--",
        str(passes_file), str(args.threads), ack_prefix, label,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line[len("RESULT ") :])
    seconds = result["duration_us"] / 1e6
    statuses = {int(k): v for k, v in result["statuses"].items()}
    result["statuses"] = statuses
    result["seconds"] = round(seconds, 2)
    result["acked_per_s"] = round(statuses.get(201, 0) / seconds)
    result["refused_per_s"] = round((statuses.get(409, 0) + statuses.get(410, 0)) / seconds)
    result["shed"] = statuses.get(429, 0) + statuses.get(503, 0)
    result["p50_ms"] = round(result.pop("p50_us") / 1000, 2)
    result["p99_ms"] = round(result.pop("p99_us") / 1000, 2)
    result["max_ms"] = round(result.pop("max_us") / 1000, 2)
    return result


def acked_ids(prefix: str, threads: int) -> list[str]:
    ids: list[str] = []
    for t in range(threads):
        path = Path(f"{prefix}{t}")
        if path.exists():
            ids += [line for line in path.read_text().split() if line]
    return ids


# --- data ----------------------------------------------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def make_users(n: int) -> list[int]:
    from citizencloud.identity.models import Assurance, User

    existing = list(User.objects.filter(username__startswith="bench-").values_list("pk", flat=True))
    if len(existing) >= n:
        return existing[:n]
    batch = []
    for i in range(len(existing), n):
        user = User(username=f"bench-{i}", assurance=Assurance.IDENTITY)
        user.password = "!"  # noqa: S105 — unusable, and cheaper than hashing
        batch.append(user)
    for start in range(0, len(batch), 5000):
        User.objects.bulk_create(batch[start : start + 5000])
    return list(User.objects.filter(username__startswith="bench-").values_list("pk", flat=True))[:n]


def make_campaign(kind: str, stock: int, label: str) -> int:
    import datetime as dt

    from citizencloud.campaigns import services
    from citizencloud.kernel import clock

    now = clock.now()
    campaign = services.create_campaign(
        slug=f"bench-{label}-{time.time_ns()}", title=f"bench {label}", kind=kind,
        opens_at=now - dt.timedelta(minutes=1), closes_at=now + dt.timedelta(hours=2),
        min_assurance=0, tiers=[services.TierSpec(17800, stock)],
    )  # fmt: skip
    return int(campaign.pk)


def write_passes(path: Path, campaign_id: int, users: list[int]) -> dict[int, str]:
    from citizencloud.campaigns import passes, services
    from citizencloud.kernel import clock

    key_id, master = services.pass_master()  # the passes the platform issues (ADR 0020)
    expires = int(clock.now().timestamp()) + 3600
    tokens = {}
    with path.open("w") as out:
        for user_id in users:
            token = passes.issue_mac(master, key_id, campaign_id=campaign_id,
                                     user_id=user_id, expires_at=expires)  # fmt: skip
            tokens[user_id] = token
            out.write(token + "\n")
    return tokens


def db_counts(campaign_id: int) -> dict[str, int]:
    from django.db.models import Count

    from citizencloud.campaigns.models import Campaign, Entry

    rows = Entry.objects.filter(campaign_id=campaign_id)
    people = rows.aggregate(n=Count("user_id", distinct=True))["n"]
    return {
        "entries": rows.count(),
        "distinct_people": people,
        "remaining": Campaign.objects.get(pk=campaign_id).remaining,
    }


def guide_code() -> str:
    """A service whose guide page (the page a citizen reads before applying) is probed."""
    from citizencloud.catalog.models import Service

    return str(Service.objects.order_by("code").values_list("code", flat=True).first())


def entrant_ids(campaign_id: int) -> list[int]:
    from citizencloud.campaigns.models import Entry

    return list(Entry.objects.filter(campaign_id=campaign_id).values_list("user_id", flat=True))


def missing(campaign_id: int, ids: list[str]) -> int:
    from citizencloud.campaigns.models import Entry

    found: set[str] = set()
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        found |= set(
            Entry.objects.filter(campaign_id=campaign_id, entry_id__in=chunk).values_list(
                "entry_id", flat=True
            )
        )
    return len(set(ids) - found)


# --- the run -------------------------------------------------------------------------------------


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {text}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=160_000, help="≥ rate × duration")
    parser.add_argument("--duration", type=int, default=8, help="seconds per phase")
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=1, help="granian worker processes")
    parser.add_argument("--stock", type=int, default=1000, help="first-come stock")
    parser.add_argument("--database-url", default="", help="default: SQLite in a scratch directory")
    parser.add_argument(
        "--skip", default="", help="comma-separated phases to skip: refusals,naive,raw,kill"
    )
    parser.add_argument("--out", default="", help="also write the JSON result here")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk)")
    skip = set(filter(None, args.skip.split(",")))
    scratch = Path(tempfile.mkdtemp(prefix="cc-flash-"))
    env = dict(os.environ)
    env.update(
        CITIZENCLOUD_DATA_DIR=str(scratch / "var"),
        CITIZENCLOUD_LOG_LEVEL="ERROR",
        CITIZENCLOUD_RATELIMIT_ENABLED="false",
        DJANGO_SETTINGS_MODULE="citizencloud.settings",
        PYTHONPATH=os.pathsep.join([str(BENCH), str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    )
    if args.database_url:
        env["CITIZENCLOUD_DATABASE_URL"] = args.database_url
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_before": [round(x, 2) for x in os.getloadavg()]},
        "parameters": {k: v for k, v in vars(args).items() if k != "out"},
        "database": "postgresql" if args.database_url else "sqlite",
    }
    log(f"scratch data in {scratch}; migrating")
    subprocess.run(
        [sys.executable, "-m", "citizencloud", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    subprocess.run(  # the ordinary page probed during the spike is a catalog guide
        [sys.executable, "-m", "citizencloud", "load_catalog", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    setup_django(env)
    guide = "/services/" + guide_code() + "/"
    result["page_probed"] = guide
    users = make_users(args.users)
    log(f"{len(users)} people; signing passes")
    campaigns = {
        "lottery": make_campaign("lottery", 1, "lottery"),
        "first_come": make_campaign("first_come", args.stock, "first-come"),
        "naive": make_campaign("lottery", 1, "naive"),
        "raw": make_campaign("lottery", 1, "raw"),
        "kill": make_campaign("lottery", 1, "kill"),
    }
    files, tokens = {}, {}
    for name, campaign_id in campaigns.items():
        if name in skip or (name == "first_come" and "refusals" in skip):
            continue
        files[name] = scratch / f"passes-{name}.txt"
        tokens[name] = write_passes(files[name], campaign_id, users)

    def entries_url(server: Server, name: str) -> str:
        return f"{server.url}/api/v1/campaigns/{campaigns[name]}/entries"

    log("A/B: the edge (citizencloud serve)")
    server = Server(serve_command(args.workers), env, "/healthz")
    try:
        probe = PageProbe(server.url + guide)
        probe.start()
        ack = str(scratch / "ack-lottery-")
        ours = wrk(entries_url(server, "lottery"), files["lottery"], args, "a", ack)
        probe.stop_flag.set()
        probe.join()
        ids = acked_ids(ack, args.threads)
        ours.update(db_counts(campaigns["lottery"]))
        ours["acked_ids_unique"] = len(set(ids)) == len(ids)
        ours["lost"] = missing(campaigns["lottery"], ids)
        ours["page_during_spike"] = probe.summary()
        result["edge_lottery"] = ours
        if "refusals" not in skip:
            sold = wrk(entries_url(server, "first_come"), files["first_come"], args, "b")
            sold.update(db_counts(campaigns["first_come"]))
            sold["oversold"] = max(0, sold["entries"] - args.stock) + max(0, -sold["remaining"])
            result["edge_first_come_sold_out"] = sold
            # Everyone who entered in phase A, again, with new keys: every reply is a 409.
            entered = entrant_ids(campaigns["lottery"])
            files["dup"] = scratch / "passes-dup.txt"
            files["dup"].write_text("".join(tokens["lottery"][u] + "\n" for u in entered))
            dup = wrk(entries_url(server, "lottery"), files["dup"], args, "dup")
            result["edge_duplicates"] = dup
    finally:
        server.stop()

    if "naive" not in skip:
        log("C: the naive Django view")
        naive_env = dict(env, DJANGO_SETTINGS_MODULE="naive_settings")
        server = Server(
            granian_command("wsgi", "citizencloud.wsgi:application", args.workers), naive_env, "/"
        )
        try:
            probe = PageProbe(server.url + guide)
            probe.start()
            naive = wrk(entries_url(server, "naive"), files["naive"], args, "c")
            probe.stop_flag.set()
            probe.join()
            naive.update(db_counts(campaigns["naive"]))
            naive["page_during_spike"] = probe.summary()
            result["naive_django"] = naive
        finally:
            server.stop()

    if "raw" not in skip:
        log("D: the raw ceiling")
        server = Server(granian_command("asgi", "raw_ceiling:app", args.workers), env, "/nothing")
        try:
            raw = wrk(entries_url(server, "raw"), files["raw"], args, "d")
            raw.update(db_counts(campaigns["raw"]))
            result["raw_ceiling"] = raw
        finally:
            server.stop()

    if "kill" not in skip:
        log("E: kill -9 mid-spike")
        server = Server(serve_command(args.workers), env, "/healthz")
        ack = str(scratch / "ack-kill-")
        killer = threading.Timer(args.duration / 2, server.kill9)
        killer.start()
        with contextlib.suppress(subprocess.CalledProcessError, StopIteration):
            wrk(entries_url(server, "kill"), files["kill"], args, "kill", ack)
        killer.join()
        server = Server(serve_command(args.workers), env, "/healthz")
        try:
            ids = acked_ids(ack, args.threads)
            result["kill9"] = {
                "acked_before_kill": len(ids),
                "missing_after_restart": missing(campaigns["kill"], ids),
                **db_counts(campaigns["kill"]),
            }
        finally:
            server.stop()

    ours = result["edge_lottery"]
    for name in ("naive_django", "raw_ceiling"):
        if name in result and result[name]["acked_per_s"]:
            result[f"edge_vs_{name}"] = round(ours["acked_per_s"] / result[name]["acked_per_s"], 2)
    if ours["acked_per_s"]:  # the 2021 registrations, at this rate on this node
        result["minutes_for_4_2_million"] = round(4_200_000 / ours["acked_per_s"] / 60, 1)
    result["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
