"""Feedback's and supervision's deadlines follow the county's calendar: their copy keeps the
CalendarArranged version and the open deadlines not yet passed are counted again, each change
announced once; a passed one stays. The clock is frozen on 28 January 2030 (Beijing), a week
before 春节, in a year chinesecalendar does not know."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
import time_machine

from services.common import calendar_store, workdays
from services.common.actor import Actor
from services.common.records import OutboxRecord
from services.feedback import calendar_deadlines as feedback_deadlines
from services.feedback import handling, intake, sender
from services.feedback.models import Feedback
from services.feedback.settings import Settings
from services.supervision import calendar_deadlines as rectification_deadlines
from services.supervision import facts, inspection_records, inspections
from services.supervision.models import Rectification
from tests.feedback.test_feedback_loop import unit
from tests.supervision.test_supervision_rules import unit_event

FULL = [{"criterion": c, "score": m} for c, m in (
    ("content_complete", 10), ("content_true", 10), ("content_detail", 10), ("form_board", 10),
    ("form_online", 10), ("procedure_steps", 10), ("procedure_records", 5), ("on_time_periodic", 10),
    ("feedback_handling", 10))]
NOW = datetime(2030, 1, 28, 2, tzinfo=timezone.utc)  # 10:00 in the county
ARRANGED = {"year": 2030, "version": 1, "document": "国办发明电〔2029〕7号", "issued_on": "2029-11-20",
            "holidays": ["2030-01-01"] + [f"2030-02-0{d}" for d in range(2, 9)],
            "workdays": ["2030-01-26", "2030-02-09"], "entered_by": "office", "entered_at": NOW.isoformat()}


@pytest.fixture(autouse=True)
def frozen():
    workdays.forget_entered()
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
    workdays.forget_entered()


def emitted(uow, event_type):
    rows = uow.session.execute(sa.select(OutboxRecord.type, OutboxRecord.body).order_by(OutboxRecord.id))
    return [json.loads(body)["payload"] for t, body in rows if t == event_type]


def test_feedback_acknowledgement_and_answer_deadlines_follow_the_arrangement(uow_factory):
    uow = uow_factory("feedback")
    intake.apply_unit(uow.session, unit("A001"))
    settings = Settings()
    receipt = intake.receive(uow, {"target_kind": "unit", "target_id": "A001", "kind": "question",
                                   "content": "春节前后何时公开账目？", "contact": None}, settings=settings)
    uow.commit()
    feedback = uow.session.scalar(sa.select(Feedback).where(Feedback.tracking_code == receipt["tracking_code"]))
    assert (feedback.acknowledge_due, feedback.answer_due) == (date(2030, 1, 31), date(2030, 2, 20))  # statutory
    assert receipt["due_provisional"] is True  # 暂定, to the sender and in the event
    assert emitted(uow, "FeedbackReceived")[0]["provisional"] is True
    assert calendar_store.store(uow.session, ARRANGED)
    changes = feedback_deadlines.recompute(uow, settings, ARRANGED)
    uow.commit()
    assert [(c["kind"], c["from_due_on"], c["to_due_on"]) for c in changes["moved"]] == [
        ("feedback_answer", date(2030, 2, 20), date(2030, 2, 22))]  # the worked Saturday 9 Feb counts
    assert feedback.answer_due == date(2030, 2, 22) and feedback.acknowledge_due == date(2030, 1, 31)
    (moved,) = emitted(uow, "FeedbackDeadlineMoved")
    assert moved["id"] == feedback.id and moved["to_due_on"] == "2030-02-22" and moved["provisional"] is False
    # the event redelivered: the copy has it, nothing moves again
    assert not calendar_store.store(uow.session, ARRANGED)


def test_a_passed_feedback_deadline_is_listed_not_moved(uow_factory, frozen):
    uow = uow_factory("feedback")
    intake.apply_unit(uow.session, unit("A001"))
    settings = Settings()
    intake.receive(uow, {"target_kind": "unit", "target_id": "A001", "kind": "question",
                         "content": "何时公开？", "contact": None}, settings=settings)
    uow.commit()
    frozen.move_to(datetime(2030, 2, 21, 2, tzinfo=timezone.utc))  # the answer was due on the 20th
    calendar_store.store(uow.session, ARRANGED)
    changes = feedback_deadlines.recompute(uow, settings, ARRANGED)
    uow.commit()
    assert changes["moved"] == [] and [c["to_due_on"] for c in changes["passed"]] == [date(2030, 2, 22)]
    assert uow.session.scalar(sa.select(Feedback.answer_due)) == date(2030, 2, 20)


def test_a_rectification_deadline_follows_the_arrangement(uow_factory):
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
    assert uow.session.scalar(sa.select(Rectification.deadline)) == date(2030, 2, 13)  # statutory
    assert emitted(uow, "RectificationOpened")[0]["provisional"] is True
    assert calendar_store.store(uow.session, ARRANGED)
    changes = rectification_deadlines.recompute(uow, ARRANGED)
    uow.commit()
    assert [(c["from_due_on"], c["to_due_on"]) for c in changes["moved"]] == [(date(2030, 2, 13), date(2030, 2, 15))]
    assert uow.session.scalar(sa.select(Rectification.deadline)) == date(2030, 2, 15)
    (moved,) = emitted(uow, "RectificationDeadlineMoved")
    assert moved["kind"] == "rectification" and moved["unit_code"] == "V01"


def test_a_reopened_rounds_answer_deadline_follows_the_arrangement_from_the_reopening(uow_factory, frozen):
    uow = uow_factory("feedback")
    intake.apply_unit(uow.session, unit("A001"))
    settings = Settings()
    receipt = intake.receive(uow, {"target_kind": "unit", "target_id": "A001", "kind": "question",
                                   "content": "节后何时公开补助名单？", "contact": None}, settings=settings)
    feedback = uow.session.scalar(sa.select(Feedback).where(Feedback.tracking_code == receipt["tracking_code"]))
    feedback.status, feedback.answered_at = "answered", NOW  # answered the day it came (the loop's own tests walk it)
    uow.commit()
    frozen.move_to(datetime(2030, 2, 1, 2, tzinfo=timezone.utc))  # reopened on Friday 1 February
    sender.reopen(uow, receipt["tracking_code"], {"secret": receipt["secret"], "reason": "答复不具体"}, settings)
    uow.commit()
    assert (feedback.round, feedback.answer_counted_from, feedback.answer_working_days) == (2, date(2030, 2, 1), 15)
    assert feedback.answer_due == date(2030, 2, 26)  # statutory: 除夕 to 初三 off only
    assert calendar_store.store(uow.session, ARRANGED)
    changes = feedback_deadlines.recompute(uow, settings, ARRANGED)
    uow.commit()
    assert [(c["kind"], c["from_due_on"], c["to_due_on"]) for c in changes["moved"]] == [
        ("feedback_answer", date(2030, 2, 26), date(2030, 2, 28))]  # counted from the reopening, 9 Feb worked
    assert feedback.answer_due == date(2030, 2, 28)
    assert [m["id"] for m in emitted(uow, "FeedbackDeadlineMoved")] == [feedback.id]


def test_an_extension_is_counted_again_with_the_deadline(uow_factory):
    uow = uow_factory("feedback")
    intake.apply_unit(uow.session, unit("A001"))
    settings = Settings()
    receipt = intake.receive(uow, {"target_kind": "unit", "target_id": "A001", "kind": "question",
                                   "content": "延期的答复何时到期？", "contact": None}, settings=settings)
    feedback = uow.session.scalar(sa.select(Feedback).where(Feedback.tracking_code == receipt["tracking_code"]))
    feedback.status, feedback.extension_status, feedback.extension_days = "accepted", "requested", 5
    feedback.extension_requested_by, feedback.extension_reason = "op-a001", "春节前后人员不齐"
    uow.commit()
    handling.decide_extension(uow, Actor("office", "inspector"), feedback.id, True, "节日顺延")
    uow.commit()
    assert feedback.answer_working_days == 20 and feedback.answer_due == date(2030, 2, 27)
    calendar_store.store(uow.session, ARRANGED)
    feedback_deadlines.recompute(uow, settings, ARRANGED)
    uow.commit()
    assert feedback.answer_due == date(2030, 3, 1)  # 20 working days from 28 January on the entered year
