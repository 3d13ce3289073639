"""Server-sent events from the edge: a new message reaches an open stream within a second."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
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
    """Stop the server and everything it started (its own process group), so no child is left
    holding database connections."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class Listener(threading.Thread):
    """Reads one SSE stream into a queue of (event name, data, arrival time)."""

    def __init__(self, url: str, session: str, query: str = "") -> None:
        super().__init__(daemon=True)
        self.url, self.session, self.query = url, session, query
        self.events: queue.Queue[tuple[str, str, float]] = queue.Queue()
        self.status = 0
        cookies = {settings.SESSION_COOKIE_NAME: session}
        self.client = httpx.Client(cookies=cookies, timeout=httpx.Timeout(30, read=60))

    def run(self) -> None:
        url = self.url + "/api/v1/me/notifications/stream" + self.query
        with contextlib.suppress(httpx.HTTPError), self.client.stream("GET", url) as response:
            self.status = response.status_code
            name = ""
            for line in response.iter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    self.events.put((name, line[6:], time.monotonic()))

    def close(self) -> None:
        """Hang up (the server sees the disconnect and drops the subscription)."""
        self.client.close()

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


def test_a_message_created_between_the_page_and_the_connection_is_replayed(
    embedded: str, signed_in: tuple[object, str]
) -> None:
    """The inbox page opens the stream with ``?after=`` its newest message (``start`` when it
    had none): what was created in between arrives on connect, before the counts."""
    from citizencloud.notifications import selectors

    user, session = signed_in
    cursor = selectors.stream_cursor(user)  # what the page rendered
    assert cursor == selectors.STREAM_START
    notify(user)  # after the page, before the stream
    listener = Listener(embedded, session, query=f"?after={cursor}")
    listener.start()
    data, _ = listener.next("notification", timeout=5)
    assert "CD-9" in data
    counts, _ = listener.next("counts")
    assert '"service": 1' in counts
    # Without the cursor the same stream would only have sent the counts.
    plain = Listener(embedded, session)
    plain.start()
    name, _, _ = plain.events.get(timeout=10)
    assert name == "counts"


@pytest.mark.skipif(not os.environ.get("CITIZENCLOUD_TEST_REDIS_URL"), reason="needs Redis")
def test_two_edge_processes_on_redis_both_deliver(signed_in: tuple[object, str]) -> None:
    user, session = signed_in
    (url_a, a), (url_b, b) = serve("--role", "edge"), serve("--role", "edge")
    listeners = [Listener(url_a, session), Listener(url_b, session)]
    try:
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
        for listener in listeners:
            listener.close()
        stop(a)
        stop(b)


def test_a_reconnect_with_last_event_id_replays_what_was_missed(
    embedded: str, signed_in: tuple[object, str]
) -> None:
    user, session = signed_in
    listener = Listener(embedded, session)
    listener.start()
    listener.next("counts")
    notify(user)
    first, _ = listener.next("notification", timeout=5)
    listener.close()
    first_id = json.loads(first)["message"]["id"]
    notify(user)  # while nobody listens
    cookies = {settings.SESSION_COOKIE_NAME: session}
    with httpx.stream("GET", embedded + "/api/v1/me/notifications/stream", cookies=cookies,
                      headers={"Last-Event-ID": first_id}, timeout=10) as response:  # fmt: skip
        lines = response.iter_lines()
        event = next(line for line in lines if line.startswith("event: "))
        data = next(line for line in lines if line.startswith("data: "))
    assert event == "event: notification"
    assert json.loads(data[6:])["message"]["id"] != first_id


def test_the_stream_refuses_a_session_whose_device_was_signed_out(embedded: str) -> None:
    from citizencloud.identity.services import Origin
    from citizencloud.identity.services.sessions import end_session

    client, user = signed_in_client()
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    end_session(user=user, session_id=client.session["identity_session"], origin=Origin())
    response = httpx.get(embedded + "/api/v1/me/notifications/stream", cookies=cookies)
    assert response.status_code == 401


def test_the_server_stops_promptly_with_a_stream_open(signed_in: tuple[object, str]) -> None:
    """SIGTERM with an open stream: the stream ends itself and granian stops without a kill."""
    _, session = signed_in
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "serve", "--port", str(port), "--no-worker"],
        cwd=ROOT, env=child_env(), start_new_session=True, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    listener = Listener(url, session)
    try:
        wait_http(url + "/healthz")
        listener.start()
        listener.next("counts")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        listener.close()
        stop(process)
    assert process.returncode == 0, stderr
    assert "ignored SIGTERM" not in stderr
    assert elapsed < 8, f"the open stream held the server up for {elapsed:.1f}s"
