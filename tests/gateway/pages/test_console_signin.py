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
import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import requests
from openpyxl import load_workbook

from gateway.auth import mint_token
from gateway.pages.kit.idle import SEEN_COOKIE, IdleSessions
from services.units.demo_accounts import DEMO_PASSWORD
from tests.clusters import services_now
from tests.conftest import scalar, wait_for
from tests.otp import code_for
from tests.test_end_to_end import SECRET, token

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89" + bytes.fromhex(
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEW_PASSWORD = "our village office 2026"


HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')


def csrf_of(response):
    found = CSRF.search(response.text)
    assert found, response.text[:2000]
    return found.group(1)


def hidden_of(response, action):
    """The hidden fields of the page's form posting to `action`, as a browser sends them."""
    form = response.text[response.text.index(f'action="{action}"'):]
    return dict(HIDDEN.findall(form[:form.index("</form>")]))


def expire_session(browser, username, role, unit=None):
    """Put an access token that has just expired in the session cookie (the refresh cookie stays)."""
    (old,) = [c for c in browser.cookies if c.name == "gongkai_session"]
    browser.cookies.clear(old.domain, old.path, old.name)
    browser.cookies.set("gongkai_session", mint_token(SECRET, username, role, unit, -5), domain=old.domain,
                        path=old.path)


def sign_in(api, username, password, browser=None, next_page=None):
    """Sign in as a browser does; for the roles that need one, the second factor's page follows the
    password and takes the demo account's code (tests/otp.py)."""
    browser = browser or requests.Session()
    form = browser.get(f"{api}/login", params={"next": next_page} if next_page else None)
    answer = browser.post(f"{api}/login", data={"csrf_token": csrf_of(form), "username": username,
                                                "password": password, "next": next_page or ""},
                          allow_redirects=False)
    if answer.status_code == 200 and 'action="/login/otp"' in answer.text:
        answer = browser.post(f"{api}/login/otp", data={**hidden_of(answer, "/login/otp"),
                                                        "otp": code_for(username, api)}, allow_redirects=False)
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
    for name in ("gongkai_session", "gongkai_refresh", "gongkai_seen"):  # seen: the idle time's stamp
        assert name in cookies
    assert cookies.count("HttpOnly") == 3 and cookies.count("SameSite=Lax") == 3 and "Secure" not in cookies
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
    assert editor.status_code == 200 and 'type="file"' in editor.text and "最大 195 KB" in editor.text
    fields = {"title": "2026年第四季度党费收缴使用情况", "body": "本季度共收缴党费……", "audience": "society",
              "carriers": ["公开栏", "网站"], "then": "submit"}
    items_before = scalar(disclosure, "SELECT count(*) FROM items")
    too_big = clerk.post(f"{api}/console/items", data={**fields, "csrf_token": csrf_of(editor)},
                         files={"file": ("board.jpg", b"\xff\xd8" + b"0" * 250_000, "image/jpeg")})
    assert too_big.status_code == 413 and "文件超过 195 KB 的上限" in too_big.text and fields["body"] in too_big.text
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


# --- items: a correction as a diff, stale forms, and the bad-input pages ---------------------



def operator_token():
    return token("op-a001", "operator", "A001")


def reviewer_token():
    return token("rv-a001", "reviewer", "A001")

MOMENT = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日 (\d\d):(\d\d)")


def submitted_item(api, title, body="第一行\n第二行\n第三行"):
    """A new item of A001, sent for 审核 over the API (the console's own forms are tested above)."""
    made = requests.post(f"{api}/api/v1/items", headers=operator_token(), json={
        "unit_code": "A001", "title": title, "body": body, "audience": "society", "carriers": ["公开栏"]})
    assert made.status_code == 201, made.text
    assert requests.post(f"{api}/api/v1/items/{made.json()['id']}/submit", headers=operator_token()).status_code == 200
    return made.json()["id"]


def published_item(api, title, body):
    item_id = submitted_item(api, title, body)
    for action in ("review", "approve"):
        assert requests.post(f"{api}/api/v1/items/{item_id}/{action}", headers=reviewer_token()).status_code == 200
    return item_id


