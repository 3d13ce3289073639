"""办 in a real browser: a citizen applies with an attachment → a clerk requests a supplement →
the citizen sees the request as a `service` notice in the inbox, sees every missing item and
uploads → a reviewer approves and completes → the citizen gets the decision and completion
notices in the inbox, downloads the signed certificate and the QR verification page confirms it.
A second journey: the 出生一件事 bundle, and its page with every department's case side by side."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_identity import fresh_totp_code

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_in(page: Page, live_url: str, login: str, password: str) -> None:
    page.goto(live_url + "/account/login/")
    page.get_by_label("手机号或身份证号").fill(login)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def staff_page(browser: Browser, live_url: str, login: str) -> Page:
    """A staff member signs in and enrols TOTP (staff are held at enrolment until they do)."""
    page = browser.new_context(locale="zh-CN").new_page()
    sign_in(page, live_url, login, "Staff-Demo-2026")
    page.goto(live_url + "/account/mfa/")
    page.get_by_role("button", name="设置两步验证").click()
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text().strip())
    page.get_by_label("6 位验证码或恢复码").fill(fresh_totp_code(totp, set()))
    page.get_by_role("button", name="开启").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    return page


def test_apply_supplement_approve_certificate_verify(
    page: Page, browser: Browser, live_url: str, screenshot_dir: Path, tmp_path: Path
) -> None:
    sign_in(page, live_url, "13800000001", "Citizen-Demo-2026")
    page.goto(live_url + "/services/gjj-withdraw-rent/")
    page.locator("a.verb-action", has_text="办").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("住房公积金提取")
    expect(page.get_by_label("申请人姓名")).to_have_value("张三")
    page.get_by_label("联系电话").fill("1380000")  # too short: a field error, no JS involved
    page.get_by_label("本人银行卡号").fill("6222020200001234567")
    page.get_by_label("租赁类型").select_option("market")
    page.get_by_label("月租金（元）").fill("1800")
    page.locator("#submit-application").click()
    expect(page.locator("#f_phone_error")).to_have_text("请输入11位手机号码。")
    page.get_by_label("联系电话").fill("13800000001")
    page.get_by_label("月租金（元）").fill("1800")
    lease = tmp_path / "lease.pdf"
    lease.write_bytes(PDF)
    page.get_by_label("房屋租赁合同").set_input_files(str(lease))
    page.screenshot(path=str(screenshot_dir / "apply.png"), full_page=True)
    page.locator("#submit-application").click()
    expect(page.locator(".case-facts")).to_contain_text("成都住房公积金管理中心")
    case_url = page.url
    reference = page.locator("h1 small").inner_text().strip()

    clerk = staff_page(browser, live_url, "clerk.cd-gjj")
    clerk.goto(live_url + "/staff/cases/")
    clerk.get_by_role("link", name=reference).click()
    expect(clerk.locator(".case-facts")).to_contain_text("张*")
    clerk.locator("form.action-claim button").click()
    clerk.locator("#items-request_supplement").fill("租赁登记备案证明\n银行卡正面照片")
    clerk.locator("form.action-request_supplement button").click()
    expect(clerk.locator(".case-facts .state-supplement_requested")).to_be_visible()

    # The request reaches the inbox as a service notice (delivered by the task worker).
    inbox = page.locator(".message", has_text=reference)
    page.goto(live_url + "/me/notifications/?tab=service")
    expect(page.locator(".tab.current")).to_have_attribute("data-tab", "service")
    expect(inbox.filter(has_text="请补正材料")).to_be_visible(timeout=20000)
    page.screenshot(path=str(screenshot_dir / "inbox-supplement.png"), full_page=True)
    assert page.locator('[data-tab="promotion"]').count() == 0  # no ads among service notices

    page.goto(case_url)
    expect(page.locator("article.case")).to_contain_text("租赁登记备案证明")
    expect(page.locator("article.case")).to_contain_text("银行卡正面照片")
    page.screenshot(path=str(screenshot_dir / "case-supplement.png"), full_page=True)
    more = tmp_path / "filing.pdf"
    more.write_bytes(PDF)
    page.locator("#files").set_input_files(str(more))
    page.locator("#send-supplement").click()
    expect(page.locator(".case-facts .state-in_review")).to_be_visible()

    reviewer = staff_page(browser, live_url, "reviewer.cd-gjj")
    reviewer.goto(live_url + "/staff/cases/")
    reviewer.get_by_role("link", name=reference).click()
    reviewer.locator("form.action-approve button").click()
    reviewer.locator("form.action-complete button").click()
    expect(reviewer.locator(".case-facts .state-completed")).to_be_visible()

    page.goto(live_url + "/me/notifications/?tab=service")
    expect(inbox.filter(has_text="申请已有决定")).to_be_visible(timeout=20000)
    expect(inbox.filter(has_text="办件已办结")).to_be_visible(timeout=20000)
    page.screenshot(path=str(screenshot_dir / "inbox-completed.png"), full_page=True)

    page.goto(case_url)
    expect(page.locator(".case-facts .state-completed")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#certificate-json").click()
    signed = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert signed["statement"]["reference"] == reference
    assert signed["signature"]["alg"] == "Ed25519"
    with page.expect_download() as pdf_download:
        page.locator("#certificate-pdf").click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF-")
    expect(page.locator("section[aria-labelledby=cert] img")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "case-completed.png"), full_page=True)
    page.locator("#verify-link").click()
    expect(page.locator(".notice.valid")).to_be_visible()
    expect(page.locator("article.verify")).not_to_contain_text("张")


def test_birth_bundle_page_shows_the_departments_in_parallel(
    page: Page, browser: Browser, live_url: str, screenshot_dir: Path
) -> None:
    sign_in(page, live_url, "13800000001", "Citizen-Demo-2026")
    page.goto(live_url + "/apply/bundle/birth/")
    for name, value in {
        "phone": "13800000001",
        "spouse_name": "李梅",
        "expected_date": "2026-10-20",
        "child_order": "1",
        "child_name": "张小宝",
        "child_birth_date": "2026-10-20",
        "hukou_address": "成都市锦江区东大街100号",
    }.items():
        page.locator(f"[name={name}]").fill(value)
    page.locator("#submit-application").click()
    expect(page.locator("ol.lanes > li")).to_have_count(3)
    expect(page.locator(".bundle-summary")).to_contain_text("0")
    lanes = page.locator("ol.lanes > li")
    police = lanes.filter(has_text="新生儿落户")
    reference = police.locator("a").first.inner_text().strip()

    clerk = staff_page(browser, live_url, "clerk.cd-police")
    clerk.goto(live_url + "/staff/cases/?assignee=unassigned")
    expect(clerk.locator("#assignee")).to_have_value("unassigned")
    expect(clerk.locator("#bulk-action option")).to_have_count(3)
    clerk.screenshot(path=str(screenshot_dir / "staff-queue.png"), full_page=True)
    clerk.get_by_role("link", name=reference).click()
    clerk.locator("form.action-accept button").click()
    expect(clerk.locator(".case-facts .state-accepted")).to_be_visible()

    page.reload()
    expect(police.locator(".state-accepted")).to_be_visible()
    expect(lanes.locator(".state-submitted")).to_have_count(2)
    for lane in lanes.all():
        expect(lane.locator("time").first).to_have_attribute("datetime", re.compile(r"\d{4}-"))
    page.screenshot(path=str(screenshot_dir / "bundle-lanes.png"), full_page=True)
