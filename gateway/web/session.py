"""Who is reading a page: a bearer token (as for the API), else the browser's session cookie.

This is the one place the cookie is read. Until the staff console's sign-in sets its own
session, the cookie holds an access token this gateway minted (the same HS256 JWT as a bearer
token); the console replaces `session_actor` with its session lookup and every page follows.
A cookie that is not valid (expired, forged) makes the reader anonymous: public pages still
show, staff pages send them to /login.
"""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from ..auth import actor_from_header, actor_from_request
from ..errors import ApiError

COOKIE = "gongkai_session"


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