def item_of(api, item_id):
    return requests.get(f"{api}/api/v1/items/{item_id}", headers=reviewer_token()).json()


def test_an_operator_corrects_a_published_item_and_the_reviewer_approves_it_as_a_diff(county):
    api, title = county["api"], f"党员发展情况公示 {uuid.uuid4().hex[:8]}"
    old_id = published_item(api, title, "发展对象：张三\n培养联系人：李四\n公示期：7天\n监督电话：1234567")
    clerk, _ = sign_in(api, "op-a001", DEMO_PASSWORD)
    page = clerk.get(f"{api}/console/items/{old_id}")
    assert page.status_code == 200 and f'href="/console/items/{old_id}/correct"' in page.text and "发起更正" in page.text

    form = clerk.get(f"{api}/console/items/{old_id}/correct")
    assert form.status_code == 200 and "培养联系人：李四" in form.text and "生成第 2 版" in form.text
    fields = {"title": title, "body": "发展对象：张三\n培养联系人：李四\n公示期：7天\n监督电话：1234567",
              "audience": "society", "carriers": ["公开栏"], "then": "submit"}
    same = clerk.post(f"{api}/console/items/{old_id}/correct",
                      data={**fields, **hidden_of(form, f"/console/items/{old_id}/correct")})
    assert same.status_code == 400 and "与已公开的版本完全相同" in same.text
    fields["body"] = "发展对象：张三\n培养联系人：王五\n公示期：7天\n公示起止：12月1日至12月7日"
    fields["carriers"] = ["公开栏", "网站"]
    made = clerk.post(f"{api}/console/items/{old_id}/correct", allow_redirects=False,
                      data={**fields, **hidden_of(same, f"/console/items/{old_id}/correct")})
    assert made.status_code == 303, made.text
    new_id = int(made.headers["Location"].rsplit("/", 1)[1])
    assert item_of(api, new_id)["status"] == "submitted" and item_of(api, new_id)["previous_id"] == old_id

    # the published version names its correction under way and offers no second one
    again = clerk.get(f"{api}/console/items/{old_id}")
    assert f'href="/console/items/{new_id}"' in again.text and "/correct" not in again.text
    second = clerk.get(f"{api}/console/items/{old_id}/correct")
    assert second.status_code == 409 and "已有正在办理的更正（第 2 版）" in second.text

    # sent back with a reason, the correction is changed as a draft and sent again
    reviewer, _ = sign_in(api, "rv-a001", DEMO_PASSWORD)
    work = reviewer.get(f"{api}/console")
    assert f'id="item-{new_id}"' in work.text and "更正 · 第 2 版" in work.text
    confirm = reviewer.get(f"{api}/console/items/{new_id}/reject")
    sent_back = reviewer.post(f"{api}/console/items/{new_id}/reject", allow_redirects=False, data={
        **hidden_of(confirm, f"/console/items/{new_id}/reject"), "reason": "公示期应到12月8日"})
    assert sent_back.status_code == 303 and item_of(api, new_id)["status"] == "draft"
    assert f'href="/console/items/{new_id}/edit"' in clerk.get(f"{api}/console/items/{new_id}").text
    editor = clerk.get(f"{api}/console/items/{new_id}/edit")
    assert editor.status_code == 200 and "修改草稿" in editor.text and "公示起止：12月1日至12月7日" in editor.text
    fields["body"] = fields["body"].replace("12月7日", "12月8日")
    edited = clerk.post(f"{api}/console/items/{new_id}/edit", allow_redirects=False,
                        data={**fields, **hidden_of(editor, f"/console/items/{new_id}/edit")})
    assert edited.status_code == 303 and edited.headers["Location"] == f"/console/items/{new_id}"
    assert item_of(api, new_id)["status"] == "submitted" and "12月8日" in item_of(api, new_id)["body"]
    for action in ("review", "approve"):
        confirm = reviewer.get(f"{api}/console/items/{new_id}/{action}")
        text = confirm.text
        assert confirm.status_code == 200 and "与已公开的第 1 版对照" in text
        assert "<del><span class=\"sr-only\">［删除：</span>李四" in text and "<ins><span class=\"sr-only\">［新增：</span>王五" in text
        assert "<del><span class=\"sr-only\">删除：</span>监督电话：1234567</del>" in text
        assert "<ins><span class=\"sr-only\">新增：</span>公示起止：12月1日至12月8日</ins>" in text
        assert "公开载体：" in text and "公开栏、网站" in text
        assert "更正第 1 版（事项" in text and "correction of" not in text  # the trail's own step, in Chinese
        done = reviewer.post(f"{api}/console/items/{new_id}/{action}",
                             data=hidden_of(confirm, f"/console/items/{new_id}/{action}"), allow_redirects=False)
        assert done.status_code == 303, done.text
    assert item_of(api, new_id)["status"] == "published" and item_of(api, old_id)["status"] == "corrected"
    assert "删除：" in reviewer.get(f"{api}/console/items/{new_id}").text  # the item page shows it too


