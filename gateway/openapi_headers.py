"""The response headers every answer carries, described once under components.headers of the
OpenAPI document and referenced from each operation's responses: the request id, the W3C trace
(traceparent, and the Trace Context Level 2 draft's traceresponse, both the trace with the
gateway's span), and where they apply Idempotent-Replayed (a retried POST that creates) and
Location (a job taken on)."""
from __future__ import annotations

from typing import Any

from services.common import tracing

from . import idempotency
from .http import REQUEST_ID_HEADER

TRACE_PATTERN = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
LOCATION = "Location"
COMPONENTS: dict[str, dict[str, Any]] = {
    REQUEST_ID_HEADER: {"description": "the request's id (the caller's X-Request-ID, or a new one): quote it when "
                                       "asking for help", "required": True, "schema": {"type": "string"}},
    tracing.HEADER: {"description": "W3C Trace Context: the caller's trace (or a new one) with the gateway's span "
                                    "as parent-id; send it on the next request to continue the trace",
                     "required": True, "schema": {"type": "string", "pattern": TRACE_PATTERN}},
    tracing.RESPONSE_HEADER: {"description": "W3C Trace Context Level 2 (draft): the same trace and span as "
                                             "traceparent, the server's side of it",
                              "required": True, "schema": {"type": "string", "pattern": TRACE_PATTERN}},
    idempotency.REPLAYED: {"description": "`true` when this is the first answer given again to a retry with the same "
                                          "Idempotency-Key (nothing was created twice); absent otherwise",
                           "required": False, "schema": {"type": "string", "enum": ["true"]}},
    LOCATION: {"description": "the job's URL: follow it for the outcome", "required": True,
               "schema": {"type": "string"}},
}
EVERY_ANSWER = (REQUEST_ID_HEADER, tracing.HEADER, tracing.RESPONSE_HEADER)


def refs(*extra: str) -> dict[str, Any]:
    """The headers of one response, as references to components.headers."""
    return {name: {"$ref": f"#/components/headers/{name}"} for name in (*EVERY_ANSWER, *extra)}
