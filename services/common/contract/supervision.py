"""Events of the county office's supervision (services/supervision): inspections (督促检查),
rectifications (限期整改), scores (考核得分) and the monthly report (月度通报)."""
from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from . import names
from .base import EventType, Payload, Provisional

INSPECTION_KINDS = ("routine", "special", "random")  # 例行 / 专项 / 随机抽查
DIMENSIONS = ("content", "form", "procedure", "on_time", "feedback")  # the checklist's five (考核细则)


class InspectionRef(Payload):
    inspection_id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(INSPECTION_KINDS))
    window_opens = fields.Date(required=True, metadata={"description": "the first day of the inspection window"})
    window_closes = fields.Date(required=True, metadata={"description": "the last day of the inspection window"})
    unit_codes = fields.List(fields.String(), required=True)
    inspectors = fields.List(fields.String(), required=True, metadata={"description": "usernames"})


class InspectionScheduled(InspectionRef):
    """The office planned an inspection. A random one (双随机) drawn with python-random-v1
    carried its integer seed; one drawn with hmac-sha256-v1 carries null here, its commitment,
    seed, registers and result being public at /draws/{id}.json (docs/draw.md)."""
    seed = fields.Integer(required=True, allow_none=True,
                          metadata={"description": "the python-random-v1 seed; null for hmac-sha256-v1 draws"})
    scheduled_by = fields.String(required=True)


class InspectionDue(InspectionRef):
    """The window opens within 3 working days: the inspectors and the units are told. Sent once."""
    dimensions = fields.List(fields.String(), required=True,
                             metadata={"description": "the five scored dimensions"})


class InspectionOverdue(InspectionRef):
    """The window closed with units not yet scored. Sent once."""
    unscored_unit_codes = fields.List(fields.String(), required=True)


class DimensionScore(Payload):
    class Meta(Payload.Meta):
        unknown = EXCLUDE

    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    score = fields.Float(required=True)
    maximum = fields.Float(required=True)


class InspectionRecorded(Payload):
    """An inspector submitted a unit's record (final), or a correction as a new revision."""
    inspection_id = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    revision = fields.Integer(required=True, metadata={"description": "1, then 2, 3 ... for corrections"})
    inspector = fields.String(required=True)
    recorded_at = fields.AwareDateTime(required=True)
    dimensions = fields.List(fields.Nested(DimensionScore), required=True)
    findings = fields.Integer(required=True, metadata={"description": "how many findings (问题清单)"})
    reason = fields.String(required=True, allow_none=True, metadata={"description": "why a correction was made"})


class RectificationRef(Payload):
    rectification_id = fields.Integer(required=True)
    inspection_id = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    finding = fields.String(required=True, metadata={"description": "the finding (问题) to put right"})
    deadline = fields.Date(required=True, metadata={"description": "on the working-day calendar"})
    provisional = Provisional()


class RectificationOpened(RectificationRef):
    """A finding opened a rectification (限期整改) for the unit."""
    opened_at = fields.AwareDateTime(required=True)


class RectificationSubmitted(RectificationRef):
    """The unit's operator said what was done, with evidence; an inspector decides."""
    submitted_by = fields.String(required=True)
    submitted_at = fields.AwareDateTime(required=True)


class RectificationAccepted(RectificationRef):
    accepted_by = fields.String(required=True)
    accepted_at = fields.AwareDateTime(required=True)


class RectificationReturned(RectificationRef):
    """Not good enough: back to the unit with the reason."""
    returned_by = fields.String(required=True)
    returned_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)


class RectificationDueSoon(RectificationRef):
    """Yellow: due within 3 working days and not submitted. Sent once."""


class RectificationOverdue(RectificationRef):
    """Red: past its deadline and not submitted. Sent once."""


class RectificationWithdrawn(RectificationRef):
    """A correction of the inspection record removed the finding: the rectification is closed,
    nothing left to put right."""
    withdrawn_by = fields.String(required=True, metadata={"description": "the inspector who corrected the record"})
    withdrawn_at = fields.AwareDateTime(required=True)
    revision = fields.Integer(required=True, metadata={"description": "the record's revision that removed the finding"})
    reason = fields.String(required=True, metadata={"description": "the correction's reason"})


class ScoresComputed(Payload):
    """A period's scores were computed once it ended. Units below the threshold for two
    periods in a row are listed for an interview (约谈); designated sites below it for review (复核)."""
    period = fields.String(required=True, metadata={"description": "2026-07, 2026-Q3 or 2026"})
    as_of = fields.AwareDateTime(required=True)
    units = fields.Integer(required=True)
    mean = fields.Float(required=True, allow_none=True)
    threshold = fields.Float(required=True)
    below_threshold = fields.List(fields.String(), required=True)
    interviews = fields.List(fields.String(), required=True, metadata={"description": "units to interview (约谈)"})
    reviews = fields.List(fields.String(), required=True,
                          metadata={"description": "designated sites to review (复核)"})


class ReportIssued(Payload):
    """The office issued (sealed) a report: the monthly 通报 or the annual 工作报告."""
    report_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("monthly", "annual")))
    period = fields.String(required=True)
    title = fields.String(required=True)
    issued_by = fields.String(required=True)
    issued_at = fields.AwareDateTime(required=True)
    published = fields.Boolean(required=True, metadata={"description": "its rankings are shown to the public"})
    figures = fields.Dict(required=True, metadata={"description": "the report's headline figures"})


EVENTS = (
    EventType(names.INSPECTION_SCHEDULED, 1, "supervision", InspectionScheduled, "An inspection was planned."),
    EventType(names.INSPECTION_DUE, 1, "supervision", InspectionDue, "An inspection's window opens within 3 working days."),
    EventType(names.INSPECTION_OVERDUE, 1, "supervision", InspectionOverdue,
              "An inspection's window closed with units not yet scored."),
    EventType(names.INSPECTION_RECORDED, 1, "supervision", InspectionRecorded,
              "A unit's inspection record was submitted (or corrected as a new revision)."),
    EventType(names.RECTIFICATION_OPENED, 1, "supervision", RectificationOpened,
              "A finding opened a rectification with a deadline (限期整改)."),
    EventType(names.RECTIFICATION_SUBMITTED, 1, "supervision", RectificationSubmitted,
              "The unit submitted what it put right."),
    EventType(names.RECTIFICATION_ACCEPTED, 1, "supervision", RectificationAccepted, "An inspector accepted a rectification."),
    EventType(names.RECTIFICATION_RETURNED, 1, "supervision", RectificationReturned,
              "An inspector returned a rectification with a reason."),
    EventType(names.RECTIFICATION_DUE_SOON, 1, "supervision", RectificationDueSoon,
              "A rectification falls due within 3 working days (yellow)."),
    EventType(names.RECTIFICATION_OVERDUE, 1, "supervision", RectificationOverdue, "A rectification is overdue (red)."),
    EventType(names.RECTIFICATION_WITHDRAWN, 1, "supervision", RectificationWithdrawn,
              "A corrected inspection record no longer has the finding: its rectification is withdrawn."),
    EventType(names.SCORES_COMPUTED, 1, "supervision", ScoresComputed, "A period's scores were computed."),
    EventType(names.REPORT_ISSUED, 1, "supervision", ReportIssued, "A report was issued and sealed."),
)
