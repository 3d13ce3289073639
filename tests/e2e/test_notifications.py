"""The inbox in Chromium: sign in from a new device, and the open inbox shows the notice live."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect

PHONE, PASSWORD = "13800000001", "Citizen-Demo-2026"  # the demo citizen 张三


def sign_in(page: Page, url: str, next_path: str = "/account/") -> None:
    page.goto(f"{url}/account/login/?next={next_path}")
    page.fill("[name=login]", PHONE)
    page.fill("[name=password]", PASSWORD)
    page.locator("form:has([name=password]) [type=submit]").click()
    page.wait_for_load_state()


def _settled_count(locator: Locator, still: float = 3.0, limit: float = 30.0) -> int:
    count, since, deadline = locator.count(), time.monotonic(), time.monotonic() + limit
    while time.monotonic() - since < still and time.monotonic() < deadline:
        time.sleep(0.25)
        now = locator.count()
        if now != count:
            count, since = now, time.monotonic()
    return count


def test_a_new_device_login_appears_in_the_open_inbox_without_reload(
    page: Page, browser: Browser, live_url: str, screenshot_dir: Path
) -> None:
    sign_in(page, live_url)
    page.goto(f"{live_url}/me/notifications/?tab=security")
    expect(page.locator(".tab.current")).to_contain_text("安全")
    # This sign-in (a fresh browser context) and earlier tests' sign-ins have notices of their
    # own that may still be arriving; count once the inbox has been still for 3 s.
    before = _settled_count(page.locator(".message", has_text="新设备登录提醒"))
    other = browser.new_context(locale="zh-CN")  # another device: no cookies of the first
    started = time.monotonic()
    try:
        sign_in(other.new_page(), live_url)
    finally:
        other.close()
    notice = page.locator(".message", has_text="新设备登录提醒")
    expect(notice).to_have_count(before + 1, timeout=15000)
    print(f"notice visible {time.monotonic() - started:.2f}s after the second sign-in began")
    expect(page.locator('[data-unread="security"]')).not_to_be_hidden()
    # No advertising tab for someone who never opted in.
    assert page.locator('[data-tab="promotion"]').count() == 0
    page.screenshot(path=str(screenshot_dir / "notifications-inbox.png"), full_page=True)
