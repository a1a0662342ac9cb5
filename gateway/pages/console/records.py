"""One record's read page, where a notification about it lands (services/common/console_links.py; a rectification's
page is in rectifications.py):
- /console/obligations/<id>: an obligation with its due date and status; the county office
  reminds (催办) from it, the unit's operator drafts the item that fulfils it;
- /console/reports/<id>: a supervision report, its text and the printable page.
Each service decides who may read the record; a refusal names whose it is (a 403 page)."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ...labels import PROGRESS_STATUS_NAMES
from ..kit.pages import page, uncached
from .reminders import REMINDABLE, last_reminders


class ConsoleRecords:
    """Mixed into GatewayService; needs `disclosure`, `supervision` and `web`."""

    @page("GET", "/console/obligations/<id:obligation_id>")
    def console_obligation(self, request: Request, obligation_id: int) -> Response:
        actor = request.actor
        obligation = self.disclosure.get_obligation(actor, obligation_id)
        last = last_reminders(self, actor, [obligation]).get(str(obligation_id))
        return self.renew_session(request, uncached(self.web.page(
            request, "console/obligation.html", title="公开任务", obligation=obligation, last=last,
            statuses=PROGRESS_STATUS_NAMES, open=obligation["status"] in REMINDABLE)))

    @page("GET", "/console/reports/<id:report_id>")
    def console_report(self, request: Request, report_id: int) -> Response:
        report = self.supervision.get_report(request.actor, report_id)
        return self.renew_session(request, uncached(self.web.page(
            request, "console/report.html", title=report.get("title") or "报告", report=report)))
