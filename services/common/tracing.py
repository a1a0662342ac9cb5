"""W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` that follows one
request from the gateway through RPC and events, so its log lines can be found in every
process it touched.

`version-traceid-parentid-flags`, e.g. 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.
The gateway accepts a caller's valid traceparent or starts a trace, and passes a child of it
(the same trace id, its own span id) in nameko's context data to every RPC (nameko carries
context data as `nameko.*` message headers) and to the events its services emit (the outbox
keeps it with the event; the relay sends it as the message's `traceparent` header); a
consumer puts it back into its worker's context data. Every log line of such a worker names
the trace id (services/common/logs.py)."""
from __future__ import annotations

import re
import secrets

HEADER = "traceparent"
RESPONSE_HEADER = "traceresponse"  # W3C Trace Context Level 2 (draft): the server's span, for its caller
_FORMAT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")


def parse(value: str | None) -> tuple[str, str, str] | None:
    """(trace id, parent id, flags) of a valid traceparent, else None."""
    match = _FORMAT.match((value or "").strip())
    if match is None:
        return None
    version, trace_id, parent_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest) or set(trace_id) == {"0"} or set(parent_id) == {"0"}:
        return None
    return trace_id, parent_id, flags


def start() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child(value: str | None) -> str:
    """A span of the caller's trace (a new one when it sent none or an invalid one)."""
    parsed = parse(value)
    if parsed is None:
        return start()
    trace_id, _, flags = parsed
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"


def valid(value: str | None) -> str | None:
    """The value when it is a valid traceparent, else None (never trust a header blindly)."""
    return value.strip() if parse(value) is not None else None


def trace_id(value: str | None) -> str:
    parsed = parse(value)
    return parsed[0] if parsed else "-"


def context_of(headers: dict | None) -> dict[str, str]:
    """A received message's traceparent as worker context data (nothing when it has none:
    nameko drops, with a warning, a context value of None)."""
    value = valid((headers or {}).get(HEADER))
    return {HEADER: value} if value else {}
