"""W3C traceparent: what is accepted and what starts a new trace, a child keeps the trace id,
the outbox keeps the emitting work's traceparent and the relay sends it as the message's
header, and a log line names the trace id."""
import json
import logging
from datetime import date

from services.common import logs, tracing
from services.common.contract import new_event
from services.common.db import outbox_record
from services.common.outbox import OutboxRelay

GIVEN = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_valid_traceparents_are_kept_and_anything_else_starts_a_trace():
    assert tracing.parse(GIVEN) == ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "01")
    for bad in (None, "", "garbage", GIVEN.upper(), GIVEN + "-extra", "ff" + GIVEN[2:],
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"):
        assert tracing.parse(bad) is None and tracing.valid(bad) is None
    assert tracing.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future") is not None
    child = tracing.child(GIVEN)
    assert tracing.trace_id(child) == "4bf92f3577b34da6a3ce929d0e0e4736" and child != GIVEN and child.endswith("-01")
    fresh = tracing.child("nonsense")
    assert tracing.parse(fresh) is not None and tracing.trace_id(fresh) != tracing.trace_id(GIVEN)
    assert tracing.context_of({"traceparent": GIVEN}) == {"traceparent": GIVEN}
    assert tracing.context_of({"traceparent": "x"}) == {} and tracing.context_of(None) == {}


def due_soon():
    return new_event("ObligationDueSoon", {"obligation_id": 11, "unit_code": "V01", "entry_code": "DF-01",
                                           "matter": "党费收缴使用管理", "period": "2026-Q4", "due_on": date(2026, 12, 4)})


def test_the_relay_sends_the_outbox_rows_traceparent_as_a_header():
    record = outbox_record(due_soon(), GIVEN)
    relay = OutboxRelay.__new__(OutboxRelay)  # only its message shape, no broker
    relay._subscribed = set()
    assert record.traceparent == GIVEN and relay._message(record)["headers"]["traceparent"] == GIVEN
    assert "traceparent" not in relay._message(outbox_record(due_soon()))["headers"]


def test_a_json_line_names_the_trace_id():
    record = logging.LogRecord("gongkai", logging.INFO, __file__, 1, "handled", (), None)
    token = logs.bind_trace(GIVEN)
    try:
        logs.CorrelationFilter().filter(record)
    finally:
        logs.unbind_trace(token)
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736" and line["message"] == "handled"
