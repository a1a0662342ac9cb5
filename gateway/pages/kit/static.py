"""/static/<name>: our own CSS (and images) from gateway/static/, cached for a year: pages link
them with a hash of their bytes in the URL (render.static_url), so a change is a new URL."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ...errors import ApiError
from .pages import page
from .render import static_file

YEAR = 365 * 24 * 3600


class StaticRoutes:
    @page("GET", "/static/<name>")
    def static_asset(self, request: Request, name: str) -> Response:
        found = static_file(name)
        if found is None:
            raise ApiError(404, "not_found", "没有这个文件。")
        body, media_type = found
        response = Response(body, mimetype=media_type)
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        response.add_etag()
        return response.make_conditional(request)
