"""The staff console's sign-in and pages over HTTP against separately started processes (one
cluster for the module), as a browser without script does them: cookies, CSRF tokens, redirects.

The admin signs in and provisions a town; a provisioned operator's first sign-in must change
the one-time password; an expired session is renewed through /login and goes back to the page
asked for; a disabled account's session ends at its renewal; sign-out revokes the session; a
reviewer approves an item from 我的待办 with a confirmation, and a stale confirmation (the item
moved on meanwhile) says who did what, changing nothing; missing CSRF tokens and wrong or too hasty
passwords are clear pages."""
import io
import re

import pytest
import requests
from openpyxl import load_workbook

from gateway.auth import mint_token
from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import scalar, wait_for
from tests.console_fixtures import county  # noqa: F401  the fixture
from tests.test_end_to_end import SECRET, token

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89" + bytes.fromhex(
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEW_PASSWORD = "our village office 2026"


def csrf_of(response):
    found = CSRF.search(response.text)
    assert found, response.text[:2000]
    return found.group(1)


def expire_session(browser, username, role, unit=None):
    """Put an access token that has just expired in the session cookie (the refresh cookie stays)."""
    (old,) = [c for c in browser.cookies if c.name == "gongkai_session"]
    browser.cookies.clear(old.domain, old.path, old.name)
    browser.cookies.set("gongkai_session", mint_token(SECRET, username, role, unit, -5), domain=old.domain,
                        path=old.path)


def sign_in(api, username, password, browser=None, next_page=None):
    browser = browser or requests.Session()
    form = browser.get(f"{api}/login", params={"next": next_page} if next_page else None)
    answer = browser.post(f"{api}/login", data={"csrf_token": csrf_of(form), "username": username,
                                                "password": password, "next": next_page or ""},
                          allow_redirects=False)
    return browser, answer


