"""Events of feedback (services/feedback)."""
from __future__ import annotations

from marshmallow import fields, validate

from . import names
from .base import FEEDBACK_KINDS, FEEDBACK_TARGETS, EventType, Payload

class FeedbackReceived(Payload):
    """Feedback arrived; the submitter's contact is never part of the event."""
    feedback_id = fields.Integer(required=True)
    tracking_code = fields.String(required=True)
    target_kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_TARGETS))
    target_id = fields.String(required=True)
    unit_code = fields.String(required=True, metadata={"description": "the unit that must answer"})
    kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_KINDS))
    source = fields.String(required=True, validate=validate.OneOf(("public", "member")))
    summary = fields.String(required=True)
    received_at = fields.AwareDateTime(required=True)
    acknowledge_due = fields.Date(required=True, metadata={"description": "working-day deadline to acknowledge"})
    answer_due = fields.Date(required=True, metadata={"description": "working-day deadline to answer"})


EVENTS = (
    EventType(names.FEEDBACK_RECEIVED, 1, "feedback", FeedbackReceived, "Feedback arrived and awaits an answer."),
)
