"""Campaigns in Chromium: found from the home page and the list, the lottery page's equal-odds
statement, a pass, an entry and its receipt; then the waiting room, forced by an admission
bucket that admits one entry only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.servers import demo_env, demo_server

PHONE, PASSWORD = "13800000001", "Citizen-Demo-2026"  # the demo citizen 张三 (Chengdu)


@pytest.fixture(scope="module")
def tight_url() -> Iterator[str]:
    """A demo server whose campaign admission lets exactly one entry through (burst 1, no
    refill): the first entry is accepted, every later one meets the waiting room."""
    env = demo_env("campaigns", CAMPAIGN_EDGE_RATE="0", CAMPAIGN_EDGE_BURST="1")
    with demo_server(env) as url:
        yield url


def _campaign_ids(url: str) -> dict[str, int]:
    return {c["slug"]: c["id"] for c in httpx.get(f"{url}/api/v1/campaigns", timeout=30).json()}


def test_equal_odds_pass_entry_receipt_then_waiting_room(
    page: Page, tight_url: str, screenshot_dir: Path
) -> None:
    ids = _campaign_ids(tight_url)
    lottery, first_come = ids["ecny-red-envelopes"], ids["swimming-pool-passes"]

    # A citizen finds the campaigns from the home page; the list says where each one stands.
    page.goto(f"{tight_url}/")
    card = page.locator(".campaign-card", has_text="数字人民币红包")
    expect(card).to_contain_text("尚未开始")
    expect(card).to_contain_text("无需抢先")
    page.get_by_role("link", name="全部活动（含已结束）").click()
    page.wait_for_url(f"{tight_url}/campaigns/")
    expect(page.locator("#campaigns-current + ul")).to_contain_text("市民游泳馆体验券")
    expect(page.locator("#campaigns-upcoming + ul")).to_contain_text("数字人民币红包")
    page.screenshot(path=f"{screenshot_dir}/campaigns-list.png", full_page=True)

    # The lottery page says plainly that the time of registering does not matter.
    page.get_by_role("link", name="数字人民币红包").click()
    page.wait_for_url(f"{tight_url}/campaigns/{lottery}/")
    expect(page.locator(".equal-odds")).to_contain_text("中签机会")
    page.screenshot(path=f"{screenshot_dir}/campaign-lottery.png", full_page=True)

    # Sign in; the join page carries a pass (eligibility checked by Django before the rush).
    page.goto(f"{tight_url}/account/login/?next=/campaigns/{first_come}/join")
    page.fill("[name=login]", PHONE)
    page.fill("[name=password]", PASSWORD)
    page.locator("form:has([name=password]) [type=submit]").click()
    page.wait_for_url(f"{tight_url}/campaigns/{first_come}/join")
    token = page.locator("input[name=pass]").get_attribute("value") or ""
    assert token.startswith("cp2.")

    # Enter through the edge: the page shows the entry id and its signed receipt.
    page.locator("form[action$='/enter'] [type=submit]").click()
    expect(page.locator("h1")).to_contain_text("登记成功")
    entry_id = page.locator("#entry-id").inner_text()
    assert re.fullmatch(r"[0-9a-f]{32}", entry_id)
    expect(page.locator("#receipt")).to_contain_text("batch_root")
    page.screenshot(path=f"{screenshot_dir}/campaign-entered.png", full_page=True)

    # The bucket is empty now: the next entry (the lottery's) gets a place in the waiting room.
    page.goto(f"{tight_url}/campaigns/{lottery}/join")
    page.locator("form[action$='/enter'] [type=submit]").click()
    expect(page.locator("h1")).to_contain_text("排队中")
    expect(page.locator("main")).to_contain_text("中签机会相同")
    page.screenshot(path=f"{screenshot_dir}/campaign-waiting-form.png", full_page=True)

    # The waiting-room page itself (the link an API client gets in its 429).
    refused = httpx.post(
        f"{tight_url}/api/v1/campaigns/{lottery}/entries",
        json={"pass": token},
        headers={"Idempotency-Key": "e2e-waiting", "Accept-Language": "zh-CN"},
        timeout=30,
    )
    assert refused.status_code == 429
    assert refused.headers["retry-after"]
    room = refused.json()["waiting_room"]
    page.goto(tight_url + room["url"])
    expect(page.locator(".position")).to_contain_text("您前面约有")
    page.screenshot(path=f"{screenshot_dir}/campaign-waiting-room.png", full_page=True)
