"""Feedback deadlines when the county office enters or changes a year's holiday arrangement:
the answer deadline of open feedback is counted again from the start kept with it (the day it
was received, or the day a reopened round began) over its working days (a granted extension's
included), and the first round's acknowledgement deadline from the day it was received; those
not yet passed move, each announced once (FeedbackDeadlineMoved); a passed one stays and is
kept for the office to decide (services/common/passed_deadlines.py)."""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

import sqlalchemy as sa

from services.common import calendar_store, passed_deadlines
from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.workdays import add_working_days, county_date, county_today

from .models import Feedback

log = logging.getLogger(__name__)
OPEN = ("received", "held", "accepted", "reviewing", "reopened")


def recompute(uow: UnitOfWork, settings: Any, payload: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    year, version = int(payload["year"]), int(payload["version"])
    today = county_today()
    moved: list[dict[str, Any]] = []
    passed: list[dict[str, Any]] = []
    rows = uow.session.scalars(
        sa.select(Feedback).where(Feedback.status.in_(OPEN),
                                  Feedback.answer_due >= date(year, 1, 1), Feedback.answer_due < date(year + 1, 4, 1))
        .order_by(Feedback.id))
    for feedback in rows:
        received = county_date(feedback.received_at)
        for kind, column, new in _counted_again(feedback, received, settings):
            old = getattr(feedback, column)
            if new == old:
                continue
            change = calendar_store.deadline_change(kind, feedback.id, feedback.unit_code, old, new, year, version)
            if not calendar_store.may_move(old, new, today):
                passed.append(change)
                log.warning("feedback %s: %s %s passed; the new arrangement gives %s: left for the office",
                            feedback.id, column, old, new)
                continue
            setattr(feedback, column, new)
            if column == "answer_due":
                feedback.due_soon_at = None
            uow.emit(names.FEEDBACK_DEADLINE_MOVED, change)
            moved.append(change)
    passed_deadlines.keep(uow.session, passed)
    return {"moved": moved, "passed": passed}


def _counted_again(feedback: Feedback, received: date, settings: Any) -> list[tuple[str, str, date]]:
    """Each deadline of the feedback the calendar gives now: (kind, column, date)."""
    counted = []
    if feedback.round == 1:
        counted.append(("feedback_ack", "acknowledge_due", add_working_days(received, settings.acknowledge_working_days)))
    if feedback.answer_counted_from is not None and feedback.answer_working_days is not None:
        counted.append(("feedback_answer", "answer_due",
                        add_working_days(feedback.answer_counted_from, feedback.answer_working_days)))
    return counted
