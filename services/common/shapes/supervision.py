"""Request bodies of supervision (督促检查、考核), validated by the gateway and again by the service."""
from __future__ import annotations

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from services.common.contract.supervision import DIMENSIONS, INSPECTION_KINDS

CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="a unit code is 1-32 letters, digits, - or _")
USERNAME = validate.Length(1, 64)
PERIOD = validate.Regexp(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$",
                         error="a period is 2026, 2026-H1, 2026-Q3 or 2026-07")
GRADES = ("excellent", "good", "fair", "poor")  # 优秀 / 良好 / 一般 / 较差
MAX_UNITS = 5000


class Strict(Schema):
    class Meta:
        unknown = RAISE


class Criterion(Strict):
    code = fields.String(required=True, validate=validate.Length(1, 40))
    text = fields.String(required=True, validate=validate.Length(1, 500))
    max = fields.Float(required=True, validate=validate.Range(0.5, 100))


class Dimension(Strict):
    code = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    name = fields.String(required=True, validate=validate.Length(1, 40))
    weight = fields.Float(required=True, validate=validate.Range(0, 100))
    facts_share = fields.Float(load_default=0, validate=validate.Range(0, 1))
    criteria = fields.List(fields.Nested(Criterion), required=True, validate=validate.Length(1, 30))


class ChecklistBody(Strict):
    """A year's checklist (考核细则): the five dimensions, weights summing to 100."""
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    threshold = fields.Float(load_default=60, validate=validate.Range(0, 100))
    model_score = fields.Float(load_default=85, validate=validate.Range(0, 100))
    lift_on_accept = fields.Float(load_default=1.0, validate=validate.Range(0, 1))
    penalties = fields.Dict(keys=fields.String(validate=validate.OneOf(("overdue_rectification",))),
                            values=fields.Float(validate=validate.Range(0, 100)), load_default=dict)
    feedback_mix = fields.Dict(keys=fields.String(validate=validate.OneOf(("answered_on_time", "satisfaction"))),
                               values=fields.Float(validate=validate.Range(0, 1)), load_default=dict)
    ratings = fields.Dict(keys=fields.String(validate=validate.Length(1, 32)),
                          values=fields.Float(validate=validate.Range(0, 100)), load_default=dict)
    comment_grades = fields.Dict(keys=fields.String(validate=validate.OneOf(GRADES)),
                                 values=fields.Float(validate=validate.Range(-20, 20)), load_default=dict)
    dimensions = fields.List(fields.Nested(Dimension), required=True, validate=validate.Length(5, 5))

    @validates_schema
    def five_dimensions(self, data, **kwargs):
        codes = [d["code"] for d in data.get("dimensions", ())]
        if sorted(codes) != sorted(DIMENSIONS):
            raise ValidationError(f"the checklist has each of the five dimensions once: {', '.join(DIMENSIONS)}",
                                  "dimensions")
        if abs(sum(d["weight"] for d in data["dimensions"]) - 100) > 1e-6:
            raise ValidationError("the dimensions' weights must sum to 100", "dimensions")
        criteria = [c["code"] for d in data["dimensions"] for c in d["criteria"]]
        if len(criteria) != len(set(criteria)):
            raise ValidationError("each criterion code appears once", "dimensions")


class RandomSample(Strict):
    """双随机: units drawn from a scope, inspectors from a pool, with a seed the system makes."""
    scope = fields.String(load_default="county", validate=validate.OneOf(("county", "subtree", "sector")))
    scope_value = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 32))
    share = fields.Float(load_default=0.05, validate=validate.Range(0.0001, 1))
    count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, MAX_UNITS))
    seed = fields.Raw(load_default=None, allow_none=True,
                      metadata={"description": "refused when given: the system makes the seed and commits to it"})


class PoolMember(Strict):
    username = fields.String(required=True, validate=USERNAME)
    unit_code = fields.String(load_default=None, allow_none=True, validate=CODE,
                              metadata={"description": "the unit the inspector belongs to: never sent there"})


