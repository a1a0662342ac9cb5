"""A replica follows its service's calendar copy before its next worker runs, not a minute
later: the version another replica kept from CalendarArranged is installed by worker_setup
(at most one small query every FRESH_SECONDS); and the event and the gateway's call keeping
the same version move the deadlines once, whichever comes first (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
import time_machine

from services.common import calendar_store, workdays
from services.common.calendar_store import CalendarArrangement, CalendarCopy
from services.common.config import database_url

NOW = datetime(2030, 1, 28, 2, tzinfo=timezone.utc)
ARRANGED = {"year": 2030, "version": 1, "document": "国办发明电〔2029〕7号", "issued_on": "2029-11-20",
            "holidays": ["2030-01-01"] + [f"2030-02-0{d}" for d in range(2, 9)],
            "workdays": ["2030-01-26", "2030-02-09"], "entered_by": "office", "entered_at": NOW.isoformat()}


@pytest.fixture(autouse=True)
def clean_calendar():
    workdays.forget_entered()
    yield
    workdays.forget_entered()


def kept_by_another_replica(uow) -> None:
    """The row another replica of the service wrote from the event: in the database only."""
    uow.session.add(CalendarArrangement(
        year=2030, version=1, holidays=ARRANGED["holidays"], workdays=ARRANGED["workdays"],
        document=ARRANGED["document"], issued_on=date(2029, 11, 20), entered_by="office", entered_at=NOW))
    uow.commit()


def test_a_replica_installs_what_another_kept_before_its_next_worker(uow_factory, database_urls, monkeypatch):
    uow = uow_factory("feedback")
    copy = CalendarCopy()
    copy.container = SimpleNamespace(config={"DATABASES": {"feedback": database_urls["feedback"]}},
                                     service_name="feedback")
    assert database_url(copy.container.config, "feedback") == database_urls["feedback"]
    copy.setup()
    try:
        copy.worker_setup(None)
        assert workdays.entered(2030) is None
        kept_by_another_replica(uow)
        clock = [1000.0]
        monkeypatch.setattr(calendar_store.time, "monotonic", lambda: clock[0])
        copy._checked = clock[0] - 0.5
        copy.worker_setup(None)  # looked half a second ago: not yet
        assert workdays.entered(2030) is None
        clock[0] += calendar_store.FRESH_SECONDS
        copy.worker_setup(None)
        assert workdays.entered(2030).version == 1
        assert workdays.add_working_days(date(2030, 2, 1), 1) == date(2030, 2, 9)  # the worked Saturday
    finally:
        copy.stop()


def test_the_event_and_the_gateways_call_keep_a_version_and_move_deadlines_once(uow_factory):
    uow = uow_factory("feedback")
    calls = []
    with time_machine.travel(NOW, tick=False):
        first = calendar_store.follow(uow.session, ARRANGED, lambda: calls.append("recompute"))
        uow.commit()
        second = calendar_store.follow(uow.session, ARRANGED, lambda: calls.append("recompute"))
        uow.commit()
    assert calls == ["recompute"] and first == second == []
    assert workdays.entered(2030).version == 1
