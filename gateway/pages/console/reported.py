"""The county office reviews the public answers readers reported as abusive: each with its
question, how many readers reported it and whether it is hidden meanwhile, the case's page,
and two buttons — show it again, or hide it for good (feedback's review_answer)."""
from __future__ import annotations

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from ...params import OneOf, Query
from ..kit.pages import page, uncached

SHOWN = 100


class ReviewedQuery(Query):
    done = OneOf("keep", "hide", description="the decision just taken, to say so")


class ConsoleReportedAnswers:
    """Mixed into GatewayService; needs `feedback` and `web`."""

    @page("GET", "/console/reported-answers", query=ReviewedQuery)
    def console_reported_answers(self, request: Request) -> Response:
        found = self.feedback.list_feedback(request.actor, {"reported": True}, SHOWN, None)
        return self.renew_session(request, uncached(self.web.page(
            request, "console/reported_answers.html", title="被举报的公开答复", rows=found["items"],
            done=request.params.get("done"))))

    @page("POST", "/console/reported-answers/<id:feedback_id>/<any(keep,hide):decision>",
          form_page="/console/reported-answers")
    def console_review_answer(self, request: Request, feedback_id: int, decision: str) -> Response:
        self.feedback.review_answer(request.actor, feedback_id, decision == "keep")
        return redirect(f"/console/reported-answers?done={decision}", 303)