class NewInspection(Strict):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(required=True, validate=validate.OneOf(INSPECTION_KINDS))
    window_opens = fields.Date(required=True)
    window_closes = fields.Date(required=True)
    unit_codes = fields.List(fields.String(validate=CODE), load_default=None, allow_none=True,
                             validate=validate.Length(1, MAX_UNITS))
    subtree = fields.String(load_default=None, allow_none=True, validate=CODE,
                            metadata={"description": "every unit under this one (a town's or sector's tree)"})
    sample = fields.Nested(RandomSample, load_default=None, allow_none=True)
    inspectors = fields.List(fields.Nested(PoolMember), required=True, validate=validate.Length(1, 200),
                             metadata={"description": "the inspectors, or for a random inspection the pool"})
    inspectors_to_draw = fields.Integer(load_default=2, validate=validate.Range(1, 50))

    @validates_schema
    def one_way_of_choosing_units(self, data, **kwargs):
        given = [k for k in ("unit_codes", "subtree", "sample") if data.get(k)]
        if len(given) != 1:
            raise ValidationError("name the units one way: unit_codes, subtree or sample", "unit_codes")
        if (data["kind"] == "random") != bool(data.get("sample")):
            raise ValidationError("a random inspection (随机抽查) and only it draws a sample", "sample")
        if data["window_closes"] < data["window_opens"]:
            raise ValidationError("the window closes on or after it opens", "window_closes")
        if not (2000 <= data["window_opens"].year and data["window_closes"].year <= 2100):
            raise ValidationError("the window lies within the years 2000 to 2100", "window_opens")


class Score(Strict):
    criterion = fields.String(required=True, validate=validate.Length(1, 40))
    score = fields.Float(required=True, validate=validate.Range(0, 100))
    note = fields.String(load_default="", validate=validate.Length(0, 2000))


class NewFinding(Strict):
    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    text = fields.String(required=True, validate=validate.Length(1, 2000))
    deduction = fields.Float(load_default=0, validate=validate.Range(0, 100))
    deadline_days = fields.Integer(load_default=10, validate=validate.Range(1, 250),
                                   metadata={"description": "working days to put it right"})


class UnitRecord(Strict):
    """A unit's scores per criterion with notes, and its findings (问题清单)."""
    inspected_on = fields.Date(load_default=None, allow_none=True)
    scores = fields.List(fields.Nested(Score), required=True, validate=validate.Length(1, 100))
    findings = fields.List(fields.Nested(NewFinding), load_default=list, validate=validate.Length(0, 100))


class CorrectedFinding(NewFinding):
    keeps = fields.Integer(load_default=None, allow_none=True, metadata={
        "description": "the id of the corrected revision's finding this one keeps: its rectification and "
                       "progress carry over; a finding of that revision no finding keeps has its "
                       "rectification withdrawn; a finding without it opens a new one"})


class Correction(UnitRecord):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))
    findings = fields.List(fields.Nested(CorrectedFinding), load_default=list, validate=validate.Length(0, 100))
    revision = fields.Integer(load_default=None, allow_none=True, metadata={
        "description": "the revision being corrected, as the form read it: refused when it is no longer the newest"})


class RectificationSubmission(Strict):
    done = fields.String(required=True, validate=validate.Length(1, 5000), metadata={"description": "what was done"})
    evidence = fields.List(fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$")), load_default=list,
                           validate=validate.Length(0, 20), metadata={"description": "SHA-256 of uploaded photos"})


class ReturnReason(Strict):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class NewReport(Strict):
    kind = fields.String(load_default="monthly", validate=validate.OneOf(("monthly", "annual")))
    period = fields.String(required=True, validate=PERIOD)


class ReportChanges(Strict):
    title = fields.String(load_default=None, validate=validate.Length(1, 200))
    text = fields.String(load_default=None, validate=validate.Length(0, 100000))


class ReportIssue(Strict):
    publish = fields.Boolean(load_default=False, metadata={"description": "show its rankings to the public"})


class Milestone(Strict):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    due_on = fields.Date(required=True, metadata={"description": "within the commitment's year"})


class NewCommitment(Strict):
    unit_code = fields.String(required=True, validate=CODE)
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    text = fields.String(required=True, validate=validate.Length(1, 2000))
    due_on = fields.Date(required=True)
    milestones = fields.List(fields.Nested(Milestone), load_default=list, validate=validate.Length(0, 20))

    @validates_schema
    def due_within_years(self, data, **kwargs):
        if not 2000 <= data["due_on"].year <= 2100:
            raise ValidationError("the date lies within the years 2000 to 2100", "due_on")


class CommitmentProgress(Strict):
    """A commitment's progress as its unit reports it; done_on once it is kept."""
    progress = fields.String(required=True, validate=validate.Length(1, 2000))
    done_on = fields.Date(load_default=None, allow_none=True)


class MilestoneProgress(Strict):
    done_on = fields.Date(required=True, metadata={"description": "the day it was done, within the year"})
    note = fields.String(load_default="", validate=validate.Length(0, 2000), metadata={"description": "what was done"})


class NewComment(Strict):
    unit_code = fields.String(required=True, validate=CODE)
    period = fields.String(required=True, validate=PERIOD)
    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    text = fields.String(required=True, validate=validate.Length(1, 5000))


class ModelNomination(Strict):
    reason = fields.String(load_default="考核连续三期优秀，推荐为典型", validate=validate.Length(1, 500))
