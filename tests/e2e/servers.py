"""Demo servers for the browser tests: a fresh embedded data directory, migrated and seeded with
the demo city, served exactly as ``make run`` does; each test module adds the settings it needs."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator

from tests.fixtures import ROOT, free_port, wait_http


def demo_env(name: str, **settings: str) -> dict[str, str]:
    """The environment of a demo server on a fresh embedded data directory: always SQLite and no
    Redis (whatever the suite runs on), plus ``CITIZENCLOUD_<key>`` for each of ``settings``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CITIZENCLOUD_DATABASE_URL", "CITIZENCLOUD_REDIS_URL")
    }
    env.update(
        CITIZENCLOUD_DATA_DIR=tempfile.mkdtemp(prefix=f"citizencloud-e2e-{name}-"),
        CITIZENCLOUD_ENV="development",
        CITIZENCLOUD_DEBUG="false",
        CITIZENCLOUD_LOG_LEVEL="WARNING",
    )
    env.update({f"CITIZENCLOUD_{key}": value for key, value in settings.items()})
    return env


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def demo_server(env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """Migrate, seed the demo city and serve exactly as ``make run`` does; yields the base URL."""
    cli = [sys.executable, "-m", "citizencloud"]
    subprocess.run([*cli, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*cli, "seed_demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = port or free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, cwd=ROOT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", timeout=60)
        yield url
    finally:
        stop_process(server)
