"""Events of feedback (services/feedback): the whole loop from receipt to closure.

No event carries the sender's contact, the sender's secret, or the text of the feedback
beyond FeedbackReceived's summary (taken only once the word screen let it through)."""
from __future__ import annotations

from marshmallow import fields, validate

from . import names
from .base import FEEDBACK_KINDS, FEEDBACK_TARGETS, EventType, Payload, Provisional

RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")  # 满意 / 基本满意 / 不满意


class FeedbackReceived(Payload):
    """Feedback reached the unit that must answer it: at once, or once the county office
    released it from moderation. The submitter's contact is never part of the event."""
    feedback_id = fields.Integer(required=True)
    tracking_code = fields.String(required=True)
    target_kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_TARGETS))
    target_id = fields.String(required=True)
    unit_code = fields.String(required=True, metadata={"description": "the unit that must answer"})
    kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_KINDS))
    source = fields.String(required=True, validate=validate.OneOf(("public", "member")))
    summary = fields.String(required=True)
    received_at = fields.AwareDateTime(required=True)
    acknowledge_due = fields.Date(required=True, metadata={"description": "working-day deadline to acknowledge"})
    answer_due = fields.Date(required=True, metadata={"description": "working-day deadline to answer"})
    provisional = Provisional()


class FeedbackRef(Payload):
    """What every later feedback event names: which feedback, and the unit answering it now."""
    feedback_id = fields.Integer(required=True)
    unit_code = fields.String(required=True, metadata={"description": "the unit that answers it (after this event)"})
    kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_KINDS))
    target_kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_TARGETS))
    target_id = fields.String(required=True)


class FeedbackAccepted(FeedbackRef):
    """The unit acknowledged it (受理)."""
    accepted_by = fields.String(required=True)
    accepted_at = fields.AwareDateTime(required=True)
    acknowledge_due = fields.Date(required=True)
    acknowledged_on_time = fields.Boolean(required=True,
                                          metadata={"description": "accepted on or before acknowledge_due (county date)"})
    answer_due = fields.Date(required=True)


class FeedbackRejected(FeedbackRef):
    """Not taken up (不予受理), with the reason the sender sees."""
    stage = fields.String(required=True, validate=validate.OneOf(("moderation", "intake")),
                          metadata={"description": "moderation: refused from the county office's moderation queue"})
    reason = fields.String(required=True)
    rejected_by = fields.String(required=True)
    rejected_at = fields.AwareDateTime(required=True)


class FeedbackTransferred(FeedbackRef):
    """Sent on to another unit (转办) by the county office, or because the unit was merged
    (to the survivor) or dissolved (to its parent). The deadlines do not restart."""
    from_unit_code = fields.String(required=True)
    reason = fields.String(required=True)
    cause = fields.String(required=True, validate=validate.OneOf(("transfer", "unit_merged", "unit_dissolved")))
    transferred_by = fields.String(required=True, metadata={"description": "a username, or 'units' for a registry change"})
    transferred_at = fields.AwareDateTime(required=True)
    answer_due = fields.Date(required=True)


class FeedbackExtended(FeedbackRef):
    """The county office granted the unit's request for more time (延期); once per feedback."""
    requested_by = fields.String(required=True)
    granted_by = fields.String(required=True)
    reason = fields.String(required=True)
    working_days = fields.Integer(required=True)
    previous_answer_due = fields.Date(required=True)
    answer_due = fields.Date(required=True)
    provisional = Provisional()
    granted_at = fields.AwareDateTime(required=True)


class FeedbackAnswered(FeedbackRef):
    """The unit's answer was approved by its reviewer and is now shown to the sender."""
    round = fields.Integer(required=True, metadata={"description": "1 for the first answer, 2 and 3 after reopening"})
    drafted_by = fields.String(required=True)
    approved_by = fields.String(required=True)
    answered_at = fields.AwareDateTime(required=True)
    answer_due = fields.Date(required=True, metadata={"description": "the deadline this answer had (extension included)"})
    on_time = fields.Boolean(required=True, metadata={"description": "answered on or before answer_due (county date)"})
    public = fields.Boolean(required=True, metadata={"description": "the sender allowed the Q&A to be shown publicly"})


