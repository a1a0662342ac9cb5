"""The portal's full-text search over HTTP and in Chromium, on the portal's cluster
(tests/gateway/pages/portal_fixtures.py): what is published is found with its words marked and
its markup escaped; the Party-scope and the withdrawn item are never found by the public; an
empty query, no result, a 1,000-character query, SQL or FTS syntax, an unknown town, unit or matter
and a page past the end are Chinese pages, never a 500; the 公开事项 select narrows to one
catalogue matter (and matter= the JSON; an unknown town, unit or matter is a 400 there); the home and unit pages carry the
search box; the pages pass axe at 390 px in both layouts, the 公开事项 filter at 1280 px too
(tests/gateway/pages/layout_browser.py)."""
import json
import os
import subprocess
import sys

import pytest
import requests

from services.common.config import ROOT
from tests.conftest import scalar
from tests.gateway.pages.portal_fixtures import MARKUP, officials

pytestmark = pytest.mark.api_level


def get(portal, path, **params):
    return requests.get(f"{portal.api}{path}", params=params, timeout=30)


def test_published_items_are_found_marked_and_escaped_and_hidden_ones_never(portal):
    found = get(portal, "/search", q="收支")
    assert found.status_code == 200 and f'href="/items/{portal.matter["id"]}"' in found.text
    assert "<mark>收支</mark>" in found.text and "2026年" in found.text
    markup = get(portal, "/search", q="标题")
    assert f'href="/items/{portal.markup["id"]}"' in markup.text
    assert MARKUP not in markup.text and "&lt;script&gt;" in markup.text
    for hidden in ("党员发展对象", "误发"):
        page = get(portal, "/search", q=hidden)
        assert page.status_code == 200 and "没有找到含" in page.text, hidden
    assert f'/items/{portal.party["id"]}"' not in get(portal, "/search", q="发展对象").text
    answer = get(portal, "/api/v1/search", q="收支").json()
    assert [hit["id"] for hit in answer["items"]] == [portal.matter["id"]] and answer["next_page"] is None
    assert {"text": "收支", "mark": True} in answer["items"][0]["title_parts"]
    assert get(portal, "/search", q="收支", town="T01").text.count('href="/items/') == 1
    assert get(portal, "/search", q="收支", year=2001).text.count('href="/items/') == 0


def matter_of(portal, item):
    """The catalogue code of the matter the item's obligation belongs to."""
    return scalar(portal.urls["disclosure"], "SELECT obligations.entry_code FROM items JOIN obligations "
                                             f"ON obligations.id = items.obligation_id WHERE items.id = {item['id']}")


def test_the_matter_select_narrows_to_one_catalogue_matter(portal):
    code = matter_of(portal, portal.matter)
    other = scalar(portal.urls["disclosure"], f"SELECT min(code) FROM catalogue_entries WHERE code <> '{code}'")
    form = get(portal, "/search").text
    assert "公开事项" in form and '<select name="matter">' in form and f'<option value="{code}">' in form
    page = get(portal, "/search", q="收支", matter=code)
    assert page.status_code == 200 and f'<option value="{code}" selected>' in page.text
    assert page.text.count('href="/items/') == 1 and f'href="/items/{portal.matter["id"]}"' in page.text
    assert get(portal, "/search", q="收支", matter=other).text.count('href="/items/') == 0
    assert get(portal, "/search", q="标题", matter=code).text.count('href="/items/') == 0  # outside the catalogue
    answer = get(portal, "/api/v1/search", q="收支", matter=code).json()
    assert [hit["id"] for hit in answer["items"]] == [portal.matter["id"]]
    assert get(portal, "/api/v1/search", q="收支", matter=other).json()["items"] == []
    unknown = get(portal, "/search", q="收支", matter="ZZ-99")
    assert unknown.status_code == 404 and "没有找到代码为 ZZ-99 的公开事项" in unknown.text
    refused = get(portal, "/api/v1/search", q="收支", matter="ZZ-99")
    assert refused.status_code == 400 and "公开目录中没有代码为 ZZ-99 的事项" in refused.json()["error"]["message"]
    assert get(portal, "/api/v1/search", q="收支", matter="不是代码").status_code == 400