def test_a_stale_confirmation_says_who_moved_the_item_on_and_when_and_changes_nothing(county):
    api = county["api"]
    item_id = submitted_item(api, f"三会一课开展情况 {uuid.uuid4().hex[:8]}")
    reviewer, _ = sign_in(api, "rv-a001", DEMO_PASSWORD)
    assert requests.post(f"{api}/api/v1/items/{item_id}/review", headers=reviewer_token()).status_code == 200
    opened = reviewer.get(f"{api}/console/items/{item_id}/approve")  # read as reviewed
    # meanwhile it is sent back, corrected by the operator and reviewed again: the same status, not what was read
    assert requests.post(f"{api}/api/v1/items/{item_id}/reject", headers=reviewer_token(),
                         json={"reason": "请补充会议次数"}).status_code == 200
    assert requests.patch(f"{api}/api/v1/items/{item_id}", headers=operator_token(),
                          json={"body": "全年召开支部党员大会4次"}).status_code == 200
    assert requests.post(f"{api}/api/v1/items/{item_id}/submit", headers=operator_token()).status_code == 200
    assert requests.post(f"{api}/api/v1/items/{item_id}/review", headers=reviewer_token()).status_code == 200
    before = item_of(api, item_id)

    stale = reviewer.post(f"{api}/console/items/{item_id}/approve",
                          data=hidden_of(opened, f"/console/items/{item_id}/approve"))
    last = before["trail"][-1]
    at = datetime.fromisoformat(last["at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    expected = f"该事项已由 rv-a001 于 {at.year}年{at.month}月{at.day}日 {at:%H:%M} 审核通过，请刷新后再操作。"
    assert stale.status_code == 409 and expected in stale.text and "什么也没有改变" in stale.text
    assert stale.text.index('id="problem"') < stale.text.index(f'action="/console/items/{item_id}/approve"')
    after = item_of(api, item_id)
    assert after["status"] == "reviewed" and len(after["trail"]) == len(before["trail"])  # nothing changed

    # refreshed, the form is for what is there now, and goes through
    fresh = reviewer.post(f"{api}/console/items/{item_id}/approve",
                          data=hidden_of(stale, f"/console/items/{item_id}/approve"), allow_redirects=False)
    assert fresh.status_code == 303 and item_of(api, item_id)["status"] == "published"


def test_a_form_sent_after_the_session_ended_goes_to_sign_in_and_says_it_was_not_sent(county):
    api, disclosure = county["api"], county["urls"]["disclosure"]
    clerk, _ = sign_in(api, "op-a001", DEMO_PASSWORD)
    editor = clerk.get(f"{api}/console/items/new")
    fields = {"title": f"过期后提交 {uuid.uuid4().hex[:8]}", "body": "正文", "audience": "society", "carriers": ["公开栏"],
              "then": "draft", "csrf_token": csrf_of(editor)}
    items_before = scalar(disclosure, "SELECT count(*) FROM items")

    expire_session(clerk, "op-a001", "operator", "A001")  # the refresh cookie still good: renewed, but not sent
    late = clerk.post(f"{api}/console/items", data=fields, allow_redirects=False)
    assert late.status_code == 303 and late.headers["Location"] == "/login?next=/console/items/new&unsent=1"
    renewed = clerk.get(f"{api}{late.headers['Location']}", allow_redirects=False)
    assert renewed.status_code == 200 and "刚才提交的表单没有发送" in renewed.text
    assert 'href="/console/items/new"' in renewed.text and "gongkai_session=" in renewed.headers["Set-Cookie"]
    again = clerk.get(f"{api}/console/items/new", allow_redirects=False)
    assert again.status_code == 200  # signed in again

    expire_session(clerk, "op-a001", "operator", "A001")
    clerk.cookies.clear(name="gongkai_refresh", domain=clerk.cookies.list_domains()[0], path="/")
    asked = clerk.get(f"{api}/console/items/new", allow_redirects=False)  # a page: back to it after sign-in
    assert asked.status_code == 303 and asked.headers["Location"] == "/login?next=/console/items/new"
    lost = clerk.post(f"{api}/console/items", data={**fields, "csrf_token": csrf_of(again)})
    assert lost.url.endswith("/login?next=/console/items/new&unsent=1")
    assert lost.status_code == 200 and "刚才提交的表单没有发送" in lost.text and 'name="password"' in lost.text
    back = clerk.post(f"{api}/login", data={"csrf_token": csrf_of(lost), "username": "op-a001",
                                            "password": DEMO_PASSWORD, "next": "/console/items/new"},
                      allow_redirects=False)
    assert back.status_code == 303 and back.headers["Location"] == "/console/items/new"
    assert scalar(disclosure, "SELECT count(*) FROM items") == items_before  # neither post stored anything


def test_a_missing_csrf_token_and_an_upload_over_the_limit_are_clear_pages_that_change_nothing(county):
    api, disclosure = county["api"], county["urls"]["disclosure"]
    item_id = submitted_item(api, f"廉洁过节提醒 {uuid.uuid4().hex[:8]}")
    reviewer, _ = sign_in(api, "rv-a001", DEMO_PASSWORD)
    no_token = reviewer.post(f"{api}/console/items/{item_id}/review", data={"seen": "2"})
    assert no_token.status_code == 403 and "表单已失效，没有提交" in no_token.text
    assert "这次提交的内容没有保存" in no_token.text and f'href="/console/items/{item_id}/review"' in no_token.text
    assert item_of(api, item_id)["status"] == "submitted"

    clerk, _ = sign_in(api, "op-a001", DEMO_PASSWORD)
    editor = clerk.get(f"{api}/console/items/new")
    assert "最大 195 KB" in editor.text  # the fixture's 200,000-byte limit, in the unit people use
    fields = {"title": f"超大附件 {uuid.uuid4().hex[:8]}", "body": "正文", "audience": "society", "carriers": ["公开栏"],
              "then": "submit", "csrf_token": csrf_of(editor)}
    items_before = scalar(disclosure, "SELECT count(*) FROM items")
    huge = clerk.post(f"{api}/console/items", data=fields,
                      files={"file": ("board.jpg", b"\xff\xd8" + b"0" * 600_000, "image/jpeg")})
    assert huge.status_code == 413 and "每个文件最大 195 KB" in huge.text and "这次提交的内容没有保存" in huge.text
    assert 'href="/console/items/new"' in huge.text
    assert scalar(disclosure, "SELECT count(*) FROM items") == items_before


def test_a_locked_account_is_told_until_when_in_county_time(county):
    api, username = county["api"], f"locked-{uuid.uuid4().hex[:6]}"
    created = requests.post(f"{api}/api/v1/accounts", headers=token("admin", "admin"), json={
        "username": username, "password": NEW_PASSWORD, "role": "operator", "display_name": "锁定测试",
        "unit_code": "A001"})
    assert created.status_code == 201, created.text
    for attempt in range(5):  # the third and fourth wrong passwords are each followed by a wait
        wrong = requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "password", "username": username,
                                                                      "password": "wrong guess"})
        assert wrong.status_code == 401, wrong.text
        time.sleep({2: 2.1, 3: 4.1}.get(attempt, 0))
    _, locked = sign_in(api, username, NEW_PASSWORD)
    assert locked.status_code == 429 and "已暂停" in locked.text and "自动解锁" in locked.text
    assert "请联系安全管理员" in locked.text
    shown = datetime(*map(int, MOMENT.search(locked.text).groups()), tzinfo=ZoneInfo("Asia/Shanghai"))
    until = datetime.fromisoformat(str(scalar(county["urls"]["units"],
                                              f"SELECT locked_until FROM address_locks WHERE username = '{username}'")))
    until = until.replace(tzinfo=until.tzinfo or timezone.utc)
    assert timedelta(0) <= shown - until.replace(second=0, microsecond=0) <= timedelta(minutes=1)


