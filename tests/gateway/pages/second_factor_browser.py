"""The second factor's pages in Chromium (Playwright), run by test_console_second_factor.py in a
process of its own: an office account's first sign-in enrols (the QR code page), the recovery
codes page, and a later sign-in's code page; each checked with axe and, with --screenshots, shot
at 390 and 1280 px.

    python -m tests.gateway.pages.second_factor_browser BASE USERNAME PASSWORD RESULT.json [--screenshots DIR]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.gateway.pages.portal_browser import ARGS, AXE_OPTIONS, CHROMIUM, PHONE, screenshots, serious
from tests.otp import code_for, wrong_code


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("base", "username", "password", "result"):
        parser.add_argument(name)
    parser.add_argument("--screenshots")
    args = parser.parse_args()
    shots = Path(args.screenshots) if args.screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    axe, found, seen = Axe(), {}, {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()

        def check(name: str) -> None:
            found[name] = serious(axe.run(page, options=AXE_OPTIONS).response)
            screenshots(page, shots, f"console-{name}")
            seen[name] = {"h1": page.locator("h1").first.inner_text(),
                          "scroll_width": page.evaluate("document.documentElement.scrollWidth")}

        def password() -> None:
            page.goto(f"{args.base}/login")
            page.locator("#f-username").fill(args.username)
            page.locator("#f-password").fill(args.password)
            page.get_by_role("button", name="登录").click()

        password()
        check("login-enrol")
        secret = page.locator("#otp-secret").inner_text().replace(" ", "")
        page.locator("#f-otp").fill(code_for(args.username, args.base, secret))
        page.get_by_role("button", name="完成绑定并登录").click()
        check("login-recovery")
        seen["codes"] = page.locator("#recovery-codes li").count()
        page.get_by_role("link", name="我已保存，继续").click()
        seen["after_enrol"] = page.url
        page.context.clear_cookies()
        password()
        check("login-otp")
        page.locator("#f-otp").fill(wrong_code(secret))
        page.get_by_role("button", name="验证并登录").click()
        check("login-otp-refused")
        page.locator("#f-otp").fill(code_for(args.username, args.base, secret))
        page.get_by_role("button", name="验证并登录").click()
        seen["after_code"] = page.url
        browser.close()
    Path(args.result).write_text(json.dumps({"axe": found, "seen": seen}, ensure_ascii=False))


if __name__ == "__main__":
    main()
