"""The portal's ways to every unit, its 长辈版 switch, footer, favicon, robots.txt and the
items' own QR codes, over HTTP on the sample county's cluster (tests/gateway/pages/portal_fixtures.py):
a town's page, an agency's page and the unit search; the switch remembered by a cookie and
never sending the reader to another site; the filings in the footer; an item's notice for its
officials, its scans counted without a cookie and shown to the county office only; bad input
answered by Chinese pages, never a 500 and never a hint of a Party-only item."""
import re

import pytest

from tests.gateway.pages.portal_fixtures import SCAN_CEILING, office, officials
from tests.gateway.pages.test_portal import get, html

pytestmark = pytest.mark.api_level


def test_a_town_page_an_agency_page_and_the_unit_search_reach_every_unit(portal):
    home = html(get(portal, "/"))
    assert 'href="/towns/T01"' in home and 'href="/agencies/A008"' in home and 'action="/units"' in home
    town = html(get(portal, "/towns/T01"))
    codes = re.findall(r'href="/units/(T01[A-Z]\d+)"', town)
    assert codes == sorted(codes) and "T01V001" in codes and "T01V004" not in codes  # merged away
    assert 'href="/towns/T01/posters"' in town and "中共集美街道工作委员会" in town
    schools = html(get(portal, "/agencies/A008"))
    assert 'href="/units/T01S001"' in schools
    found = html(get(portal, "/units", params={"q": "双凤"}))
    assert 'href="/units/T01V001"' in found and "中共集美街道双凤社区总支部委员会" in found
    response = get(portal, "/towns/T01")
    assert response.headers["Cache-Control"].startswith("public") and response.headers["ETag"]


def test_bad_input_is_a_chinese_page_never_a_500(portal):
    assert "没有找到代码为 T99 的镇（街道）" in html(get(portal, "/towns/T99"), 404)
    assert "没有第 9 页" in html(get(portal, "/towns/T01", params={"page": 9}), 404)
    assert "页码应为正整数" in html(get(portal, "/towns/T01", params={"page": "x"}), 400)
    assert "名称最多 30 个字" in html(get(portal, "/units", params={"q": "双凤村" * 333 + "村"}), 400)
    assert "没有找到" in html(get(portal, "/units", params={"q": "' OR 1=1 --"}))
    withdrawn = get(portal, f"/items/{portal.withdrawn['id']}", params={"scan": "1"})
    assert withdrawn.status_code == 303
    assert "撤回" in html(get(portal, withdrawn.headers["Location"]), 410)
    party = get(portal, f"/items/{portal.party['id']}", params={"scan": "1"})
    page = html(get(portal, party.headers["Location"]), 404)
    assert "党员发展对象公示" not in page and "党内" not in page


def test_the_elder_layout_is_one_link_away_and_remembered_by_a_cookie(portal):
    home = html(get(portal, "/towns/T01"))
    assert 'href="/display/elder?next=/towns/T01"' in home and 'class="elder"' not in home
    switched = get(portal, "/display/elder", params={"next": "/towns/T01?page=1"})
    assert switched.status_code == 303 and switched.headers["Location"].endswith("/towns/T01?page=1")
    cookie = switched.headers["Set-Cookie"]
    assert cookie.startswith("gongkai_elder=1;") and "Max-Age=31536000" in cookie and "HttpOnly" in cookie
    elder = get(portal, "/towns/T01", headers={"Cookie": "gongkai_elder=1"}).text
    assert '<html lang="zh-CN" class="elder">' in elder and 'href="/display/standard?next=/towns/T01"' in elder
    assert get(portal, "/towns/T01", headers={"Cookie": "gongkai_elder=1"}).headers["Vary"] == "Cookie, Authorization"
    back = get(portal, "/display/standard", params={"next": "/"})
    assert back.status_code == 303 and back.headers["Set-Cookie"].startswith("gongkai_elder=;") and "Max-Age=0" in back.headers["Set-Cookie"]
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert get(portal, "/display/elder", params={"next": elsewhere}).headers["Location"] in ("/", portal.api + "/")


def test_the_footer_favicon_robots_and_descriptions(portal):
    page = html(get(portal, f"/units/{portal.village}"))
    assert "网站标识码：3502110001" in page
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">闽ICP备12345678号-1</a>' in page
    assert 'href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=35021102000123"' in page
    assert '<meta name="description" content="中共集美街道双凤社区总支部委员会依规公开' in page
    icon = get(portal, "/favicon.ico")
    assert icon.status_code == 200 and icon.headers["Content-Type"] == "image/x-icon" and icon.content[:4] == b"\0\0\1\0"
    robots = get(portal, "/robots.txt")
    assert robots.status_code == 200 and "Disallow: /console" in robots.text and "Allow: /" in robots.text


def test_an_items_own_qr_notice_and_its_scans_counted_for_the_office_only(portal):
    item = portal.matter["id"]
    operator, _ = officials(portal.village)
    assert f'href="/items/{item}/notice"' in html(get(portal, f"/items/{item}", headers=operator))
    assert f'/items/{item}/notice' not in html(get(portal, f"/items/{item}"))
    notice = html(get(portal, f"/items/{item}/notice", headers=operator))
    assert "2026年村务收支情况" in notice and 'src="data:image/svg+xml;base64,' in notice
    assert f"/items/{item}?scan=1" in notice
    assert get(portal, f"/items/{item}/notice").status_code in (302, 303, 401)  # the public: sign in first
    assert "已撤回" in html(get(portal, f"/items/{portal.withdrawn['id']}/notice", headers=operator), 410)

    before = scans_of(portal)
    for client in ("10.7.0.1", "10.7.0.2"):
        scanned = get(portal, f"/items/{item}", client=client, params={"scan": "1"})
        assert scanned.status_code == 303 and scanned.headers["Location"].endswith(f"/items/{item}")
        assert "Set-Cookie" not in scanned.headers
    assert scans_of(portal) == before + 2
    get(portal, f"/items/{item}", client="10.7.0.1", params={"scan": "1"})  # the same reader again today
    assert scans_of(portal) == before + 2
    for n in range(SCAN_CEILING + 2):  # a script with fresh addresses: counted up to the day's ceiling, then apart
        get(portal, f"/items/{item}", client=f"10.7.1.{n}", params={"scan": "1"})
    page = html(get(portal, "/console/scans", headers=office()))
    assert scans_of(portal) == before + SCAN_CEILING and f"超过 {SCAN_CEILING} 次" in page  # (before: other items')
    assert re.search(r"另有异常扫码 (\d+) 次（未计入）", page).group(1) == str(2 + SCAN_CEILING + 2 - SCAN_CEILING)
    assert get(portal, "/console/scans", headers=operator).status_code == 403


def scans_of(portal):
    page = html(get(portal, "/console/scans", headers=office()))
    row = re.search(r"双凤社区总支部委员会</a></th>\s*<td>(\d+)</td><td>(\d+)</td><td>[^<]*</td><td>(\d+)</td>", page)
    return int(row.group(3)) if row else 0
