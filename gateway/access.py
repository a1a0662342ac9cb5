"""Who is calling, and the limits of the gateway's requests (body size, token lifetime)."""
from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Request

from .auth import actor_from_request
from .errors import unauthorized


class Access:
    def __init__(self, secret: str, max_body: int, token_ttl: int):
        self.secret, self.max_body, self.token_ttl = secret, max_body, token_ttl

    def actor(self, request: Request) -> dict[str, Any] | None:
        return actor_from_request(request.headers, self.secret)

    def caller(self, request: Request) -> dict[str, Any]:
        """The signed-in caller of a route whose policy admits no anonymous callers."""
        actor = self.actor(request)
        if actor is None:  # the policy table lets anonymous callers in: a mistake there
            raise unauthorized("sign in first: this needs a bearer token")
        return actor


class AccessProvider(DependencyProvider):
    def setup(self) -> None:
        gateway = self.container.config.get("GATEWAY", {})
        self.access = Access(gateway["JWT_SECRET"], int(gateway.get("MAX_BODY_BYTES", 1 << 20)),
                             int(gateway.get("TOKEN_TTL_SECONDS", 900)))

    def get_dependency(self, worker_ctx) -> Access:
        return self.access
