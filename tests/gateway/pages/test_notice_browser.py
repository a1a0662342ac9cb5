"""The pages notifications land on, and the inbox, in a real browser (tests/notice_browser.py
run as its own process): every page answers 200 to its reader, fits a 390 px phone, and axe-core
finds no serious or critical WCAG 2.1 AA violation; marking read and saving settings work
without script. Screenshots at 390×844 and 1280×800 are kept under the test's directory (or
PORTAL_SCREENSHOTS)."""
import json
import os
import subprocess
import sys

import pytest
import requests

from services.common.config import ROOT
from services.units.demo_accounts import DEMO_PASSWORD
from tests.gateway.pages.test_console_feedback import send_feedback
from tests.gateway.pages.test_notify_links import records
from tests.gateway.pages.test_portal_tracking import answer

pytestmark = pytest.mark.api_level


def test_the_pages_notices_land_on_in_the_browser(county, tmp_path):
    made = records(county["api"], "A001")  # a new feedback for A001: an unread message for op-a001 too
    inspection, case = f"/console/inspections/{made['inspection_id']}", f"/console/feedback/{made['feedback_id']}"
    spec = {"password": DEMO_PASSWORD, "reader": "op-a001", "pages": {
        "op-a001": ["/console/inbox", "/console/preferences", f"/console/obligations/{made['obligation_id']}",
                    f"/console/rectifications/{made['rectification_id']}", inspection, case],
        "office": [f"/console/obligations/{made['obligation_id']}", f"/console/rectifications/{made['rectification_id']}",
                   f"/console/reports/{made['report_id']}", "/console/inbox", "/console/reported-answers"],
        "anonymous": ["/answers/1/report?back=/units/A001"]}}
    receipts = [send_feedback(county["api"], f"浏览器评价检查 {n} {tmp_path.name}") for n in range(2)]
    for receipt, feedback_id in receipts:
        answer(county["api"], feedback_id, "已处理。")
    spec["track"] = {"code": receipts[0][0]["tracking_code"], "pin": receipts[0][0]["secret"]}
    (tmp_path / "spec.json").write_text(json.dumps(spec, ensure_ascii=False))
    shots = ROOT / os.environ["PORTAL_SCREENSHOTS"] if os.environ.get("PORTAL_SCREENSHOTS") else tmp_path
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run([sys.executable, "-m", "tests.gateway.pages.notice_browser", county["api"], str(tmp_path / "spec.json"),
                          str(tmp_path / "result.json"), str(shots)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    print("pages checked:", len(result["status"]), "screenshots in", shots)
    assert set(result["status"].values()) == {200}, result["status"]
    assert {name: found for name, found in result["axe"].items() if found} == {}
    assert max(result["scroll_width"].values()) <= 390, result["scroll_width"]
    inbox = result["inbox"]
    assert inbox["after"] == inbox["before"] - 1 and "已标为已读" in inbox["notice"]
    assert "通知设置已保存" in result["preferences"]["notice"] and result["preferences"]["sms_checked"] is False
    assert "已收到您的评价" in result["rated"]
    rated = sum(requests.get(f"{county['api']}/api/v1/feedback/{r['tracking_code']}").json()["rating"] is not None
                for r, _ in receipts)
    print(f"answered feedback rated in the browser: {rated} of {len(receipts)}")
    assert rated == 1
