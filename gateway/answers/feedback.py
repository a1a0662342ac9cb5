"""What the feedback routes answer: the sender's receipt and tracking view, the work queues,
one feedback case with its answers and steps, and the public answers (公开答复)."""
from __future__ import annotations

from marshmallow import Schema, fields

from .disclosure import ACTIONS
from .kit import maybe, page_of, string

DAY = fields.Date(required=True)


class Receipt(Schema):
    """What the sender gets once: the tracking code and the PIN (`secret`) that rating and reopening need."""
    tracking_code = string()
    secret = string(metadata={"description": "the PIN, shown in this answer only"})
    status = string(metadata={"description": "received, or held for moderation"})
    kind = string()
    target_kind = string()
    target_id = string()
    received_at = fields.DateTime(required=True)
    acknowledge_due = DAY
    answer_due = DAY
    due_provisional = fields.Boolean(required=True)


class SenderStep(Schema):
    at = fields.DateTime(required=True)
    action = string()
    label = maybe()
    status = maybe()
    note = maybe()


class PublishedAnswer(Schema):
    round = fields.Integer(required=True)
    body = string()
    answered_at = fields.DateTime(required=True)


class Tracking(Schema):
    """What the sender follows by the tracking code: never the contact, never who acted."""
    tracking_code = string()
    status = string()
    status_label = maybe()
    kind = string()
    target_kind = string()
    target_id = string()
    public = fields.Boolean(required=True)
    received_at = fields.DateTime(required=True)
    acknowledge_due = DAY
    answer_due = DAY
    due_provisional = fields.Boolean(required=True)
    rejected_reason = maybe()
    answers = fields.List(fields.Nested(PublishedAnswer), required=True)
    rating = maybe()
    reopen_count = fields.Integer(required=True)
    steps = fields.List(fields.Nested(SenderStep), required=True)
    contact_kept = fields.Boolean(required=True, metadata={"description": "whether a contact is still kept (never which)"})
    contact_erased_at = maybe(fields.DateTime, metadata={"description": "when the contact was erased, if it was"})


class Case(Schema):
    """A feedback case in a work queue."""
    id = fields.Integer(required=True)
    tracking_code = string()
    status = string()
    status_label = maybe()
    kind = string()
    source = string(metadata={"description": "public or member"})
    target_kind = string()
    target_id = string()
    unit_code = maybe()
    town = maybe()
    summary = string(metadata={"description": "the first 100 characters"})
    received_at = fields.DateTime(required=True)
    acknowledge_due = DAY
    answer_due = DAY
    due_provisional = fields.Boolean(required=True)
    round = fields.Integer(required=True)
    extension_status = maybe()
    public = fields.Boolean(required=True)
    reports = fields.Integer(required=True)
    answer_hidden = fields.Boolean(required=True)
    yellow = fields.Boolean(required=True, metadata={"description": "the answer is due within the warning days"})
    red = fields.Boolean(required=True, metadata={"description": "the answer is overdue"})
    escalation_level = fields.Integer(required=True)
    acknowledge_late = fields.Boolean(required=True)
    actions = ACTIONS


class Extension(Schema):
    status = maybe()
    working_days = maybe(fields.Integer)
    reason = maybe()
    requested_by = maybe()


class DraftedAnswer(Schema):
    id = fields.Integer(required=True)
    round = fields.Integer(required=True)
    body = string()
    status = string(metadata={"description": "review, approved or returned"})
    drafted_by = string()
    drafted_at = fields.DateTime(required=True)
    reviewed_by = maybe()
    reviewed_at = maybe(fields.DateTime)
    review_note = maybe()


class Step(Schema):
    at = fields.DateTime(required=True)
    action = string()
    label = maybe()
    actor = maybe()
    role = maybe()
    from_status = maybe()
    to_status = maybe()
    note = maybe()
    unit_code = maybe()


class CaseDetail(Case):
    """One case as its unit and the county office see it: the text, the contact, answers and steps."""
    content = string()
    contact = maybe(metadata={"description": "the sender's contact, for the answering unit and the office only"})
    target_title = maybe()
    held_reason = maybe()
    reopen_count = fields.Integer(required=True)
    extension = fields.Nested(Extension, required=True)
    rating = maybe()
    rating_comment = maybe()
    answers = fields.List(fields.Nested(DraftedAnswer), required=True)
    steps = fields.List(fields.Nested(Step), required=True)


class PublicAnswer(Schema):
    """A question and its answer as the public reads them: phone numbers masked."""
    id = fields.Integer(required=True)
    kind = string()
    target_kind = string()
    target_id = string()
    unit_code = maybe()
    question = string()
    answer = string()
    asked_at = fields.DateTime(required=True)
    answered_at = fields.DateTime(required=True)
    rating = maybe()


class Moderated(Schema):
    """A public answer's reports and whether it is hidden while the office reviews it."""
    id = fields.Integer(required=True)
    reports = fields.Integer(required=True)
    hidden = fields.Boolean(required=True)


CasePage = page_of("CasePage", Case, "A work queue, newest first.")
PublicAnswerPage = page_of("PublicAnswerPage", PublicAnswer)
ACTION = "/api/v1/feedback/<id:feedback_id>/"

ANSWERS = {
    ("POST", "/api/v1/feedback"): Receipt,
    ("GET", "/api/v1/feedback/<tracking:tracking_code>"): Tracking,
    ("POST", "/api/v1/feedback/<tracking:tracking_code>/rate"): Tracking,
    ("POST", "/api/v1/feedback/<tracking:tracking_code>/reopen"): Tracking,
    ("GET", "/api/v1/feedback"): CasePage,
    ("GET", "/api/v1/feedback/<id:feedback_id>"): CaseDetail,
    **{("POST", ACTION + action): CaseDetail
       for action in ("<any(accept,release):action>", "reject", "transfer", "extend", "grant-extension", "answer",
                      "approve-answer", "reject-answer")},
    ("GET", "/api/v1/answers"): PublicAnswerPage,
    ("POST", "/api/v1/answers/<id:feedback_id>/report"): Moderated,
    ("POST", "/api/v1/answers/<id:feedback_id>/review"): Moderated,
}
