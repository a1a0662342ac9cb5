"""The public portal over HTTP, on one cluster with the sample county (tests/gateway/pages/portal_fixtures.py):
the pages show what the public may see (a member also their chain's Party-scope items, marked),
in Chinese with the county's dates; ETags answer 304; every user string is inert; the feedback
form is CSRF-protected (forged and replayed tokens refused), keeps the sender's text on an error,
drops a honeypot post silently and is rate limited with a page saying when to try again; unknown
or hidden things are 404 pages, a merged unit's page and QR code say where it went; the town's
posters need the county office; QR codes carry the unit's URL."""
import io
import time
import zipfile

import pytest
import requests

from gateway.pages.kit.idle import SEEN_COOKIE, IdleSessions
from gateway.pages.kit.pages import PAGE_CSP
from tests.conftest import scalar, wait_for
from tests.gateway.pages.portal_fixtures import MARKUP, csrf_of, office
from tests.test_end_to_end import SECRET, token

pytestmark = pytest.mark.api_level


def get(portal, path, client="10.0.0.1", **kwargs):
    headers = {"X-Forwarded-For": client, **kwargs.pop("headers", {})}
    return requests.get(portal.api + path, headers=headers, allow_redirects=False, timeout=30, **kwargs)


def html(response, status=200):
    assert response.status_code == status, (response.status_code, response.text[:800])
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Content-Security-Policy"] == PAGE_CSP and "unsafe-inline" not in PAGE_CSP
    text = response.text
    assert '<html lang="zh-CN">' in text and "<script" not in text and "Traceback" not in text
    return text


