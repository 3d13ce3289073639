"""查 in a real browser: open 我的, see the housing-fund balance from the department simulator,
then apply for 住房公积金提取 with the form already filled from it (and its source named).

This module starts its own server and ``citizencloud-sim dept`` (the shared ``live_url`` server
has no department systems), exactly as ``make run`` does: migrate, seed_demo, serve."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.servers import demo_env, demo_server, stop_process
from tests.e2e.test_applications import sign_in
from tests.fixtures import ROOT, free_port, wait_http


@pytest.fixture(scope="module")
def query_url() -> Iterator[str]:
    port, dept_port = free_port(), free_port()
    env = demo_env("query", EXCHANGE_DEPT_URL=f"http://127.0.0.1:{dept_port}")
    url = f"http://127.0.0.1:{port}"
    sim = subprocess.Popen(
        [sys.executable, "-m", "citizencloud_sim", "dept", "--port", str(dept_port),
         "--platform-url", url],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{dept_port}/healthz")
        with demo_server(env, port) as served:
            yield served
    finally:
        stop_process(sim)


def test_my_records_then_a_withdrawal_filled_from_them(
    page: Page, query_url: str, screenshot_dir: Path
) -> None:
    sign_in(page, query_url, "13800000001", "Citizen-Demo-2026")
    page.locator("#nav-my-records").click()  # 我的, in the header for signed-in citizens
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的")
    fund = page.locator("#record-housing_fund")
    expect(fund).to_have_attribute("data-status", "fresh")
    expect(fund).to_contain_text("成都住房公积金管理中心")
    balance = fund.locator(".figure").inner_text()
    assert re.fullmatch(r"¥[\d,]+\.\d\d", balance), balance
    for kind in ("social_insurance", "medical_insurance", "real_estate", "vehicles",
                 "school_places", "vaccinations"):  # fmt: skip
        expect(page.locator(f"#record-{kind}")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "query-my-records.png"), full_page=True)

    fund.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("住房公积金提取")
    whole_yuan = balance.lstrip("¥").split(".")[0].replace(",", "")
    expect(page.locator("#f_amount")).to_have_value(whole_yuan)
    expect(page.locator("#f_amount_source")).to_contain_text("成都住房公积金管理中心")
    expect(page.locator("#f_gjj_account")).not_to_have_value("")
    expect(page.locator("#f_bank_card")).not_to_have_value("")
    expect(page.get_by_label("申请人姓名")).to_have_value("张三")
    page.screenshot(path=str(screenshot_dir / "query-prefilled-withdrawal.png"), full_page=True)
    if not page.locator("#f_house_address").input_value():  # this citizen owns no home here
        page.locator("#f_house_address").fill("成都市武侯区天府大道北段1号1栋1单元101室")
    page.locator("#submit-application").click()
    expect(page.locator(".case-facts")).to_contain_text("成都住房公积金管理中心")
