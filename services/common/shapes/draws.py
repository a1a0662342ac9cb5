"""Request bodies of the 双随机 draw's standing registers and of a draw planned for a later time,
validated by the gateway and again by supervision."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from .supervision import CODE, USERNAME, Strict

REGISTERS = ("inspectors", "units")


class _Dates(Strict):
    effective_from = fields.Date(load_default=None, allow_none=True,
                                 metadata={"description": "in force from this county date (today by default)"})
    effective_until = fields.Date(load_default=None, allow_none=True,
                                  metadata={"description": "the last county date in force; none: until ended"})
    seen = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 64),
                         metadata={"description": "the register's revision the form was made from (stale forms are refused)"})

    @validates_schema
    def in_order(self, data, **kwargs):
        start, end = data.get("effective_from"), data.get("effective_until")
        if start and end and end < start:
            raise ValidationError("the last day is on or after the first", "effective_until")


class RegisterInspectorBody(_Dates):
    username = fields.String(required=True, validate=USERNAME)
    unit_code = fields.String(load_default=None, allow_none=True, validate=CODE,
                              metadata={"description": "the inspector's own unit: never drawn to it or below it"})


class RegisterUnitBody(_Dates):
    unit_code = fields.String(required=True, validate=CODE)


class EndEntryBody(Strict):
    effective_until = fields.Date(load_default=None, allow_none=True,
                                  metadata={"description": "the last day in force (today by default)"})
    seen = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 64))


class ScheduledDrawBody(Strict):
    """A random inspection (双随机) whose draw runs at `draw_at` from the registers as they stand then."""
    title = fields.String(required=True, validate=validate.Length(1, 200))
    window_opens = fields.Date(required=True)
    window_closes = fields.Date(required=True)
    draw_at = fields.AwareDateTime(required=True, metadata={"description": "when the draw runs (with its offset)"})
    scope = fields.String(load_default="county", validate=validate.OneOf(("county", "subtree", "sector")))
    scope_value = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 32))
    share = fields.Float(load_default=0.05, validate=validate.Range(0.0001, 1))
    count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 5000))
    inspectors_to_draw = fields.Integer(load_default=2, validate=validate.Range(1, 50))
    seed = fields.Raw(load_default=None, allow_none=True,
                      metadata={"description": "refused when given: the system makes the seed and commits to it"})

    @validates_schema
    def in_order(self, data, **kwargs):
        if data["window_closes"] < data["window_opens"]:
            raise ValidationError("the window closes on or after it opens", "window_closes")
        if not (2000 <= data["window_opens"].year and data["window_closes"].year <= 2100):
            raise ValidationError("the window lies within the years 2000 to 2100", "window_opens")
