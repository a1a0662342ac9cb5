"""Request bodies of units learning from each other: the county office's 范例 marks and its
guidance notes (分类指导), validated by the gateway and again by disclosure."""
from __future__ import annotations

from marshmallow import fields, validate

from services.common.contract import SECTORS

from .supervision import Strict

ENTRY_CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="a catalogue code is 1-32 letters, digits, - or _")
REASON = validate.Length(1, 500)


class MarkExampleBody(Strict):
    item_id = fields.Integer(required=True, validate=validate.Range(1), metadata={"description": "a published item"})
    sector = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SECTORS),
                           metadata={"description": "the sector it is an example for (the item's unit's by default)"})
    reason = fields.String(required=True, validate=REASON, metadata={"description": "why it is a good example"})


class EndExampleBody(Strict):
    reason = fields.String(required=True, validate=REASON, metadata={"description": "why the mark ends"})


class NewGuidanceBody(Strict):
    entry_code = fields.String(required=True, validate=ENTRY_CODE, metadata={"description": "the catalogue matter"})
    sector = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SECTORS),
                           metadata={"description": "the sector it guides; none: every sector"})
    title = fields.String(required=True, validate=validate.Length(1, 200))
    body = fields.String(required=True, validate=validate.Length(1, 5000))


class ReviseGuidanceBody(Strict):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    body = fields.String(required=True, validate=validate.Length(1, 5000))
    revision = fields.Integer(required=True, metadata={"description": "the revision the form was made from"})


class RetireGuidanceBody(Strict):
    reason = fields.String(required=True, validate=REASON)
    revision = fields.Integer(required=True, metadata={"description": "the revision the form was made from"})
