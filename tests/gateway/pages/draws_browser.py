"""The 双随机 registers and a draw at a stated time in Debian's Chromium through Playwright, run as
its own process by tests/gateway/pages/test_console_draws.py: the county office, on a phone,
adds an inspector to the register through its confirmation page, is refused in words next to
the form when adding them again, takes an entry out through its confirmation page, is refused
a draw the registers are too small for, then plans one on a desktop and reads its inspection
page and the portal's draw page (the commitment, no seed yet); then the 大屏 with its figures. axe-core on every page, each at
390×844 and 1280×800 (portal_browser.check_page; screenshots kept with --screenshots DIR).

    python -m tests.gateway.pages.draws_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]
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
    office = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(office, base, "office", spec["password"], "/console/inspections")
    office.get_by_role("link", name="双随机抽查名录").click()
    check_page(office, axe, found, "draw-registers", shots, "draws")
    form = office.locator('form[action="/console/draw-registers/inspectors"]')
    form.locator("#f-username").fill(spec["inspector"])
    form.locator("#f-unit_code").fill("A002")
    form.get_by_role("button", name="下一步：核对").click()
    found["confirm"] = office.locator("main").inner_text()
    check_page(office, axe, found, "draw-register-confirm", shots, "draws")
    office.get_by_role("button", name="确认加入").click()
    found["added"] = office.locator("[role=status]").first.inner_text()
    found["registers"] = office.locator("#inspectors").inner_text()
    form = office.locator('form[action="/console/draw-registers/inspectors"]')
    form.locator("#f-username").fill(spec["inspector"])
    form.get_by_role("button", name="下一步：核对").click()
    office.get_by_role("button", name="确认加入").click()
    found["refused"] = office.locator("#problem-inspectors").inner_text()
    check_page(office, axe, found, "draw-registers-refused", shots, "draws")
    office.get_by_role("link", name=f"移出 {spec['leaving']}").click()
    check_page(office, axe, found, "draw-register-end", shots, "draws")
    office.get_by_role("button", name="确认移出").click()
    found["ended"] = office.locator("[role=status]").first.inner_text()

    office.set_viewport_size(DESKTOP)
    office.get_by_role("link", name="定时双随机抽查").click()
    check_page(office, axe, found, "draw-plan", shots, "draws")
    office.locator("#f-title").fill(spec["title"])
    office.locator("#f-count").fill("500")
    office.get_by_role("button", name="下一步：核对").click()
    check_page(office, axe, found, "draw-plan-confirm", shots, "draws")
    office.get_by_role("button", name="确认安排").click()
    found["too_many"] = office.locator("#problem").inner_text()
    check_page(office, axe, found, "draw-plan-refused", shots, "draws")
    office.locator("#f-count").fill("2")
    office.get_by_role("button", name="下一步：核对").click()
    office.get_by_role("button", name="确认安排").click()
    found["planned"] = office.locator("#scheduled-draw").inner_text()
    found["inspection_url"] = office.url
    check_page(office, axe, found, "draw-planned", shots, "draws")
    office.get_by_role("link", name="抽签公示页").click()
    found["public"] = office.locator("main").inner_text()
    check_page(office, axe, found, "draw-public-scheduled", shots, "draws")
    office.goto(f"{base}/console/screen")  # 大屏, with the dashboard's four newer figures
    found["screen_captions"] = office.locator("caption").all_inner_texts()
    check_page(office, axe, found, "screen", shots, "draws")
    return found


if __name__ == "__main__":
    run_walk(walk)
