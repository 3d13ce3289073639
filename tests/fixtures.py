"""Shared fixtures: a live server process, free ports, and the test database's URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """The URL of the database the tests are using, for child processes."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a citizencloud child process that shares the test database."""
    env = dict(os.environ)
    env.update(
        CITIZENCLOUD_DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="citizencloud.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
    )
    env.update(extra)
    return env


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]


def start_server(*args: str, env: dict[str, str] | None = None) -> LiveServer:
    """Run ``citizencloud serve`` on a free port against the test database."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "serve", "--port", str(port), *args],
        env=env or child_env(),
        cwd=ROOT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz")
    except TimeoutError:
        process.kill()
        raise
    return LiveServer(url=url, process=process)


@pytest.fixture
def live_server_process(transactional_db: None) -> Iterator[LiveServer]:
    """The real server (granian + edge + Django + task worker) on the test database."""
    server = start_server()
    yield server
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()


class LogCapture:
    """The rendered (JSON, redacted) log output of the test, as the console handler writes it."""

    def __init__(self) -> None:
        import io
        import logging

        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        console = logging.getLogger().handlers[0]
        self.handler.setFormatter(console.formatter)
        self.root = logging.getLogger()
        self.previous_level = self.root.level

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, object]]:
        import json

        return [json.loads(line) for line in self.text.splitlines() if line]


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    """Capture every log record at INFO and above, rendered exactly as in production."""
    import logging

    capture = LogCapture()
    capture.root.addHandler(capture.handler)
    capture.root.setLevel(logging.INFO)
    yield capture
    capture.root.removeHandler(capture.handler)
    capture.root.setLevel(capture.previous_level)
