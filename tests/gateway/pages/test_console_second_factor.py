"""The second factor over HTTP against the console's cluster, as a browser without script does it:
a new county-office account enrols at its first sign-in (QR code, a wrong code refused, the
right one shows ten recovery codes once), then signs in with a code after the password; a code
used once is refused the second time, on the console and through the API's password grant,
which asks for `otp`; a recovery code works once; every attempt is in the audit trail under
the account's name. The pages in Chromium with axe; and the three administrators on the
accounts pages."""
import json
import os
import re
import subprocess
import sys
import uuid

import requests

from services.common.config import ROOT
from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import wait_for
from tests.gateway.pages.test_console_signin import NEW_PASSWORD, csrf_of, hidden_of, sign_in
from tests.otp import code_for, wrong_code
from tests.test_end_to_end import token

SECRET_SHOWN = re.compile(r'id="otp-secret">([A-Z2-7 ]+)<')
CODES_SHOWN = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def password_step(api, username, password=NEW_PASSWORD):
    browser = requests.Session()
    form = browser.get(f"{api}/login")
    answer = browser.post(f"{api}/login", data={"csrf_token": csrf_of(form), "username": username,
                                                "password": password, "next": "/console"}, allow_redirects=False)
    return browser, answer


def test_an_office_account_enrols_at_its_first_sign_in_and_then_needs_its_code(county):
    api, username = county["api"], f"insp-{uuid.uuid4().hex[:6]}"
    made = requests.post(f"{api}/api/v1/accounts", headers=token("admin", "admin"), json={
        "username": username, "password": NEW_PASSWORD, "role": "inspector", "display_name": "办公室 二重验证"})
    assert made.status_code == 201, made.text

    browser, enrol = password_step(api, username)
    assert enrol.status_code == 200 and 'action="/login/enrol"' in enrol.text and "data:image/svg+xml;base64," in enrol.text
    assert "gongkai_session" not in browser.cookies
    secret = SECRET_SHOWN.search(enrol.text).group(1).replace(" ", "")
    refused = browser.post(f"{api}/login/enrol", data={**hidden_of(enrol, "/login/enrol"), "otp": wrong_code(secret)})
    assert refused.status_code == 401 and "动态验证码不对" in refused.text and "gongkai_session" not in browser.cookies
    assert SECRET_SHOWN.search(refused.text).group(1).replace(" ", "") == secret  # no second scan for a typo
    shown = browser.post(f"{api}/login/enrol", data={**hidden_of(refused, "/login/enrol"),
                                                    "otp": code_for(username, api, secret)})
    codes = CODES_SHOWN.findall(shown.text)
    assert shown.status_code == 200 and len(codes) == 10 and "只显示这一次" in shown.text
    assert browser.get(f"{api}/console").status_code == 200

    # the API's password grant asks for the code; a code taken once is refused the second time
    grant = {"grant_type": "password", "username": username, "password": NEW_PASSWORD}
    asked = requests.post(f"{api}/api/v1/auth/token", json=grant)
    assert asked.status_code == 401 and asked.json()["error"]["code"] == "second_factor_required"
    assert "challenge" not in asked.text
    code = code_for(username, api, secret)
    assert requests.post(f"{api}/api/v1/auth/token", json={**grant, "otp": code}).status_code == 200
    replayed = requests.post(f"{api}/api/v1/auth/token", json={**grant, "otp": code})
    assert replayed.status_code == 401 and "已经用过" in replayed.json()["error"]["message"]

    # the console: password, then the code page; a recovery code works once
    browser, step = password_step(api, username)
    assert step.status_code == 200 and 'action="/login/otp"' in step.text, step.text[-3000:]
    again = browser.post(f"{api}/login/otp", data={**hidden_of(step, "/login/otp"), "otp": code})
    assert again.status_code == 401 and "已经用过" in again.text and "gongkai_session" not in browser.cookies
    done = browser.post(f"{api}/login/otp", data={**hidden_of(again, "/login/otp"), "otp": codes[0]},
                        allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"] == "/console"
    browser, step = password_step(api, username)
    spent = browser.post(f"{api}/login/otp", data={**hidden_of(step, "/login/otp"), "otp": codes[0]})
    assert spent.status_code == 401 and "恢复码已经用过" in spent.text

    def seen():
        trail = requests.get(f"{api}/api/v1/audit", params={"actor": username, "limit": 100},
                             headers=token("auditor", "auditor"), timeout=10).json()["items"]
        return {(e["action"], e["result"]) for e in trail}
    wait_for(lambda: {("POST /login", 200), ("POST /login/enrol", 200), ("POST /login/otp", 303),
                      ("POST /api/v1/auth/token", 401), ("POST /api/v1/auth/token", 200)} <= seen(),
             timeout=30, message="the sign-ins in the audit trail")


def test_the_second_factor_pages_in_a_browser(county, tmp_path):
    """Chromium at 390 and 1280 px: the enrolment, recovery codes and code pages, each without a
    serious axe finding and without sideways scrolling on a phone."""
    api, username = county["api"], f"insp-{uuid.uuid4().hex[:6]}"
    made = requests.post(f"{api}/api/v1/accounts", headers=token("admin", "admin"), json={
        "username": username, "password": NEW_PASSWORD, "role": "inspector", "display_name": "办公室 浏览器"})
    assert made.status_code == 201, made.text
    command = [sys.executable, "-m", "tests.gateway.pages.second_factor_browser", api, username, NEW_PASSWORD,
               str(tmp_path / "result.json")]
    shots = os.environ.get("PORTAL_SCREENSHOTS")
    if shots:
        command += ["--screenshots", str(ROOT / shots)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["axe"] == {"login-enrol": [], "login-recovery": [], "login-otp": [], "login-otp-refused": []}
    seen = result["seen"]
    assert seen["login-enrol"]["h1"] == "绑定动态验证码" and seen["login-recovery"]["h1"] == "请保存恢复码"
    assert seen["codes"] == 10 and seen["after_enrol"].endswith("/console")
    assert seen["login-otp"]["h1"] == "输入动态验证码" and seen["after_code"].endswith("/console")
    assert all(shown["scroll_width"] <= 390 for shown in seen.values() if isinstance(shown, dict))


def test_the_security_administrator_unlocks_and_resets_and_the_system_administrator_does_not(county):
    """三权分立 on the console: secadmin (with its code) sees the locked accounts and the reset and
    unlock buttons, never on its own account; admin keeps disable and enable and is refused the rest."""
    api = county["api"]
    secadmin, signed_in = sign_in(api, "secadmin", DEMO_PASSWORD)
    assert signed_in.status_code == 303, signed_in.text
    home = secadmin.get(f"{api}/console")
    assert home.status_code == 200 and "被锁定的账号" in home.text
    listed = secadmin.get(f"{api}/console/accounts", params={"q": "rv-a001"})
    assert "/console/accounts/rv-a001/reset" in listed.text and "/console/accounts/rv-a001/disable" not in listed.text
    own = secadmin.get(f"{api}/console/accounts", params={"q": "secadmin"})
    assert "/console/accounts/secadmin/reset" not in own.text
    refused = secadmin.post(f"{api}/console/accounts/secadmin/reset",
                            data={"csrf_token": csrf_of(secadmin.get(f"{api}/console/accounts/rv-a001/reset"))})
    assert refused.status_code == 409 and "另一位管理员" in refused.text

    admin, _ = sign_in(api, "admin", DEMO_PASSWORD)
    confirm = admin.get(f"{api}/console/accounts/rv-a001/reset")
    assert confirm.status_code == 403 and "安全管理员解锁、重置密码" in confirm.text
    tried = admin.post(f"{api}/console/accounts/rv-a001/reset", data={"csrf_token": csrf_of(
        admin.get(f"{api}/console/accounts"))})
    assert tried.status_code == 409 and "一次性密码" not in tried.text
    assert "/console/accounts/rv-a001/disable" in admin.get(f"{api}/console/accounts", params={"q": "rv-a001"}).text


def _enrolled_inspector(api):
    """A new county-office account, enrolled: (username, secret)."""
    username = f"insp-{uuid.uuid4().hex[:6]}"
    made = requests.post(f"{api}/api/v1/accounts", headers=token("admin", "admin"), json={
        "username": username, "password": NEW_PASSWORD, "role": "inspector", "display_name": "办公室 换手机"})
    assert made.status_code == 201, made.text
    browser, enrol = password_step(api, username)
    secret = SECRET_SHOWN.search(enrol.text).group(1).replace(" ", "")
    shown = browser.post(f"{api}/login/enrol", data={**hidden_of(enrol, "/login/enrol"),
                                                    "otp": code_for(username, api, secret)})
    assert shown.status_code == 200 and len(CODES_SHOWN.findall(shown.text)) == 10
    return username, secret


def test_the_security_administrator_resets_a_second_factor_after_a_confirmation(county):
    """A lost phone: secadmin opens the reset from the accounts list, confirms it, and the account
    enrols again at its next sign-in; the system administrator may not, nobody on their own
    account; the reset is in the audit trail."""
    api = county["api"]
    username, _ = _enrolled_inspector(api)
    secadmin, _ = sign_in(api, "secadmin", DEMO_PASSWORD)
    listed = secadmin.get(f"{api}/console/accounts", params={"q": username})
    assert f"/console/accounts/{username}/reset2fa" in listed.text
    confirm = secadmin.get(f"{api}/console/accounts/{username}/reset2fa")
    assert confirm.status_code == 200 and "确认重置动态验证码" in confirm.text and "核实是本人" in confirm.text
    status = requests.get(f"{api}/api/v1/accounts/{username}/second-factor", headers=token("secadmin", "secadmin"))
    assert status.json()["enrolled"] is True  # a confirmation page changes nothing
    done = secadmin.post(f"{api}/console/accounts/{username}/reset2fa", data={"csrf_token": csrf_of(confirm)})
    assert done.status_code == 200 and "动态验证码已重置" in done.text
    status = requests.get(f"{api}/api/v1/accounts/{username}/second-factor", headers=token("secadmin", "secadmin"))
    assert status.json()["enrolled"] is False
    _, again = password_step(api, username)
    assert 'action="/login/enrol"' in again.text  # the next sign-in scans a new phone

    own = secadmin.post(f"{api}/console/accounts/secadmin/reset2fa",
                        data={"csrf_token": csrf_of(secadmin.get(f"{api}/console/accounts/{username}/reset2fa"))})
    assert own.status_code == 409 and "不能对自己的账号" in own.text
    admin, _ = sign_in(api, "admin", DEMO_PASSWORD)
    assert admin.get(f"{api}/console/accounts/{username}/reset2fa").status_code == 403
    auditor = token("auditor", "auditor")
    wait_for(lambda: any(e["target"] == f"/console/accounts/{username}/reset2fa" and e["result"] == 200
                         for e in requests.get(f"{api}/api/v1/audit", headers=auditor,
                                               params={"actor": "secadmin", "action": "POST /console/accounts/",
                                                       "limit": 100}).json()["items"]),
             timeout=30, interval=0.5, message="the reset in the audit trail")


def test_the_sign_in_history_the_reset_and_the_idle_pages_in_a_browser(county, tmp_path):
    """Chromium at 390 and 1280 px through the console's page harness (notice_browser.py): the own
    sign-in history, the second factor's reset confirmation, and the page an idle session ends on;
    each 200, without a serious axe finding and without sideways scrolling on a phone."""
    spec = {"password": DEMO_PASSWORD, "reader": "nobody",
            "pages": {"op-a001": ["/console/sign-ins"],
                      "secadmin": ["/console/accounts/rv-a001/reset2fa", "/console/sign-ins"],
                      "anonymous": ["/login?idle=15"]}}
    (tmp_path / "spec.json").write_text(json.dumps(spec, ensure_ascii=False))
    shots = ROOT / os.environ["PORTAL_SCREENSHOTS"] if os.environ.get("PORTAL_SCREENSHOTS") else tmp_path
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run([sys.executable, "-m", "tests.gateway.pages.notice_browser", county["api"],
                          str(tmp_path / "spec.json"), str(tmp_path / "result.json"), str(shots)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    assert len(result["status"]) == 4 and set(result["status"].values()) == {200}, result["status"]
    assert {name: found for name, found in result["axe"].items() if found} == {}
    assert max(result["scroll_width"].values()) <= 390, result["scroll_width"]
