"""A unit's public commitment in Debian's Chromium through Playwright, run as its own process by
tests/gateway/pages/test_commitment_browser.py: A001's operator, on a phone, records a commitment
with two milestones (one outside the year refused next to its field first), reports one done
through its confirmation page; the county office reads the unit's commitments, the model
candidates, comments on the unit (a missing grade refused first) and next year's checklist (a
weight that breaks the sum of 100 refused next to its field). axe-core on every
page, each page's width at 390 and 1280 px (portal_browser.check_page; screenshots with --screenshots DIR).

    python -m tests.gateway.pages.commitment_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]
"""
from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.gateway.pages.console_browser import sign_in
from tests.gateway.pages.portal_browser import DESKTOP, PHONE, check_page, run_walk


def commitments(browser: Browser, base: str, spec: dict, shots: Path | None) -> dict:
    found: dict = {"axe": {}, "widths": {}}
    axe = Axe()
    year = spec["year"]
    operator = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(operator, base, "op-a001", spec["password"], f"/console/commitments?year={year}")
    check_page(operator, axe, found, "commitments", shots, "commitment")
    operator.locator("#f-text").fill(spec["text"])
    operator.locator("#f-due_on").fill(f"{year}-12-31")
    operator.locator("#f-m1-title").fill("制定公开清单")
    operator.locator("#f-m1-due_on").fill(f"{year}-01-31")
    operator.locator("#f-m2-title").fill("年底全面自查")
    operator.locator("#f-m2-due_on").fill(f"{int(year) + 1}-01-15")
    operator.get_by_role("button", name="录入承诺").click()
    found["refused"] = operator.locator("#form-errors").inner_text()
    check_page(operator, axe, found, "commitments-refused", shots, "commitment")
    operator.locator("#f-m2-due_on").fill(f"{year}-12-15")
    operator.get_by_role("button", name="录入承诺").click()
    operator.get_by_role("link", name="填报完成：制定公开清单").last.click()
    check_page(operator, axe, found, "commitment-milestone", shots, "commitment")
    operator.locator("#f-done_on").fill(spec["done_on"])
    operator.locator("#f-note").fill(spec["note"])
    operator.get_by_role("button", name="确认已完成").click()
    found["after"] = operator.locator("main").inner_text()
    check_page(operator, axe, found, "commitments-progress", shots, "commitment")

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(office, base, "office", spec["password"], f"/console/commitments?unit=A001&year={year}")
    found["office"] = office.locator("main").inner_text()
    check_page(office, axe, found, "commitments-office", shots, "commitment")
    office.goto(f"{base}/console/candidates")
    found["candidates"] = office.locator("main").inner_text()
    check_page(office, axe, found, "candidates", shots, "commitment")
    office.goto(f"{base}/console/comments?unit=A001")
    office.locator("#f-text").fill(spec["comment"])
    office.get_by_role("button", name="保存点评").click()  # no grade
    found["comment_refused"] = office.locator("#form-errors").inner_text()
    check_page(office, axe, found, "comments-refused", shots, "commitment")
    office.get_by_role("radio", name="优秀").check()
    office.get_by_role("button", name="保存点评").click()
    found["comments"] = office.locator("main").inner_text()
    check_page(office, axe, found, "comments", shots, "commitment")
    office.goto(f"{base}/console/checklist")
    check_page(office, axe, found, "checklist", shots, "commitment")
    office.locator("#f-weight-content").fill("99")
    office.get_by_role("button", name="发布新版本").click()
    found["checklist_refused"] = office.locator("#form-errors").inner_text()
    check_page(office, axe, found, "checklist-refused", shots, "commitment")
    return found


if __name__ == "__main__":
    run_walk(commitments)
