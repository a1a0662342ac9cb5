"""Request bodies the gateway accepts, validated before any service is called."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.common.contract import AUDIENCES, FEEDBACK_KINDS


class ItemDraft(Schema):
    class Meta:
        unknown = RAISE

    unit_code = fields.String(required=True, validate=validate.Length(1, 32))
    title = fields.String(required=True, validate=validate.Length(1, 300))
    body = fields.String(required=True, validate=validate.Length(1, 100_000))
    audience = fields.String(required=True, validate=validate.OneOf(AUDIENCES))
    carriers = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    obligation_id = fields.Integer(load_default=None, allow_none=True)


class ItemAction(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class FeedbackDraft(Schema):
    class Meta:
        unknown = RAISE

    target_kind = fields.String(required=True, validate=validate.OneOf(("item", "unit")))
    target_id = fields.String(required=True, validate=validate.Length(1, 32))
    kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_KINDS))
    content = fields.String(required=True, validate=validate.Length(1, 5000))
    contact = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class Replay(Schema):
    class Meta:
        unknown = RAISE

    service = fields.String(required=True)
    ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    event_type = fields.String(load_default=None, allow_none=True)