def last_used(browser, username, minutes_ago):
    """The session's activity stamp as a page would have set it `minutes_ago` (gateway/pages/kit/idle.py)."""
    (old,) = [c for c in browser.cookies if c.name == SEEN_COOKIE]
    browser.cookies.clear(old.domain, old.path, old.name)
    at = int(time.time() - minutes_ago * 60)
    browser.cookies.set(SEEN_COOKIE, f"{at}.{IdleSessions(SECRET, None)._mac(username, at)}", domain=old.domain,
                        path=old.path)


def test_sign_in_history_shows_the_own_attempts_in_county_time(county):
    api, username = county["api"], f"hist-{uuid.uuid4().hex[:6]}"
    assert requests.post(f"{api}/api/v1/accounts", headers=token("admin", "admin"), json={
        "username": username, "password": NEW_PASSWORD, "role": "operator", "display_name": "登录记录",
        "unit_code": "A001"}).status_code == 201
    wrong = requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "password", "username": username,
                                                            "password": "wrong guess"})
    assert wrong.status_code == 401
    browser, _ = sign_in(api, username, NEW_PASSWORD)
    page = browser.get(f"{api}/console/sign-ins")
    assert page.status_code == 200 and "我的登录记录" in page.text
    rows = page.text[page.text.index("<tbody>"):page.text.index("</tbody>")]
    assert rows.count("<tr>") == 2 and rows.index("登录成功") < rows.index("密码错误")  # newest first
    assert "127.0.0.1" in rows and len(MOMENT.findall(rows)) == 2
    shown = datetime(*map(int, MOMENT.search(rows).groups()), tzinfo=ZoneInfo("Asia/Shanghai"))
    assert abs(shown - services_now(api)) < timedelta(minutes=2)  # county time, not UTC; the services' clock
    other, _ = sign_in(api, "op-a001", DEMO_PASSWORD)
    assert username not in other.get(f"{api}/console/sign-ins").text  # each reads only their own


