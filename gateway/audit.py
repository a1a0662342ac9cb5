"""The audit trail: every state-changing request (POST, PUT, PATCH, DELETE) whose route
worker ran is appended to the units service's hash-chained log — who, role, unit, the
method and route rule, the path, the status the caller got, when, and the request id.
Bodies are never recorded (they carry passwords, tokens and personal data); paths only.

Requests refused before their route ran — by the policy table (401, 403), an invalid
token or the rate limiter (429) — are in the trail too: the HTTP entrypoint starts a
worker on `audit_refused_request`, an entrypoint with no trigger of its own. CORS
preflights change nothing and are not recorded.

The entry is written after the caller's answer has been handed over (nameko's
worker_result hook runs after the result), so auditing adds no latency and an audit
failure never changes an answer. A failed append is logged with the request id and
counted in gongkai_audit_failures_total so an operator sees the gap.
"""
from __future__ import annotations

import logging
from typing import Any

from nameko.extensions import DependencyProvider, Entrypoint
from prometheus_client import Counter
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from services.common.records import utcnow

from . import rpc
from .auth import actor_from_request
from services.common.errors import DomainError

from .errors import response_for
from .http import ApiEndpoint

log = logging.getLogger(__name__)

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUDIT_FAILURES = Counter("gongkai_audit_failures_total",
                         "State-changing requests whose audit entry could not be stored.")


class RefusedRequest(Entrypoint):
    """Runs a worker to audit a state-changing request refused before its route ran."""
    audits_refusals = True


audit_refusal = RefusedRequest.decorator


def entry_for(request: Request, rule: str, actor: dict[str, Any] | None, status: int,
              request_id: str) -> dict[str, Any] | None:
    """The audit entry of a request to a route: None unless the request changes state."""
    if request.method not in STATE_CHANGING:
        return None
    actor = actor or {"username": "anonymous", "role": "anonymous", "unit": None}
    return {"actor": actor["username"], "role": actor["role"], "unit": actor.get("unit"),
            "action": f"{request.method} {rule}", "target": request.path, "result": status,
            "at": utcnow().isoformat(), "request_id": request_id}


def status_of(result: Any, exc_info: Any, request_id: str) -> int:
    """The status the caller got: the Response's, or the envelope's for an exception."""
    if exc_info is not None:
        exc = exc_info[1]
        known = isinstance(exc, (DomainError, HTTPException))
        return response_for(exc, request_id).status_code if known else 500  # 500 is logged once, by http.py
    if isinstance(result, Response):
        return result.status_code
    if isinstance(result, tuple) and result and isinstance(result[0], int):
        return result[0]
    return 200


def build_entry(worker_ctx: Any, result: Any, exc_info: Any, secret: str) -> dict[str, Any] | None:
    """The audit entry of an API worker on a state-changing method; None for anything else."""
    if not isinstance(worker_ctx.entrypoint, ApiEndpoint) or not worker_ctx.args:
        return None
    request = worker_ctx.args[0]
    if not isinstance(request, Request) or request.method not in STATE_CHANGING:
        return None
    request_id = str(worker_ctx.data.get("correlation_id", ""))
    try:
        actor = actor_from_request(request.headers, secret)
    except Exception:  # the token expired while the worker ran, say: still audit the request
        actor = None
    return entry_for(request, worker_ctx.entrypoint.url, actor, status_of(result, exc_info, request_id),
                     request_id)


class AuditTrail(DependencyProvider):
    """Appends each state-changing API request to the audit log through the worker's
    `units` RpcProxy, with a short deadline."""

    def setup(self) -> None:
        gateway = self.container.config.get("GATEWAY", {})
        self.secret = gateway["JWT_SECRET"]
        self.timeout = float(gateway.get("AUDIT_TIMEOUT_SECONDS", 3))

    def get_dependency(self, worker_ctx: Any) -> None:
        return None

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        entry = None
        try:
            entry = build_entry(worker_ctx, result, exc_info, self.secret)
            if entry is not None:
                rpc.call(worker_ctx.service.units, "append_audit", self.timeout, entry)
        except Exception:
            request_id = worker_ctx.data.get("correlation_id")
            AUDIT_FAILURES.inc()
            log.error("request %s: could not append its audit entry %s", request_id, entry, exc_info=True)
