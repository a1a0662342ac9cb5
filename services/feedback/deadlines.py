"""The answer deadlines on the working-day calendar, watched by a timer: FeedbackDueSoon
(yellow: due within 3 working days), FeedbackOverdue (red), FeedbackEscalated level 1 (N
working days after red, to the unit's secretary) and level 2 (N more, to the county office),
each once per answer deadline; and the close of answered feedback whose reopening window
passed without a rating.

Every row is claimed by one conditional UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE
SKIP LOCKED) AND <the condition> RETURNING what the event carries: a second replica running
at the same time skips the rows locked by the first, and one that waited re-checks the
condition and finds it no longer holds, so each warning is claimed — and emitted — exactly
once. A batch is set-based, its events in the outbox in the same transaction however many rows
it holds: on PostgreSQL one statement claims it and inserts its events (UnitOfWork.emit_from,
the bodies made by the database), elsewhere one UPDATE claims it and one INSERT adds its events
(UnitOfWork.emit_many); the outbox rows are the same. A batch shorter than BATCH ends the kind's
pass: what was locked then is emitted by whoever held it, or claimed by the next pass; one
statement first asks which kinds have any row due, and a kind with none costs no batch."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from services.common.contract import names
from services.common.db import UnitOfWork
from services.common.records import utcnow
from services.common.workdays import COUNTY_TIMEZONE, add_working_days, county_date, county_today

from . import sender, trail
from .models import Feedback
from .settings import Settings
from .states import OPEN

BATCH = 5000
ESCALATIONS = {"escalate_1": ({"level": 1, "to": "secretary"}, names.FEEDBACK_ESCALATED),
               "escalate_2": ({"level": 2, "to": "county_office"}, names.FEEDBACK_ESCALATED)}
FEEDBACK = Feedback.__table__  # the table, not the mapped class: the pass's statements are Core, compiled once


def latest_due_passed_by(today: date, working_days: int) -> date:
    """The latest due date that `working_days` working days have passed since, as of today:
    answer_due <= this ⇔ add_working_days(answer_due, working_days) < today."""
    day = today - timedelta(days=1)
    while add_working_days(day, working_days) >= today:
        day -= timedelta(days=1)
    return day


def rules(today: date, settings: Settings) -> dict[str, tuple[Any, str]]:
    """Each warning: the condition a row must meet, and the column that claims it."""
    is_open = FEEDBACK.c.status.in_(OPEN)
    horizon = add_working_days(today, settings.warning_working_days)
    level_1 = latest_due_passed_by(today, settings.escalation_working_days)
    level_2 = latest_due_passed_by(today, 2 * settings.escalation_working_days)
    return {
        names.FEEDBACK_OVERDUE: (sa.and_(is_open, FEEDBACK.c.overdue_at.is_(None), FEEDBACK.c.answer_due < today),
                                 "overdue_at"),
        names.FEEDBACK_DUE_SOON: (sa.and_(is_open, FEEDBACK.c.due_soon_at.is_(None), FEEDBACK.c.overdue_at.is_(None),
                                          FEEDBACK.c.answer_due >= today, FEEDBACK.c.answer_due <= horizon),
                                  "due_soon_at"),
        "escalate_1": (sa.and_(is_open, FEEDBACK.c.escalated_1_at.is_(None), FEEDBACK.c.overdue_at.is_not(None),
                               FEEDBACK.c.answer_due <= level_1), "escalated_1_at"),
        "escalate_2": (sa.and_(is_open, FEEDBACK.c.escalated_2_at.is_(None), FEEDBACK.c.escalated_1_at.is_not(None),
                               FEEDBACK.c.answer_due <= level_2), "escalated_2_at"),
    }


PAYLOAD = tuple(FEEDBACK.c[name] for name in ("id", "unit_code", "kind", "target_kind", "target_id", "answer_due"))


def claiming(condition: Any, column: str, after: int, limit: int, postgresql: bool) -> Any:
    """The statement that claims up to `limit` rows meeting `condition` (ids above `after`, in
    id order, so a pass reads each row once) by setting `column`, returning what their events
    carry: UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) AND condition RETURNING.
    On PostgreSQL the ids are matched as id = ANY(ARRAY(SELECT ...)): the chosen rows are found
    by the primary key, not by a scan of the whole table per batch."""
    candidates = (sa.select(FEEDBACK.c.id).where(condition, FEEDBACK.c.id > after).order_by(FEEDBACK.c.id)
                  .limit(limit).with_for_update(skip_locked=True).scalar_subquery())
    chosen = FEEDBACK.c.id == sa.any_(sa.func.array(candidates)) if postgresql else FEEDBACK.c.id.in_(candidates)
    return sa.update(FEEDBACK).where(chosen, condition).values({column: utcnow()}).returning(*PAYLOAD)


def _payload(row: Any, extra: dict[str, Any]) -> dict[str, Any]:
    """What an event carries: from a claimed row, or from the claimed rows' columns in SQL."""
    return {"feedback_id": row.id, "unit_code": row.unit_code, "kind": row.kind, "target_kind": row.target_kind,
            "target_id": row.target_id, "answer_due": row.answer_due, **extra}


