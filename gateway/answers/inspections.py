"""What the office's inspection routes answer (services/supervision): the year's checklist, an
inspection and its random draw, each unit's record, and the rectifications its findings open,
field by field as the service's views build them."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.contract.supervision import DIMENSIONS, INSPECTION_KINDS
from services.common.shapes.supervision import GRADES

from .disclosure import ACTIONS
from .kit import list_of, maybe, page_of, string

DIMENSION = validate.OneOf(DIMENSIONS)
RECTIFICATION_STATUSES = ("open", "submitted", "returned", "overdue", "accepted", "withdrawn")


def number(**kwargs) -> fields.Float:
    return fields.Float(required=True, **kwargs)


class ChecklistCriterion(Schema):
    code = string()
    text = string()
    max = number()


class ChecklistDimension(Schema):
    code = string(validate=DIMENSION)
    name = string()
    weight = number(metadata={"description": "the dimensions' weights sum to 100"})
    facts_share = number(metadata={"description": "the share of the dimension computed from recorded facts"})
    criteria = fields.List(fields.Nested(ChecklistCriterion), required=True)


class Checklist(Schema):
    """A version of a year's checklist (考核细则), with each dimension's maximum."""
    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    version = fields.Integer(required=True)
    created_by = string()
    created_at = fields.DateTime(required=True)
    threshold = number()
    model_score = number()
    lift_on_accept = number()
    penalties = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    feedback_mix = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    ratings = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    comment_grades = fields.Dict(keys=fields.String(validate=validate.OneOf(GRADES)), values=fields.Float(),
                                 required=True)
    dimensions = fields.List(fields.Nested(ChecklistDimension), required=True)
    maximum = fields.Dict(keys=fields.String(validate=DIMENSION), values=fields.Float(), required=True,
                          metadata={"description": "each dimension's highest score: the sum of its criteria"})


class InspectedUnit(Schema):
    unit_code = string()
    inspectors = fields.List(fields.String(), required=True)
    status = string(metadata={"description": "pending (no record yet), draft, submitted or superseded"})
    revision = maybe(fields.Integer)


class ScheduledDraw(Schema):
    status = string(metadata={"description": "scheduled, drawn or failed"})
    draw_at = fields.DateTime(required=True)
    commitment = string(metadata={"description": "SHA-256 of the seed, published at planning"})
    problem = maybe(metadata={"description": "why a draw failed"})


class Inspection(Schema):
    """An inspection and its units as the caller may see them (a unit sees only its own)."""
    id = fields.Integer(required=True)
    title = string()
    kind = string(validate=validate.OneOf(INSPECTION_KINDS))
    window_opens = fields.Date(required=True)
    window_closes = fields.Date(required=True)
    inspectors = fields.List(fields.String(), required=True)
    seed = maybe(metadata={"description": "the random draw's seed once revealed; null otherwise"})
    created_by = string()
    scheduled_draw = maybe(fields.Nested, nested=ScheduledDraw, metadata={
        "description": "a draw planned for a later time: its state and commitment, never its seed; null otherwise"})
    units = fields.List(fields.Nested(InspectedUnit), required=True)


class DrawPoolMember(Schema):
    username = string()
    unit_code = maybe()


class DrawScope(Schema):
    scope = string(validate=validate.OneOf(("county", "subtree", "sector")))
    scope_value = maybe()
    share = number()
    count = maybe(fields.Integer)


class DrawResult(Schema):
    units = fields.List(fields.String(), required=True, metadata={"description": "in draw order"})
    assignments = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    inspectors = fields.List(fields.String(), required=True)


class Draw(Schema):
    """The recorded random draw (双随机) run again from its seed: `matches` says whether it gives the same."""
    seed = fields.Raw(required=True, metadata={"type": ["string", "integer"],
                                               "description": "a string (python-random-v1: an integer)"})
    algorithm = string()
    commitment = maybe(metadata={"description": "the seed's hash, published before the draw"})
    committed_at = maybe(fields.DateTime)
    drawn_at = maybe(fields.DateTime)
    scope = maybe(fields.Nested, nested=DrawScope, metadata={"description": "what was drawn from"})
    share = number()
    count = maybe(fields.Integer)
    inspectors_per_unit = fields.Integer(required=True)
    population = fields.List(fields.String(), required=True)
    chains = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": "each unit's chain of units above it, itself first"})
    pool = fields.List(fields.Nested(DrawPoolMember), required=True)
    units = fields.List(fields.String(), required=True)
    assignments = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)
    rerun = fields.Nested(DrawResult, required=True, metadata={"description": "the draw run again"})
    matches = fields.Boolean(required=True)


class CriterionScore(Schema):
    criterion = string()
    score = number()
    note = string()
    dimension = string(validate=DIMENSION)
    max = number()


class Finding(Schema):
    id = fields.Integer(required=True)
    dimension = string(validate=DIMENSION)
    text = string()
    deduction = number()
    deadline_days = fields.Integer(required=True)
    rectification_id = maybe(fields.Integer, metadata={
        "description": "the rectification it opened, or kept from the revision a correction replaced"})


class Photo(Schema):
    sha256 = string()
    media_type = string()
    size = fields.Integer(required=True)


class InspectionRecord(Schema):
    """A unit's record in an inspection: scores per criterion and findings (问题清单)."""
    id = fields.Integer(required=True)
    inspection_id = fields.Integer(required=True)
    unit_code = string()
    revision = fields.Integer(required=True)
    status = string(validate=validate.OneOf(("draft", "submitted", "superseded")))
    inspector = maybe()
    inspected_on = maybe(fields.Date)
    scores = fields.List(fields.Nested(CriterionScore), required=True)
    reason = maybe(metadata={"description": "why a correction was made"})
    submitted_at = maybe(fields.DateTime)
    findings = fields.List(fields.Nested(Finding), required=True)


