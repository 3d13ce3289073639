"""The privacy centre in a real browser, with the partner-bank simulator as its own process:
the citizen signs in to the bank with Citizen Cloud → the bank's attempt to open a Class III
account is refused → the citizen consents on the grant screen (nothing pre-ticked) → the account
opens → one click withdraws the consent → the bank confirms closure and the privacy centre says
so. Then a clerk reveals the citizen's case data and 谁查看了我的数据 shows the read."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.servers import demo_env, demo_server, stop_process
from tests.e2e.test_applications import PDF, sign_in, staff_page
from tests.fixtures import ROOT, free_port, wait_http


@dataclass
class Stack:
    platform: str
    bank: str


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """A fresh demo city whose demo bank is a running ``citizencloud-sim bank``."""
    web_port, bank_port = free_port(), free_port()
    platform, bank = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{bank_port}"
    env = demo_env(
        "privacy",
        PRIVACY_DEMO_BANK_URL=bank,
        PRIVACY_PUBLIC_BASE_URL=platform,
        PRIVACY_NOTICE_RETRY_BASE_SECONDS="0.5",
    )
    sim = subprocess.Popen(
        [sys.executable, "-m", "citizencloud_sim", "bank", "--port", str(bank_port),
         "--platform-url", platform],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_http(bank + "/_sim/state")
        with demo_server(env, web_port):
            yield Stack(platform=platform, bank=bank)
    finally:
        stop_process(sim)


def test_bank_scenario_and_who_looked_at_my_data(
    page: Page, browser: Browser, stack: Stack, screenshot_dir: Path, tmp_path: Path
) -> None:
    web, bank = stack.platform, stack.bank
    sign_in(page, web, "13800000001", "Citizen-Demo-2026")

    # Sign in to the bank with Citizen Cloud: only an ID that the bank alone sees.
    page.goto(bank + "/")
    page.locator("#bank-login").click()
    page.get_by_role("button", name="同意").click()
    expect(page.locator("#msg")).to_have_text("signed_in")

    # The bank tries to open the account without consent: the platform refuses.
    page.locator("#open-account").click()
    expect(page.locator("#refused")).to_contain_text("privacy.consent_required")
    expect(page.locator("#accounts li")).to_have_count(0)

    # The grant screen: nothing ticked; the citizen ticks and consents.
    page.locator("#give-consent").click()
    expect(page.locator("h1")).to_contain_text("天府示范银行")
    boxes = page.locator(".consent-form input[type=checkbox]")
    for index in range(boxes.count()):
        expect(boxes.nth(index)).not_to_be_checked()
    page.screenshot(path=str(screenshot_dir / "privacy-grant.png"), full_page=True)
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.locator("#days").fill("30")
    page.locator("#grant-consent").click()
    expect(page.locator("#msg")).to_have_text("consented")
    page.locator("#open-account").click()
    expect(page.locator("#accounts li.open")).to_have_count(1)

    # One click withdraws it; the bank closes the account and confirms, and we see it.
    page.goto(web + "/me/privacy/")
    consent = page.locator("li.consent.status-active")
    expect(consent).to_contain_text("天府示范银行")
    consent.locator("button.revoke").click()
    expect(page.locator("li.consent.status-revoked")).to_have_count(1)
    for _ in range(40):
        if page.locator(".party-confirmed").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("li.consent.status-revoked .party-confirmed")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "privacy-centre.png"), full_page=True)
    page.goto(bank + "/")
    expect(page.locator("#accounts li.closed")).to_have_count(1)

    # A case, and a clerk who reveals the applicant's data for a stated purpose.
    page.goto(web + "/services/gjj-withdraw-rent/")
    page.locator("a.verb-action", has_text="办").click()
    page.get_by_label("联系电话").fill("13800000001")
    page.get_by_label("本人银行卡号").fill("6222020200001234567")
    page.get_by_label("租赁类型").select_option("market")
    page.get_by_label("月租金（元）").fill("1800")
    lease = tmp_path / "lease.pdf"
    lease.write_bytes(PDF)
    page.get_by_label("房屋租赁合同").set_input_files(str(lease))
    page.locator("#submit-application").click()
    expect(page.locator(".case-facts")).to_be_visible()
    reference = page.locator("h1 small").inner_text().strip()
    clerk = staff_page(browser, web, "clerk.cd-gjj")
    clerk.goto(web + "/staff/cases/")
    clerk.get_by_role("link", name=reference).click()
    clerk.locator("#purpose").fill("核对租房提取申请人身份")
    clerk.locator("input[name=op][value=reveal] ~ button").click()
    expect(clerk.locator(".case-facts")).to_contain_text("张三")

    # 谁查看了我的数据: the bank's read (consent) and the clerk's (statutory duty).
    page.goto(web + "/me/privacy/data-access/")
    ledger = page.locator("#ledger")
    expect(ledger).to_contain_text("核对租房提取申请人身份")
    expect(ledger).to_contain_text("天府示范银行")
    page.screenshot(path=str(screenshot_dir / "privacy-data-access.png"), full_page=True)
    page.locator("select[name=legal_basis]").select_option("consent")
    page.locator("#access-filters button").click()
    expect(ledger).not_to_contain_text("核对租房提取申请人身份")
    expect(ledger).to_contain_text("天府示范银行")
    with page.expect_download() as download:
        page.locator("#access-export").click()
    assert "天府示范银行" in Path(download.value.path()).read_text(encoding="utf-8-sig")
