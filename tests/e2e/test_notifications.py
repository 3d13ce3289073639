"""The inbox in Chromium: a security notice appears in the open inbox without a reload.

Identity's sign-in pages land in their own branch; until then the "new device" event is emitted
exactly as identity will emit it (``kernel.events.emit("identity.new_device_login", ...)``) from
a second process on the same data directory, and the server's own task worker turns it into a
notice that the edge streams to the page.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures import ROOT, free_port, wait_http

EMIT = (
    "from django.db import transaction; from citizencloud.kernel import events; "
    "from citizencloud.identity.models import User; "
    "u = User.objects.get(username='citizen.zhang'); "
    "transaction.atomic()(lambda: events.emit('identity.new_device_login', user_id=u.pk, "
    "device='Chromium on Linux'))()"
)


@pytest.fixture(scope="module")
def city() -> Iterator[tuple[str, dict[str, str]]]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CITIZENCLOUD_DATABASE_URL", "CITIZENCLOUD_REDIS_URL")}  # fmt: skip
    env.update(CITIZENCLOUD_DATA_DIR=tempfile.mkdtemp(prefix="citizencloud-e2e-notify-"),
               CITIZENCLOUD_ENV="development", CITIZENCLOUD_DEBUG="false",
               CITIZENCLOUD_LOG_LEVEL="WARNING")  # fmt: skip
    cli = [sys.executable, "-m", "citizencloud"]
    subprocess.run([*cli, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*cli, "seed_demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, cwd=ROOT,
                              start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", timeout=60)
        yield url, env
    finally:
        server.terminate()
        server.wait(timeout=20)


def sign_in(page: Page, url: str) -> None:
    # The admin's sign-in form is the only one on main today; identity brings the citizen's.
    page.goto(f"{url}/admin/login/?next=/me/notifications/%3Ftab%3Dsecurity")
    page.fill("#id_username", "citizen.zhang")
    page.fill("#id_password", "Citizen-Demo-2026")
    page.click("input[type=submit]")


def test_a_security_notice_appears_in_the_open_inbox_without_reload(
    page: Page, city: tuple[str, dict[str, str]]
) -> None:
    url, env = city
    sign_in(page, url)
    page.goto(f"{url}/me/notifications/?tab=security")
    expect(page.locator(".empty")).to_be_visible()
    page.wait_for_timeout(500)  # the stream is open
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "citizencloud", "shell", "-c", EMIT], env=env,
                   cwd=ROOT, check=True)  # fmt: skip
    notice = page.locator(".message", has_text="新设备登录提醒")
    expect(notice).to_be_visible(timeout=15000)
    expect(page.locator('[data-unread="security"]')).to_have_text("1")
    assert "Chromium on Linux" in notice.inner_text()
    print(f"notice visible {time.monotonic() - started:.2f}s after the emit began")
    # No advertising tab for someone who never opted in.
    assert page.locator('[data-tab="promotion"]').count() == 0
