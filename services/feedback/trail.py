"""Steps of a feedback's handling (who, when, why) and what its events share."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.errors import NotFound
from services.common.records import utcnow

from .models import Feedback, Step
from .states import next_state

SYSTEM = "system"


def load(session: Session, feedback_id: int, lock: bool = True) -> Feedback:
    feedback = session.get(Feedback, feedback_id, with_for_update=lock)
    if feedback is None:
        raise NotFound(f"没有编号为 {feedback_id} 的意见建议")
    return feedback


def by_code(session: Session, tracking_code: str, lock: bool = False) -> Feedback:
    query = sa.select(Feedback).where(Feedback.tracking_code == tracking_code.strip().upper())
    feedback = session.scalar(query.with_for_update() if lock else query)
    if feedback is None:
        raise NotFound("没有这个查询码的意见建议，请核对查询码")
    return feedback


def record(session: Session, feedback: Feedback, action: str, by: Actor | str, from_status: str | None,
           note: str | None = None) -> Step:
    name, role = (by.username, by.role) if isinstance(by, Actor) else (by, None)
    step = Step(feedback_id=feedback.id, at=utcnow(), action=action, actor=name, role=role, from_status=from_status,
                to_status=feedback.status, note=note, unit_code=feedback.unit_code)
    session.add(step)
    return step


def move(session: Session, feedback: Feedback, action: str, by: Actor | str, note: str | None = None) -> str:
    """Apply `action` by the table (a 409 from the wrong state) and keep the step; returns the old state."""
    before = feedback.status
    feedback.status = next_state(before, action)
    record(session, feedback, action, by, before, note)
    return before


def ref(feedback: Feedback) -> dict[str, Any]:
    return {"feedback_id": feedback.id, "unit_code": feedback.unit_code, "kind": feedback.kind,
            "target_kind": feedback.target_kind, "target_id": feedback.target_id}


def steps(session: Session, feedback_id: int) -> list[Step]:
    return list(session.scalars(sa.select(Step).where(Step.feedback_id == feedback_id).order_by(Step.id)))
