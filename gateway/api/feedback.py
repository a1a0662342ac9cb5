"""/api/v1/feedback and /api/v1/answers: the feedback loop over HTTP. Anyone sends feedback and
follows it by its tracking code (rating and reopening need the PIN given with it); the unit's
officials and the county office work the queues; the public reads the answers senders allowed
to be shown. The routes parse and validate; the feedback service decides who may do what to
which feedback (its unit, its state, the author never approving their own answer)."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from werkzeug.wrappers import Request, Response

from services.common.contract import FEEDBACK_KINDS
from services.common.shapes import feedback as shapes

from .. import readmodel
from ..audit_entry import audited_read
from ..errors import bad_request
from ..idempotency import idempotent
from ..http import api, decode_cursor, json_body, json_response, page
from ..params import MAX_ID, Flag, OneOf, Paged, Text, UnitCode, filters
from ..reporters import reporter_key

FEEDBACK_STATUSES = ("held", "received", "accepted", "reviewing", "answered", "reopened", "rejected", "closed")


class FeedbackList(Paged):
    status = OneOf(*FEEDBACK_STATUSES, description="held is the moderation queue (county office only)")
    kind = OneOf(*FEEDBACK_KINDS)
    overdue = Flag("only open feedback past its answer deadline (red)")
    reported = Flag("only feedback whose public answer readers reported (county office)")
    extension = OneOf("requested", "granted", "refused", description="requested: extensions awaiting the county office")
    target = Text(44, "what it is about, as kind:id, e.g. item:12 or unit:A001")
    q = Text(description="text in the feedback")
    town = UnitCode("the county office: the units of this town (镇街)")
    unit = UnitCode("the county office: one unit's feedback")


class AnswerList(Paged):
    unit = UnitCode("the answers of one unit")
    item = fields.Integer(validate=validate.Range(1, MAX_ID), metadata={"description": "the answers under one item"})


def _after(request: Request) -> int | None:
    after = decode_cursor(request.params.get("cursor"))
    if after is not None and type(after) is not int:
        raise bad_request("the cursor is not one this API gave out")
    return after


def _optional(gateway: Any, request: Request, schema: type) -> dict[str, Any]:
    """A body that may be left out: {} when there is none, else validated."""
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return {}
    return json_body(request, schema(), gateway.access.max_body)


class FeedbackRoutes:
    # --- the sender ---------------------------------------------------------------------------

    @api("POST", "/api/v1/feedback", body=shapes.NewFeedback)
    @idempotent
    def submit_feedback(self, request: Request) -> Response:
        """Send feedback (意见建议); the answer holds the tracking code and the PIN, shown once."""
        actor = self.access.actor(request)
        data = json_body(request, shapes.NEW_FEEDBACK, self.access.max_body)
        member = actor["username"] if actor and actor["role"] == "member" else None
        return json_response(self.feedback.submit_feedback(data, member), 201)

    @api("GET", "/api/v1/feedback/<tracking:tracking_code>")
    def track_feedback(self, request: Request, tracking_code: str) -> Response:
        """Follow feedback by its tracking code: its state, its steps and the approved answers."""
        return json_response(self.feedback.track(tracking_code))

    @api("POST", "/api/v1/feedback/<tracking:tracking_code>/rate", body=shapes.Rating)
    def rate_feedback(self, request: Request, tracking_code: str) -> Response:
        """Rate the answer (满意 / 基本满意 / 不满意) with the PIN; 不满意 reopens it while allowed."""
        data = json_body(request, shapes.Rating(), self.access.max_body)
        return json_response(self.feedback.rate(tracking_code, data))

    @api("POST", "/api/v1/feedback/<tracking:tracking_code>/reopen", body=shapes.Reopen)
    def reopen_feedback(self, request: Request, tracking_code: str) -> Response:
        """Ask again, with the PIN, within 10 working days of the answer (twice at most)."""
        data = json_body(request, shapes.Reopen(), self.access.max_body)
        return json_response(self.feedback.reopen(tracking_code, data))

    # --- the work queues ------------------------------------------------------------------------

    @api("GET", "/api/v1/feedback", query=FeedbackList)
    def list_feedback(self, request: Request) -> Response:
        """The signed-in unit's feedback (operator, reviewer), or all of it (county office), newest first,
        with due dates and yellow/red flags."""
        actor = self.access.caller(request)
        result = self.feedback.list_feedback(actor, filters(request.params),
                                             request.params["limit"], _after(request))
        return json_response(page(result))

    @api("GET", "/api/v1/feedback/<id:feedback_id>")
    def get_feedback(self, request: Request, feedback_id: int) -> Response:
        """One feedback with its contact, its steps (who, when, why) and every answer drafted."""
        actor = self.access.caller(request)
        audited_read(request)
        return json_response(self.feedback.get_feedback(actor, feedback_id))

    @api("POST", "/api/v1/feedback/<id:feedback_id>/<any(accept,release):action>")
    def accept_feedback(self, request: Request, feedback_id: int, action: str) -> Response:
        """accept (受理: the unit's officials); release (放行 from the moderation queue: the county office)."""
        return self._act(request, feedback_id, action, {})

    @api("POST", "/api/v1/feedback/<id:feedback_id>/reject", body=shapes.FeedbackReason)
    def reject_feedback(self, request: Request, feedback_id: int) -> Response:
        """不予受理, with the reason the sender sees."""
        return self._act(request, feedback_id, "reject", json_body(request, shapes.FeedbackReason(), self.access.max_body))

    @api("POST", "/api/v1/feedback/<id:feedback_id>/transfer", body=shapes.Transfer)
    def transfer_feedback(self, request: Request, feedback_id: int) -> Response:
        """转办 to another active unit, with a reason (the county office); the clock does not restart."""
        return self._act(request, feedback_id, "transfer",
                         json_body(request, shapes.Transfer(), self.access.max_body))

    @api("POST", "/api/v1/feedback/<id:feedback_id>/extend", body=shapes.ExtensionRequest)
    def extend_feedback(self, request: Request, feedback_id: int) -> Response:
        """Ask for one extension (延期) of up to 15 working days, with a reason (the unit)."""
        return self._act(request, feedback_id, "extend",
                         json_body(request, shapes.ExtensionRequest(), self.access.max_body))

    @api("POST", "/api/v1/feedback/<id:feedback_id>/grant-extension", body=shapes.ExtensionDecision)
    def grant_extension(self, request: Request, feedback_id: int) -> Response:
        """Grant the unit's extension (the county office); `{"grant": false}` refuses it."""
        return self._act(request, feedback_id, "grant-extension", _optional(self, request, shapes.ExtensionDecision))

    @api("POST", "/api/v1/feedback/<id:feedback_id>/answer", body=shapes.AnswerDraft)
    def answer_feedback(self, request: Request, feedback_id: int) -> Response:
        """Draft the answer (the unit's operator); the sender sees it once the reviewer approves it."""
        return self._act(request, feedback_id, "answer", json_body(request, shapes.AnswerDraft(), self.access.max_body))

    @api("POST", "/api/v1/feedback/<id:feedback_id>/approve-answer", body=shapes.AnswerReview)
    def approve_answer(self, request: Request, feedback_id: int) -> Response:
        """Approve the drafted answer (the unit's reviewer, never its author): the sender sees it now."""
        return self._act(request, feedback_id, "approve-answer", _optional(self, request, shapes.AnswerReview))

    @api("POST", "/api/v1/feedback/<id:feedback_id>/reject-answer", body=shapes.FeedbackReason)
    def reject_answer(self, request: Request, feedback_id: int) -> Response:
        """Return the drafted answer to the operator with a reason (the unit's reviewer)."""
        return self._act(request, feedback_id, "reject-answer",
                         json_body(request, shapes.FeedbackReason(), self.access.max_body))

    def _act(self, request: Request, feedback_id: int, action: str, data: dict[str, Any]) -> Response:
        actor = self.access.caller(request)
        return json_response(self.feedback.act(actor, feedback_id, action, data))

    # --- public answers (公开答复) ----------------------------------------------------------------

    @api("GET", "/api/v1/answers", query=AnswerList)
    def list_answers(self, request: Request) -> Response:
        """Questions and answers their senders allowed to be shown, under a unit or an item; no contacts."""
        answer = readmodel.answers_answer(self, filters(request.params), request.params["limit"], _after(request))
        return readmodel.conditional(request, answer.body, answer.etag, public=True)  # the same for everyone

    @api("POST", "/api/v1/answers/<id:feedback_id>/report")
    def report_answer(self, request: Request, feedback_id: int) -> Response:
        """Report a public answer as abusive; after 3 readers do, it is hidden until the county office reviews it."""
        reporter = reporter_key(self.access.actor(request), request.remote_addr)
        return json_response(self.feedback.report_answer(feedback_id, reporter))

    @api("POST", "/api/v1/answers/<id:feedback_id>/review", body=shapes.AnswerVerdict)
    def review_answer(self, request: Request, feedback_id: int) -> Response:
        """The county office's decision on a reported answer: `{"keep": true}` shows it again."""
        actor = self.access.caller(request)
        data = json_body(request, shapes.AnswerVerdict(), self.access.max_body)
        return json_response(self.feedback.review_answer(actor, feedback_id, data["keep"]))
