"""The public draw page (/draws/{id}) in Chromium, run as its own process by
tests/gateway/api/test_supervision_api.py: axe-core's serious and critical WCAG 2.1 AA
violations at 390 px and 1280 px, how wide the page is on a phone, and screenshots of both
widths into the folder given."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.gateway.pages.portal_browser import ARGS, AXE_OPTIONS, CHROMIUM, DESKTOP, PHONE, serious


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("result")
    parser.add_argument("screenshots")
    args = parser.parse_args()
    shots = Path(args.screenshots)
    shots.mkdir(parents=True, exist_ok=True)
    result: dict = {"axe": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # axe-core is injected as a script: this context bypasses the CSP to run it
            page = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
            page.goto(args.url)
            for label, size in (("390", PHONE), ("1280", DESKTOP)):
                page.set_viewport_size(size)
                page.screenshot(path=str(shots / f"draw-{label}.png"), full_page=True)
                result["axe"][label] = serious(Axe().run(page, options=AXE_OPTIONS).response)
                result[f"scroll_width_{label}"] = page.evaluate("document.documentElement.scrollWidth")
            result["h1"] = page.inner_text("h1")
        finally:
            browser.close()
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
