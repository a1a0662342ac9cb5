"""Who is reading a page: a bearer token (as for the API), else the browser's session cookie.

This is the one place the cookies are read and written. Signing in at /login
(gateway/pages/console/signin.py) sets two, both HttpOnly, SameSite=Lax, Secure when HSTS is on,
and gone when the browser closes:

- `gongkai_session`: an access token this gateway minted, the same HS256 JWT with the same
  lifetime (GATEWAY.TOKEN_TTL_SECONDS) as the API's bearer tokens; `session_actor` reads it.
- `gongkai_refresh`: the session's refresh token (services/units/sessions.py), rotated as the
  API's are. When the access token has expired, a staff page sends the browser to /login, which
  spends the refresh token for a new pair and sends it back; a refresh refused (the account
  was disabled, its role or unit or password changed, the session was signed out or copied)
  ends the session there. So a disabled account's browser session ends within one token lifetime.

A cookie that is not valid (expired, forged) makes the reader anonymous: public pages still
show, staff pages send them to /login.
"""
from __future__ import annotations

import time
from typing import Any

import jwt
from werkzeug.wrappers import Request, Response

from ...auth import ISSUER, actor_from_header, actor_from_request
from ...errors import ApiError

COOKIE = "gongkai_session"
REFRESH_COOKIE = "gongkai_refresh"


def session_actor(request: Request, secret: str) -> dict[str, Any] | None:
    """The actor of the session cookie, or None."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        return actor_from_header(f"Bearer {value}", secret)
    except ApiError:
        return None


def viewer_of(request: Request, secret: str) -> dict[str, Any] | None:
    """The page's reader: the Authorization header or API key when sent (an invalid one is a
    401 as for the API), else the session cookie."""
    actor = actor_from_request(request.headers, secret)
    return actor if actor is not None else session_actor(request, secret)


def is_browser_session(request: Request) -> bool:
    """The reader is the session cookie's, as viewer_of reads it: no bearer token, no API key."""
    return not request.headers.get("Authorization") and not request.headers.get("X-API-Key")


def start_session(response: Response, access_token: str, refresh_token: str, secure: bool) -> Response:
    """Set the session's cookies on a response (a sign-in, a refresh, a password change)."""
    for name, value in ((COOKIE, access_token), (REFRESH_COOKIE, refresh_token)):
        response.set_cookie(name, value, path="/", httponly=True, samesite="Lax", secure=secure)
    return response


def end_session(response: Response, secure: bool) -> Response:
    for name in (COOKIE, REFRESH_COOKIE):
        response.delete_cookie(name, path="/", httponly=True, samesite="Lax", secure=secure)
    return response


def refresh_token_of(request: Request) -> str | None:
    value = request.cookies.get(REFRESH_COOKIE) or ""
    return value if 0 < len(value) <= 256 else None


def session_expires_in(request: Request, secret: str) -> float | None:
    """Seconds until the session cookie's access token expires (None without a good one)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        claims = jwt.decode(value, secret, algorithms=["HS256"], issuer=ISSUER, options={"require": ["exp"]})
    except jwt.InvalidTokenError:
        return None
    return claims["exp"] - time.time()
