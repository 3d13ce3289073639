"""Server-sent events from the edge: a new message reaches an open stream within a second."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from django.conf import settings
from django.db import transaction

from citizencloud.notifications import services
from tests.fixtures import ROOT, child_env, free_port, wait_http
from tests.notifications.factories import create_template, signed_in_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def serve(*args: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "serve", "--port", str(port), *args],
        cwd=ROOT, env=child_env(), start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_http(url + ("/edge/healthz" if "edge" in args else "/healthz"))
    return url, process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


class Listener(threading.Thread):
    """Reads one SSE stream into a queue of (event name, data, arrival time)."""

    def __init__(self, url: str, session: str) -> None:
        super().__init__(daemon=True)
        self.url, self.session = url, session
        self.events: queue.Queue[tuple[str, str, float]] = queue.Queue()
        self.status = 0

    def run(self) -> None:
        cookies = {settings.SESSION_COOKIE_NAME: self.session}
        with httpx.stream("GET", self.url + "/api/v1/me/notifications/stream", cookies=cookies,
                          timeout=httpx.Timeout(30, read=60)) as response:  # fmt: skip
            self.status = response.status_code
            name = ""
            for line in response.iter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    self.events.put((name, line[6:], time.monotonic()))

    def next(self, name: str, timeout: float = 10.0) -> tuple[str, float]:
        deadline = time.monotonic() + timeout
        while True:
            event, data, at = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if event == name:
                return data, at


@pytest.fixture
def signed_in() -> tuple[object, str]:
    client, user = signed_in_client()
    return user, client.cookies[settings.SESSION_COOKIE_NAME].value


def notify(user: object) -> float:
    template = create_template()
    with transaction.atomic():
        services.notify(recipient=user, template_code=template.code, context={"case": "CD-9"},
                        dedupe_key=f"sse-{template.pk}")  # fmt: skip
    return time.monotonic()


@pytest.fixture
def embedded() -> Iterator[str]:
    url, process = serve("--no-worker")
    yield url
    stop(process)


def test_the_stream_refuses_a_request_without_a_session(embedded: str) -> None:
    response = httpx.get(embedded + "/api/v1/me/notifications/stream")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    forged = httpx.get(embedded + "/api/v1/me/notifications/stream",
                       cookies={settings.SESSION_COOKIE_NAME: "not-a-session"})  # fmt: skip
    assert forged.status_code == 401


def test_a_new_message_reaches_an_open_stream_within_a_second(
    embedded: str, signed_in: tuple[object, str]
) -> None:
    user, session = signed_in
    listener = Listener(embedded, session)
    listener.start()
    counts, _ = listener.next("counts")
    assert '"service": 0' in counts
    sent = notify(user)
    data, arrived = listener.next("notification", timeout=5)
    assert "CD-9" in data
    assert '"service": 1' in data
    assert arrived - sent < 1.0, f"took {arrived - sent:.3f}s"


@pytest.mark.skipif(not os.environ.get("CITIZENCLOUD_TEST_REDIS_URL"), reason="needs Redis")
def test_two_edge_processes_on_redis_both_deliver(signed_in: tuple[object, str]) -> None:
    user, session = signed_in
    (url_a, a), (url_b, b) = serve("--role", "edge"), serve("--role", "edge")
    try:
        listeners = [Listener(url_a, session), Listener(url_b, session)]
        for listener in listeners:
            listener.start()
            listener.next("counts")
        time.sleep(0.3)  # both feeds subscribed
        sent = notify(user)
        for listener in listeners:
            data, arrived = listener.next("notification", timeout=5)
            assert "CD-9" in data
            assert arrived - sent < 1.0, f"took {arrived - sent:.3f}s"
    finally:
        stop(a)
        stop(b)
