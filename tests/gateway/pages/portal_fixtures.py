"""One cluster with the sample county for the portal's tests (tests/gateway/pages/test_portal.py over HTTP and
tests/gateway/pages/test_portal_browser.py in Chromium): every service its own process, items published through
the API as a unit's officials publish them, a designated site with its experience write-up and a
merged unit. Session-scoped so both modules share it; the gateway trusts X-Forwarded-For, so each
test counts against the rate limits as a client of its own."""
import re

import pytest
import requests

from tests.clusters import SAMPLE, running_county
from tests.conftest import scalar, wait_for
from tests.test_end_to_end import token


def office():
    """The county office's headers, minted when used (a token minted at import expires in a long run)."""
    return token("office", "inspector")


def admin():
    return token("admin", "admin")
SCAN_CEILING = 6  # scans of one item counted in a day (test_portal_county.py goes past it)
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def officials(unit):
    return token(f"op-{unit}", "operator", unit), token(f"rv-{unit}", "reviewer", unit)


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.text[:500])
    return response.json() if "json" in response.headers.get("Content-Type", "") else response


def publish(api, unit, title, body, audience="society", obligation_id=None):
    operator, reviewer = officials(unit)
    item = ok(requests.post(f"{api}/api/v1/items", headers=operator, json={
        "unit_code": unit, "title": title, "body": body, "audience": audience, "carriers": ["公开栏"],
        "obligation_id": obligation_id}), 201)
    return _through(api, item["id"], operator, reviewer)


def _through(api, item_id, operator, reviewer):
    ok(requests.post(f"{api}/api/v1/items/{item_id}/submit", headers=operator))
    ok(requests.post(f"{api}/api/v1/items/{item_id}/review", headers=reviewer))
    return ok(requests.post(f"{api}/api/v1/items/{item_id}/approve", headers=reviewer))


def csrf_of(html):
    return CSRF.search(html).group(1)


@pytest.fixture(scope="session")
def portal(tmp_path_factory, sqlite_templates):
    with running_county(tmp_path_factory.mktemp("portal"), sqlite_templates, public_base_url=True,
                        loaders=(SAMPLE, "services.disclosure.load_sample"),
                        env={"TRUST_PROXY": "true", "RATE_LIMIT_FEEDBACK": "5/minute",
                             "PORTAL_HOTLINE": "0592-12345678", "PORTAL_SITE_CODE": "3502110001",
                             "PORTAL_ICP_FILING": "闽ICP备12345678号-1",
                             "PORTAL_PSB_FILING": "闽公网安备35021102000123号",
                             "SCAN_CEILING_PER_ITEM_DAY": str(SCAN_CEILING)}) as running:
        wait_for(lambda: scalar(running.urls["disclosure"], "SELECT count(*) FROM obligations WHERE unit_code = "
                                                            "'T01V001'") > 0, timeout=60, message="obligations")
        running.__dict__.update(_content(running.api, running.urls))
        yield running


def _content(api, urls):
    """What the pages show: a village's items (one under a catalogue matter, one Party-scope,
    one with markup in its title, one corrected, one withdrawn), a designated site with its
    experience write-up, and a village merged into another."""
    obligation = scalar(urls["disclosure"], "SELECT min(id) FROM obligations WHERE unit_code = 'T01V001'")
    village = "T01V001"
    matter = publish(api, village, "2026年村务收支情况", "收入 12,000 元，支出 8,000 元。", obligation_id=obligation)
    party = publish(api, village, "党员发展对象公示", "拟发展对象：张某。", audience="party")
    markup = publish(api, village, f"标题{MARKUP}", f"正文{MARKUP}")
    old = publish(api, village, "村集体资产清单", "第一版")
    operator, reviewer = officials(village)
    corrected = ok(requests.post(f"{api}/api/v1/items/{old['id']}/correct", headers=operator, json={"body": "更正后的清单"}), 201)
    current = _through(api, corrected["id"], operator, reviewer)
    gone = publish(api, village, "误发的通知", "内容有误")
    ok(requests.post(f"{api}/api/v1/items/{gone['id']}/withdraw", headers=reviewer, json={"reason": "内容有误，已撤回"}))
    nominated = ok(requests.post(f"{api}/api/v1/designations", headers=office(), json={
        "unit_code": village, "kind": "model", "reason": "村务公开做得好"}), 201)
    ok(requests.post(f"{api}/api/v1/designations/{nominated['id']}/designate", headers=office(), json={"term_years": 2}))
    ok(requests.put(f"{api}/api/v1/designations/{nominated['id']}/experience", headers=office(),
                    json={"experience": "每月5日在公开栏和微信群同步公开村务收支。"}))
    ok(requests.post(f"{api}/api/v1/units/T01V004/merge", headers=admin(), json={"into_code": "T01V003"}))
    return {"village": village, "matter": matter, "party": party, "markup": markup, "old": old, "current": current,
            "withdrawn": gone, "designation": nominated}
