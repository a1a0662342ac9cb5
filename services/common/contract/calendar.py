"""Events of the working-day calendar: the county office's arrangement of a year, kept by
services/disclosure, and the deadlines that moved with it."""
from __future__ import annotations

from marshmallow import fields, validate

from . import names
from .base import EventType, Payload, Provisional


class CalendarArranged(Payload):
    """The county office entered or changed a year's holiday arrangement (放假安排). Every
    service that computes deadlines keeps its own copy of the newest version of each year; the
    arrangement replaces chinesecalendar and the statutory fallback for that year."""
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    version = fields.Integer(required=True, metadata={"description": "rises by one at every change of the year"})
    holidays = fields.List(fields.Date(), required=True,
                           metadata={"description": "the days off, weekends inside a holiday included"})
    workdays = fields.List(fields.Date(), required=True,
                           metadata={"description": "weekend days worked in exchange (调休)"})
    document = fields.String(required=True, metadata={"description": "the State Council notice, e.g. 国办发明电〔2026〕3号"})
    issued_on = fields.Date(required=True, metadata={"description": "the date of that notice"})
    entered_by = fields.String(required=True)
    entered_at = fields.AwareDateTime(required=True)


class DeadlineMoved(Payload):
    """A deadline not yet passed moved because a year's arrangement was entered or changed;
    one event per deadline and change."""
    kind = fields.String(required=True, validate=validate.OneOf(("obligation", "feedback_ack", "feedback_answer",
                                                                 "rectification")))
    id = fields.Integer(required=True, metadata={"description": "the obligation's, feedback's or rectification's id"})
    unit_code = fields.String(allow_none=True, load_default=None)
    from_due_on = fields.Date(required=True)
    to_due_on = fields.Date(required=True)
    calendar_year = fields.Integer(required=True)
    calendar_version = fields.Integer(required=True)
    provisional = Provisional()


EVENTS = (
    EventType(names.CALENDAR_ARRANGED, 1, "disclosure", CalendarArranged,
              "The county office entered or changed a year's holiday arrangement (放假安排)."),
    EventType(names.OBLIGATION_DEADLINE_MOVED, 1, "disclosure", DeadlineMoved,
              "An obligation's due date moved with a new holiday arrangement."),
    EventType(names.FEEDBACK_DEADLINE_MOVED, 1, "feedback", DeadlineMoved,
              "A feedback's acknowledgement or answer deadline moved with a new holiday arrangement."),
    EventType(names.RECTIFICATION_DEADLINE_MOVED, 1, "supervision", DeadlineMoved,
              "A rectification's deadline moved with a new holiday arrangement."),
)
