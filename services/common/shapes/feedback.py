"""Feedback as it arrives at the gateway and at the feedback service."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.common.contract import FEEDBACK_KINDS, FEEDBACK_TARGETS


class NewFeedback(Schema):
    class Meta:
        unknown = RAISE

    target_kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_TARGETS))
    target_id = fields.String(required=True, validate=validate.Length(1, 32))
    kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_KINDS))
    content = fields.String(required=True, validate=validate.Length(1, 5000))
    contact = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                            metadata={"description": "optional; only the unit that answers sees it"})
