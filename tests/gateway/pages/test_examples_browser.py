"""范例 and 分类指导 in a real browser (tests/gateway/pages/examples_browser.py run as its own
process) against separately started processes: the office marks an example through its
confirmation (a missing reason refused next to the field) and writes a guidance note; A001's
operator on a phone finds both beside the editor from the obligation's page; /models lists the
example under its sector. axe-core finds no serious or critical WCAG 2.1 AA violation on any of
these pages, and none is wider than the window at 390 or 1280 px."""
import uuid

import pytest

from services.units.demo_accounts import DEMO_PASSWORD
from tests.gateway.pages.portal_browser import walk_in_browser
from tests.gateway.pages.test_console_examples import matter, obligation_of, published

pytestmark = pytest.mark.api_level


def test_examples_and_guidance_in_the_browser(county, tmp_path):
    api, tag = county["api"], uuid.uuid4().hex[:6]
    code = f"EXB-{tag.upper()}"
    matter(api, code)
    title = f"组织部公开栏范例{tag}"
    spec = {"password": DEMO_PASSWORD, "item_id": published(api, "A002", code, title), "title": title,
            "reason": "要素齐全，按时公开", "entry_code": code, "note_title": f"机关单位写法{tag}",
            "note_body": "写明时间、地点和参加人员。", "obligation_id": obligation_of(api, "A001", code)}
    seen = walk_in_browser("examples_browser", api, spec, tmp_path)

    assert "理由" in seen["refused"]
    assert seen["marked"] == "已标为范例。" and title in seen["listed"]
    assert seen["noted"] == "已发布分类指导。"
    assert title in seen["aside"] and "中共县委组织部机关支部委员会" in seen["aside"]
    assert spec["note_title"] in seen["aside"]
    assert title in seen["models"]
    assert {page: found for page, found in seen["axe"].items() if found} == {}
    assert len(seen["axe"]) == 11
    assert {page: w for page, w in seen["widths"].items() if w["390"] > 390 or w["1280"] > 1280} == {}
