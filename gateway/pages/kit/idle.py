"""Console sessions end after a time without use (GB/T 22239-2019 8.1.4.1 b: 登录连接超时自动退出),
set per role in GATEWAY.SESSION_IDLE_MINUTES ("role=minutes,…,*=minutes"; default 15 minutes for
the county office and the three administrators, 60 for the others).

Each page answered to a browser session stamps `gongkai_seen`: the time and an HMAC of it with the
username (the gateway's secret), so a browser cannot make itself look more recently active. The
next request after the limit finds the stamp too old: the session's cookies are removed and the
reader is anonymous, so a staff page sends them to /login?idle=<minutes>, which says why.
A session cookie without a good stamp (none, or one not made by this gateway) has ended too:
every sign-in stamps its session (ConsoleSignIn._signed_in), so only a copied or forged cookie
comes without one. The refresh token of a session ended here is revoked at once (a worker of
`revoke_idle_session`, an entrypoint with no trigger of its own that the page entrypoint
starts), so a copy of the refresh cookie cannot renew it at /login.
A request with a bearer token or an API key (the API, scripts) is not a browser session: untouched."""
from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from nameko.extensions import Entrypoint
from werkzeug.wrappers import Request, Response

from .session import is_browser_session

SEEN_COOKIE = "gongkai_seen"
DEFAULT = "inspector=15,admin=15,secadmin=15,auditor=15,*=60"


def minutes_by_role(setting: str | None) -> dict[str, int]:
    """"role=minutes,…" ("*" for every other role); a bad entry stops the gateway at start."""
    limits = {}
    for part in (setting or DEFAULT).split(","):
        role, _, minutes = part.partition("=")
        if not role.strip() or not minutes.strip().isdigit() or int(minutes) < 1:
            raise ValueError(f"GATEWAY.SESSION_IDLE_MINUTES: expected role=minutes, got {part!r}")
        limits[role.strip()] = int(minutes)
    limits.setdefault("*", 60)
    return limits


class IdleSessions:
    def __init__(self, secret: str, setting: str | None):
        self.secret, self.limits = secret.encode(), minutes_by_role(setting)

    def limit(self, role: str) -> int:
        return self.limits.get(role, self.limits["*"])

    def _mac(self, username: str, at: int) -> str:
        return hmac.new(self.secret, f"{username}|{at}".encode(), hashlib.sha256).hexdigest()[:32]

    def last_seen(self, request: Request, username: str) -> int | None:
        """When the browser's session was last used, if its stamp is good."""
        at, _, mac = (request.cookies.get(SEEN_COOKIE) or "").partition(".")
        if not at.isdigit() or not hmac.compare_digest(mac, self._mac(username, int(at))):
            return None
        return int(at)

    def ended(self, request: Request, actor: dict[str, Any] | None, now: float | None = None) -> int | None:
        """The role's limit in minutes if this browser session has been idle longer, or carries
        no good stamp; else None."""
        if actor is None or not is_browser_session(request):
            return None
        seen = self.last_seen(request, actor["username"])
        minutes = self.limit(actor["role"])
        if seen is None or (now or time.time()) - seen > minutes * 60:
            return minutes
        return None

    def stamp(self, response: Response, username: str, secure: bool, now: float | None = None) -> None:
        at = int(now or time.time())
        response.set_cookie(SEEN_COOKIE, f"{at}.{self._mac(username, at)}", path="/", httponly=True,
                            samesite="Lax", secure=secure)


class IdleRevocation(Entrypoint):
    """Runs a worker to revoke the refresh token of a browser session that ended idle."""
    revokes_idle_sessions = True


idle_revocation = IdleRevocation.decorator


def forget(response: Response, secure: bool) -> None:
    response.delete_cookie(SEEN_COOKIE, path="/", httponly=True, samesite="Lax", secure=secure)
