"""The correlation id in every log line, so one request can be followed through the logs
of every service it touched.

WorkerMetrics (on every service) sets CORRELATION_ID when a worker starts and resets it
when the worker ends; the gateway sets it for the request it is answering. A ContextVar,
not a global: under eventlet each greenthread is a greenlet, and greenlet >= 1 gives each
its own contextvars context, so concurrent workers never see each other's id. Outside any
worker the id is "-".

GONGKAI_LOG_FORMAT=json (the default in compose and deploy/k8s) makes every process write one
JSON object a line (JsonFormatter): time in county time with its offset, level, logger,
message, `request_id` and `trace_id` when there is one, and the traceback as `exc_info`.
"""
from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from . import tracing

CORRELATION_ID: ContextVar[str] = ContextVar("correlation_id", default="-")
TRACEPARENT: ContextVar[str | None] = ContextVar("traceparent", default=None)
LOG_TIMEZONE = ZoneInfo("Asia/Shanghai")  # the county's: log times read as the county reads its clocks


def bind(correlation_id: str | None) -> Token:
    """Make `correlation_id` the one of this greenthread's log lines; reset with the token."""
    return CORRELATION_ID.set(str(correlation_id) if correlation_id else "-")


def unbind(token: Token) -> None:
    try:
        CORRELATION_ID.reset(token)
    except ValueError:  # set in another context (should not happen): fall back to "none"
        CORRELATION_ID.set("-")


def bind_trace(traceparent: str | None) -> Token:
    """Make the W3C traceparent (services/common/tracing.py) the one of this greenthread's lines."""
    return TRACEPARENT.set(tracing.valid(traceparent))


def unbind_trace(token: Token) -> None:
    try:
        TRACEPARENT.reset(token)
    except ValueError:
        TRACEPARENT.set(None)


class CorrelationFilter(logging.Filter):
    """Adds `correlation_id` to every record, for %(correlation_id)s in the format.
    Attach it to handlers (not loggers) so records of every logger get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = CORRELATION_ID.get()
        record.trace_id = tracing.trace_id(TRACEPARENT.get())
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line, for the log collector (Loki, ELK, 政务云's log service)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("%(message)s", json_ensure_ascii=False)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        request_id = log_data.pop("correlation_id", None) or CORRELATION_ID.get()
        trace_id = log_data.pop("trace_id", None)
        ordered = {"time": datetime.fromtimestamp(record.created, LOG_TIMEZONE).isoformat(timespec="milliseconds"),
                   "level": record.levelname, "logger": record.name}
        if request_id and request_id != "-":
            ordered["request_id"] = request_id
        if trace_id and trace_id != "-":
            ordered["trace_id"] = trace_id
        rest = {key: value for key, value in log_data.items() if key not in ordered}
        log_data.clear()  # these first in the line, then the message and any extra fields
        log_data.update({**ordered, **rest})

