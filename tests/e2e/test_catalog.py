"""The catalog in a real browser: search 公积金, open a guide, see the materials checklist."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect


def test_search_open_a_guide_and_see_what_to_bring(
    page: Page, live_url: str, screenshot_dir: Path
) -> None:
    page.goto(live_url + "/")
    expect(page.locator(".theme-card", has_text="公积金").first).to_be_visible()

    # Instant results (HTMX) while typing on the home page.
    page.locator("#search-q").fill("公积金")
    first = page.locator("#results .service-link").first
    expect(first).to_have_text("住房公积金提取（购买自住住房）")
    expect(page).to_have_url(live_url + "/services/?q=%E5%85%AC%E7%A7%AF%E9%87%91")

    first.click()
    expect(page).to_have_url(live_url + "/services/gjj-withdraw-purchase/")
    expect(page.get_by_role("heading", level=1)).to_have_text("住房公积金提取（购买自住住房）")
    checklist = page.locator(".checklist")
    expect(checklist).to_be_visible()
    expect(checklist.locator(".material", has_text="居民身份证").first).to_be_visible()
    expect(checklist.locator("input[type=checkbox]").first).to_be_visible()
    checklist.locator("input[type=checkbox]").first.check()
    # Materials the government already holds are named, but not asked for.
    expect(checklist.locator(".held", has_text="购房合同")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "catalog-guide.png"), full_page=True)


def test_the_plain_search_form_works_without_javascript(page: Page, live_url: str) -> None:
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(live_url + "/services/")
        plain.locator("#search-q").fill("gjj")
        plain.locator("#search-q").press("Enter")
        expect(plain).to_have_url(re.compile(r"/services/\?q=gjj"))
        expect(plain.locator(".service-link").first).to_have_text("住房公积金提取（购买自住住房）")
    finally:
        context.close()
