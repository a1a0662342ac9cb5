"""Request bodies the gateway accepts, validated before any service is called. Where a
service defines the shape, the gateway uses that very schema."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.disclosure.schemas import NewItem as ItemDraft  # noqa: F401  one schema, both sides
from services.feedback.schemas import NewFeedback as FeedbackDraft  # noqa: F401


class ItemAction(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class Replay(Schema):
    class Meta:
        unknown = RAISE

    service = fields.String(required=True)
    ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    event_type = fields.String(load_default=None, allow_none=True)
