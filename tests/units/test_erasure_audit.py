"""Feedback's retention timer erases a sender's contact and says so in FeedbackContactErased;
units learns it from the event and appends the erasure to the audit trail as the system's act
(the chain still verifies). A sender's own erasure is audited as the request that made it, so
the event adds nothing for it. (SQLite, and PostgreSQL when given.)"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from services.common.contract import from_message, new_event
from services.common.records import OutboxRecord
from services.feedback import intake, privacy
from services.feedback.models import Feedback
from services.feedback.settings import Settings
from services.units import audit, erasures
from services.units.models import AuditEntry
from tests.feedback.test_feedback_loop import unit


def _erased_events(uow) -> list:
    bodies = uow.session.scalars(sa.select(OutboxRecord.body).where(OutboxRecord.type == "FeedbackContactErased")
                                 .order_by(OutboxRecord.id))
    return [from_message(json.loads(body)) for body in bodies]


def test_a_retention_erasure_reaches_the_audit_trail_through_the_event(uow_factory):
    feedback_uow, units_uow = uow_factory("feedback"), uow_factory("units")
    intake.apply_unit(feedback_uow.session, unit("A001"))
    settings = Settings()
    receipt = intake.receive(feedback_uow, {"target_kind": "unit", "target_id": "A001", "kind": "opinion",
                                            "content": "路灯坏了", "contact": "13912345678"}, settings=settings)
    feedback = feedback_uow.session.scalar(sa.select(Feedback).where(Feedback.tracking_code == receipt["tracking_code"]))
    ended = datetime.now(timezone.utc) - timedelta(days=settings.contact_retention_days + 1)
    feedback.status, feedback.closed_at = "closed", ended
    feedback_uow.commit()
    assert privacy.erase_expired(feedback_uow, settings) == 1
    (event,) = _erased_events(feedback_uow)
    assert event.payload["reason"] == "retention"
    entry = erasures.record_feedback_erasure(units_uow.session, event)
    units_uow.commit()
    assert (entry["actor"], entry["role"], entry["unit"], entry["action"]) == (
        "system", "system", "A001", "ERASE feedback contact")
    assert entry["target"] == f"/feedback/{feedback.id}/contact" and entry["entry_id"] == f"event-{event.event_id}"
    assert "13912345678" not in json.dumps(entry, ensure_ascii=False)
    assert audit.verify(units_uow.session)["ok"]


def test_a_senders_own_erasure_is_not_appended_twice(uow_factory):
    units_uow = uow_factory("units")
    event = new_event("FeedbackContactErased", {
        "feedback_id": 7, "unit_code": "A001", "kind": "opinion", "target_kind": "unit", "target_id": "A001",
        "tracking_code": "ABCDEFGHJK", "reason": "sender", "erased_at": datetime.now(timezone.utc)})
    assert erasures.record_feedback_erasure(units_uow.session, event) is None
    assert units_uow.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