def test_the_unit_page_shows_its_disclosures_record_designation_and_is_small_and_cached(portal):
    response = get(portal, f"/units/{portal.village}")
    page = html(response)
    assert "中共集美街道双凤社区总支部委员会" in page and "中共集美街道工作委员会" in page  # the unit, its parent
    assert "2026年村务收支情况" in page and "村集体资产清单" in page and "误发的通知" not in page
    assert "党员发展对象公示" not in page  # Party-scope: not for the public
    assert "典型" in page and "按时公开率" in page and "逾期未公开" in page
    assert f'/items/{portal.current["id"]}' in page and f'/items/{portal.old["id"]}"' not in page
    css = get(portal, "/static/gongkai.css")
    assert len(response.content) + len(css.content) < 60 * 1024, (len(response.content), len(css.content))
    assert response.headers["Cache-Control"].startswith("public") and response.headers["ETag"]
    again = get(portal, f"/units/{portal.village}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""

    member = token("m-t01v001", "member", portal.village)
    mine = html(get(portal, f"/units/{portal.village}", headers=member))
    assert "党员发展对象公示" in mine and "党内公开" in mine  # their own chain's, marked
    assert get(portal, f"/units/{portal.village}", headers=member).headers["Cache-Control"] == "private, no-cache"
    session = "gongkai_session=" + member["Authorization"].split()[1]
    at = int(time.time())
    seen = f"{SEEN_COOKIE}={at}.{IdleSessions(SECRET, None)._mac('m-t01v001', at)}"  # as its last page stamped it
    cookie = get(portal, f"/units/{portal.village}", headers={"Cookie": f"{session}; {seen}"})
    assert "党员发展对象公示" in html(cookie)  # the browser's session is read the same way
    unstamped = get(portal, f"/units/{portal.village}", headers={"Cookie": session})
    assert "党员发展对象公示" not in html(unstamped)  # a session cookie without its stamp has ended
    assert "gongkai_session=;" in unstamped.headers["Set-Cookie"]
    other = html(get(portal, f"/units/{portal.village}", headers=token("m-a001", "member", "A001")))
    assert "党员发展对象公示" not in other
    assert html(get(portal, f"/items/{portal.party['id']}"), 404) and "页面不存在" in get(portal, "/units/NOPE").text


def test_items_show_corrections_withdrawals_and_inert_markup(portal):
    old = html(get(portal, f"/items/{portal.old['id']}"))
    assert f'href="/items/{portal.current["id"]}"' in old and "现行版本" in old
    current = html(get(portal, f"/items/{portal.current['id']}"))
    assert "更正后的清单" in current and "更正前的版本" in current
    withdrawn = html(get(portal, f"/items/{portal.withdrawn['id']}"), 410)
    assert "已于" in withdrawn and "撤回" in withdrawn and "内容有误，已撤回" in withdrawn
    marked = html(get(portal, f"/items/{portal.markup['id']}"))
    assert MARKUP not in marked and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in marked
    matter = html(get(portal, f"/items/{portal.matter['id']}"))
    assert "年" in matter and "月" in matter and "日" in matter  # 2026年12月1日, not an ISO date
    html(get(portal, "/items/2147483647"), 404)
    home = html(get(portal, "/", params={"q": "村务收支"}))
    assert "2026年村务收支情况" in home and "各镇（街道）党组织" in home and "实施方案" in home
    models = html(get(portal, "/models"))
    assert "每月5日在公开栏和微信群同步公开村务收支。" in models and "期限" in models


def test_the_feedback_form_is_protected_keeps_text_and_confirms_with_the_tracking_code(portal):
    item = portal.matter["id"]
    wait_for(lambda: scalar(portal.db["feedback"], f"SELECT count(*) FROM targets WHERE kind = 'item' "
                                                   f"AND target_id = '{item}'") == 1, timeout=20,
             message="feedback to learn the item")
    client = {"X-Forwarded-For": "10.0.1.1"}
    form = html(get(portal, f"/feedback/new?target=item:{item}", client="10.0.1.1"))
    assert 'for="f-content"' in form and 'name="website"' in form and form.count("csrf_token") == 1
    post = lambda data: requests.post(portal.api + "/feedback", data=data, headers=client, timeout=30)  # noqa: E731
    before = scalar(portal.db["feedback"], "SELECT count(*) FROM feedback")
    assert post({"target": f"item:{item}", "kind": "opinion", "content": "没有令牌"}).status_code == 403
    forged = post({"target": f"item:{item}", "kind": "opinion", "content": "x", "csrf_token": "a.99999999999.b"})
    assert forged.status_code == 403 and "安全校验码" in forged.text

    empty = post({"target": f"item:{item}", "kind": "opinion", "content": "", "contact": "保留的联系方式",
                  "csrf_token": csrf_of(form)})
    page = html(empty, 400)
    assert "请填写内容。" in page and 'aria-describedby="h-content e-content"' in page and "保留的联系方式" in page
    text = f"我的意见{MARKUP}"
    sent = post({"target": f"item:{item}", "kind": "suggestion", "content": text, "public": "yes",
                 "csrf_token": csrf_of(page)})
    done = html(sent)
    assert "查询码" in done and "查询密码" in done and MARKUP not in done
    replayed = post({"target": f"item:{item}", "kind": "suggestion", "content": "再来", "csrf_token": csrf_of(page)})
    assert replayed.status_code == 403 and "已经提交过" in replayed.text
    code = done.split('id="tracking-code">')[1].split("<")[0]
    again = requests.post(portal.api + "/feedback", headers={"X-Forwarded-For": "10.0.1.9"}, timeout=30, data={
        "target": f"item:{item}", "kind": "suggestion", "content": text, "public": "yes",
        "csrf_token": csrf_of(html(get(portal, f"/feedback/new?target=item:{item}", client="10.0.1.9")))})
    assert again.status_code == 409 and "正在办理，请不要重复提交" in again.text and code not in again.text
    tracked = html(get(portal, f"/track/{code}"))
    assert code in tracked and "办理进度" in tracked
    assert get(portal, f"/track?code={code}").headers["Location"].endswith(f"/track/{code}")
    html(get(portal, "/track/ZZZZZZZZZ9"), 404)
    assert scalar(portal.db["feedback"], "SELECT count(*) FROM feedback") == before + 1
    stored = scalar(portal.db["feedback"], "SELECT content FROM feedback ORDER BY id DESC LIMIT 1")
    assert stored == text  # kept as sent, escaped only when shown


def test_a_bot_post_is_dropped_silently_and_a_flood_gets_a_page_saying_when_to_try_again(portal):
    client = "10.0.2.2"
    before = scalar(portal.db["feedback"], "SELECT count(*) FROM feedback")
    statuses = []
    for n in range(6):  # RATE_LIMIT_FEEDBACK is 5/minute
        form = get(portal, f"/feedback/new?target=unit:{portal.village}", client=client).text
        response = requests.post(portal.api + "/feedback", headers={"X-Forwarded-For": client}, timeout=30, data={
            "target": f"unit:{portal.village}", "kind": "opinion", "content": f"广告 {n}", "website": "http://spam",
            "csrf_token": csrf_of(form)})
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429]
    assert "感谢您的意见建议" in response.text or "秒后再试" in response.text
    assert "秒后再试" in html(response, 429) and int(response.headers["Retry-After"]) >= 1
    assert scalar(portal.db["feedback"], "SELECT count(*) FROM feedback") == before  # nothing stored
    big = get(portal, f"/feedback/new?target=unit:{portal.village}", client="10.0.2.3").text
    oversized = requests.post(portal.api + "/feedback", headers={"X-Forwarded-For": "10.0.2.3"}, timeout=30, data={
        "target": f"unit:{portal.village}", "kind": "opinion", "content": "长" * 5001, "csrf_token": csrf_of(big)})
    assert "内容最多 5000 字" in html(oversized, 400)
    assert requests.post(portal.api + "/feedback", headers={"X-Forwarded-For": "10.0.2.4"}, timeout=30,
                         data={"content": "x" * 70_000}).status_code == 413


