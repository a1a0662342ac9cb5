"""A deadline already passed when the county office enters or changes a year is never moved: the
service that owns it keeps it, per calendar version, for the office to decide, and answers it by
year (`calendar_passed`). Kept once, however often the CalendarArranged event arrives. The clock
is frozen as in test_calendar_recompute.py (2030, a year chinesecalendar does not know)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from services.common import calendar_store, passed_deadlines
from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.feedback import calendar_deadlines as feedback_deadlines
from services.feedback import intake
from services.feedback.models import Feedback
from services.feedback.settings import Settings
from services.supervision import calendar_deadlines as rectification_deadlines
from services.supervision import facts, inspection_records, inspections
from services.supervision.models import Rectification
from tests.common.test_calendar_recompute import ARRANGED, FULL, NOW, emitted, frozen  # noqa: F401 (the fixture)
from tests.feedback.test_feedback_loop import unit
from tests.supervision.test_supervision_rules import unit_event


def test_passed_feedback_deadlines_are_kept_per_version_once_and_listed_by_year(uow_factory, frozen):
    uow = uow_factory("feedback")
    intake.apply_unit(uow.session, unit("A001"))
    settings = Settings()
    intake.receive(uow, {"target_kind": "unit", "target_id": "A001", "kind": "question",
                         "content": "何时公开？", "contact": None}, settings=settings)
    uow.commit()
    feedback_id = uow.session.scalar(sa.select(Feedback.id))
    frozen.move_to(datetime(2030, 2, 21, 2, tzinfo=timezone.utc))  # the answer was due on the 20th
    calendar_store.store(uow.session, ARRANGED)
    feedback_deadlines.recompute(uow, settings, ARRANGED)
    uow.commit()
    assert passed_deadlines.listing(uow.session, 2029) == []
    (kept,) = passed_deadlines.listing(uow.session, 2030)
    assert (kept["kind"], kept["id"], kept["unit_code"]) == ("feedback_answer", feedback_id, "A001")
    assert (kept["from_due_on"], kept["to_due_on"], kept["calendar_version"]) == ("2030-02-20", "2030-02-22", 1)
    assert uow.session.scalar(sa.select(Feedback.answer_due)) == date(2030, 2, 20)  # not moved
    assert emitted(uow, "FeedbackDeadlineMoved") == []
    # the same version again (a recompute after a redelivery): nothing added
    feedback_deadlines.recompute(uow, settings, ARRANGED)
    uow.commit()
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(passed_deadlines.PassedDeadline)) == 1
    # a second version leaving it too: listed once, as the newest version left it
    second = {**ARRANGED, "version": 2, "workdays": ["2030-01-26"]}
    calendar_store.store(uow.session, second)
    feedback_deadlines.recompute(uow, settings, second)
    uow.commit()
    (kept,) = passed_deadlines.listing(uow.session, 2030)
    assert (kept["calendar_version"], kept["to_due_on"]) == (2, "2030-02-25")  # no worked Saturday now


def test_a_passed_rectification_deadline_is_kept_for_the_office(uow_factory, frozen):
    uow = uow_factory("supervision")
    facts.apply(uow.session, unit_event("T01", "town", at=NOW))
    facts.apply(uow.session, unit_event("V01", parent="T01", at=NOW))
    uow.commit()
    office, inspector = Actor("office", "inspector"), Actor("insp-a", "inspector")
    planned = inspections.plan(uow, office, {
        "title": "节前检查", "kind": "routine", "window_opens": "2030-01-28", "window_closes": "2030-01-28",
        "unit_codes": ["V01"], "inspectors": [{"username": "insp-a", "unit_code": None}]})
    inspection_records.save_draft(uow, inspector, planned["id"], "V01", {"scores": FULL, "findings": [
        {"dimension": "content", "text": "财务公开未到明细", "deduction": 6, "deadline_days": 10}]})
    inspection_records.submit(uow, inspector, planned["id"], "V01")
    uow.commit()
    rectification_id = uow.session.scalar(sa.select(Rectification.id))
    frozen.move_to(datetime(2030, 2, 14, 2, tzinfo=timezone.utc))  # due on the 13th (statutory calendar)
    assert calendar_store.store(uow.session, ARRANGED)
    changes = rectification_deadlines.recompute(uow, ARRANGED)
    uow.commit()
    assert changes["moved"] == [] and len(changes["passed"]) == 1
    assert uow.session.scalar(sa.select(Rectification.deadline)) == date(2030, 2, 13)
    assert [(p["kind"], p["id"], p["unit_code"], p["from_due_on"], p["to_due_on"])
            for p in passed_deadlines.listing(uow.session, 2030)] == [
        ("rectification", rectification_id, "V01", "2030-02-13", "2030-02-15")]
    assert emitted(uow, "RectificationDeadlineMoved") == []


def test_the_office_decides_on_a_passed_deadline_once_with_a_note(uow_factory, frozen):
    uow = uow_factory("feedback")
    session = uow.session
    passed_deadlines.keep(session, [{"kind": "feedback_answer", "id": 7, "unit_code": "A001",
                                     "from_due_on": date(2030, 2, 20), "to_due_on": date(2030, 2, 22),
                                     "calendar_year": 2030, "calendar_version": 1, "provisional": False}])
    office = Actor("office", "inspector")
    with pytest.raises(Forbidden):
        passed_deadlines.decide(session, Actor("op-a001", "operator", "A001"), 2030, "feedback_answer", 7, "算了")
    with pytest.raises(InvalidInput):
        passed_deadlines.decide(session, office, 2030, "feedback_answer", 7, "  ")
    with pytest.raises(NotFound):
        passed_deadlines.decide(session, office, 2030, "feedback_answer", 8, "不追究")
    decided = passed_deadlines.decide(session, office, 2030, "feedback_answer", 7, "不追究逾期，已电话告知单位")
    uow.commit()
    assert (decided["decided_by"], decided["decision"]) == ("office", "不追究逾期，已电话告知单位")
    assert decided["decided_at"] == NOW.isoformat()
    with pytest.raises(Conflict):
        passed_deadlines.decide(session, office, 2030, "feedback_answer", 7, "再说一次")
    assert passed_deadlines.listing(session, 2030)[0]["decision"] == "不追究逾期，已电话告知单位"
