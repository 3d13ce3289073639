"""The pay journey in Chromium: find the water bill, pay on the simulator's cashier, come back,
see the receipt and the service notification."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.servers import demo_env, demo_server
from tests.fixtures import free_port
from tests.payments.support import SECRET, start_pay_sim

PHONE, PASSWORD = "13800000001", "Citizen-Demo-2026"  # the demo citizen 张三, water 10086001


@pytest.fixture(scope="module")
def pay_url() -> Iterator[str]:
    """A demo server whose provider is a ``citizencloud-sim pay`` process."""
    sim = start_pay_sim()
    port = free_port()
    env = demo_env(
        "pay",
        PAYMENTS_PROVIDER_URL=sim.url,
        PAYMENTS_PROVIDER_SECRET=SECRET,
        PAYMENTS_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )
    try:
        with demo_server(env, port) as url:
            yield url
    finally:
        sim.stop()


def test_pay_a_water_bill_on_the_cashier_and_get_the_receipt(
    page: Page, pay_url: str, screenshot_dir: object
) -> None:
    page.goto(f"{pay_url}/account/login/?next=/pay/")
    page.fill("[name=login]", PHONE)
    page.fill("[name=password]", PASSWORD)
    page.locator("form:has([name=password]) [type=submit]").click()
    page.wait_for_url(f"{pay_url}/pay/")
    bill = page.locator("#open-bills .bill", has_text="成都市自来水")
    expect(bill).to_contain_text("¥46.80")
    page.screenshot(path=f"{screenshot_dir}/payments-bills.png")
    bill.locator(".pay-button").click()
    expect(page.locator("h1")).to_contain_text("模拟收银台")
    expect(page.locator("#amount")).to_have_text("¥46.80")
    page.locator("#pay").click()
    page.wait_for_url(f"{pay_url}/pay/payments/**")
    for _ in range(30):  # the signed notice arrives within moments; the page says so meanwhile
        if page.locator("#receipt-link").count():
            break
        page.wait_for_timeout(300)
        page.reload()
    expect(page.locator("dl.payment")).to_have_attribute("data-state", "succeeded")
    page.screenshot(path=f"{screenshot_dir}/payments-paid.png")
    receipt = page.request.get(
        pay_url + (page.locator("#receipt-link").get_attribute("href") or "")
    )
    assert receipt.status == 200
    assert receipt.body().startswith(b"%PDF")
    page.goto(f"{pay_url}/pay/")
    expect(page.locator("#open-bills .bill", has_text="成都市自来水")).to_have_count(0)
    page.goto(f"{pay_url}/me/notifications/?tab=service")
    expect(page.locator(".message", has_text="缴费成功")).to_have_count(1, timeout=15000)
