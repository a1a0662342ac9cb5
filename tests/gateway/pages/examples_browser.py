"""Units learning from each other in Debian's Chromium through Playwright, run as its own process
by tests/gateway/pages/test_examples_browser.py (Playwright's sync API does not run under the
tests' eventlet monkey-patching): the county office, on a desktop, marks an item as a 范例
through the confirmation page, writes a guidance note (分类指导) and opens the pages to revise it
and to end the mark; A001's operator, on a phone, opens the editor for an obligation of the same
matter with the example and the note beside it; anyone reads /models. axe-core on every page,
each at 390×844 and 1280×800 (the widths checked; screenshots kept with --screenshots DIR).

    python -m tests.gateway.pages.examples_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]
"""
from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.gateway.pages.console_browser import sign_in
from tests.gateway.pages.portal_browser import DESKTOP, PHONE, check_page, run_walk




def walk(browser: Browser, base: str, spec: dict, shots: Path | None) -> dict:
    found: dict = {"axe": {}, "widths": {}}
    axe = Axe()
    office = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(office, base, "office", spec["password"])
    office.goto(f"{base}/console/examples?item={spec['item_id']}")
    check_page(office, axe, found, "examples", shots, "examples")
    office.get_by_role("button", name="下一步：确认").click()  # no reason
    found["refused"] = office.locator("#form-errors").inner_text()
    check_page(office, axe, found, "examples-refused", shots, "examples")
    office.locator("#f-reason").fill(spec["reason"])
    office.get_by_role("button", name="下一步：确认").click()
    check_page(office, axe, found, "example-confirm", shots, "examples")
    office.get_by_role("button", name="确认标为范例").click()
    found["marked"] = office.locator("[role=status]").first.inner_text()
    found["listed"] = office.locator("main").inner_text()
    office.locator("li", has_text=spec["title"]).get_by_role("link", name="取消范例").click()
    check_page(office, axe, found, "example-end", shots, "examples")

    office.goto(f"{base}/console/guidance/new")
    check_page(office, axe, found, "guidance-new", shots, "examples")
    office.locator("#f-entry_code").select_option(spec["entry_code"])
    office.locator("#f-sector").select_option("agency")
    office.locator("#f-title").fill(spec["note_title"])
    office.locator("#f-body").fill(spec["note_body"])
    office.get_by_role("button", name="下一步：确认").click()
    check_page(office, axe, found, "guidance-confirm", shots, "examples")
    office.get_by_role("button", name="确认发布").click()
    found["noted"] = office.locator("[role=status]").first.inner_text()
    check_page(office, axe, found, "guidance", shots, "examples")
    office.locator("li", has_text=spec["note_title"]).get_by_role("link", name="修改").click()
    check_page(office, axe, found, "guidance-revise", shots, "examples")
    office.goto(f"{base}/console/guidance")
    office.locator("li", has_text=spec["note_title"]).get_by_role("link", name="停用").click()
    check_page(office, axe, found, "guidance-retire", shots, "examples")

    operator = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(operator, base, "op-a001", spec["password"])
    operator.goto(f"{base}/console/obligations/{spec['obligation_id']}")
    operator.get_by_role("link", name="起草公开内容，完成这项任务").click()
    found["aside"] = operator.locator("aside").inner_text()
    check_page(operator, axe, found, "editor", shots, "examples")

    reader = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    for _ in range(40):  # the read model drops its page on ExampleMarked, or within its TTL
        reader.goto(f"{base}/models")
        if spec["title"] in reader.locator("main").inner_text():
            break
        reader.wait_for_timeout(1000)
    found["models"] = reader.locator("main").inner_text()
    check_page(reader, axe, found, "models", shots, "examples")
    return found


if __name__ == "__main__":
    run_walk(walk)
