"""The book journey in Chromium: find a slot at the city hall (from the service guide), book it,
receive the reminder in the inbox, check in by the QR code at the kiosk, see the queue position
on the booking page, and be called to a window by staff (the page updates by itself)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.servers import demo_env, demo_server
from tests.e2e.test_applications import sign_in, staff_page

PHONE, PASSWORD = "13800000001", "Citizen-Demo-2026"  # the demo citizen 张三


@pytest.fixture(scope="module")
def booking_url() -> Iterator[str]:
    """A demo server whose reminder sweep runs every 2 s and reminds 30 days ahead, and whose
    kiosk accepts check-in any time before the slot (the demo's slots are days away)."""
    env = demo_env(
        "booking",
        BOOKING_SWEEP_SECONDS="2",
        BOOKING_REMIND_DAY_HOURS=str(30 * 24),
        BOOKING_CHECKIN_EARLY_MINUTES=str(30 * 24 * 60),
    )
    with demo_server(env) as url:
        yield url


def _reload_until(page: Page, selector: str, tries: int = 40) -> None:
    for _ in range(tries):
        if page.locator(selector).count():
            return
        page.wait_for_timeout(500)
        page.reload()


def test_book_remind_check_in_at_the_kiosk_and_be_called(
    page: Page, browser: Browser, booking_url: str, screenshot_dir: Path
) -> None:
    sign_in(page, booking_url, PHONE, PASSWORD)
    page.goto(booking_url + "/services/hj-id-card-renew/")
    page.locator("a.verb-action", has_text="约").click()
    page.locator(".point-list a", has_text="成都市政务服务中心").click()
    page.locator(".calendar li:not(.full):not(.unreleased) a").first.click()
    expect(page.locator("table.slots")).to_be_visible()
    page.screenshot(path=f"{screenshot_dir}/booking-find.png", full_page=True)
    page.locator(".book-button").first.click()
    expect(page.locator("dl.booking-facts")).to_have_attribute("data-state", "booked")
    code = page.locator("#qr-text").inner_text().strip()
    assert code.startswith("CCB1.")
    expect(page.locator(".qr img")).to_be_visible()
    booking_path = page.url
    page.screenshot(path=f"{screenshot_dir}/booking-detail.png", full_page=True)

    page.goto(booking_url + "/me/notifications/")
    _reload_until(page, ".message:has-text('预约提醒')")
    reminder = page.locator(".message", has_text="预约提醒").first
    expect(reminder).to_contain_text("成都市政务服务中心")
    page.screenshot(path=f"{screenshot_dir}/booking-reminder.png", full_page=True)

    kiosk = browser.new_context(locale="zh-CN").new_page()
    kiosk.goto(booking_url + "/booking/kiosk/hall-city/")
    kiosk.fill("#code", "CCB1.FORGED.CODE")
    kiosk.get_by_role("button", name="签到").click()
    expect(kiosk.locator("#kiosk-error")).to_be_visible()
    kiosk.fill("#code", code)
    kiosk.get_by_role("button", name="签到").click()
    expect(kiosk.locator("#kiosk-ticket")).to_have_text("A001")
    kiosk.screenshot(path=f"{screenshot_dir}/booking-kiosk.png", full_page=True)
    kiosk.fill("#code", code)
    kiosk.get_by_role("button", name="签到").click()
    expect(kiosk.locator("#kiosk-error")).to_contain_text("已签到")

    page.goto(booking_path)
    expect(page.locator("#ticket")).to_have_text("A001")
    expect(page.locator("#position")).to_be_visible()

    staff = staff_page(browser, booking_url, "booking.staff")
    staff.goto(booking_url + "/booking/staff/points/hall-city/call/?window=5")
    expect(staff.locator(".waiting-list")).to_contain_text("A001")
    staff.locator("#call-next").click()
    expect(staff.locator("#current-ticket")).to_have_text("A001")
    staff.screenshot(path=f"{screenshot_dir}/booking-call-next.png", full_page=True)

    # The citizen's page, left open, learns of the call by itself (HTMX polling).
    expect(page.locator("#called")).to_contain_text("5", timeout=15000)
    page.screenshot(path=f"{screenshot_dir}/booking-called.png", full_page=True)

    screen = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 720})
    display = screen.new_page()
    display.goto(booking_url + "/booking/display/hall-city/")
    expect(display.locator("tr.latest")).to_contain_text("A001")
    display.screenshot(path=f"{screenshot_dir}/booking-display.png")