def test_an_idle_console_session_ends_and_the_next_page_says_why(county):
    api, username = county["api"], f"idle-{uuid.uuid4().hex[:6]}"
    assert requests.post(f"{api}/api/v1/accounts", headers=token("admin", "admin"), json={
        "username": username, "password": NEW_PASSWORD, "role": "operator", "display_name": "闲置",
        "unit_code": "A001"}).status_code == 201
    browser, _ = sign_in(api, username, NEW_PASSWORD)
    assert browser.get(f"{api}/console", allow_redirects=False).status_code == 200
    last_used(browser, username, 59)  # an operator: 60 minutes
    assert browser.get(f"{api}/console", allow_redirects=False).status_code == 200
    last_used(browser, username, 61)
    ended = browser.get(f"{api}/console", allow_redirects=False)
    assert ended.status_code == 303 and "idle=60" in ended.headers["Location"]
    assert "gongkai_session" not in browser.cookies and "gongkai_refresh" not in browser.cookies
    told = browser.get(f"{api}{ended.headers['Location']}")
    assert "超过 60 分钟没有操作" in told.text and "请重新登录" in told.text
    assert browser.get(f"{api}/console", allow_redirects=False).status_code == 303  # signed out

    # the access token ran out while idle: the sign-in page does not renew it with the refresh cookie
    browser, _ = sign_in(api, username, NEW_PASSWORD)
    expire_session(browser, username, "operator", "A001")
    last_used(browser, username, 61)
    told = browser.get(f"{api}/console")
    assert told.url.startswith(f"{api}/login") and "超过 60 分钟没有操作" in told.text
    assert "gongkai_refresh" not in browser.cookies
