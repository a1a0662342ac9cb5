"""Where a console session ends, over HTTP on the console tests' cluster (console_fixtures.py):
a session found idle on an ordinary page, or whose activity stamp is missing or forged, ends there
and its refresh token is revoked, so a copied refresh cookie renews nothing; an attempt refused
by a lock is in the official's own sign-in history (已锁定)."""
import time
import uuid
from datetime import timedelta

import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.pages.kit.idle import SEEN_COOKIE, IdleSessions
from services.common.records import utcnow
from services.units.models import AddressLock
from tests.gateway.pages.test_console_signin import NEW_PASSWORD, last_used, sign_in
from tests.test_end_to_end import SECRET, token


def new_operator(api, name):
    username = f"{name}-{uuid.uuid4().hex[:6]}"
    assert requests.post(f"{api}/api/v1/accounts", headers=token("admin", "admin"), json={
        "username": username, "password": NEW_PASSWORD, "role": "operator", "display_name": "会话",
        "unit_code": "A001"}).status_code == 201
    return username


def renews(api, username, refresh):
    """Whether a copy of the refresh cookie still renews the session: at /login, as a browser
    holding it and an activity stamp of this moment (as good as one can be), or by the API's
    refresh grant."""
    at = int(time.time())
    stamp = f"{at}.{IdleSessions(SECRET, None)._mac(username, at)}"
    at_login = requests.get(f"{api}/login", params={"next": "/console"}, allow_redirects=False,
                            headers={"Cookie": f"gongkai_refresh={refresh}; {SEEN_COOKIE}={stamp}"})
    if at_login.status_code == 303:
        return True
    assert at_login.status_code == 200 and "登录已结束" in at_login.text, at_login.text[:2000]
    by_api = requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "refresh_token", "refresh_token": refresh})
    return by_api.status_code == 200


def test_an_idle_session_ended_on_a_console_page_cannot_be_renewed_with_its_refresh_cookie(county):
    api = county["api"]
    username = new_operator(api, "idle-rv")
    browser, _ = sign_in(api, username, NEW_PASSWORD)
    assert browser.get(f"{api}/console", allow_redirects=False).status_code == 200
    refresh = browser.cookies["gongkai_refresh"]
    last_used(browser, username, 61)  # an operator: 60 minutes
    ended = browser.get(f"{api}/console/sign-ins", allow_redirects=False)
    assert ended.status_code == 303 and "idle=60" in ended.headers["Location"]
    assert "gongkai_refresh" not in browser.cookies
    assert not renews(api, username, refresh)  # revoked when the page found it idle, not only at /login
    other, _ = sign_in(api, username, NEW_PASSWORD)
    assert renews(api, username, other.cookies["gongkai_refresh"])  # as a live session's copy would


def test_a_session_cookie_without_a_good_stamp_has_ended(county):
    api = county["api"]
    username = new_operator(api, "stamp")
    for forge in (None, "1900000000." + "0" * 32):  # no stamp; one the gateway did not make
        browser, _ = sign_in(api, username, NEW_PASSWORD)
        refresh = browser.cookies["gongkai_refresh"]
        (seen,) = [c for c in browser.cookies if c.name == SEEN_COOKIE]
        browser.cookies.clear(seen.domain, seen.path, seen.name)
        if forge:
            browser.cookies.set(SEEN_COOKIE, forge, domain=seen.domain, path=seen.path)
        ended = browser.get(f"{api}/console", allow_redirects=False)
        assert ended.status_code == 303 and ended.headers["Location"].startswith("/login?")
        assert "gongkai_session" not in browser.cookies and "gongkai_refresh" not in browser.cookies
        assert not renews(api, username, refresh)


def test_an_attempt_refused_by_a_lock_is_in_the_sign_in_history(county):
    api = county["api"]
    username = new_operator(api, "lockhist")
    engine = sa.create_engine(county["urls"]["units"], poolclass=sa.pool.NullPool)
    with Session(engine) as db:  # five wrong passwords from here a moment ago (services/units/lockout.py)
        db.add(AddressLock(username=username, address="127.0.0.1", failures=5, last_failed_at=utcnow(),
                           locked_until=utcnow() + timedelta(minutes=15)))
        db.commit()
    engine.dispose()
    _, locked = sign_in(api, username, NEW_PASSWORD)
    assert locked.status_code == 429 and "已暂停" in locked.text
    unlocked = requests.post(f"{api}/api/v1/accounts/{username}/unlock", headers=token("secadmin", "secadmin"))
    assert unlocked.status_code == 200, unlocked.text
    browser, _ = sign_in(api, username, NEW_PASSWORD)
    page = browser.get(f"{api}/console/sign-ins")
    assert page.status_code == 200
    rows = page.text[page.text.index("<tbody>"):page.text.index("</tbody>")]
    assert rows.count("<tr>") == 2 and rows.index("登录成功") < rows.index("已锁定")  # newest first
