"""The portal's display switch and what every site answers: 长辈版 (large print, high
contrast, big tap targets) chosen with a plain link on every portal page and remembered in a
cookie for a year (no JavaScript, no account); /favicon.ico and /robots.txt."""
from __future__ import annotations

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from ...params import Query, Text
from ..kit import ELDER_COOKIE, cached, page
from ..kit.render import static_file

YEAR = 365 * 24 * 3600
# the public portal is for everyone to find; the console, the API and the staff's prints are not
ROBOTS = """User-agent: *
Disallow: /console
Disallow: /api/
Disallow: /login
Disallow: /display/
Disallow: /towns/*/posters
Disallow: /items/*/notice
Allow: /
"""


class DisplayQuery(Query):
    next = Text(2000, "the page to go back to")


def back_to(target: str | None) -> str:
    """A path on this site to return to (never another site: //host or a scheme is refused)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class PortalDisplay:
    @page("GET", "/display/<any(elder,standard):layout>", query=DisplayQuery)
    def portal_display(self, request: Request, layout: str) -> Response:
        """Switch to 长辈版 or back, then return to the page the reader was on."""
        response = redirect(back_to(request.params.get("next")), 303)
        if layout == "elder":
            response.set_cookie(ELDER_COOKIE, "1", max_age=YEAR, path="/", httponly=True, samesite="Lax")
        else:
            response.delete_cookie(ELDER_COOKIE, path="/", httponly=True, samesite="Lax")
        response.headers["Cache-Control"] = "no-store"
        return response

    @page("GET", "/favicon.ico")
    def favicon(self, request: Request) -> Response:
        body, media_type = static_file("favicon.ico")
        response = Response(body, mimetype=media_type)
        return cached(request, response, max_age=YEAR)

    @page("GET", "/robots.txt")
    def robots(self, request: Request) -> Response:
        return cached(request, Response(ROBOTS, mimetype="text/plain"), max_age=86400)