class TrailStep(Schema):
    from_ = maybe(data_key="from")
    to = string()
    by = string()
    note = maybe()
    at = fields.DateTime(required=True)


class Rectification(Schema):
    """A finding to put right by a deadline (限期整改), its evidence and its trail."""
    id = fields.Integer(required=True)
    inspection_id = fields.Integer(required=True)
    unit_code = string()
    dimension = string(validate=DIMENSION)
    finding = string()
    deduction = number()
    deadline = fields.Date(required=True)
    due_provisional = fields.Boolean(required=True)
    status = string(validate=validate.OneOf(RECTIFICATION_STATUSES))
    status_label = string()
    opened_at = fields.DateTime(required=True)
    submitted_by = maybe()
    actions = ACTIONS
    evidence = fields.List(fields.Nested(Photo), required=True)
    trail = fields.List(fields.Nested(TrailStep), required=True)


INSPECTION = "/api/v1/inspections/<id:inspection_id>"
UNIT = INSPECTION + "/units/<code:unit_code>"
RECTIFICATION = "/api/v1/rectifications/<id:rectification_id>"
RectificationPage = page_of("RectificationPage", Rectification)
ANSWERS = {
    ("GET", "/api/v1/checklists"): Checklist,
    ("POST", "/api/v1/checklists"): Checklist,
    ("GET", "/api/v1/inspections"): page_of("InspectionPage", Inspection),
    ("POST", "/api/v1/inspections"): Inspection,
    ("GET", INSPECTION): Inspection,
    ("GET", INSPECTION + "/draw"): Draw,
    ("GET", INSPECTION + "/findings"): RectificationPage,
    ("GET", UNIT): list_of("InspectionRecordList", InspectionRecord, "Every submitted revision, oldest first."),
    ("PUT", UNIT + "/scores"): InspectionRecord,
    ("POST", UNIT + "/submit"): InspectionRecord,
    ("POST", UNIT + "/correct"): InspectionRecord,
    ("POST", "/api/v1/inspection-records/<id:record_id>/photos"): Photo,
    ("GET", "/api/v1/rectifications"): RectificationPage,
    ("GET", RECTIFICATION): Rectification,
    ("POST", RECTIFICATION + "/submit"): Rectification,
    ("POST", RECTIFICATION + "/<any(accept,return):action>"): Rectification,
    ("POST", RECTIFICATION + "/photos"): Photo,
}
