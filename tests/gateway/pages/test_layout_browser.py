"""The portal's new pages in a real browser (tests/gateway/pages/layout_browser.py as its own
process) on the cluster of tests/gateway/pages/portal_fixtures.py: no serious or critical
WCAG 2.1 AA violation (axe-core) at 390 px in either layout, nothing wider than the phone, and
in 长辈版 every text at least 24 px with line spacing at least 1.3 and every tap target at least
60×60 px. PORTAL_SCREENSHOTS=DIR keeps each page at 390 and 1280 px in both layouts."""
import json
import os
import subprocess
import sys

import pytest

from services.common.config import ROOT
from tests.gateway.pages.portal_fixtures import office, officials

pytestmark = pytest.mark.api_level


def test_the_new_pages_pass_axe_in_both_layouts_and_the_elder_layout_is_large(portal, tmp_path):
    item = portal.matter["id"]
    operator, _ = officials(portal.village)
    spec = {"pages": {"home": "/", "town": "/towns/T01", "agency": "/agencies/A008", "find": "/units?q=双凤",
                      "find_refused": "/units?q=" + "双凤" * 20, "not_found": "/towns/T99",
                      "unit": f"/units/{portal.village}", "item": f"/items/{item}",
                      "record": "/record", "town_record": "/towns/T01/record", "record_refused": "/record?year=abc"},
            "staff_pages": {"notice": f"/items/{item}/notice", "scans": "/console/scans"},
            "staff": office()}
    spec["staff_pages"]["notice"] = f"/items/{item}/notice"
    (tmp_path / "spec.json").write_text(json.dumps(spec, ensure_ascii=False))
    command = [sys.executable, "-m", "tests.gateway.pages.layout_browser", portal.api, str(tmp_path / "spec.json"),
               str(tmp_path / "result.json")]
    shots = os.environ.get("PORTAL_SCREENSHOTS")
    if shots:
        command += ["--screenshots", str(ROOT / shots)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    assert operator  # the notice is the officials' page; the county office's token reads it as well
    for layout in ("standard", "elder", "staff"):
        assert {name: seen["axe"] for name, seen in result[layout].items() if seen["axe"]} == {}, layout
        assert all(seen["scroll_width"] <= 390 for seen in result[layout].values()), (layout, result[layout])
    assert all(seen["elder"] for seen in result["elder"].values())
    assert not any(seen["elder"] for seen in result["standard"].values())
    assert {name: seen["too_small"] for name, seen in result["elder"].items() if seen["too_small"]} == {}
