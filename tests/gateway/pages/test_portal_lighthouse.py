"""Lighthouse (mobile, simulated throttling: its defaults) on the portal's pages, on the portal's
cluster (tests/gateway/pages/portal_fixtures.py): the home page, a village's page, the feedback
form, a search with its results, 公开榜, a town's page, an item and /models, walked by one
Lighthouse process in one Chromium (tools/lighthouse/audit.mjs). Accessibility 100, best
practices at least 96 and SEO at least 90 on every page; performance is printed, not asserted
(docs/testing.md, "Lighthouse": on a loaded two-core machine its simulated timings move with the
load, so it belongs to `make lighthouse`, read by a person).

What it needs it installs the way `make test` does: Chromium through
scripts/ensure-services.sh, Lighthouse with `npm ci` in tools/lighthouse from its lockfile; the
test fails (never skips) when it cannot."""
import json
import os
import shutil
import subprocess

import pytest

from services.common.config import ROOT

TOOL = ROOT / "tools" / "lighthouse"
STAMP = TOOL / "node_modules" / ".installed"
CHROMIUM = "/usr/bin/chromium"
FLOORS = {"accessibility": 100, "best-practices": 96, "seo": 90}
INSTALL = "`make lighthouse-tool` (npm ci in tools/lighthouse; `make test` does it)"


def installed() -> str:
    """The node to run audit.mjs with, once Chromium and the pinned Lighthouse are in place."""
    subprocess.run(["bash", str(ROOT / "scripts" / "ensure-services.sh"), "chromium"], check=False, timeout=600)
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium", pytrace=False)
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("Lighthouse needs Node.js 20 and npm (apt-get install nodejs npm)", pytrace=False)
    lock = TOOL / "package-lock.json"
    if not STAMP.exists() or STAMP.stat().st_mtime < lock.stat().st_mtime:
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOL,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"npm ci in {TOOL} failed ({INSTALL}):\n{done.stderr[-2000:]}", pytrace=False)
        STAMP.touch()
    return node


def audit(node: str, urls: list[str]) -> dict:
    done = subprocess.run([node, str(TOOL / "audit.mjs"), *urls], cwd=TOOL, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "CHROME_PATH": CHROMIUM})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_portals_pages_score_full_accessibility_and_good_practice_and_seo(portal):
    node = installed()
    pages = {"home": "/", "unit": f"/units/{portal.village}", "feedback": f"/feedback/new?target=unit:{portal.village}",
             "search": "/search?q=收支", "record": "/record", "town": "/towns/T01",
             "item": f"/items/{portal.matter['id']}", "models": "/models"}
    results = audit(node, [portal.api + path for path in pages.values()])
    report = {name: results[portal.api + path] for name, path in pages.items()}
    for name, result in report.items():
        below = sorted({audit for audits in result["failed"].values() for audit in audits})
        print(f"lighthouse {name}: " + ", ".join(f"{k} {v}" for k, v in result["scores"].items())
              + (f" (below full marks: {', '.join(below)})" if below else ""))
    short = {name: {category: (result["scores"][category], result["failed"][category])
                    for category, floor in FLOORS.items() if (result["scores"][category] or 0) < floor}
             for name, result in report.items()}
    assert not any(short.values()), short
    assert not any(result["errors"] for result in report.values()), report
