"""The feedback sender's contact pages in Debian's Chromium through Playwright, run as its own
process by tests/gateway/pages/test_sender_browser.py: the feedback form (its contact notice),
the tracking page and the erasure's confirmation page at 390 px (no sideways scroll) and 1280 px,
with axe-core's serious and critical WCAG 2.1 AA violations; the sender then erases the contact
with the PIN, without script.

    python -m tests.gateway.pages.sender_browser BASE_URL CODE PIN RESULT.json SHOTS_DIR
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.gateway.pages.portal_browser import ARGS, AXE_OPTIONS, CHROMIUM, PHONE, screenshots, serious


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("base", "code", "pin", "result", "shots"):
        parser.add_argument(name)
    args = parser.parse_args()
    shots, axe = Path(args.shots), Axe()
    result: dict = {"axe": {}, "scroll_width": {}, "status": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
        for name, path in (("form", "/feedback/new?target=unit:A001"), ("track", f"/track/{args.code}"),
                           ("erase", f"/track/{args.code}/erase")):
            answer = page.goto(args.base + path)
            result["status"][name] = answer.status if answer else None
            result["axe"][name] = serious(axe.run(page, options=AXE_OPTIONS).response)
            result["scroll_width"][name] = page.evaluate("document.documentElement.scrollWidth")
            screenshots(page, shots, f"sender-{name}")
        page.get_by_label("查询密码").fill(args.pin)
        page.get_by_role("button", name="确认删除联系方式").click()
        result["erased"] = page.locator("[role=status]").first.inner_text()
        screenshots(page, shots, "sender-erased")
        browser.close()
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
