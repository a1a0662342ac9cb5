"""What the working-day calendar's routes answer (the disclosure service keeps the county's
arrangements; obligations, feedback and rectifications keep the deadlines it left behind)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.workdays import ENTERED, PUBLISHED, STATUTORY

from .kit import list_of, maybe, string

SOURCE = string(validate=validate.OneOf((ENTERED, PUBLISHED, STATUTORY)), metadata={
    "description": "entered by the office, published (chinesecalendar), or statutory (computed: provisional)"})
PASSED_KINDS = ("obligation", "feedback_ack", "feedback_answer", "rectification")


class YearSource(Schema):
    year = fields.Integer(required=True)
    source = SOURCE
    version = maybe(fields.Integer, metadata={"description": "the newest version the office entered"})
    provisional = fields.Boolean(required=True)


class Years(Schema):
    """The years around today and where each one's calendar comes from."""
    today = fields.Date(required=True)
    next_year_missing = fields.Boolean(required=True, metadata={"description": "from 1 November while next "
                                                                              "year's arrangement is unknown"})
    years = fields.List(fields.Nested(YearSource), required=True)


class Arrangement(Schema):
    """A version of a year's arrangement (放假安排) as the office entered it."""
    version = fields.Integer(required=True)
    holidays = fields.List(fields.Date(), required=True)
    workdays = fields.List(fields.Date(), required=True, metadata={"description": "weekends worked (调休)"})
    document = string()
    issued_on = fields.Date(required=True)
    entered_by = string()
    entered_at = fields.DateTime(required=True)


class DeadlineChange(Schema):
    """A deadline the new calendar moves (or would have moved, had it not passed)."""
    kind = string(validate=validate.OneOf(PASSED_KINDS))
    id = fields.Integer(required=True)
    unit_code = maybe()
    from_due_on = fields.Date(required=True)
    to_due_on = fields.Date(required=True)
    calendar_year = fields.Integer(required=True)
    calendar_version = fields.Integer(required=True)
    provisional = fields.Boolean(required=True)


class Year(Schema):
    """A year's calendar: its weekday days off and worked weekends as used, and every version entered."""
    year = fields.Integer(required=True)
    source = SOURCE
    provisional = fields.Boolean(required=True)
    holidays = fields.List(fields.Date(), required=True)
    workdays = fields.List(fields.Date(), required=True)
    versions = fields.List(fields.Nested(Arrangement), required=True, metadata={"description": "newest first"})


class Entered(Year):
    """The year as now used, the obligations' deadlines moved, and those left for the office."""
    moved = fields.List(fields.Nested(DeadlineChange), required=True)
    passed = fields.List(fields.Nested(DeadlineChange), required=True)


class PassedDeadline(DeadlineChange):
    listed_at = fields.DateTime(required=True)
    decided_by = maybe()
    decision = maybe(metadata={"description": "the office's note"})
    decided_at = maybe(fields.DateTime)


class Passed(list_of("PassedList", PassedDeadline)):
    """The deadlines the year's calendar versions left for the office, earliest first."""
    year = fields.Integer(required=True)


YEAR = "/api/v1/calendar/<year:year>"
ANSWERS = {
    ("GET", "/api/v1/calendar"): Years,
    ("GET", YEAR): Year,
    ("PUT", YEAR): Entered,
    ("POST", YEAR + "/file"): Entered,
    ("GET", YEAR + "/passed"): Passed,
    ("POST", YEAR + "/passed/<kind>/<id:record_id>/decide"): PassedDeadline,
}