def test_signing_in_provisioning_and_the_first_password_change(county):
    api = county["api"]
    anonymous = requests.get(f"{api}/console", allow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["Location"] == "/login?next=/console"

    browser, wrong = sign_in(api, "admin", "not the password")
    assert wrong.status_code == 401 and "用户名或密码不对" in wrong.text
    no_token = browser.post(f"{api}/login", data={"username": "admin", "password": DEMO_PASSWORD})
    assert no_token.status_code == 403 and "安全校验码" in no_token.text
    assert "gongkai_session" not in browser.cookies

    browser, signed_in = sign_in(api, "admin", DEMO_PASSWORD, browser)
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/console"
    cookies = signed_in.headers["Set-Cookie"]
    for name in ("gongkai_session", "gongkai_refresh"):
        assert name in cookies
    assert cookies.count("HttpOnly") == 2 and cookies.count("SameSite=Lax") == 2 and "Secure" not in cookies
    home = browser.get(f"{api}/console")
    assert home.status_code == 200 and "被锁定的账号" in home.text and "default-src 'none'" in \
        home.headers["Content-Security-Policy"]

    form = browser.get(f"{api}/console/accounts/provision")
    sheet = browser.post(f"{api}/console/accounts/provision", data={"csrf_token": csrf_of(form), "town": "T01"})
    assert sheet.status_code == 200 and sheet.headers["Content-Type"].startswith("application/vnd.openxml")
    rows = [r for r in list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))[1:]
            if r and r[3]]
    operator = next(r for r in rows if r[3].startswith("op-") and r[6] == "新开设")
    unknown = browser.post(f"{api}/console/accounts/provision",
                           data={"csrf_token": csrf_of(browser.get(f"{api}/console/accounts/provision")),
                                 "town": "NOPE"})
    assert unknown.status_code == 404 and "NOPE" in unknown.text

    clerk, first = sign_in(api, operator[3], operator[5])
    assert first.status_code == 403 and "首次登录" in first.text and "gongkai_session" not in clerk.cookies
    mismatch = clerk.post(f"{api}/login/password", data={
        "csrf_token": csrf_of(first), "username": operator[3], "current_password": operator[5],
        "new_password": NEW_PASSWORD, "new_password2": "something else entirely"}, allow_redirects=False)
    assert mismatch.status_code == 400 and "两次输入的新密码不一致" in mismatch.text
    changed = clerk.post(f"{api}/login/password", data={
        "csrf_token": csrf_of(mismatch), "username": operator[3], "current_password": operator[5],
        "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, allow_redirects=False)
    assert changed.status_code == 303 and changed.headers["Location"] == "/console"
    work = clerk.get(f"{api}/console")
    assert work.status_code == 200 and "待完成的公开任务" in work.text and operator[3] in work.text
    assert sign_in(api, operator[3], NEW_PASSWORD)[1].status_code == 303

    # the admin sees the clerk's account and disables it: its session ends at its next renewal
    listed = browser.get(f"{api}/console/accounts", params={"q": operator[3]})
    assert operator[3] in listed.text and "停用" in listed.text
    confirm = browser.get(f"{api}/console/accounts/{operator[3]}/disable")
    done = browser.post(f"{api}/console/accounts/{operator[3]}/disable", data={"csrf_token": csrf_of(confirm)})
    assert done.status_code == 200 and "已停用" in done.text
    expire_session(clerk, operator[3], "operator", operator[0])
    ended = clerk.get(f"{api}/console")
    assert ended.url.startswith(f"{api}/login") and "登录已结束" in ended.text
    assert "gongkai_refresh" not in clerk.cookies


def test_an_expired_session_is_renewed_and_sign_out_ends_it(county):
    api = county["api"]
    browser, _ = sign_in(api, "admin", DEMO_PASSWORD)
    expire_session(browser, "admin", "admin")
    back = browser.get(f"{api}/console/accounts", params={"role": "admin"})
    assert back.status_code == 200 and back.url == f"{api}/console/accounts?role=admin"
    assert [r.status_code for r in back.history] == [303, 303]  # to /login, renewed, and back
    refresh = browser.cookies["gongkai_refresh"]

    out = browser.post(f"{api}/logout", data={"csrf_token": csrf_of(back)}, allow_redirects=False)
    assert out.status_code == 303 and out.headers["Location"] == "/login"
    assert "gongkai_session" not in browser.cookies and "gongkai_refresh" not in browser.cookies
    copied = requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "refresh_token", "refresh_token": refresh})
    assert copied.status_code == 401  # the signed-out session cannot be taken up again

    for _ in range(3):
        assert sign_in(api, "office", "wrong guess")[1].status_code == 401
    _, slowed = sign_in(api, "office", DEMO_PASSWORD)  # too soon after the third wrong password
    assert slowed.status_code == 429 and "秒后再试" in slowed.text and "锁定 15 分钟" in slowed.text
    assert 1 <= int(slowed.headers["Retry-After"]) <= 2 and "gongkai_session" not in slowed.cookies


