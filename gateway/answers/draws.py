"""What the 双随机 registers' and scheduled draws' routes answer (gateway/api/draws.py)."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..policy_areas.office2 import REGISTER
from .inspections import Inspection
from .kit import maybe, string


class RegisterEntry(Schema):
    """One entry of a register: in force from `effective_from` to `effective_until` (null: until ended)."""
    id = fields.Integer(required=True)
    register = string(metadata={"description": "inspectors or units"})
    username = fields.String(metadata={"description": "inspectors only"})
    unit_code = maybe(metadata={"description": "the unit drawn from, or the inspector's own unit (recused)"})
    unit_name = maybe()
    effective_from = string()
    effective_until = maybe()
    state = string(metadata={"description": "upcoming, current or ended"})
    actions = fields.List(fields.String(), required=True)
    added_by = string()
    added_at = string()
    ended_by = maybe()


class Registers(Schema):
    """Both registers as they stand on `date`, with each one's revision (send it back as `seen`)."""
    date = string()
    inspectors = fields.List(fields.Nested(RegisterEntry), required=True)
    units = fields.List(fields.Nested(RegisterEntry), required=True)
    inspectors_revision = string()
    units_revision = string()
    in_force = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


ANSWERS = {
    ("GET", "/api/v1/draw-registers"): Registers,
    ("POST", REGISTER): RegisterEntry,
    ("POST", REGISTER + "/<id:entry_id>/end"): RegisterEntry,
    ("POST", "/api/v1/draws"): Inspection,
}
