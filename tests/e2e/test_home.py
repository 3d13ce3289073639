"""The home page in a real browser: Chinese by default, switch to English, screenshot."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect


def test_home_presents_the_four_verbs_and_switches_language(
    page: Page, live_url: str, screenshot_dir: Path
) -> None:
    page.goto(live_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("一号通行，一网通办")
    for glyph in "查约办缴":
        expect(page.locator(".verb-glyph", has_text=glyph)).to_be_visible()
    expect(page.get_by_role("link", name="问题反馈").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "home.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "One account for everything, one network for all services"
    )
    page.screenshot(path=str(screenshot_dir / "home-en.png"), full_page=True)

    # The choice is remembered: a new visit stays in English.
    page.goto(live_url + "/help/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a problem")


def test_api_docs_render_from_local_files_under_the_csp(page: Page, live_url: str) -> None:
    page.goto(live_url + "/api/v1/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("citizencloud API")
    expect(page.get_by_text("/api/v1/meta").first).to_be_visible()
