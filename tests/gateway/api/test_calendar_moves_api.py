"""Entering a year moves the deadlines counted from a start kept with them, against the running
county: a long-term obligation (counted from its plan's approval) and a reopened feedback round
(counted from the reopening, an extension included) whose deadlines fall in 2091, a year nobody
has entered (statutory, provisional). The records are made in their services' databases, dated
so that any day will do; the county office then enters 2091 with a week off in January, and
both deadlines move past it: the obligation's in the PUT's answer, the feedback's as feedback
follows the CalendarArranged event."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import requests
import sqlalchemy as sa

from services.common import workdays
from services.disclosure.models import CatalogueEntry, Obligation
from tests.conftest import wait_for
from tests.test_end_to_end import token

OFFICE = token("office", "inspector")
YEAR = 2091  # the other calendar modules enter this year, next year, the year after and 2090
START = date(YEAR, 1, 2)
WEEK_OFF = [date(YEAR, 1, d) for d in range(8, 13) if date(YEAR, 1, d).weekday() < 5]


@pytest.fixture(scope="module")
def county(calendar_county):
    """The calendar modules' shared cluster (tests/gateway/api/calendar_fixtures.py)."""
    return calendar_county


def _insert(url: str, statement) -> int:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        ident = conn.execute(statement).inserted_primary_key[0]
    engine.dispose()
    return ident


def _long_term_obligation(county) -> tuple[int, date]:
    now = datetime.now(UTC)
    entry = _insert(county.urls["disclosure"], sa.insert(CatalogueEntry.__table__).values(
        code="CAL-L01", version=1, matter="组织建设", sub_matter="班子成员及分工", content_elements="名单",
        basis="党务公开条例", time_limit="长期", audience="society", carriers=["公开栏"], sectors=["agency"],
        frequency="long_term", within_days=10, valid_from=START, changed_by="office", changed_at=now))
    due = workdays.add_working_days(START, 10)
    ident = _insert(county.urls["disclosure"], sa.insert(Obligation.__table__).values(
        unit_code="A001", entry_id=entry, entry_code="CAL-L01", year=YEAR, period=str(YEAR), due_on=due,
        counted_from=START, status="open", sector="agency", created_at=now))
    return ident, due


def _reopened_feedback(county) -> tuple[int, date]:
    sent = requests.post(f"{county.api}/api/v1/feedback", json={
        "target_kind": "unit", "target_id": "A001", "kind": "question", "content": "班子分工何时上墙公开？",
        "contact": None}, timeout=30)
    assert sent.status_code == 201, sent.text
    items = requests.get(f"{county.api}/api/v1/feedback", headers=OFFICE, params={"limit": 200}, timeout=30).json()
    ident = next(item["id"] for item in items["items"] if item["tracking_code"] == sent.json()["tracking_code"])
    due = workdays.add_working_days(START, 20)  # 15 working days and a granted extension of 5
    engine = sa.create_engine(county.urls["feedback"], poolclass=sa.pool.NullPool)
    with engine.begin() as conn:  # its second round, as if reopened on START
        assert conn.execute(sa.text(
            "UPDATE feedback SET status = 'reopened', round = 2, reopen_count = 1, answer_counted_from = :start, "
            "answer_working_days = 20, answer_due = :due WHERE id = :id"),
            {"start": START.isoformat(), "due": due.isoformat(), "id": ident}).rowcount == 1
    engine.dispose()
    return ident, due


def test_entering_a_year_moves_a_long_term_obligation_and_a_reopened_round(county):
    assert workdays.year_source(YEAR) == workdays.STATUTORY
    obligation, obligation_due = _long_term_obligation(county)
    feedback, feedback_due = _reopened_feedback(county)
    holidays = sorted(workdays.statutory_holidays(YEAR) | set(WEEK_OFF))
    entered = requests.put(f"{county.api}/api/v1/calendar/{YEAR}", headers=OFFICE, timeout=30, json={
        "document": "国办发明电〔示例〕91号", "issued_on": f"{YEAR - 1}-11-20",
        "holidays": [d.isoformat() for d in holidays], "workdays": []})
    assert entered.status_code == 200, entered.text
    later = len(WEEK_OFF)  # every day of the week off lies between the start and the old deadline
    (moved,) = [m for m in entered.json()["moved"] if m["id"] == obligation]
    assert moved["from_due_on"] == obligation_due.isoformat()
    new_obligation_due = date.fromisoformat(moved["to_due_on"])
    assert new_obligation_due == _shifted(obligation_due, later, holidays) and not moved["provisional"]
    view = requests.get(f"{county.api}/api/v1/obligations/{obligation}", headers=OFFICE, timeout=30).json()
    assert view["due_on"] == new_obligation_due.isoformat() and view["due_provisional"] is False

    def feedback_due_now():
        return requests.get(f"{county.api}/api/v1/feedback/{feedback}", headers=OFFICE, timeout=30).json()["answer_due"]

    expected = _shifted(feedback_due, later, holidays).isoformat()
    wait_for(lambda: feedback_due_now() == expected, timeout=30, message="the reopened round's deadline moved")


def _shifted(due: date, days: int, holidays: list[date]) -> date:
    """`days` more working days after `due` on a calendar of these holidays."""
    day = due
    while days:
        day = date.fromordinal(day.toordinal() + 1)
        if day.weekday() < 5 and day not in holidays:
            days -= 1
    return day
