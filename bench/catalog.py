"""Catalog benchmark: search and guide pages at 10,000 services.

    .venv/bin/python bench/catalog.py [--services 10000] [--duration 15] [--connections 16]

Builds a throwaway data directory (migrate, seed_demo), generates services up to ``--services``
(district variants of the 185 real ones, with guides, search columns and a hall each), then:
1. times the search selector and the guide selector in-process (one core, no HTTP);
2. serves Django WSGI with one granian worker (``citizencloud serve --role web --workers 1``)
   and drives it with wrk (one thread, other core) over a mix of queries, then of guide pages.
Prints throughput and p50/p95/p99. Needs wrk. SQLite unless CITIZENCLOUD_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "公积金",
    "gongjijin",
    "gjj",
    "医保",
    "医疗保险",
    "居住证",
    "jzz",
    "落户",
    "新生儿",
    "社保卡",
    "提取公积金",
    "结婚",
    "护照",
    "passport",
    "驾照",
    "违章",
    "交电费",
    "挂号",
    "个税",
    "证",
    "锦江区 居住证",
    "yb",
    "失业金",
    "营业执照",
    "注册公司",
    "公租房",
    "异地就医",
    "养老金",
]
FILTERS = ["", "&theme=gjj", "&verb=apply", "&tier=district", "&audience=business"]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def generate(target: int) -> None:
    """Add generated services until there are ``target`` (runs inside Django)."""
    import django

    django.setup()
    from django.db import transaction

    from citizencloud.catalog import services as writes
    from citizencloud.catalog.models import Service, ServiceVersion
    from citizencloud.catalog.schemas import Guide
    from citizencloud.org.models import Region, ServicePoint, Tier

    real = list(Service.objects.select_related("theme", "department", "published"))
    districts = list(Region.objects.filter(tier=Tier.DISTRICT).order_by("code"))
    halls = {p.region_id: p for p in ServicePoint.objects.filter(code__startswith="hall-510")}
    have = Service.objects.count()
    rng = random.Random(5)
    with transaction.atomic():
        for start in range(0, max(0, target - have), 1000):
            batch = []
            for i in range(start, min(start + 1000, target - have)):
                base = real[i % len(real)]
                district = districts[(i // len(real)) % len(districts)]
                variant = i // (len(real) * len(districts))
                suffix = f"（{variant + 1}）" if variant else ""
                service = Service(
                    code=f"gen-{i:05d}",
                    theme=base.theme,
                    department=base.department,
                    tier=base.tier,
                    audience=base.audience,
                    verbs=base.verbs,
                    popularity=rng.randint(0, 900),
                    name=f"{district.name}{base.name}{suffix}",
                    name_en=f"{base.name_en} ({district.name_en})",
                )
                writes.apply_search_fields(service, Guide.model_validate(base.published.guide))  # type: ignore[union-attr]
                batch.append((service, base, district))
            Service.objects.bulk_create([s for s, _, _ in batch])
            created = {
                s.code: s for s in Service.objects.filter(code__in=[s.code for s, _, _ in batch])
            }
            versions = ServiceVersion.objects.bulk_create(
                ServiceVersion(
                    service=created[s.code],
                    number=1,
                    name=s.name,
                    name_en=s.name_en,
                    guide=base.published.guide,  # type: ignore[union-attr]
                    change_note="bench",
                    published_at=base.published.published_at,  # type: ignore[union-attr]
                )
                for s, base, _ in batch
            )
            for version in versions:
                version.service.published = version
            Service.objects.bulk_update([v.service for v in versions], ["published"])
            Service.points.through.objects.bulk_create(
                Service.points.through(
                    service_id=created[s.code].pk, servicepoint_id=halls[d.pk].pk
                )
                for s, _, d in batch
            )
    from django.db import connection

    from citizencloud.catalog import search

    search.optimize_index()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("PRAGMA optimize")
    print(f"services: {Service.objects.count()}", flush=True)


def time_selectors() -> dict[str, float]:
    """In-process timings of the search and guide selectors (ms)."""
    import django

    django.setup()
    from django.core.cache import cache

    from citizencloud.catalog import selectors
    from citizencloud.catalog.models import Service

    for query in QUERIES:  # warm the page cache first
        list(selectors.search(query)[:20])
    timings: list[float] = []
    for _ in range(5):
        for query in QUERIES:
            began = time.perf_counter()
            page = list(selectors.search(query)[:20])
            selectors.search(query).count()
            timings.append((time.perf_counter() - began) * 1000)
            assert page or query == "锦江区 居住证", query
    codes = list(Service.objects.values_list("code", flat=True)[:2000])
    cold: list[float] = []
    warm: list[float] = []
    cache.clear()
    for code in codes[:500]:
        began = time.perf_counter()
        selectors.guide(code)
        cold.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        selectors.guide(code)
        warm.append((time.perf_counter() - began) * 1000)
    return {
        "search_p50_ms": statistics.median(timings),
        "search_p95_ms": percentile(timings, 95),
        "search_p99_ms": percentile(timings, 99),
        "guide_cold_p95_ms": percentile(cold, 95),
        "guide_warm_p95_ms": percentile(warm, 95),
    }


WRK_SCRIPT = """
local paths = {%s}
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%.3f %%.3f %%.3f %%.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.duration / 1e6))
end
"""


def wrk(url: str, paths: list[str], duration: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        quoted = [urllib.parse.quote(p, safe="/?=&") for p in paths]
        script.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in quoted))
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    requests, errors, p50, p95, p99, seconds = line.split()[1:]
    return {
        "req_per_s": int(requests) / float(seconds),
        "errors": int(errors),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument(
        "--connections", default="1,4,16", help="wrk connection counts to run, comma-separated"
    )
    parser.add_argument("--step", choices=["generate", "time"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "generate":
        generate(args.services)
        return
    if args.step == "time":
        print("TIMINGS " + json.dumps(time_selectors()), flush=True)
        return

    data_dir = tempfile.mkdtemp(prefix="citizencloud-bench-")
    env = dict(
        os.environ,
        CITIZENCLOUD_DATA_DIR=data_dir,
        CITIZENCLOUD_ENV="development",
        CITIZENCLOUD_DEBUG="false",
        CITIZENCLOUD_LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="citizencloud.settings",
        PYTHONPATH=str(ROOT / "src"),
    )
    cli = [sys.executable, "-m", "citizencloud"]
    me = [sys.executable, str(Path(__file__).resolve())]
    subprocess.run([*cli, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([*cli, "seed_demo"], env=env, check=True, capture_output=True)
    began = time.perf_counter()
    subprocess.run(
        [*me, "--step", "generate", "--services", str(args.services)], env=env, check=True
    )
    print(f"generated in {time.perf_counter() - began:.1f} s")
    timings = subprocess.run(
        [*me, "--step", "time"], env=env, check=True, capture_output=True, text=True
    ).stdout
    print("selectors (in-process, ms):", timings.split("TIMINGS ", 1)[1].strip())

    search_paths = [f"/api/v1/services?q={q}{f}" for q in QUERIES for f in FILTERS]
    page_paths = [f"/services/?q={q}" for q in QUERIES]
    guide_paths = [f"/services/gen-{i:05d}/" for i in range(0, args.services - 200, 7)]
    guide_paths += [f"/services/{c}/" for c in ("gjj-withdraw-rent", "hj-residence-permit")]
    connections = [int(c) for c in args.connections.split(",")]
    for cache_seconds in ("0", "120"):
        runs = [("api search", search_paths), ("search page", page_paths)]
        if cache_seconds != "0":
            runs.append(("guide page", guide_paths))
        label = "search cache off" if cache_seconds == "0" else "search cache on (120 s)"
        print(f"-- HTTP, {label}: one granian worker (Django WSGI), wrk -t1")
        server_env = dict(env, CITIZENCLOUD_CATALOG_SEARCH_CACHE_SECONDS=cache_seconds)
        with _server(cli, server_env) as url:
            for name, paths in runs:
                for count in connections:
                    wrk(url, paths, 3, count)  # warm up (caches, connections)
                    result = wrk(url, paths, args.duration, count)
                    figures = "  ".join(f"{k}={v:.1f}" for k, v in result.items())
                    print(f"{name:12s} c={count:<3d} {figures}", flush=True)
    print(f"data directory: {data_dir}")


@contextlib.contextmanager
def _server(cli: list[str], env: dict[str, str]) -> Iterator[str]:
    port = 18000 + random.randint(0, 999)
    server = subprocess.Popen(
        [*cli, "serve", "--role", "web", "--workers", "1", "--port", str(port)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + "/healthz")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)


def _wait(url: str) -> None:
    import httpx

    for _ in range(150):
        try:
            if httpx.get(url, timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


if __name__ == "__main__":
    main()
