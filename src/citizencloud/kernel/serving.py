"""Process supervision for ``citizencloud serve``: granian plus the task worker.

The supervisor runs each part as a child process, forwards Ctrl-C and SIGTERM to them, and
escalates to SIGKILL after a grace period, so the whole service always stops. If one child dies
the others are stopped too and the exit code says so.

Each child runs in a process group of its own. Ctrl-C in a terminal then reaches the supervisor
alone, and each child gets exactly one SIGTERM from it (a second signal makes the task worker
abandon its task), and a child that must be killed is killed with everything it started (granian's
worker processes), never leaving an orphan serving the port. On Linux a child also gets SIGTERM if
the supervisor itself dies.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

ROLES = ("all", "web", "edge")


@dataclass(frozen=True)
class Plan:
    role: str
    host: str
    port: int
    workers: int
    threads: int
    with_worker: bool


def granian_command(plan: Plan) -> list[str]:
    """The granian command line for ``plan.role``."""
    interface, target = {
        "all": ("asgi", "citizencloud.edge:app"),
        "edge": ("asgi", "citizencloud.edge:app"),
        "web": ("wsgi", "citizencloud.wsgi:application"),
    }[plan.role]
    command = [
        sys.executable, "-m", "granian",
        "--interface", interface,
        "--host", plan.host,
        "--port", str(plan.port),
        "--workers", str(plan.workers),
        "--no-ws",
        "--log-level", "warning",
    ]  # fmt: skip
    if interface == "wsgi":
        command += ["--blocking-threads", str(plan.threads)]
    return [*command, target]


def simulator_commands(settings: Any) -> dict[str, list[str]]:
    """The simulated outside systems a demo needs, as child commands (DESIGN.md §7).

    They run as separate processes (``python -m citizencloud_sim``), exactly as in the tests;
    nothing of ``citizencloud_sim`` is imported here.
    """
    provider = urlsplit(settings.PAYMENTS_PROVIDER_URL)
    pay = [sys.executable, "-m", "citizencloud_sim", "pay"]
    pay += ["--host", provider.hostname or "127.0.0.1", "--port", str(provider.port or 8030)]
    pay += ["--merchant", settings.PAYMENTS_MERCHANT_ID]
    pay += ["--secret", settings.PAYMENTS_PROVIDER_SECRET]
    commands = {"pay-simulator": pay}
    # The department systems behind the exchange (查 query): they verify our signatures with the
    # platform's public keys and sign with keys derived from the demo secret (docs/exchange.md).
    from citizencloud.kernel import signing

    dept_url = urlsplit(settings.EXCHANGE_DEPT_URL)
    dept = [sys.executable, "-m", "citizencloud_sim", "dept"]
    dept += ["--host", dept_url.hostname or "127.0.0.1", "--port", str(dept_url.port or 8040)]
    dept += ["--key-secret", settings.EXCHANGE_DEMO_PEER_SECRET]
    for public in signing.trusted_public_keys().values():
        dept += ["--platform-key", base64.b64encode(public).decode()]
    commands["dept-simulator"] = dept
    # The demo partner bank of the privacy centre (docs/privacy.md): it signs in through our OIDC
    # provider with the demo client that ``seed_demo`` registers and receives revocation notices.
    bank_url = urlsplit(settings.PRIVACY_DEMO_BANK_URL)
    bank = [sys.executable, "-m", "citizencloud_sim", "bank"]
    bank += ["--host", bank_url.hostname or "127.0.0.1", "--port", str(bank_url.port or 8031)]
    bank += ["--platform-url", settings.PRIVACY_PUBLIC_BASE_URL]
    commands["bank-simulator"] = bank
    return commands


def worker_command() -> list[str]:
    return [sys.executable, "-m", "citizencloud", "worker"]


def prepare_metrics_dir(data_dir: Path, plan: Plan) -> Path:
    """A fresh multiprocess metrics directory for this instance (role and port), for this run.

    Several instances may share a data directory (a web and an edge pool on one node); each
    keeps its own samples, so starting one never wipes the other's.
    """
    path = data_dir / "metrics" / f"{plan.role}-{plan.port}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


class Supervisor:
    """Start children, wait, and stop all of them on a signal or when one of them exits."""

    def __init__(self, commands: dict[str, list[str]], env: dict[str, str], grace: float) -> None:
        self.commands = commands
        self.env = env
        self.grace = grace
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = False

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        for name, command in self.commands.items():
            self.children[name] = subprocess.Popen(  # noqa: S603
                command, env=self.env, process_group=0, preexec_fn=_terminate_with_parent
            )
        exit_code = 0
        while not self.stopping:
            for name, child in self.children.items():
                code = child.poll()
                if code is not None:
                    print(f"citizencloud: {name} exited with {code}; stopping", file=sys.stderr)
                    exit_code = code or 1
                    self.stopping = True
                    break
            time.sleep(0.2)
        self.stop()
        return exit_code

    def stop(self) -> None:
        drain_file = self.env.get(DRAIN_ENV)
        if drain_file:
            # Long-lived responses (server-sent events) watch this file and end themselves, so
            # granian is not left waiting on them after SIGTERM.
            Path(drain_file).touch()
            time.sleep(DRAIN_NOTICE_SECONDS)
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for name, child in self.children.items():
            remaining = max(0.0, deadline - time.monotonic())
            try:
                child.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                print(f"citizencloud: {name} ignored SIGTERM; killing it", file=sys.stderr)
                _kill_group(child.pid)
                child.wait()
            else:
                if _group_alive(child.pid):
                    print(f"citizencloud: {name} left processes; killing them", file=sys.stderr)
                    _kill_group(child.pid)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_PR_SET_PDEATHSIG = 1


def _terminate_with_parent() -> None:
    """In the child before exec: on Linux, receive SIGTERM when the supervisor dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


DRAIN_ENV = "CITIZENCLOUD_DRAIN_FILE"
DRAIN_NOTICE_SECONDS = 1.0


def draining() -> bool:
    """True once the supervisor has begun to stop this instance (checked by long responses)."""
    path = os.environ.get(DRAIN_ENV)
    return bool(path) and os.path.exists(path)  # type: ignore[arg-type]


def child_environment(metrics_dir: Path, *, edge_only: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    env[DRAIN_ENV] = str(metrics_dir / "draining")
    env.setdefault("DJANGO_SETTINGS_MODULE", "citizencloud.settings")
    if edge_only:
        env["CITIZENCLOUD_EDGE_ONLY"] = "1"
    return env
