"""The console pages notifications land on, and the inbox, in Debian's Chromium through
Playwright, run as its own process by tests/gateway/pages/test_notice_browser.py: each page as its reader
signs in to it at 390 px (no sideways scroll) and 1280 px, with axe-core's serious and
critical WCAG 2.1 AA violations; the inbox marks a message read with its button, and the
settings page saves a channel switched off, both without script; a signed-out sender rates an
answer on its tracking page with the PIN.

    python -m tests.gateway.pages.notice_browser BASE_URL SPEC.json RESULT.json SHOTS_DIR
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.gateway.pages.console_browser import sign_in
from tests.gateway.pages.portal_browser import ARGS, AXE_OPTIONS, CHROMIUM, PHONE, screenshots, serious


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("spec")
    parser.add_argument("result")
    parser.add_argument("shots")
    args = parser.parse_args()
    spec, shots, axe = json.loads(Path(args.spec).read_text()), Path(args.shots), Axe()
    result: dict = {"axe": {}, "scroll_width": {}, "status": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for username, paths in spec["pages"].items():
            page = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
            if username != "anonymous":
                sign_in(page, args.base, username, spec["password"], paths[0])
            for path in paths:
                answer = page.goto(args.base + path)
                name = f"{username}{path}".replace("/", "-")
                result["status"][name] = answer.status if answer else None
                result["axe"][name] = serious(axe.run(page, options=AXE_OPTIONS).response)
                result["scroll_width"][name] = page.evaluate("document.documentElement.scrollWidth")
                screenshots(page, shots, f"notice-{name}")
            if username == spec["reader"]:
                page.goto(args.base + "/console/inbox")
                before = page.locator(".message.unread").count()
                page.get_by_role("button", name="标为已读", exact=True).first.click()
                result["inbox"] = {"before": before, "after": page.locator(".message.unread").count(),
                                   "notice": page.locator("[role=status]").first.inner_text()}
                page.goto(args.base + "/console/preferences")
                page.get_by_label("短信").uncheck()
                page.get_by_role("button", name="保存").click()
                result["preferences"] = {"notice": page.locator("[role=status]").first.inner_text(),
                                         "sms_checked": page.get_by_label("短信").is_checked()}
                page.get_by_label("短信").check()
                page.get_by_role("button", name="保存").click()
        track = spec.get("track")
        if track:  # the sender, signed out: the tracking page, then rates the answer with the PIN
            page = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
            page.goto(f"{args.base}/track/{track['code']}")
            name = "anonymous-track"
            result["status"][name] = 200 if page.locator("#rate-h").count() else None
            result["axe"][name] = serious(axe.run(page, options=AXE_OPTIONS).response)
            result["scroll_width"][name] = page.evaluate("document.documentElement.scrollWidth")
            screenshots(page, shots, f"notice-{name}")
            page.get_by_label("基本满意").check()
            page.locator("#r-comment").fill("修好了")
            page.locator("#r-secret").fill(track["pin"])
            page.get_by_role("button", name="提交评价").click()
            result["rated"] = page.locator("[role=status]").first.inner_text()
        browser.close()
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
