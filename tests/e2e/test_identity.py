"""One account in a real browser: register, read the code on the development SMS page, sign in,
turn on TOTP, sign out, sign in again with the authenticator code."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
from playwright.sync_api import Page, expect

PERSON = {"name": "王五", "id_number": "510124198806223979", "phone": "13912345678"}
PASSWORD = "a long enough pass phrase"


def wait_for_code(page: Page, live_url: str, phone: str) -> str:
    """The worker sends the text after the commit: poll the development SMS page."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page.goto(live_url + "/dev/sms")
        row = page.locator("tr", has=page.locator(".sms-phone", has_text=phone)).first
        if row.count():
            code = row.locator(".sms-code").inner_text().strip()
            if code:
                return code
        time.sleep(0.5)
    raise AssertionError("no code arrived on /dev/sms")


def fresh_totp_code(totp: pyotp.TOTP, used: set[str]) -> str:
    while (code := totp.now()) in used:
        time.sleep(1)
    used.add(code)
    return code


def test_register_login_enrol_totp_and_login_with_it(
    page: Page, live_url: str, screenshot_dir: Path
) -> None:
    page.goto(live_url + "/")
    page.get_by_role("link", name="登录").first.click()
    page.get_by_role("link", name="注册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("注册账号")
    page.get_by_label("真实姓名").fill(PERSON["name"])
    page.get_by_label("身份证号码").fill(PERSON["id_number"][:-1] + "0")  # wrong check digit
    page.get_by_label("手机号码").fill(PERSON["phone"])
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.locator(".field-error")).to_contain_text("校验位")
    page.get_by_label("身份证号码").fill(PERSON["id_number"])
    page.get_by_label("密码").fill(PASSWORD)
    page.screenshot(path=str(screenshot_dir / "register.png"), full_page=True)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("验证手机")

    code = wait_for_code(page, live_url, PERSON["phone"])
    page.goto(live_url + "/account/register/verify/")
    page.get_by_label("手机号码").fill(PERSON["phone"])
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="验证并激活").click()
    expect(page.locator(".message")).to_contain_text("账号已激活")

    page.get_by_label("手机号或身份证号").fill(PERSON["phone"])
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账号")
    expect(page.locator(".profile-id")).to_have_text("5101**********3979")
    expect(page.locator(".profile-phone")).to_have_text("139****5678")

    page.get_by_role("link", name="两步验证").first.click()
    page.get_by_role("button", name="设置两步验证").click()
    expect(page.locator("img.qr")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "mfa-enrol.png"), full_page=True)
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text().strip())
    used: set[str] = set()
    page.get_by_label("6 位验证码或恢复码").fill(fresh_totp_code(totp, used))
    page.get_by_role("button", name="开启").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)

    page.get_by_role("link", name="我的账号").first.click()
    page.locator("#logout").click()
    expect(page.get_by_role("link", name="登录").first).to_be_visible()

    page.goto(live_url + "/account/login/")
    page.get_by_label("手机号或身份证号").fill(PERSON["id_number"])
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("两步验证")
    page.get_by_label("6 位验证码或恢复码").fill(fresh_totp_code(totp, used))
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账号")
    expect(page.locator(".profile-mfa")).to_contain_text("已开启")
    page.screenshot(path=str(screenshot_dir / "account.png"), full_page=True)
