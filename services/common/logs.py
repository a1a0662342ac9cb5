"""The correlation id in every log line, so one request can be followed through the logs
of every service it touched.

WorkerMetrics (on every service) sets CORRELATION_ID when a worker starts and resets it
when the worker ends; the gateway sets it for the request it is answering. A ContextVar,
not a global: under eventlet each greenthread is a greenlet, and greenlet >= 1 gives each
its own contextvars context, so concurrent workers never see each other's id. Outside any
worker the id is "-".
"""
from __future__ import annotations

import logging
from contextvars import ContextVar, Token

CORRELATION_ID: ContextVar[str] = ContextVar("correlation_id", default="-")


def bind(correlation_id: str | None) -> Token:
    """Make `correlation_id` the one of this greenthread's log lines; reset with the token."""
    return CORRELATION_ID.set(str(correlation_id) if correlation_id else "-")


def unbind(token: Token) -> None:
    try:
        CORRELATION_ID.reset(token)
    except ValueError:  # set in another context (should not happen): fall back to "none"
        CORRELATION_ID.set("-")


class CorrelationFilter(logging.Filter):
    """Adds `correlation_id` to every record, for %(correlation_id)s in the format.
    Attach it to handlers (not loggers) so records of every logger get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = CORRELATION_ID.get()
        return True
