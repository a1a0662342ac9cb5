"""The county office's reports in the console (supervision's create_report, update_report and
issue_report, as the API uses them):

- /console/reports: every report, drafts too, and the form that drafts the month's 通报 or the
  year's report from the period's figures (scores, late and missing disclosures, overdue
  feedback, inspections and rectifications: supervision computes them);
- /console/reports/<id>/edit: the draft's title and text, read and edited by the office;
- /console/reports/<id>/issue: the confirmation of issuing it (sealed from then on), and whether
  it is published on the portal (/reports).

The buttons come from the `actions` supervision returns with the report (its state table). The
edit form carries a digest of the text it was opened on: when the draft changed meanwhile (or
was issued), the post is refused in words above the form, the text typed kept, nothing changed;
issuing twice is refused with supervision's words, nothing changed. /console/reports/<id> itself
(the report's page) is gateway/pages/console/records.py."""
from __future__ import annotations

import hashlib
import re
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError

from ...labels import REPORT_KIND_NAMES as KIND_NAMES
from ..kit.pages import page, uncached

ACTION = "/console/reports/<id:report_id>/<any(edit,issue):action>"
MONTH, YEAR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), re.compile(r"^\d{4}$")


def digest(report: dict[str, Any]) -> str:
    """What the edit form saw: the title and text as they were."""
    return hashlib.blake2b(f"{report['status']}\n{report['title']}\n{report['text']}".encode(), digest_size=8).hexdigest()


def new_report_errors(form: dict[str, str]) -> dict[str, str]:
    kind, period = form.get("kind", ""), form.get("period", "").strip()
    if kind not in KIND_NAMES:
        return {"kind": "请选择月度通报或年度报告。"}
    if kind == "monthly" and not MONTH.match(period):
        return {"period": "月度通报的期间是一个月份，如 2026-11。"}
    if kind == "annual" and not YEAR.match(period):
        return {"period": "年度报告的期间是一个年份，如 2026。"}
    return {}


class ConsoleReportPages:
    """Mixed into GatewayService; needs `supervision` and `web`."""

    def _reports_page(self, request: Request, form: dict[str, str], errors: dict[str, str], status: int = 200,
                      problem: str | None = None) -> Response:
        listed = sorted(self.supervision.list_reports(request.actor), key=lambda r: r["id"], reverse=True)
        return uncached(self.web.page(request, "console/reports.html", status, title="通报和年度报告",
                                      reports=listed, kinds=KIND_NAMES, form=form, errors=errors, problem=problem))

    @page("GET", "/console/reports")
    def console_reports(self, request: Request) -> Response:
        return self.renew_session(request, self._reports_page(request, {"kind": "monthly"}, {}))

    @page("POST", "/console/reports")
    def console_draft_report(self, request: Request) -> Response:
        form = {k: request.form_data.get(k, "").strip() for k in ("kind", "period")}
        errors = new_report_errors(form)
        if errors:
            return self._reports_page(request, form, errors, 400)
        try:
            made = self.supervision.create_report(request.actor, form)
        except DomainError as exc:
            return self._reports_page(request, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/reports/{made['id']}/edit", 303)

    def _action_page(self, request: Request, report: dict[str, Any], action: str, form: dict[str, str],
                     errors: dict[str, str], status: int = 200, problem: str | None = None) -> Response:
        if problem is None and action not in report["actions"]:
            problem, status = (f"这份报告已于 {report['issued_at'][:10]} 印发并封存，不能再修改或重复印发。", 409) \
                if report["status"] == "issued" else ("通报和年度报告由县委办（督查）起草和印发。", 403)
        return uncached(self.web.page(
            request, f"console/report_{action}.html", status, title=("修改报告" if action == "edit" else "确认印发报告"),
            report=report, form=form, errors=errors, problem=problem, usable=action in report["actions"],
            kinds=KIND_NAMES))

    @page("GET", ACTION)
    def console_report_action(self, request: Request, report_id: int, action: str) -> Response:
        report = self.supervision.get_report(request.actor, report_id)
        form = {"title": report["title"], "text": report["text"], "seen": digest(report), "publish": "1"}
        return self.renew_session(request, self._action_page(request, report, action, form, {}))

    @page("POST", ACTION)
    def console_act_on_report(self, request: Request, report_id: int, action: str) -> Response:
        report = self.supervision.get_report(request.actor, report_id)
        form = {k: request.form_data.get(k, "") for k in ("title", "text", "seen", "publish")}
        if action == "edit":
            if form["seen"] != digest(report):
                return self._action_page(request, report, action, form, {}, 409,
                                         "这份报告在您打开之后已被修改或已印发；下面仍是您写的内容，请刷新后对照最新版本再改。")
            errors = {}
            if not 1 <= len(form["title"].strip()) <= 200:
                errors["title"] = "标题须为 1 到 200 个字。"
            if len(form["text"]) > 100000:
                errors["text"] = f"正文最多 100000 字，现在有 {len(form['text'])} 字。"
            if errors:
                return self._action_page(request, report, action, form, errors, 400)
        try:
            if action == "edit":
                self.supervision.update_report(request.actor, report_id,
                                               {"title": form["title"].strip(), "text": form["text"]})
            else:
                self.supervision.issue_report(request.actor, report_id, {"publish": form["publish"] == "1"})
        except DomainError as exc:
            return self._action_page(request, report, action, form, {}, exc.status, i18n.translate(exc.message))
        return redirect(f"/console/reports/{report_id}", 303)
