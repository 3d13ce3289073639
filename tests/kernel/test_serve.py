"""``citizencloud serve`` stops on SIGTERM and on Ctrl-C, in every role, and leaves nothing behind.

Each case starts the real supervisor (granian, and the task worker for role ``all``) on a free
port against the test database, waits until it answers, puts requests in flight and, while they
are being answered, sends the signal: SIGTERM to the supervisor (what ``kill`` and systemd send),
SIGINT to its process group (what Ctrl-C in a terminal sends). Requests in flight matter: granian
serving the edge + a2wsgi used to hang on SIGTERM with a request inside Django, and only the
supervisor's SIGKILL after ``--grace`` stopped it ("ignored SIGTERM; killing it").
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fixtures import ROOT, child_env, free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

HEALTH = {"all": "/healthz", "web": "/healthz", "edge": "/edge/healthz"}
# A page that goes through Django (and, for role all, through a2wsgi's threads).
BUSY = {"all": "/", "web": "/", "edge": "/edge/healthz"}
STOP_WITHIN = 15.0
IN_FLIGHT = 48


def wait_ok(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode} before answering")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer 200 within {timeout}s")


def put_requests_in_flight(port: int, path: str, count: int) -> list[socket.socket]:
    """Send ``count`` requests on as many connections without reading the answers."""
    sockets = []
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\n\r\n".encode()
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(request)
        sockets.append(sock)
    return sockets


def session_members(session: int) -> list[str]:
    """Live (non-zombie) processes of a session, as "pid command" lines."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if os.getsid(int(entry.name)) != session:
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        state = stat.rsplit(")", 1)[1].split()[0]
        if state != "Z":
            members.append(f"{entry.name} {cmdline.strip()}")
    return members


def wait_session_empty(session: int, timeout: float = 3.0) -> list[str]:
    deadline = time.monotonic() + timeout
    members = session_members(session)
    while members and time.monotonic() < deadline:
        time.sleep(0.1)
        members = session_members(session)
    return members


@pytest.mark.parametrize("role", ["all", "web", "edge"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_on_signal_and_leaves_nothing_behind(
    role: str, signum: signal.Signals, transactional_db: None, tmp_path: Path
) -> None:
    port = free_port()
    stderr_path = tmp_path / "serve.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "citizencloud", "serve", "--role", role, "--port", str(port)],
            env=child_env(),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    session = process.pid
    sockets: list[socket.socket] = []
    try:
        wait_ok(f"http://127.0.0.1:{port}{HEALTH[role]}", process)
        children = session_members(session)
        assert any("granian" in line for line in children), children
        if role == "all":
            assert any("citizencloud worker" in line for line in children), children

        sockets = put_requests_in_flight(port, BUSY[role], IN_FLIGHT)
        for sock in sockets:  # clients that give up, as wrk does at the end of a run
            sock.close()
        started = time.monotonic()
        if signum == signal.SIGINT:
            os.killpg(process.pid, signum)  # Ctrl-C: the terminal signals the foreground group
        else:
            os.kill(process.pid, signum)
        try:
            code = process.wait(timeout=STOP_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve --role {role} still running {STOP_WITHIN}s after {signum.name}")
        elapsed = time.monotonic() - started
    finally:
        for sock in sockets:
            sock.close()
        if process.poll() is None:
            process.kill()
            process.wait()
        left = wait_session_empty(session)
        for line in left:
            os.kill(int(line.split()[0]), signal.SIGKILL)

    errors = stderr_path.read_text(errors="replace")
    assert "ignored SIGTERM" not in errors, errors
    assert "left processes" not in errors, errors
    assert code == 0, errors
    assert not left, f"processes left after serve stopped: {left}"
    assert elapsed < STOP_WITHIN
