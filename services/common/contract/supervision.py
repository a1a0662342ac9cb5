"""Events of the county office's supervision (services/supervision)."""
from __future__ import annotations

from marshmallow import fields

from . import names
from .base import EventType, Payload

class InspectionDue(Payload):
    """An inspection (督促检查) is due to take place."""
    inspection_id = fields.Integer(required=True)
    title = fields.String(required=True)
    scheduled_for = fields.Date(required=True)
    unit_codes = fields.List(fields.String(), required=True)
    inspector = fields.String(required=True)
    dimensions = fields.List(fields.String(), required=True,
                             metadata={"description": "the five scored dimensions"})


EVENTS = (
    EventType(names.INSPECTION_DUE, 1, "supervision", InspectionDue, "An inspection falls due."),
)
