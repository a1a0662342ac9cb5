"""The portal in Debian's Chromium through Playwright, run as its own process by
tests/gateway/pages/test_portal_browser.py (Playwright's sync API does not run under the tests' eventlet
monkey-patching): the flow from a poster to a tracked feedback, axe-core on every page, the unit
page at 320 px, no web font, and (with --screenshots DIR) every page at 390×844 and 1280×800.

    python -m tests.gateway.pages.portal_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]

SPEC names the unit, items and tokens to use; RESULT holds what was seen, for the test to judge.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from services.common.config import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


def flow(page: Page, base: str, spec: dict) -> dict:
    """Poster → QR code decoded from its PNG → that URL → an item → feedback → tracked by its code."""
    seen: dict = {}
    page.goto(f"{base}/units/{spec['unit']}/poster")
    shot = page.screenshot(full_page=True)
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    seen["decoded"] = [code.text for code in codes]
    page.goto(codes[0].text)
    seen["unit_h1"] = page.locator("h1").first.inner_text()
    page.get_by_role("link", name=spec["item_title"]).first.click()
    seen["item_h1"] = page.locator("h1").first.inner_text()
    page.get_by_role("link", name="对此事项提意见建议").click()
    page.get_by_label("建议").check()
    page.get_by_label("内容").fill("希望把收支明细按月张贴。")
    page.get_by_role("button", name="提交").click()
    seen["done_h1"] = page.locator("h1").first.inner_text()
    code = page.locator("#tracking-code").inner_text()
    seen["tracking_code"] = code
    page.goto(f"{base}/track")
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    seen["track_url"], seen["track_text"] = page.url, page.locator("main").inner_text()
    return seen


def pages_of(base: str, spec: dict) -> dict[str, str]:
    unit, item = spec["unit"], spec["item_id"]
    return {"home": "/", "search": "/?q=村务", "unit": f"/units/{unit}", "item": f"/items/{item}",
            "corrected": f"/items/{spec['old_id']}", "withdrawn": f"/items/{spec['withdrawn_id']}",
            "merged": f"/units/{spec['merged']}", "plan": f"/plans/{spec['plan_id']}", "models": "/models",
            "feedback_form": f"/feedback/new?target=item:{item}", "track_form": "/track",
            "track": f"/track/{spec['tracking_code']}", "poster": f"/units/{unit}/poster",
            "not_found": "/units/NOSUCH"}


def audit(page: Page, base: str, spec: dict, shots: Path | None) -> dict:
    """axe-core's serious and critical violations per page (and the form shown again with its errors)."""
    axe, found = Axe(), {}
    targets = pages_of(base, spec)
    for name, path in targets.items():
        page.goto(base + path)
        found[name] = serious(axe.run(page, options=AXE_OPTIONS).response)
        screenshots(page, shots, name)
    page.goto(base + targets["feedback_form"])
    page.get_by_role("button", name="提交").click()  # empty: the form again, its error tied to the field
    found["feedback_errors"] = serious(axe.run(page, options=AXE_OPTIONS).response)
    screenshots(page, shots, "feedback_errors")
    return found


def serious(response: dict) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)"
            for v in response["violations"] if v.get("impact") in ("serious", "critical")]


def screenshots(page: Page, shots: Path | None, name: str) -> None:
    if shots is None:
        return
    for label, size in (("390x844", PHONE), ("1280x800", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def check_page(page: Page, axe: Axe, found: dict, name: str, shots: Path | None, prefix: str) -> None:
    """axe-core on the page into found["axe"], and how wide it is at 390 and 1280 px into
    found["widths"] (nothing cut off or scrolling sideways); screenshots of both widths kept with
    --screenshots; the page is left at the phone's width."""
    found["axe"][name] = serious(axe.run(page, options=AXE_OPTIONS).response)
    widths = {}
    for label, size in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        widths[label] = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(PHONE)
    found["widths"][name] = widths
    screenshots(page, shots, f"{prefix}-{name}")


def narrow(page: Page, base: str, spec: dict) -> dict:
    """The unit page at 320 px: nothing wider than the screen."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{base}/units/{spec['unit']}")
    return {"scroll_width": page.evaluate("document.documentElement.scrollWidth")}


def script_arguments() -> tuple[argparse.Namespace, dict, Path | None]:
    """What every browser script of these tests is run with: the base URL, the spec file its test
    wrote, where to write the result, and --screenshots DIR (made here when given)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("spec")
    parser.add_argument("result")
    parser.add_argument("--screenshots")
    args = parser.parse_args()
    shots = Path(args.screenshots) if args.screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    return args, json.loads(Path(args.spec).read_text()), shots


def walk_in_browser(script: str, api: str, spec: dict, folder: Path, timeout: int = 300) -> dict:
    """The test's side of run_walk: runs tests.gateway.pages.<script> against `api` with `spec`
    in its own process (Playwright's sync API does not run under eventlet), with screenshots
    under $PORTAL_SCREENSHOTS when set, and returns what the walk found."""
    (folder / "spec.json").write_text(json.dumps(spec, ensure_ascii=False))
    command = [sys.executable, "-m", f"tests.gateway.pages.{script}", api, str(folder / "spec.json"),
               str(folder / "result.json")]
    shots = os.environ.get("PORTAL_SCREENSHOTS")
    if shots:
        command += ["--screenshots", str(ROOT / shots)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads((folder / "result.json").read_text())


def run_walk(walk: Callable[[Browser, str, dict, Path | None], dict]) -> None:
    """A browser script's whole run: its arguments, one Chromium, `walk(browser, base, spec,
    shots)`, and what the walk found written where the test reads it."""
    args, spec, shots = script_arguments()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            result = walk(browser, args.base, spec, shots)
        finally:
            browser.close()
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, indent=1))


def main() -> None:
    args, spec, shots = script_arguments()
    fonts, result = [], {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # as a villager's phone: the pages' CSP enforced (no script runs), a client of its own
            phone = browser.new_context(viewport=PHONE, locale="zh-CN", extra_http_headers={"X-Forwarded-For": "10.9.0.1"})
            page = phone.new_page()
            page.on("request", lambda r: fonts.append(r.url) if r.resource_type == "font" else None)
            result["flow"] = flow(page, args.base, spec)
            spec["tracking_code"] = result["flow"]["tracking_code"]
            # axe-core is injected as a script: this context bypasses the CSP to run it
            checker = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True,
                                          extra_http_headers={"X-Forwarded-For": "10.9.0.2"})
            page = checker.new_page()
            page.on("request", lambda r: fonts.append(r.url) if r.resource_type == "font" else None)
            result["axe"] = audit(page, args.base, spec, shots)
            result["narrow"] = narrow(page, args.base, spec)
        finally:
            browser.close()
    result["fonts"] = fonts
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
