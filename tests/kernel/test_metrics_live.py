"""/metrics counts every granian worker process, not only the one that answers the scrape."""

from __future__ import annotations

import subprocess

import httpx
import pytest
from django.conf import settings

from tests.fixtures import start_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def total_for(text: str, route: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("citizencloud_http_requests_total{") and f'route="{route}"' in line
    )


def test_metrics_aggregate_all_worker_processes() -> None:
    server = start_server("--workers", "2", "--no-worker")
    try:
        with httpx.Client(base_url=server.url) as client:
            for _ in range(40):  # new connections spread over both processes
                assert httpx.get(server.url + "/api/v1/meta").status_code == 200
            text = client.get("/metrics").text
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
    # Each process that counted something left its own file: both answered, and the scrape
    # (answered by one of them) summed both.
    port = server.url.rsplit(":", 1)[1]
    files = list((settings.DATA_DIR / "metrics" / f"all-{port}").glob("counter_*.db"))
    assert len(files) >= 2, files
    assert total_for(text, "/api/v1/meta") == 40
