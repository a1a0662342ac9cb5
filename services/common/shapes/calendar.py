"""The wire shape of a year's holiday arrangement (放假安排) as the county office enters it."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

MAX_DAYS = 60  # a year lists some 30 holidays and a handful of worked weekends
NOTE_MAX = 500  # the office's decision on a passed deadline


class CalendarArrangementInput(Schema):
    class Meta:
        unknown = RAISE

    document = fields.String(required=True, validate=validate.Length(1, 200), metadata={
        "description": "the State Council notice, e.g. 国办发明电〔2026〕7号"})
    issued_on = fields.Date(required=True, metadata={"description": "the date of that notice"})
    holidays = fields.List(fields.Date(), required=True, validate=validate.Length(0, MAX_DAYS), metadata={
        "description": "the weekdays off (weekends inside a holiday may be listed too)"})
    workdays = fields.List(fields.Date(), load_default=list, validate=validate.Length(0, MAX_DAYS), metadata={
        "description": "the weekend days worked in exchange (调休)"})


class CalendarFileFields(Schema):
    """What comes beside an uploaded file when the file does not say it."""
    class Meta:
        unknown = RAISE

    document = fields.String(validate=validate.Length(1, 200))
    issued_on = fields.Date()


class PassedDecisionInput(Schema):
    """The county office's decision on a deadline a new calendar left because it had passed."""
    class Meta:
        unknown = RAISE

    note = fields.String(required=True, validate=validate.Length(1, NOTE_MAX), metadata={
        "description": "what the office decided, e.g. 不追究逾期，已电话告知单位"})
