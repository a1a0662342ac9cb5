"""What the office's assessment routes answer (services/supervision): scores, rankings, reports,
model candidates, commitments and leaders' comments, field by field as the service builds them;
inspections and rectifications are in .inspections."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.shapes.supervision import GRADES

from . import inspections
from .disclosure import ACTIONS
from .inspections import DIMENSION, number
from .kit import list_of, maybe, string
from .units import Designation


class DimensionScore(Schema):
    name = string()
    weight = number()
    value = maybe(fields.Float)
    inspection = maybe(fields.Float)
    facts = maybe(fields.Float)


class Rate(Schema):
    judged = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    rate = maybe(fields.Float, metadata={"description": "per cent; null when nothing was judged"})


class FeedbackRate(Rate):
    ratings = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    satisfaction = maybe(fields.Float)


class RecordRef(Schema):
    inspection_id = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    submitted_at = fields.DateTime(required=True)


class RectificationCounts(Schema):
    open = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    accepted = fields.Integer(required=True)


class CommentPoints(Schema):
    grade = string(validate=validate.OneOf(GRADES))
    points = number()


class UnitScore(Schema):
    unit_code = string()
    name = string()
    sector = string()
    town_code = maybe()
    demonstration = fields.Boolean(required=True)
    total = maybe(fields.Float)
    weighted = maybe(fields.Float)
    dimensions = fields.Dict(keys=fields.String(validate=DIMENSION), values=fields.Nested(DimensionScore), required=True)
    obligations = fields.Nested(Rate, required=True)
    feedback = fields.Nested(FeedbackRate, required=True)
    inspection = maybe(fields.Nested, nested=RecordRef)
    rectifications = fields.Nested(RectificationCounts, required=True)
    penalty = number()
    comment = maybe(fields.Nested, nested=CommentPoints)
    commitments = fields.Integer(required=True)


class ChecklistRef(Schema):
    year = fields.Integer(required=True)
    version = fields.Integer(required=True)


class Scores(Schema):
    """Every visible unit's score for a period as of an instant, best first, with its components."""
    period = string()
    as_of = fields.DateTime(required=True)
    checklist = fields.Nested(ChecklistRef, required=True)
    units = fields.List(fields.Nested(UnitScore), required=True)


class RankedUnit(Schema):
    unit_code = string()
    name = string()
    sector = string()
    town_code = maybe()
    total = number()
    rank = fields.Integer(required=True)
    previous_rank = maybe(fields.Integer)
    change = maybe(fields.Integer, metadata={"description": "places gained since the previous period"})
    sector_rank = fields.Integer(required=True)
    previous_sector_rank = maybe(fields.Integer)


class RankedGroup(Schema):
    code = string()
    name = string()
    units = fields.Integer(required=True)
    total = number()
    rank = fields.Integer(required=True)
    previous_rank = maybe(fields.Integer)
    change = maybe(fields.Integer)


class Rankings(Schema):
    """Units, towns and sectors ranked, and the red (best) and black (worst) lists: live for the
    county office, or those of the published monthly report for anyone else."""
    period = string()
    previous_period = fields.String(metadata={"description": "live rankings only"})
    report_id = fields.Integer(metadata={"description": "a published report's rankings only"})
    as_of = fields.DateTime(required=True)
    units = fields.List(fields.Nested(RankedUnit), required=True)
    towns = fields.List(fields.Nested(RankedGroup), required=True)
    sectors = fields.List(fields.Nested(RankedGroup), required=True)
    red_list = fields.List(fields.Nested(RankedUnit), required=True)
    black_list = fields.List(fields.Nested(RankedUnit), required=True)


class ReportSummary(Schema):
    id = fields.Integer(required=True)
    actions = ACTIONS
    kind = string(validate=validate.OneOf(("monthly", "annual")))
    period = string()
    title = string()
    status = string(validate=validate.OneOf(("draft", "issued")))
    as_of = fields.DateTime(required=True)
    published = fields.Boolean(required=True)
    created_by = string()
    issued_by = maybe()
    issued_at = maybe(fields.DateTime)


def count(description: str = "") -> fields.Integer:
    return fields.Integer(metadata={"description": description} if description else {})


def codes(description: str) -> fields.List:
    return fields.List(fields.String(), metadata={"description": description})


class ReportUnit(Schema):
    unit_code = string()
    name = string()
    sector = string()
    total = number()
    rank = fields.Integer(required=True)
    change = maybe(fields.Integer)