def test_qr_codes_posters_and_a_merged_unit(portal):
    import zxingcpp
    from PIL import Image

    png = get(portal, f"/units/{portal.village}/qr.png")
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert decoded.text == f"{portal.api}/units/{portal.village}" and decoded.ec_level in ("Q", "H", "M")
    assert get(portal, f"/units/{portal.village}/qr.svg").content.lstrip().startswith(b"<svg")
    poster = html(get(portal, f"/units/{portal.village}/poster"))
    assert "0592-12345678" in poster and "扫码查看" in poster and "@media print" in get(portal, "/static/gongkai.css").text

    gone = html(get(portal, "/units/T01V004"), 410)
    assert 'href="/units/T01V003"' in gone and "合并" in gone
    assert 'href="/units/T01V003"' in html(get(portal, "/units/T01V004/qr.svg"), 410)

    login = get(portal, "/towns/T01/posters")
    assert login.status_code == 303 and login.headers["Location"] == "/login?next=/towns/T01/posters"
    assert get(portal, "/towns/T01/posters", headers=token("m", "member", "T01")).status_code == 403
    town = html(get(portal, "/towns/T01/posters", headers=office()))
    assert town.count('class="poster"') == town.count("/qr.svg") and "T01V001" in town and "T01V004/qr" not in town
    archive = zipfile.ZipFile(io.BytesIO(get(portal, "/towns/T01/posters.zip", headers=office()).content))
    assert len(archive.namelist()) == town.count('class="poster"') and all(n.endswith(".png") for n in archive.namelist())
    assert html(get(portal, "/towns/T01V001/posters", headers=office()), 404)


def test_pages_are_not_in_the_openapi_document_and_form_posts_are_audited(portal):
    document = requests.get(portal.api + "/api/v1/openapi.json", timeout=30).json()
    assert not [path for path in document["paths"] if not path.startswith(("/api/", "/healthz", "/readyz"))]
    wait_for(lambda: any(entry["action"] == "POST /feedback" for entry in requests.get(
        portal.api + "/api/v1/audit", headers=token("auditor", "auditor"), params={"limit": 200}, timeout=30).json()["items"]),
             timeout=20, message="the form posts in the audit trail")
