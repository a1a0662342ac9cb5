"""Supervision's backfill asks a producer for a page of history with a timeout. A producer slow
to answer (still starting under load) must be an ordinary error the backfill retries at the next
tick: eventlet's Timeout is a BaseException, and escaping the timer's worker it ended the timer,
so supervision stayed not ready for good (readiness timed out in CI)."""
from types import SimpleNamespace

import eventlet
import pytest

from services.supervision import service


class SlowProducer:
    def __init__(self):
        self.event_history = self

    def call_async(self, *args):
        return SimpleNamespace(result=lambda: eventlet.sleep(5))


def test_a_slow_producer_is_a_timeout_error_the_backfill_retries(monkeypatch):
    monkeypatch.setattr(service, "HISTORY_TIMEOUT_SECONDS", 0.05)
    supervision = SimpleNamespace(units=SlowProducer())
    with pytest.raises(TimeoutError, match="units did not answer"):
        service.SupervisionService._history(supervision, "units", 0, ["UnitRegistered"], 10)
