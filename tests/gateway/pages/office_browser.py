"""The rectification loop and a unit's standing in Debian's Chromium through Playwright, run as its
own process by tests/gateway/pages/test_office_browser.py (Playwright's sync API does not run under
the tests' eventlet monkey-patching): A001's operator, on a phone, submits a rectification with a
photo and a PDF file; the county office, on a desktop, returns it with a reason; the operator
submits again; the office accepts it; the operator reads the unit's standing. axe-core on every
page, each at 390×844 and 1280×800 (the widths checked; screenshots kept with --screenshots DIR).

    python -m tests.gateway.pages.office_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]
"""
from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.gateway.pages.console_browser import sign_in
from tests.gateway.pages.portal_browser import DESKTOP, PHONE, check_page, run_walk




def loop(browser: Browser, base: str, spec: dict, shots: Path | None) -> dict:
    found: dict = {"axe": {}, "widths": {}}
    axe = Axe()
    url = f"{base}/console/rectifications/{spec['rectification_id']}"
    operator = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(operator, base, "op-a001", spec["password"])
    operator.get_by_role("link", name=spec["finding"]).click()  # from 我的待办's 待整改
    found["operator_h1"] = operator.locator("h1").first.inner_text()
    check_page(operator, axe, found, "rectification-open", shots, "office")
    operator.get_by_role("link", name="提交整改情况").click()
    check_page(operator, axe, found, "rectification-submit", shots, "office")
    operator.locator("#f-evidence").set_input_files(spec["wrong_file"])
    operator.get_by_role("button", name="确认提交整改情况").click()  # no text, and a text file
    found["refused"] = operator.locator("#form-errors").inner_text()
    check_page(operator, axe, found, "rectification-submit-refused", shots, "office")
    operator.locator("#f-done").fill(spec["done"])
    operator.locator("#f-evidence").set_input_files([spec["photo"], spec["pdf"]])
    operator.get_by_role("button", name="确认提交整改情况").click()
    found["submitted"] = operator.locator("[role=status]").first.inner_text()
    found["evidence"] = operator.locator("article").first.inner_text()

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(office, base, "office", spec["password"])
    office.goto(url)
    check_page(office, axe, found, "rectification-submitted", shots, "office")
    office.get_by_role("link", name="退回重新整改").click()
    found["office_reads"] = office.locator("main").inner_text()
    check_page(office, axe, found, "rectification-return", shots, "office")
    office.locator("#f-reason").fill(spec["reason"])
    office.get_by_role("button", name="确认退回重新整改").click()
    found["returned"] = office.locator("[role=status]").first.inner_text()

    operator.goto(f"{url}/submit")
    found["returned_notice"] = operator.locator(".notice.warn").first.inner_text()
    operator.locator("#f-done").fill(spec["done_again"])
    operator.get_by_role("button", name="确认提交整改情况").click()
    office.goto(url)
    office.get_by_role("link", name="验收通过").click()
    check_page(office, axe, found, "rectification-accept", shots, "office")
    office.get_by_role("button", name="确认验收通过").click()
    found["accepted"] = office.locator("[role=status]").first.inner_text()
    check_page(office, axe, found, "rectification-accepted", shots, "office")

    operator.get_by_role("link", name="本单位考核").click()
    found["standing"] = operator.locator("main").inner_text()
    check_page(operator, axe, found, "standing", shots, "office")
    office.goto(f"{base}/console/scores")
    office.get_by_role("link", name="中共县委办公室机关支部委员会").first.click()
    found["office_standing"] = office.locator("main").inner_text()
    check_page(office, axe, found, "standing-office", shots, "office")
    return found


if __name__ == "__main__":
    run_walk(loop)