class FeedbackReopened(FeedbackRef):
    """The sender was not satisfied with the answer and asked again (at most twice)."""
    round = fields.Integer(required=True, metadata={"description": "the answer round that now begins"})
    reopened_at = fields.AwareDateTime(required=True)
    answer_due = fields.Date(required=True, metadata={"description": "the new working-day deadline to answer"})


class FeedbackRated(FeedbackRef):
    """The sender rated the answer (满意度)."""
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS),
                           metadata={"description": "satisfied 满意 / basically_satisfied 基本满意 / unsatisfied 不满意"})
    round = fields.Integer(required=True)
    rated_at = fields.AwareDateTime(required=True)


class FeedbackClosed(FeedbackRef):
    """The loop ended: the sender was satisfied, or no reopening is left or was asked in time."""
    reason = fields.String(required=True, validate=validate.OneOf(("rated", "reopen_window_passed", "no_reopen_left")))
    rating = fields.String(required=True, allow_none=True, validate=validate.OneOf(RATINGS))
    closed_at = fields.AwareDateTime(required=True)


class FeedbackDeadline(FeedbackRef):
    answer_due = fields.Date(required=True, metadata={"description": "on the working-day calendar"})


class FeedbackDueSoon(FeedbackDeadline):
    """Yellow: the answer is due within 3 working days. Sent once per answer deadline."""


class FeedbackOverdue(FeedbackDeadline):
    """Red: the answer is past due. Sent once per answer deadline."""


class FeedbackEscalated(FeedbackDeadline):
    """Still unanswered N working days after red: level 1 to the unit's secretary, level 2
    (N more) to the county office. Each level sent once per answer deadline."""
    level = fields.Integer(required=True, validate=validate.Range(1, 2))
    to = fields.String(required=True, validate=validate.OneOf(("secretary", "county_office")))


class FeedbackContactErased(FeedbackRef):
    """The sender's contact was erased (个人信息保护法 第四十七条): by the sender with the tracking
    code and PIN, or by the retention rule some days after the case ended. Nothing else changes;
    the sender is told nothing more. Whoever still holds a copy for a pending send drops it."""
    tracking_code = fields.String(required=True, metadata={"description": "for the sends still waiting to go"})
    reason = fields.String(required=True, validate=validate.OneOf(("sender", "retention")))
    erased_at = fields.AwareDateTime(required=True)


EVENTS = (
    EventType(names.FEEDBACK_RECEIVED, 1, "feedback", FeedbackReceived, "Feedback arrived and awaits an answer."),
    EventType(names.FEEDBACK_ACCEPTED, 1, "feedback", FeedbackAccepted, "The unit acknowledged the feedback (受理)."),
    EventType(names.FEEDBACK_REJECTED, 1, "feedback", FeedbackRejected, "Feedback was not taken up (不予受理)."),
    EventType(names.FEEDBACK_TRANSFERRED, 1, "feedback", FeedbackTransferred, "Feedback went to another unit (转办)."),
    EventType(names.FEEDBACK_EXTENDED, 1, "feedback", FeedbackExtended, "The answer deadline was extended (延期)."),
    EventType(names.FEEDBACK_ANSWERED, 1, "feedback", FeedbackAnswered, "An approved answer reached the sender."),
    EventType(names.FEEDBACK_REOPENED, 1, "feedback", FeedbackReopened, "The sender reopened the feedback."),
    EventType(names.FEEDBACK_RATED, 1, "feedback", FeedbackRated, "The sender rated the answer (满意度)."),
    EventType(names.FEEDBACK_CLOSED, 1, "feedback", FeedbackClosed, "The feedback was closed."),
    EventType(names.FEEDBACK_DUE_SOON, 1, "feedback", FeedbackDueSoon, "An answer is due within 3 working days (yellow)."),
    EventType(names.FEEDBACK_OVERDUE, 1, "feedback", FeedbackOverdue, "An answer is overdue (red)."),
    EventType(names.FEEDBACK_ESCALATED, 1, "feedback", FeedbackEscalated,
              "An overdue answer was escalated to the secretary, then the county office."),
    EventType(names.FEEDBACK_CONTACT_ERASED, 1, "feedback", FeedbackContactErased,
              "The sender's contact was erased, at their request or when its retention ended."),
)
