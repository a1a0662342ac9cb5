"""The office's reports in a real browser (Debian's Chromium via Playwright,
tests/gateway/pages/report_browser.py run as its own process) against separately started
processes: the year's report drafted from its figures, edited, issued through a confirmation, then
read by the public on the portal; axe-core finds no serious or critical WCAG 2.1 AA violation on
any of these pages, and none is wider than the window at 390 or 1280 px."""
import uuid

import pytest

from services.units.demo_accounts import DEMO_PASSWORD
from tests.gateway.pages.portal_browser import walk_in_browser

pytestmark = pytest.mark.api_level


def test_the_years_report_drafted_issued_and_read_in_the_browser(county, tmp_path):
    year, tag = "2025", uuid.uuid4().hex[:6]  # a year gone by, written down: its report reads the same any day
    spec = {"password": DEMO_PASSWORD, "year": year, "title": f"{year} 党务公开工作年度报告",
            "text": f"{year}年度党务公开工作报告\n\n一、公开情况良好。\n二、下一步加强分类指导（{tag}）。"}
    seen = walk_in_browser("report_browser", county["api"], spec, tmp_path)

    assert "年度报告的期间是一个年份" in seen["refused"]
    assert seen["edit_h1"] == f"修改报告：{spec['title']}" and "一、公开情况。全年共公开党务事项" in seen["draft"]
    assert "已印发" in seen["issued"] and "已向社会公布" in seen["issued"]
    assert f"二、下一步加强分类指导（{tag}）。" in seen["public"] and "主要数据" in seen["public"]
    assert {page: found for page, found in seen["axe"].items() if found} == {}
    assert len(seen["axe"]) == 8
    assert {page: w for page, w in seen["widths"].items() if w["390"] > 390 or w["1280"] > 1280} == {}
