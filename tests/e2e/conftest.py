"""Browser tests: a real server on a fresh embedded data directory, driven by Debian's Chromium.

Browsers cannot be downloaded here, so Playwright drives ``/usr/bin/chromium``
(``CITIZENCLOUD_CHROMIUM`` overrides the path). The server is started exactly as ``make run``
does: migrate, seed the demo city, serve (granian + edge + Django + task worker).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.servers import demo_env, demo_server
from tests.fixtures import ROOT

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
    with demo_server(demo_env("demo")) as url:
        yield url


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
