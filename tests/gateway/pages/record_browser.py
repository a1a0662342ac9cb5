"""A submitted inspection record corrected in Debian's Chromium through Playwright, run as its own
process by tests/gateway/pages/test_record_browser.py: the county office, on a phone, opens A001's
submitted record, corrects it (one finding kept, one removed, one added; the reason left out first
and refused next to its field), reads the confirmation of what becomes of each rectification,
confirms, and reads both revisions; A001's operator reads them too. axe-core on every page, each
page's width at 390 and 1280 px (portal_browser.check_page; screenshots kept with --screenshots DIR).

    python -m tests.gateway.pages.record_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]
"""
from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.gateway.pages.console_browser import sign_in
from tests.gateway.pages.portal_browser import PHONE, check_page, run_walk


def correct(browser: Browser, base: str, spec: dict, shots: Path | None) -> dict:
    found: dict = {"axe": {}, "widths": {}}
    axe = Axe()
    record = f"{base}/console/inspections/{spec['inspection_id']}/units/{spec['unit']}"
    office = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(office, base, "office", spec["password"], record.removeprefix(base))
    check_page(office, axe, found, "record-submitted", shots, "record")
    office.get_by_role("link", name="更正检查记录").click()
    found["form_h1"] = office.locator("h1").first.inner_text()
    check_page(office, axe, found, "record-correct", shots, "record")
    office.locator("#f-finding-2-text").fill("")  # removed: its rectification withdrawn
    office.locator("#f-finding-3-dimension").select_option("content")
    office.locator("#f-finding-3-text").fill(spec["added"])
    office.locator("#f-finding-3-deduction").fill("1")
    office.get_by_role("button", name="下一步：确认更正").click()  # no reason
    found["refused"] = office.locator("#form-errors").inner_text()
    check_page(office, axe, found, "record-correct-refused", shots, "record")
    office.locator("#f-reason").fill(spec["reason"])
    office.get_by_role("button", name="下一步：确认更正").click()
    found["confirm"] = office.locator("main").inner_text()
    check_page(office, axe, found, "record-correct-confirm", shots, "record")
    office.get_by_role("button", name="确认更正").click()
    found["done"] = office.locator("[role=status]").first.inner_text()
    found["revisions"] = office.locator("main").inner_text()
    check_page(office, axe, found, "record-revisions", shots, "record")

    operator = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(operator, base, "op-a001", spec["password"], f"{record.removeprefix(base)}/revisions")
    found["unit_reads"] = operator.locator("main").inner_text()
    check_page(operator, axe, found, "record-revisions-unit", shots, "record")
    return found


if __name__ == "__main__":
    run_walk(correct)
