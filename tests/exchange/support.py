"""The department simulator as a separate process, and helpers shared by exchange/query tests."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from django.core.cache import cache

from citizencloud.exchange import breaker, demo
from citizencloud.identity.models import User, UserKind
from citizencloud.kernel import signing
from tests.fixtures import ROOT, child_env, free_port, wait_http

SECRET = "test-dept-secret"
DEPTS = ("hrss", "medins", "gjj", "land", "police", "education", "health")
CLEAR = {
    "slow_ms": 0, "down": False, "wrong_signature": False, "replay": False, "skew_seconds": 0,
    "tamper": False, "oversized": False, "malformed": False,
}  # fmt: skip


@dataclass
class DeptSim:
    url: str
    process: subprocess.Popen[bytes]

    def faults(self, dept: str | None = None, **faults: object) -> None:
        body: dict[str, Any] = dict(faults)
        if dept:
            body["dept"] = dept
        httpx.post(self.url + "/_sim/faults", json=body).raise_for_status()

    def stats(self) -> dict[str, int]:
        data: dict[str, int] = httpx.get(self.url + "/_sim/stats").json()
        return data

    def reset(self) -> None:
        httpx.post(self.url + "/_sim/reset", json={}).raise_for_status()
        self.faults(**CLEAR)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_dept_sim(*args: str) -> DeptSim:
    port = free_port()
    keys = [base64.b64encode(k).decode() for k in signing.trusted_public_keys().values()]
    command = [sys.executable, "-m", "citizencloud_sim", "dept", "--port", str(port)]
    command += ["--key-secret", SECRET, "--latency-ms", "5"]
    for key in keys:
        command += ["--platform-key", key]
    process = subprocess.Popen([*command, *args], cwd=ROOT, env=child_env())
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/healthz")
    return DeptSim(url, process)


def register_peers(sim: DeptSim) -> None:
    demo.register_demo_peers(base_url=sim.url, secret=SECRET)


def reset_state() -> None:
    cache.clear()
    for dept in DEPTS:
        breaker.reset(f"dept-{dept}")


def create_citizen(username: str = "citizen-q") -> User:
    return User.objects.create_user(
        username, "Correct-Horse-2026", kind=UserKind.CITIZEN, display_name="张*", real_name="张三"
    )


@pytest.fixture(scope="session")
def dept_sim_process() -> Iterator[DeptSim]:
    sim = start_dept_sim()
    yield sim
    sim.stop()


@pytest.fixture
def dept_sim(dept_sim_process: DeptSim, db: None) -> DeptSim:
    """The simulator with no faults, its seven peers registered, breakers and cache cleared."""
    dept_sim_process.reset()
    reset_state()
    register_peers(dept_sim_process)
    return dept_sim_process
