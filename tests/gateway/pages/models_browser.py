"""Models (典型) in Debian's Chromium through Playwright, run as its own process by
tests/gateway/pages/test_models_browser.py: the county office, on a phone, opens the candidates,
nominates one (a missing reason refused next to its field first), designates the nomination for
a term from the list of designations, then opens 典型复核, keeps one model whose score fell
(a missing reason refused first; the model leaves the list, its review shows on the designations)
and revokes another with a reason. axe-core on every page, each page's width at 390 and 1280 px
(office_browser.check; screenshots with --screenshots DIR).

    python -m tests.gateway.pages.models_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]
"""
from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.gateway.pages.console_browser import sign_in
from tests.gateway.pages.portal_browser import PHONE, check_page, run_walk


def models(browser: Browser, base: str, spec: dict, shots: Path | None) -> dict:
    found: dict = {"axe": {}, "widths": {}}
    axe = Axe()
    office = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(office, base, "office", spec["password"], "/console/candidates")
    check_page(office, axe, found, "candidates", shots, "models")
    office.goto(f"{base}/console/candidates/{spec['candidate']}/nominate")
    check_page(office, axe, found, "nominate", shots, "models")
    office.get_by_role("button", name="确认提名").click()
    found["nominate_refused"] = office.locator("#form-errors").inner_text()
    check_page(office, axe, found, "nominate-refused", shots, "models")
    office.locator("#f-reason").fill(spec["reason"])
    office.get_by_role("button", name="确认提名").click()
    found["nominated"] = office.locator("[role=status]").first.inner_text()
    check_page(office, axe, found, "designations", shots, "models")
    office.locator("li", has_text=spec["candidate"]).get_by_role("link", name="认定为典型").click()
    check_page(office, axe, found, "designate", shots, "models")
    office.locator("#f-term_years").fill("2")
    office.get_by_role("button", name="确认认定为典型").click()
    found["designated"] = office.locator("[role=status]").first.inner_text()
    check_page(office, axe, found, "designated", shots, "models")

    office.goto(f"{base}/console/models/review")
    found["review"] = office.locator("main").inner_text()
    check_page(office, axe, found, "review", shots, "models")
    office.locator(f"a[href^='/console/designations/{spec['kept']}/keep?period=']").click()
    check_page(office, axe, found, "keep", shots, "models")
    office.get_by_role("button", name="确认复核后保留").click()
    found["keep_refused"] = office.locator("#form-errors").inner_text()
    check_page(office, axe, found, "keep-refused", shots, "models")
    office.locator("#f-reason").fill(spec["keep_reason"])
    office.get_by_role("button", name="确认复核后保留").click()
    found["kept"] = office.locator("[role=status]").first.inner_text()
    found["kept_record"] = office.locator("li", has_text=spec["keep_reason"]).first.inner_text()
    check_page(office, axe, found, "kept", shots, "models")
    for _ in range(60):  # supervision learns of the keep from units' event: a moment later
        office.goto(f"{base}/console/models/review")
        found["review_after_keep"] = office.locator("main").inner_text()
        if spec["kept_unit"] not in found["review_after_keep"]:
            break
        office.wait_for_timeout(500)
    office.locator(f"a[href='/console/designations/{spec['fallen']}/revoke']").click()
    check_page(office, axe, found, "revoke", shots, "models")
    office.locator("#f-reason").fill(spec["revoke_reason"])
    office.get_by_role("button", name="确认撤销认定").click()
    found["revoked"] = office.locator("[role=status]").first.inner_text()
    check_page(office, axe, found, "revoked", shots, "models")
    return found


if __name__ == "__main__":
    run_walk(models)
