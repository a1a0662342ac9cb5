"""The rectification loop and a unit's standing in a real browser (Debian's Chromium via Playwright,
tests/gateway/pages/office_browser.py run as its own process) against separately started processes:
the operator on a phone submits with a photo and a PDF (a text file refused next to the field), the
office on a desktop returns it with a reason and then accepts it, and both read the unit's
standing; axe-core finds no serious or critical WCAG 2.1 AA violation on any of these pages, and
none is wider than the window at 390 or 1280 px."""
import uuid

import pytest
import requests

from services.units.demo_accounts import DEMO_PASSWORD
from tests.gateway.pages.portal_browser import walk_in_browser
from tests.gateway.pages.test_console_office import OFFICE, record_by_api
from tests.gateway.pages.test_console_rectifications import PDF
from tests.gateway.pages.test_console_signin import PNG

pytestmark = pytest.mark.api_level


def test_the_rectification_loop_and_the_standing_in_the_browser(county, tmp_path):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    finding = f"公开栏照片模糊（{tag}）"
    inspection_id = record_by_api(county["api"], "A001", finding)
    (rect,) = requests.get(f"{api}/api/v1/rectifications", params={"inspection": inspection_id},
                           headers=OFFICE).json()["items"]
    (tmp_path / "公开栏.png").write_bytes(PNG)
    (tmp_path / "整改报告.pdf").write_bytes(PDF)
    (tmp_path / "说明.txt").write_bytes("不是照片".encode())
    spec = {"password": DEMO_PASSWORD, "rectification_id": rect["id"], "finding": finding,
            "photo": str(tmp_path / "公开栏.png"), "pdf": str(tmp_path / "整改报告.pdf"),
            "wrong_file": str(tmp_path / "说明.txt"), "done": f"已重新张贴并拍照（{tag}）",
            "reason": f"照片仍看不清（{tag}）", "done_again": f"已补拍清晰照片（{tag}）"}
    seen = walk_in_browser("office_browser", api, spec, tmp_path)

    assert seen["operator_h1"] == f"整改 {rect['id']}"
    assert "请填写整改情况" in seen["refused"] and "不是 JPEG、PNG 照片或 PDF 文件" in seen["refused"]
    assert seen["submitted"].startswith("整改情况已提交") and "整改材料 2 份" in seen["evidence"]
    assert spec["done"] in seen["office_reads"]  # what the unit reported, read before deciding
    assert seen["returned"].startswith("已退回") and spec["reason"] in seen["returned_notice"]
    assert seen["accepted"].startswith("已验收通过")
    assert finding in seen["standing"] and "已验收" in seen["standing"] and "总分" in seen["standing"]
    assert finding in seen["office_standing"]
    assert {page: found for page, found in seen["axe"].items() if found} == {}
    assert len(seen["axe"]) == 9
    assert {page: w for page, w in seen["widths"].items() if w["390"] > 390 or w["1280"] > 1280} == {}
