"""Browser tests: a real server on a fresh embedded data directory, driven by Debian's Chromium.

Browsers cannot be downloaded here, so Playwright drives ``/usr/bin/chromium``
(``CITIZENCLOUD_CHROMIUM`` overrides the path). The server is started exactly as ``make run``
does: migrate, seed the demo city, serve (granian + edge + Django + task worker).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.fixtures import ROOT, free_port, wait_http

CHROMIUM = os.environ.get("CITIZENCLOUD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_url() -> Iterator[str]:
    """Base URL of a live server on a fresh data directory with the demo city loaded."""
    data_dir = tempfile.mkdtemp(prefix="citizencloud-e2e-")
    env = dict(os.environ)
    for name in ("CITIZENCLOUD_DATABASE_URL", "CITIZENCLOUD_REDIS_URL"):
        env.pop(name, None)
    env.update(
        CITIZENCLOUD_DATA_DIR=data_dir,
        CITIZENCLOUD_ENV="development",
        CITIZENCLOUD_DEBUG="false",
        CITIZENCLOUD_LOG_LEVEL="WARNING",
    )
    cli = [sys.executable, "-m", "citizencloud"]
    subprocess.run([*cli, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*cli, "seed_demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, cwd=ROOT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", timeout=60)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) with a Chinese locale, as most citizens have."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 860}, device_scale_factor=1
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