def test_an_operator_drafts_with_a_photo_and_a_reviewer_approves_from_the_work_page(county):
    api, disclosure = county["api"], county["urls"]["disclosure"]
    clerk, _ = sign_in(api, "op-a001", DEMO_PASSWORD)
    editor = clerk.get(f"{api}/console/items/new")
    assert editor.status_code == 200 and 'type="file"' in editor.text and "最大 0.2 MB" in editor.text
    fields = {"title": "2026年第四季度党费收缴使用情况", "body": "本季度共收缴党费……", "audience": "society",
              "carriers": ["公开栏", "网站"], "then": "submit"}
    items_before = scalar(disclosure, "SELECT count(*) FROM items")
    too_big = clerk.post(f"{api}/console/items", data={**fields, "csrf_token": csrf_of(editor)},
                         files={"file": ("board.jpg", b"\xff\xd8" + b"0" * 250_000, "image/jpeg")})
    assert too_big.status_code == 413 and "文件超过 0.2 MB" in too_big.text and fields["body"] in too_big.text
    assert scalar(disclosure, "SELECT count(*) FROM items") == items_before  # nothing stored
    no_carrier = clerk.post(f"{api}/console/items", data={**fields, "carriers": [], "csrf_token": csrf_of(too_big)})
    assert no_carrier.status_code == 400 and "请至少选择一种公开载体" in no_carrier.text
    made = clerk.post(f"{api}/console/items", data={**fields, "csrf_token": csrf_of(no_carrier)},
                      files={"file": ("公开栏照片.png", PNG, "image/png")}, allow_redirects=False)
    assert made.status_code == 303, made.text
    page = clerk.get(f"{api}{made.headers['Location']}")
    assert "待审核" in page.text and "公开栏照片.png" in page.text and "op-a001" in page.text
    item = {"id": int(made.headers["Location"].rsplit("/", 1)[1]), "title": fields["title"]}

    reviewer, _ = sign_in(api, "rv-a001", DEMO_PASSWORD)
    work = reviewer.get(f"{api}/console")
    assert "待审核的事项" in work.text and item["title"] in work.text
    confirm = reviewer.get(f"{api}/console/items/{item['id']}/review")
    assert confirm.status_code == 200 and "确认审核通过" in confirm.text
    reviewed = reviewer.post(f"{api}/console/items/{item['id']}/review", data={"csrf_token": csrf_of(confirm)})
    assert reviewed.status_code == 200 and "已审核通过" in reviewed.text

    first, second = (reviewer.get(f"{api}/console/items/{item['id']}/approve") for _ in range(2))
    approved = reviewer.post(f"{api}/console/items/{item['id']}/approve", data={"csrf_token": csrf_of(first)})
    assert approved.status_code == 200 and "已审批通过并发布" in approved.text
    stale = reviewer.post(f"{api}/console/items/{item['id']}/approve", data={"csrf_token": csrf_of(second)})
    assert stale.status_code == 409 and "没有办成" in stale.text and "rv-a001" in stale.text and "已公开" in stale.text
    assert requests.get(f"{api}/api/v1/items/{item['id']}").json()["status"] == "published"
    wait_for(lambda: item["title"] in requests.get(f"{api}/units/A001").text, timeout=20,
             message="the item on the public unit page")

    no_reason = reviewer.get(f"{api}/console/items/{item['id']}/reject")
    refused = reviewer.post(f"{api}/console/items/{item['id']}/reject", data={"csrf_token": csrf_of(no_reason)})
    assert refused.status_code == 400 and "退回时请写明原因" in refused.text


def test_the_office_reads_the_dashboard_with_a_table_under_each_chart(county):
    api = county["api"]
    office = token("office", "inspector")
    dashboard = requests.get(f"{api}/console/progress", headers=office)
    assert dashboard.status_code == 200 and "进度监测" in dashboard.text
    for kind in ("town", "sector", "overdue"):
        assert f'src="/console/progress/{kind}.svg?year=' in dashboard.text
        chart = requests.get(f"{api}/console/progress/{kind}.svg", headers=office)
        assert chart.status_code == 200 and chart.headers["Content-Type"].startswith("image/svg+xml")
        assert b"<svg" in chart.content and b"<script" not in chart.content
        sheet = requests.get(f"{api}/console/progress/{kind}.xlsx", headers=office)
        rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
        assert rows[1][0] in ("镇街", "领域") and rows[1][-1] == "按时公开率"
    assert dashboard.text.count("<table>") == 7 and "/console/obligations?year=" in dashboard.text
    behind = requests.get(f"{api}/console/obligations", params={"status": "open", "town": "T01"}, headers=office)
    assert behind.status_code == 200 and "公开任务" in behind.text
    screen = requests.get(f"{api}/console/screen", headers=office)
    assert screen.status_code == 200 and screen.headers["Refresh"] == "60" and "按时公开率" in screen.text
    assert requests.get(f"{api}/console/progress", headers=token("op-a001", "operator", "A001")).status_code == 403
