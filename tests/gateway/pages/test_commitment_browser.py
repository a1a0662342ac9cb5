"""A unit's public commitment in a real browser (Debian's Chromium via Playwright,
tests/gateway/pages/commitment_browser.py run as its own process) against separately started
processes: recorded with milestones by A001's operator on a phone (one outside the year refused
next to its field), a milestone reported done, read by the office on a desktop, which also reads
the model candidates, comments on the unit (a missing grade refused) and next year's checklist (a
bad weight refused); axe-core finds no
serious or critical WCAG 2.1 AA violation on any page, none wider than the window at 390 or 1280 px."""
import json
import os
import subprocess
import sys
import uuid

import pytest

from services.common.config import ROOT
from services.units.demo_accounts import DEMO_PASSWORD

pytestmark = pytest.mark.api_level


def test_a_commitment_candidates_and_comments_in_the_browser(county, tmp_path):
    # a year gone by, written down: the milestone is reported done on a day of it, whatever today is
    year, tag = "2025", uuid.uuid4().hex[:6]
    spec = {"password": DEMO_PASSWORD, "year": year, "done_on": f"{year}-06-30", "text": f"每季度公开党员发展情况（{tag}）",
            "note": f"清单已张贴在公开栏（{tag}）", "comment": f"承诺落实有力（{tag}）"}
    (tmp_path / "spec.json").write_text(json.dumps(spec, ensure_ascii=False))
    command = [sys.executable, "-m", "tests.gateway.pages.commitment_browser", county["api"],
               str(tmp_path / "spec.json"), str(tmp_path / "result.json")]
    shots = os.environ.get("PORTAL_SCREENSHOTS")
    if shots:
        command += ["--screenshots", str(ROOT / shots)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    seen = json.loads((tmp_path / "result.json").read_text())

    assert f"里程碑的日期须在承诺的 {year} 年内" in seen["refused"]
    assert spec["note"] in seen["after"] and spec["text"] in seen["office"]
    assert {page: found for page, found in seen["axe"].items() if found} == {}
    assert "连续 3 个月" in seen["candidates"]
    assert "请选择评价等次" in seen["comment_refused"] and spec["comment"] in seen["comments"]
    assert "权重合计须为 100" in seen["checklist_refused"]
    assert len(seen["axe"]) == 10
    assert {page: w for page, w in seen["widths"].items() if w["390"] > 390 or w["1280"] > 1280} == {}
