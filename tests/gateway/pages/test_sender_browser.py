"""The feedback sender's contact pages in a real browser (tests/gateway/pages/sender_browser.py
run as its own process): the form with its contact notice, the tracking page and the erasure's
confirmation answer 200, fit a 390 px phone, and axe-core finds no serious or critical WCAG 2.1
AA violation; the erasure works without script. Screenshots at 390×844 and 1280×800 are kept
under the test's directory (or PORTAL_SCREENSHOTS)."""
import json
import os
import subprocess
import sys
import uuid

import pytest

from services.common.config import ROOT
from tests.conftest import scalar
from tests.gateway.pages.test_console_feedback import send_feedback

pytestmark = pytest.mark.api_level


def test_the_senders_contact_pages_in_the_browser(county, tmp_path):
    receipt, feedback_id = send_feedback(county["api"], f"浏览器删除联系方式检查 {uuid.uuid4().hex[:6]}")
    shots = ROOT / os.environ["PORTAL_SCREENSHOTS"] if os.environ.get("PORTAL_SCREENSHOTS") else tmp_path
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run([sys.executable, "-m", "tests.gateway.pages.sender_browser", county["api"],
                          receipt["tracking_code"], receipt["secret"], str(tmp_path / "result.json"), str(shots)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    print("sender pages checked:", result["status"], "screenshots in", shots)
    assert set(result["status"].values()) == {200}, result["status"]
    assert {name: found for name, found in result["axe"].items() if found} == {}
    assert max(result["scroll_width"].values()) <= 390, result["scroll_width"]
    assert "已删除您的联系方式" in result["erased"]
    assert scalar(county["urls"]["feedback"], f"SELECT contact IS NULL FROM feedback WHERE id = {feedback_id}") in (1, True)
