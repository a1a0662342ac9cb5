"""Cross-origin access and security headers, from config.

Browsers at an origin listed in GATEWAY.CORS_ORIGINS may call the API; any other origin
gets no CORS headers (so the browser withholds the answer) and a refused preflight.
With no origins configured there is no cross-origin access at all and no CORS header.
"""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE"
ALLOW_HEADERS = "Authorization, Content-Type, X-Request-ID, X-API-Key, Idempotency-Key, traceparent"
# what a browser's script may read of an answer: its request id and trace (traceparent, and the
# W3C Trace Context Level 2 draft's traceresponse), when to retry, and whether it was replayed
EXPOSE_HEADERS = "X-Request-ID, traceparent, traceresponse, Retry-After, Idempotent-Replayed, Location"
MAX_AGE = "600"
JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
# the docs page is one HTML file with inline script and style that fetches openapi.json
DOCS_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
            "frame-ancestors 'none'")
DOCS_PATH = "/api/v1/docs"


def flag(value: Any) -> bool:
    """A config switch: YAML gives a bool, an env var may give a string."""
    return value is True or str(value).strip().lower() in ("true", "1", "yes", "on")


class Cors:
    def __init__(self, origins: Any, hsts: Any = False):
        listed = origins if isinstance(origins, (list, tuple)) else str(origins or "").split(",")
        self.origins = frozenset(o.strip().rstrip("/") for o in listed if o and o.strip())
        self.hsts = flag(hsts)

    def allows(self, origin: str | None) -> bool:
        return bool(origin) and origin in self.origins

    def preflight(self, response: Response) -> Response:
        """The 204 answer to an allowed origin's preflight (the caller adds the origin headers)."""
        response.status_code = 204
        response.headers.update({"Access-Control-Allow-Methods": ALLOW_METHODS,
                                 "Access-Control-Allow-Headers": ALLOW_HEADERS,
                                 "Access-Control-Max-Age": MAX_AGE})
        return response

    def decorate(self, response: Response, origin: str | None, path: str) -> Response:
        """CORS headers for an allowed origin, and the security headers on every response."""
        headers = response.headers
        if self.origins:
            headers.add("Vary", "Origin")
        if self.allows(origin):
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Cache-Control", "no-store")
        html_docs = path == DOCS_PATH and response.mimetype == "text/html"
        headers["Content-Security-Policy"] = DOCS_CSP if html_docs else JSON_CSP
        if self.hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
