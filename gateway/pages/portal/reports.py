"""A reader reports a public answer as abusive from the unit or item page where it is shown
(a link to a confirmation page and its form, no script): feedback counts one report per reader and answer and hides the answer
after a few until the county office reviews it (gateway/pages/console/reported.py). A report
of an answer that is not public (private, hidden, or no such answer) is a 404 page that says so."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ...params import Query, Text
from ...reporters import reporter_key
from ..kit import page, uncached


class BackQuery(Query):
    back = Text(200, "the page the reader came from, to go back to")


def _back(path: str | None) -> str:
    """Only a path on this site."""
    return path if path and path.startswith("/") and not path.startswith("//") else "/"


class PortalAnswerReports:
    """Mixed into GatewayService; needs `feedback` and `web`."""

    @page("GET", "/answers/<id:feedback_id>/report", query=BackQuery)
    def confirm_report_answer(self, request: Request, feedback_id: int) -> Response:
        """The confirmation with its form (the unit and item pages are cached, so their link leads here)."""
        return uncached(self.web.page(request, "answer_reported.html", title="举报不当答复", done=None,
                                      feedback_id=feedback_id, back=_back(request.params.get("back"))))

    @page("POST", "/answers/<id:feedback_id>/report")
    def report_answer_page(self, request: Request, feedback_id: int) -> Response:
        reporter = reporter_key(getattr(request, "actor", None), request.remote_addr)
        done = self.feedback.report_answer(feedback_id, reporter)
        return uncached(self.web.page(request, "answer_reported.html", title="已收到您的举报", done=done,
                                      feedback_id=feedback_id, back=_back(request.form_data.get("back"))))
