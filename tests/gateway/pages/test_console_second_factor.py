"""The second factor over HTTP against the console's cluster, as a browser without script does it:
a new county-office account enrols at its first sign-in (QR code, a wrong code refused, the
right one shows ten recovery codes once), then signs in with a code after the password; a code
used once is refused the second time, on the console and through the API's password grant,
which asks for `otp`; a recovery code works once; every attempt is in the audit trail under
the account's name."""
import re
import time
import uuid

import pyotp
import requests

from tests.conftest import wait_for
from tests.gateway.pages.test_console_signin import NEW_PASSWORD, csrf_of, hidden_of
from tests.otp import code_for
from tests.test_end_to_end import token

SECRET_SHOWN = re.compile(r'id="otp-secret">([A-Z2-7 ]+)<')
CODES_SHOWN = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def password_step(api, username, password=NEW_PASSWORD):
    browser = requests.Session()
    form = browser.get(f"{api}/login")
    answer = browser.post(f"{api}/login", data={"csrf_token": csrf_of(form), "username": username,
                                                "password": password, "next": "/console"}, allow_redirects=False)
    return browser, answer


def wrong_code(secret):
    """A six-digit code that is none of the codes near now."""
    step = int(time.time() // 30)
    right = {pyotp.TOTP(secret).at(s * 30) for s in range(step - 2, step + 3)}
    return next(c for c in ("000000", "111111", "222222") if c not in right)


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
                             headers=token("admin", "admin"), timeout=10).json()["items"]
        return {(e["action"], e["result"]) for e in trail}
    wait_for(lambda: {("POST /login", 200), ("POST /login/enrol", 200), ("POST /login/otp", 303),
                      ("POST /api/v1/auth/token", 401), ("POST /api/v1/auth/token", 200)} <= seen(),
             timeout=30, message="the sign-ins in the audit trail")