def claim_and_emit(uow: UnitOfWork, kind: str, condition: Any, column: str, after: int,
                   limit: int) -> tuple[int, int | None]:
    """One batch: its rows claimed and their events added to the outbox, in id order; how many
    and the last id. On PostgreSQL one statement does both (UnitOfWork.emit_from: no row comes
    to Python); elsewhere the claimed rows come back and go to the outbox in one INSERT
    (UnitOfWork.emit_many). The outbox rows are the same either way."""
    extra, event_type = ESCALATIONS.get(kind, ({}, kind))
    postgresql = uow.session.get_bind().dialect.name == "postgresql"
    statement = claiming(condition, column, after, limit, postgresql)
    if postgresql:
        turned = statement.cte("turned")
        count, last = uow.emit_from(event_type, turned, _payload(turned.c, extra), turned.c.id,
                                    sa.func.max(turned.c.id))
        return count, last
    rows = sorted(uow.session.execute(statement), key=lambda row: row.id)
    uow.emit_many(event_type, [_payload(row, extra) for row in rows])
    return len(rows), rows[-1].id if rows else None


def check_deadlines(uow: UnitOfWork, settings: Settings, today: date | None = None,
                    max_batches: int = 1000) -> dict[str, int]:
    """One pass of the timer: every warning due today, each batch committed with its events
    (a timer has no commit of its own, so this COMMITS)."""
    today = today or county_today()
    counts, due = {}, rules(today, settings)
    found = uow.session.execute(sa.select(*[sa.exists().where(condition) for condition, _ in due.values()])).one()
    for (kind, (condition, column)), any_due in zip(due.items(), found):
        counts[kind], after = 0, 0
        for _ in range(max_batches if any_due else 0):  # a kind with nothing due costs no batch
            claimed, after = claim_and_emit(uow, kind, condition, column, after, BATCH)
            counts[kind] += claimed
            uow.commit()
            if claimed < BATCH:  # none left now: what another replica or worker held, it emits, or the next pass
                break
    counts["closed"] = close_unrated(uow, settings, today)
    return counts


def close_unrated(uow: UnitOfWork, settings: Settings, today: date, limit: int = BATCH) -> int:
    """Answered feedback whose reopening window has passed without a rating is closed."""
    cutoff = latest_due_passed_by(today, settings.reopen_working_days)  # answered on or before: window over
    ids = list(uow.session.scalars(sa.select(FEEDBACK.c.id).where(
        FEEDBACK.c.status == "answered", FEEDBACK.c.answered_at < _start_of_next_county_day(cutoff))
        .order_by(FEEDBACK.c.id).limit(limit)))
    closed = 0
    for feedback_id in ids:
        feedback = uow.session.get(Feedback, feedback_id, with_for_update=True, populate_existing=True)
        if feedback.status != "answered" or county_date(feedback.answered_at) > cutoff:
            continue
        sender.close(uow, feedback, "reopen_window_passed", by=trail.SYSTEM)
        closed += 1
    uow.commit()
    return closed


def _start_of_next_county_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=COUNTY_TIMEZONE).astimezone(timezone.utc)
