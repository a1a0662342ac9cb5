"""The county office's reports in Debian's Chromium through Playwright, run as its own process by
tests/gateway/pages/test_report_browser.py: the office, on a phone, drafts the year's report (a
period of the wrong shape refused next to its field first), edits its text, issues it through the
confirmation page, and the public reads it on the portal's list and its page. axe-core on every
page, each page's width at 390 and 1280 px (portal_browser.check_page; screenshots with --screenshots DIR).

    python -m tests.gateway.pages.report_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]
"""
from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.gateway.pages.console_browser import sign_in
from tests.gateway.pages.portal_browser import PHONE, check_page, run_walk


def reports(browser: Browser, base: str, spec: dict, shots: Path | None) -> dict:
    found: dict = {"axe": {}, "widths": {}}
    axe = Axe()
    office = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(office, base, "office", spec["password"], "/console/reports")
    check_page(office, axe, found, "reports", shots, "report")
    office.get_by_role("radio", name="年度报告").check()
    office.locator("#f-period").fill(spec["year"] + "-01")
    office.get_by_role("button", name="起草").click()
    found["refused"] = office.locator("#form-errors").inner_text()
    check_page(office, axe, found, "reports-refused", shots, "report")
    office.locator("#f-period").fill(spec["year"])
    office.get_by_role("button", name="起草").click()
    found["edit_h1"] = office.locator("h1").first.inner_text()
    found["draft"] = office.locator("#f-text").input_value()
    check_page(office, axe, found, "report-edit", shots, "report")
    office.locator("#f-text").fill(spec["text"])
    office.get_by_role("button", name="保存修改").click()
    check_page(office, axe, found, "report-draft", shots, "report")
    office.get_by_role("link", name="印发").click()
    check_page(office, axe, found, "report-issue", shots, "report")
    office.get_by_role("button", name="确认印发").click()
    found["issued"] = office.locator("main").inner_text()
    check_page(office, axe, found, "report-issued", shots, "report")

    public = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    public.goto(f"{base}/reports")
    check_page(public, axe, found, "portal-reports", shots, "report")
    public.get_by_role("link", name=spec["title"]).click()
    found["public"] = public.locator("main").inner_text()
    check_page(public, axe, found, "portal-report", shots, "report")
    return found


if __name__ == "__main__":
    run_walk(reports)
