"""Turn the figures of ``bench/http_baseline.sh`` into a Markdown table, print it, update README.

Usage: ``python bench/http_report.py RESULTS.tsv META.env [README.md]``. The table replaces what
stands between ``<!-- http_baseline:begin -->`` and ``<!-- http_baseline:end -->`` in README
(the section is appended when the markers are missing).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

BEGIN = "<!-- http_baseline:begin -->"
END = "<!-- http_baseline:end -->"
BASELINE = "django-asgi"
SHAPES = {
    "django-asgi": "Django ASGI handler under uvicorn (`citizencloud.asgi`)",
    "granian-wsgi": "Django WSGI under granian (`serve --role web`)",
    "edge-a2wsgi": "edge + a2wsgi under granian (`serve --no-worker`, embedded default)",
}

Row = dict[str, str]


def read_meta(path: Path) -> dict[str, str]:
    meta = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        meta[key] = value
    return meta


def read_rows(path: Path) -> list[Row]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _per_cpu(row: Row) -> str:
    value = row.get("req_per_cpu_s", "nan")
    return f"{float(value):,.0f}" if value not in ("", "nan") else "n/a"


def _rps(row: Row) -> float:
    try:
        return float(row["rps"])
    except ValueError:
        return float("nan")


def ratio(row: Row, rows: list[Row], default_threads: str) -> str:
    for other in rows:
        if (
            other["shape"] == BASELINE
            and other["workers"] == row["workers"]
            and other["path"] == row["path"]
            and other["threads"] == default_threads
        ):
            base = _rps(other)
            return f"{_rps(row) / base:.2f}×" if base > 0 else "n/a"
    return "n/a"


def render(rows: list[Row], meta: dict[str, str]) -> str:
    threads = meta["default_threads"]
    main = [r for r in rows if r["threads"] == threads]
    sweep = [r for r in rows if r["shape"] != BASELINE and r["workers"] == "1"]
    lines = [
        f"Last run: {meta['date']}, `{meta['command']}`, {meta['elapsed']} s in all.",
        "",
        f"Machine: {meta['nproc']} cores ({meta['cpu']}), Python {meta['python']}; "
        f"{meta['versions']}; uvicorn on {meta['uvicorn_stack']}; {meta['wrk']}. "
        f"Load average (1, 5, 15 min): {meta['load']}.",
        "",
        f"Load: `wrk -t {meta['wrk_threads']} -c {meta['connections']} -d {meta['duration']}s "
        f"--latency` after a {meta['warmup']} s warm-up, on the same machine as the server "
        "(wrk takes CPU from it). Settings: `CITIZENCLOUD_ENV=production` (DEBUG off), SQLite, "
        "access log at INFO to a file, Prometheus multiprocess metrics; WSGI thread pools at "
        f"{threads} threads (granian `--blocking-threads`, a2wsgi `CITIZENCLOUD_WSGI_THREADS`).",
        "",
        "req/CPU-s: requests answered per CPU-second used by the server's processes (user +",
        "system) during the run — the per-core figure, and less sensitive than req/s to other",
        "programs on the machine.",
        "",
        "| shape | workers | path | req/s | p50 ms | p99 ms | vs Django ASGI | req/CPU-s "
        "| errors |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in main:
        lines.append(
            f"| {SHAPES.get(row['shape'], row['shape'])} | {row['workers']} | `{row['path']}` "
            f"| {_rps(row):,.0f} | {row['p50_ms']} | {row['p99_ms']} "
            f"| {ratio(row, rows, threads)} | {_per_cpu(row)} | {row['errors']} |"
        )
    if len(sweep) > len([r for r in sweep if r["threads"] == threads]):
        lines += [
            "",
            "WSGI threads per worker, 1 worker: granian's `--blocking-threads` (`serve --role web "
            "--threads N`) and the edge's a2wsgi pool (`CITIZENCLOUD_WSGI_THREADS`):",
            "",
            "| shape | threads | path | req/s | p50 ms | p99 ms | req/CPU-s | errors |",
            "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in sorted(sweep, key=lambda r: (r["shape"], r["path"], int(r["threads"]))):
            mark = " (default)" if row["threads"] == threads else ""
            lines.append(
                f"| {row['shape']} | {row['threads']}{mark} | `{row['path']}` | {_rps(row):,.0f} "
                f"| {row['p50_ms']} | {row['p99_ms']} | {_per_cpu(row)} | {row['errors']} |"
            )
    return "\n".join(lines) + "\n"


def update_readme(path: Path, table: str) -> None:
    text = path.read_text() if path.exists() else ""
    block = f"{BEGIN}\n{table}{END}"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + f"\n\n## http_baseline\n\n{block}\n"
    path.write_text(text)


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    rows = read_rows(Path(argv[1]))
    meta = read_meta(Path(argv[2]))
    table = render(rows, meta)
    print()
    print(table)
    threads = meta["default_threads"]
    print("Ratios against Django's ASGI handler (same workers, same path):")
    for row in rows:
        if row["threads"] == threads and row["shape"] != BASELINE:
            print(
                f"  {row['shape']:<13} workers={row['workers']} {row['path']:<8} "
                f"{ratio(row, rows, threads)}"
            )
    if len(argv) == 4:
        update_readme(Path(argv[3]), table)
        print(f"\nUpdated {argv[3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
