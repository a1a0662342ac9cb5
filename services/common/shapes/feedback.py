"""Feedback's request bodies, as the gateway and the feedback service both validate them."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.common.contract import FEEDBACK_KINDS, FEEDBACK_TARGETS
from services.common.contract.feedback import RATINGS

SECRET = validate.Length(6, 64)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _reason(longest: int = 500, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(1, longest), **kwargs)


class NewFeedback(_Strict):
    target_kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_TARGETS))
    target_id = fields.String(required=True, validate=validate.Length(1, 32))
    kind = fields.String(required=True, validate=validate.OneOf(FEEDBACK_KINDS))
    content = fields.String(required=True, validate=validate.Length(1, 5000))
    contact = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                            metadata={"description": "optional; only the unit that answers and the county office see it"})
    public = fields.Boolean(load_default=False, metadata={
        "description": "the sender allows the question and its answer to be shown publicly (公开答复); private by default"})


# made once (a schema's making is most of its cost: 0.1 ms, four times its load) and shared: loading keeps
# nothing on the schema, so the gateway's greenthreads and the service's workers use one each
NEW_FEEDBACK = NewFeedback()


class FeedbackReason(_Strict):
    reason = _reason(required=True, metadata={"description": "why, in words the sender or the unit can act on"})


class Transfer(_Strict):
    unit_code = fields.String(required=True, validate=validate.Length(1, 32), metadata={"description": "the unit that answers now"})
    reason = _reason(required=True)


class ExtensionRequest(_Strict):
    working_days = fields.Integer(required=True, validate=validate.Range(1, 15),
                                  metadata={"description": "more working days asked for (at most 15, once)"})
    reason = _reason(required=True)


class ExtensionDecision(_Strict):
    grant = fields.Boolean(load_default=True, metadata={"description": "false refuses the request"})
    note = _reason(load_default=None, allow_none=True)


class AnswerDraft(_Strict):
    body = fields.String(required=True, validate=validate.Length(1, 5000), metadata={"description": "the answer (答复)"})


class AnswerReview(_Strict):
    note = _reason(load_default=None, allow_none=True)


class ContactErasure(_Strict):
    secret = fields.String(required=True, validate=SECRET, metadata={"description": "the PIN given with the tracking code"})


class Rating(_Strict):
    secret = fields.String(required=True, validate=SECRET, metadata={"description": "the PIN given with the tracking code"})
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS),
                           metadata={"description": "satisfied 满意 / basically_satisfied 基本满意 / unsatisfied 不满意"})
    comment = _reason(load_default=None, allow_none=True)


class Reopen(_Strict):
    secret = fields.String(required=True, validate=SECRET, metadata={"description": "the PIN given with the tracking code"})
    reason = _reason(load_default=None, allow_none=True)


class AnswerVerdict(_Strict):
    keep = fields.Boolean(required=True, metadata={"description": "true shows the reported answer again; false hides it"})
