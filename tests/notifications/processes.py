"""Child processes for the delivery tests: the simulators, a web server, task workers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tests.fixtures import ROOT, child_env, free_port, wait_http

HTTP_SMS = "citizencloud.notifications.gateways.SettingsHttpSms"


@dataclass
class Sim:
    url: str
    process: subprocess.Popen[bytes]

    def messages(self) -> list[dict[str, object]]:
        items: list[dict[str, object]] = httpx.get(self.url + "/_sim/messages").json()["messages"]
        return items

    def faults(self, **faults: object) -> None:
        httpx.post(self.url + "/_sim/faults", json=faults).raise_for_status()


def start_sim(kind: str, *args: str) -> Sim:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "citizencloud_sim", kind, "--port", str(port),
         "--callback-delay-ms", "100", "--latency-ms", "5", *args],
        cwd=ROOT, env=child_env(),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/healthz")
    return Sim(url, process)


def gateway_env(sms: Sim, email: Sim, web_port: int, **extra: str) -> dict[str, str]:
    return child_env(
        CITIZENCLOUD_SMS_BACKEND=HTTP_SMS, CITIZENCLOUD_SMS_URL=sms.url,
        CITIZENCLOUD_EMAIL_BACKEND="http", CITIZENCLOUD_EMAIL_URL=email.url,
        CITIZENCLOUD_NOTIFY_CALLBACK_BASE_URL=f"http://127.0.0.1:{web_port}",
        CITIZENCLOUD_NOTIFY_RETRY_BASE_SECONDS="0.2", CITIZENCLOUD_LOG_LEVEL="WARNING",
        **extra,
    )  # fmt: skip


def start_web(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "serve", "--port", str(port), "--no-worker"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    wait_http(f"http://127.0.0.1:{port}/healthz")
    return process


def start_worker(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "citizencloud", "worker", "--interval", "0.05", *args],
        cwd=ROOT, env=env,
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError("condition not met")