def test_members_of_the_chain_find_the_party_item(portal):
    operator, _ = officials(portal.village)
    answer = requests.get(f"{portal.api}/api/v1/search", params={"q": "发展对象"}, headers=operator, timeout=30).json()
    assert [hit["id"] for hit in answer["items"]] == [portal.party["id"]] and answer["items"][0]["party"]


def test_bad_input_is_a_chinese_page_never_a_500(portal):
    empty = get(portal, "/search")
    assert empty.status_code == 200 and "输入想找的内容" in empty.text
    long = get(portal, "/search", q="党" * 1000)
    assert long.status_code == 400 and "搜索词最多 50 个字" in long.text
    assert get(portal, "/api/v1/search", q="党" * 1000).status_code == 400
    for hostile in ('" OR 1=1 --', "收支'; DROP TABLE items; --", 'NEAR(收支) * ^ "', "(-:*&|!<->)", "%_\\"):
        page = get(portal, "/search", q=hostile)
        assert page.status_code == 200, (hostile, page.status_code)
    past = get(portal, "/search", q="收支", page=3)
    assert past.status_code == 404 and "没有第 3 页" in past.text
    assert get(portal, "/search", q="收支", page=99).status_code == 400
    town = get(portal, "/search", q="收支", town="T99")
    assert town.status_code == 404 and "没有找到代码为 T99 的镇（街道）" in town.text
    unit = get(portal, "/search", q="收支", unit="V9999")
    assert unit.status_code == 404 and "没有找到代码为 V9999 的党组织" in unit.text
    for name, code, said in (("town", "T99", "没有代码为 T99 的镇（街道）"), ("town", portal.village, "的镇（街道）"),
                             ("unit", "V9999", "没有代码为 V9999 的党组织")):
        refused = get(portal, "/api/v1/search", q="收支", **{name: code})
        assert refused.status_code == 400 and said in refused.json()["error"]["message"], (name, code)


def test_the_home_and_unit_pages_carry_the_search_box(portal):
    assert 'action="/search"' in get(portal, "/").text
    unit = get(portal, f"/units/{portal.village}").text
    assert 'action="/search"' in unit and f'name="unit" value="{portal.village}"' in unit
    within = get(portal, "/search", q="收支", unit=portal.village)
    assert within.status_code == 200 and f'href="/items/{portal.matter["id"]}"' in within.text


def test_the_search_pages_pass_axe_in_both_layouts(portal, tmp_path):
    spec = {"pages": {"search": "/search", "search_found": "/search?q=收支", "search_none": "/search?q=没有的词",
                      "search_refused": "/search?q=" + "党" * 60, "search_town": "/search?q=收支&town=T01",
                      "search_matter": f"/search?q=收支&matter={matter_of(portal, portal.matter)}"},
            "staff_pages": {}, "staff": {}, "desktop": ["search", "search_matter"]}
    (tmp_path / "spec.json").write_text(json.dumps(spec, ensure_ascii=False))
    command = [sys.executable, "-m", "tests.gateway.pages.layout_browser", portal.api, str(tmp_path / "spec.json"),
               str(tmp_path / "result.json")]
    if os.environ.get("PORTAL_SCREENSHOTS"):
        command += ["--screenshots", str(ROOT / os.environ["PORTAL_SCREENSHOTS"])]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    for layout in ("standard", "elder"):
        assert {name: seen["axe"] for name, seen in result[layout].items() if seen["axe"]} == {}, layout
        assert all(seen["scroll_width"] <= 390 for seen in result[layout].values()), (layout, result[layout])
    assert {name: seen["too_small"] for name, seen in result["elder"].items() if seen["too_small"]} == {}
    code = matter_of(portal, portal.matter)
    for layout in ("standard", "elder"):  # the 公开事项 select at 1280 px too
        wide = {name: seen["desktop"] for name, seen in result[layout].items() if "desktop" in seen}
        assert set(wide) == {"search", "search_matter"} and all(not w["axe"] for w in wide.values()), (layout, wide)
        assert all(w["scroll_width"] <= 1280 and w["matter"]["shown"] for w in wide.values()), (layout, wide)
        assert wide["search_matter"]["matter"]["value"] == code and wide["search"]["matter"]["value"] == ""
