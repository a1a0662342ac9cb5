"""The portal in a real browser (Debian's Chromium via Playwright, tests/gateway/pages/portal_browser.py run as
its own process), on the cluster of tests/gateway/pages/portal_fixtures.py: a villager scans the poster (its QR
code decoded from the PNG the browser rendered), reads an item, sends feedback and follows it by
its code; axe-core finds no serious or critical WCAG 2.1 AA violation on any page; the unit page
fits 320 px; no web font is fetched. `make screenshots` runs this with PORTAL_SCREENSHOTS set and
keeps every page at 390×844 and 1280×800 under var/screenshots/."""
import json
import os
import subprocess
import sys

import pytest
import requests

from services.common.config import ROOT
from tests.conftest import scalar, wait_for

pytestmark = pytest.mark.api_level


def test_a_villager_goes_from_the_poster_to_a_tracked_feedback_and_every_page_passes_axe(portal, tmp_path):
    item = portal.matter["id"]
    wait_for(lambda: scalar(portal.db["feedback"], f"SELECT count(*) FROM targets WHERE kind = 'item' "
                                                   f"AND target_id = '{item}'") == 1, timeout=20,
             message="feedback to learn the item")
    plans = requests.get(f"{portal.api}/api/v1/plans", timeout=30).json()["items"]
    spec = {"unit": portal.village, "item_id": item, "item_title": portal.matter["title"],
            "old_id": portal.old["id"], "withdrawn_id": portal.withdrawn["id"], "merged": "T01V004",
            "plan_id": plans[0]["id"]}
    (tmp_path / "spec.json").write_text(json.dumps(spec, ensure_ascii=False))
    command = [sys.executable, "-m", "tests.gateway.pages.portal_browser", portal.api, str(tmp_path / "spec.json"),
               str(tmp_path / "result.json")]
    shots = os.environ.get("PORTAL_SCREENSHOTS")
    if shots:
        command += ["--screenshots", str(ROOT / shots)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads((tmp_path / "result.json").read_text())

    flow = result["flow"]
    assert flow["decoded"] == [f"{portal.api}/units/{portal.village}"]
    assert flow["unit_h1"] == "中共集美街道双凤社区总支部委员会" and flow["item_h1"] == portal.matter["title"]
    assert flow["done_h1"] == "已收到您的意见建议" and flow["track_url"].endswith(f"/track/{flow['tracking_code']}")
    assert flow["tracking_code"] in flow["track_text"] and "答复期限" in flow["track_text"]
    assert {page: found for page, found in result["axe"].items() if found} == {}
    assert len(result["axe"]) == 15
    assert result["narrow"]["scroll_width"] <= 320
    assert result["fonts"] == []
