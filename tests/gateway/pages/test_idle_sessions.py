"""Which browser sessions have ended idle, in process (gateway/pages/kit/idle.py): a stamp older
than the role's limit, and a session cookie with no stamp or one this gateway did not make; a
bearer token or an API key is not a browser session."""
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.pages.kit.idle import SEEN_COOKIE, IdleSessions

NOW = 1_900_000_000
OPERATOR = {"username": "op-a001", "role": "operator"}
IDLE = IdleSessions("the gateway's secret", "inspector=15,*=60")


def request(seen=None, headers=None):
    cookies = {"gongkai_session": "a token"} | ({SEEN_COOKIE: seen} if seen is not None else {})
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return Request(EnvironBuilder(path="/console", headers={"Cookie": cookie, **(headers or {})}).get_environ())


def stamp(username, at, idle=IDLE):
    return f"{at}.{idle._mac(username, at)}"


def test_a_stamp_older_than_the_roles_limit_ends_the_session():
    assert IDLE.ended(request(stamp("op-a001", NOW - 59 * 60)), OPERATOR, NOW) is None
    assert IDLE.ended(request(stamp("op-a001", NOW - 61 * 60)), OPERATOR, NOW) == 60
    office = {"username": "office", "role": "inspector"}
    assert IDLE.ended(request(stamp("office", NOW - 16 * 60)), office, NOW) == 15


def test_a_session_without_a_good_stamp_has_ended():
    assert IDLE.ended(request(), OPERATOR, NOW) == 60  # none
    assert IDLE.ended(request(f"{NOW}.{'0' * 32}"), OPERATOR, NOW) == 60  # a made-up one
    assert IDLE.ended(request(stamp("rv-a001", NOW)), OPERATOR, NOW) == 60  # another account's
    other_gateway = IdleSessions("another secret", None)
    assert IDLE.ended(request(stamp("op-a001", NOW, other_gateway)), OPERATOR, NOW) == 60
    assert IDLE.ended(request("later"), OPERATOR, NOW) == 60


def test_a_bearer_token_an_api_key_and_an_anonymous_reader_are_not_browser_sessions():
    assert IDLE.ended(request(headers={"Authorization": "Bearer a token"}), OPERATOR, NOW) is None
    assert IDLE.ended(request(headers={"X-API-Key": "gk_a key"}), {"username": "system", "role": "subscriber"},
                      NOW) is None
    assert IDLE.ended(request(), None, NOW) is None
