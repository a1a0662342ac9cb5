"""The portal's new pages in Chromium, in both layouts (standard and 长辈版, chosen by its
cookie), run as its own process by tests/gateway/pages/test_layout_browser.py: axe-core on each
page at 390 px (and at 1280 px for the pages SPEC's "desktop" names), and in 长辈版 the computed styles of everything shown: text at least 24 px
(18 pt) with line spacing at least 1.3, every link, button and field at least 60×60 px; with
--screenshots DIR each page at 390×844 and 1280×800 in both layouts.

    python -m tests.gateway.pages.layout_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]

SPEC: {"pages": {name: path}, "staff_pages": {name: path}, "staff": {header: value}, "desktop": [name]}.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

from tests.gateway.pages.portal_browser import ARGS, AXE_OPTIONS, CHROMIUM, DESKTOP, PHONE, script_arguments, serious

ELDER_TEXT_PX, ELDER_LINE_SPACING, ELDER_TARGET_PX = 24, 1.3, 60
# what the reader sees and taps that is too small, as "where: what"
ELDER_CHECK = """([text, spacing, target]) => {
  const bad = [];
  const shown = (el) => { const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && r.right > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !shown(el)) continue;
    const cs = getComputedStyle(el), size = parseFloat(cs.fontSize);
    const line = cs.lineHeight === 'normal' ? size * 1.2 : parseFloat(cs.lineHeight);
    if (size < text) bad.push(`${el.tagName} "${el.textContent.trim().slice(0, 20)}": ${size}px`);
    if (line / size < spacing) bad.push(`${el.tagName} "${el.textContent.trim().slice(0, 20)}": line ${line / size}`);
  }
  for (const el of document.querySelectorAll('a, button, input, select, textarea, summary')) {
    if (!shown(el) || el.type === 'hidden') continue;
    const r = el.getBoundingClientRect();
    if (r.width < target || r.height < target)
      bad.push(`${el.tagName} "${(el.textContent || el.name).trim().slice(0, 20)}": ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
  return bad;
}"""


def at_desktop(page: Page, axe: Axe) -> dict:
    """The page again at 1280 px: axe, its width, and the 公开事项 select (its value, whether it shows)."""
    page.set_viewport_size(DESKTOP)
    return {"axe": serious(axe.run(page, options=AXE_OPTIONS).response),
            "scroll_width": page.evaluate("document.documentElement.scrollWidth"),
            "matter": page.evaluate("""() => { const s = document.querySelector('select[name=matter]');
                if (!s) return null; const r = s.getBoundingClientRect();
                return {value: s.value, shown: r.width > 1 && r.height > 1 && r.right <= innerWidth}; }""")}


def look(page: Page, base: str, pages: dict[str, str], layout: str, shots: Path | None, elder_check: bool,
         desktop: frozenset[str] = frozenset()) -> dict:
    axe, found = Axe(), {}
    for name, path in pages.items():
        page.set_viewport_size(PHONE)
        page.goto(base + path)
        seen = {"axe": serious(axe.run(page, options=AXE_OPTIONS).response),
                "elder": page.evaluate("document.documentElement.className") == "elder"}
        if elder_check:
            seen["too_small"] = page.evaluate(ELDER_CHECK, [ELDER_TEXT_PX, ELDER_LINE_SPACING, ELDER_TARGET_PX])
        seen["scroll_width"] = page.evaluate("document.documentElement.scrollWidth")
        if name in desktop:
            seen["desktop"] = at_desktop(page, axe)
        if shots is not None:
            for label, size in (("390x844", PHONE), ("1280x800", DESKTOP)):
                page.set_viewport_size(size)
                page.screenshot(path=str(shots / f"{name}-{layout}-{label}.png"), full_page=True)
        found[name] = seen
    return found


def main() -> None:
    args, spec, shots = script_arguments()
    host = urlparse(args.base).hostname
    result = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for layout in ("standard", "elder"):
                # axe-core is injected as a script: the context bypasses the CSP to run it
                context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True,
                                              extra_http_headers={"X-Forwarded-For": f"10.8.0.{len(result) + 1}"})
                if layout == "elder":
                    context.add_cookies([{"name": "gongkai_elder", "value": "1", "domain": host, "path": "/"}])
                result[layout] = look(context.new_page(), args.base, spec["pages"], layout, shots, layout == "elder",
                                      frozenset(spec.get("desktop", ())))
                context.close()
            staff = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True,
                                        extra_http_headers={**spec["staff"], "X-Forwarded-For": "10.8.0.9"})
            result["staff"] = look(staff.new_page(), args.base, spec["staff_pages"], "staff", shots, False)
        finally:
            browser.close()
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