class ReportFigures(Schema):
    """A monthly report's figures (its scores, lists and counts) or an annual report's (its totals);
    `period` and `as_of` in both, every other field in the kind that names it."""
    period = string()
    as_of = fields.DateTime(required=True)
    threshold = fields.Float(metadata={"description": "monthly: the score below which a unit is named"})
    units_scored = count("monthly")
    mean = fields.Float(allow_none=True, metadata={"description": "monthly: the mean score; null when none"})
    below_threshold = codes("monthly: the units below the threshold")
    interviews = codes("monthly: below it two periods running, to be interviewed (约谈)")
    units = fields.List(fields.Nested(ReportUnit), metadata={"description": "monthly: the ranking"})
    towns = fields.List(fields.Nested(RankedGroup), metadata={"description": "monthly"})
    sectors = fields.List(fields.Nested(RankedGroup), metadata={"description": "monthly"})
    red_list = codes("monthly: the best")
    black_list = codes("monthly: the worst")
    rectifications_unresolved = count("monthly")
    inspections = count()
    units_inspected = count()
    rectifications_opened = count()
    rectifications_accepted = count()
    rectifications_overdue = count()
    items_published = count("annual")
    items_by_audience = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                    metadata={"description": "annual: by the audience's name"})
    obligations_by_matter = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "annual: obligations fulfilled, by matter"})
    obligations_judged = count("annual")
    obligations_on_time = count("annual")
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "annual: between 0 and 1; null when none"})
    feedback_received = count("annual")
    feedback_answered = count("annual")
    feedback_answered_on_time = count("annual")
    inspections_by_kind = fields.Dict(keys=fields.String(validate=validate.OneOf(("routine", "special", "random"))),
                                      values=fields.Integer(), metadata={"description": "annual"})
    models_designated = count("annual")


class Report(ReportSummary):
    """A monthly report (月度通报) or annual report with its figures and text."""
    figures = fields.Nested(ReportFigures, required=True, metadata={
        "description": "the figures computed when it was drafted (fixed once issued)"})
    text = string()


class Evidence(Schema):
    period = string()
    total = number()
    dimensions = fields.Dict(keys=fields.String(validate=DIMENSION), values=fields.Nested(DimensionScore),
                             required=True)


class Candidate(Schema):
    unit_code = string()
    name = string()
    sector = string()
    demonstration = fields.Boolean(required=True)
    evidence = fields.List(fields.Nested(Evidence), required=True)


class Candidates(Schema):
    """Model candidates (典型候选): at least the model score in each of the last three months."""
    as_of = fields.DateTime(required=True)
    model_score = number()
    periods = fields.List(fields.String(), required=True)
    items = fields.List(fields.Nested(Candidate), required=True)


class CommitmentMilestone(Schema):
    """A step of a commitment, within its year; done once, by the unit."""
    title = string()
    due_on = fields.Date(required=True)
    status = string(validate=validate.OneOf(["pending", "done"]))
    done_on = maybe(fields.Date)
    note = maybe()
    by = maybe(metadata={"description": "who reported it done"})
    actions = ACTIONS


class Commitment(Schema):
    """A unit's public commitment (公开承诺)."""
    id = fields.Integer(required=True)
    unit_code = string()
    year = fields.Integer(required=True)
    text = string()
    due_on = fields.Date(required=True)
    created_by = string()
    created_at = fields.DateTime(required=True)
    milestones = fields.List(fields.Nested(CommitmentMilestone), required=True)
    milestones_done = fields.Integer(required=True)
    progress = maybe(metadata={"description": "how it is going, as the unit last reported it; null before"})
    progress_at = maybe(fields.DateTime)
    done_on = maybe(fields.Date, metadata={"description": "the day it was kept; null while not yet"})


class Comment(Schema):
    """A leader's comment (领导点评) on a unit for a period, with its grade."""
    id = fields.Integer(required=True)
    unit_code = string()
    period = string()
    grade = string(validate=validate.OneOf(GRADES))
    text = string()
    author = string()
    role = string()
    created_at = fields.DateTime(required=True)


REPORT = "/api/v1/reports/<id:report_id>"
ANSWERS = {
    **inspections.ANSWERS,
    ("GET", "/api/v1/scores"): Scores,
    ("GET", "/api/v1/rankings"): Rankings,
    ("GET", "/api/v1/reports"): list_of("ReportList", ReportSummary),
    ("POST", "/api/v1/reports"): Report,
    ("GET", REPORT): Report,
    ("PATCH", REPORT): Report,
    ("POST", REPORT + "/issue"): Report,
    ("GET", "/api/v1/candidates"): Candidates,
    ("POST", "/api/v1/candidates/<code:unit_code>/nominate"): Designation,
    ("GET", "/api/v1/commitments"): list_of("CommitmentList", Commitment),
    ("POST", "/api/v1/commitments"): Commitment,
    ("POST", "/api/v1/commitments/<id:commitment_id>/progress"): Commitment,
    ("GET", "/api/v1/comments"): list_of("CommentList", Comment),
    ("POST", "/api/v1/comments"): Comment,
}
