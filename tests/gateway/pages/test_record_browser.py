"""A submitted inspection record corrected in a real browser (Debian's Chromium via Playwright,
tests/gateway/pages/record_browser.py run as its own process) against separately started
processes: the office on a phone keeps one finding, removes one and adds one, is refused without
a reason next to the field, confirms on a page that says what becomes of each rectification, and
reads both revisions, as A001's operator does; axe-core finds no serious or critical WCAG 2.1 AA
violation on any of these pages, and none is wider than the window at 390 or 1280 px."""
import uuid

import pytest
import requests

from services.units.demo_accounts import DEMO_PASSWORD
from tests.gateway.pages.portal_browser import walk_in_browser
from tests.gateway.pages.test_console_office import OFFICE
from tests.gateway.pages.test_console_record_corrections import inspected

pytestmark = pytest.mark.api_level


def test_a_record_corrected_in_the_browser(county, tmp_path):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    kept, removed = f"公开栏未更新（{tag}）", f"台账缺页（{tag}）"
    inspection_id, first = inspected(api, "A001", [kept, removed])
    spec = {"password": DEMO_PASSWORD, "inspection_id": inspection_id, "unit": "A001",
            "added": f"会议记录缺失（{tag}）", "reason": f"复核：台账已补齐（{tag}）"}
    seen = walk_in_browser("record_browser", api, spec, tmp_path)

    assert seen["form_h1"] == "更正检查记录：A001"
    assert "请写明更正理由" in seen["refused"]
    confirm = seen["confirm"]
    assert kept in confirm[confirm.index("沿用的问题"):confirm.index("删去的问题")]
    assert removed in confirm[confirm.index("删去的问题"):confirm.index("新增的问题")]
    assert spec["added"] in confirm[confirm.index("新增的问题"):]
    assert seen["done"].startswith("已更正为第 2 版") and spec["reason"] in seen["revisions"]
    assert "第 1 版" in seen["unit_reads"] and "第 2 版" in seen["unit_reads"] and removed in seen["unit_reads"]
    statuses = {r["finding"]: r["status"] for r in requests.get(
        f"{api}/api/v1/rectifications", params={"inspection": inspection_id}, headers=OFFICE).json()["items"]}
    assert statuses == {kept: "open", removed: "withdrawn", spec["added"]: "open"}
    assert {page: found for page, found in seen["axe"].items() if found} == {}
    assert len(seen["axe"]) == 6
    assert {page: w for page, w in seen["widths"].items() if w["390"] > 390 or w["1280"] > 1280} == {}
