"""The county office's issued reports on the portal (通报、年度报告), for anyone: /reports lists
those issued and published, newest first; /reports/<id> is one, its text and main figures (the
month's ranking for a 通报). Read from the gateway's read model (gateway/readmodel.py: area
`reports`), dropped when ReportIssued arrives; a draft or an unpublished report is a 404."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from ... import readmodel
from ...labels import REPORT_KIND_NAMES as KIND_NAMES
from ..kit import cached, page
FIGURES = (  # the figures a report's page shows, in this order, where the report has them
    ("units_scored", "参加考核单位（个）"), ("mean", "平均得分"), ("threshold", "合格线（分）"),
    ("items_published", "公开党务事项（项）"), ("obligations_judged", "到期应公开任务（项）"),
    ("obligations_on_time", "按时公开（项）"), ("feedback_received", "收到意见建议（件）"),
    ("feedback_answered", "答复意见建议（件）"), ("feedback_answered_on_time", "按期答复（件）"),
    ("inspections", "开展检查（次）"), ("units_inspected", "检查单位（个）"),
    ("rectifications_opened", "新发现问题、限期整改（项）"), ("rectifications_accepted", "验收整改（项）"),
    ("rectifications_overdue", "逾期未整改（项）"), ("models_designated", "新命名示范点、典型（个）"))


def figures_of(report: dict[str, Any]) -> list[tuple[str, Any]]:
    f = report.get("figures") or {}
    return [(label, f[key]) for key, label in FIGURES if f.get(key) is not None]


class PortalBulletins:
    """Mixed into GatewayService; needs `supervision`, `reads` and `web`."""

    @page("GET", "/reports")
    def portal_reports(self, request: Request) -> Response:
        listed = sorted(readmodel.public_reports(self), key=lambda r: r["issued_at"] or "", reverse=True)
        return cached(request, self.web.page(request, "reports.html", title="通报和年度报告", reports=listed,
                                             kinds=KIND_NAMES), max_age=0)

    @page("GET", "/reports/<id:report_id>")
    def portal_report(self, request: Request, report_id: int) -> Response:
        report = readmodel.public_report(self, report_id)
        return cached(request, self.web.page(request, "report.html", title=report["title"], report=report,
                                             kinds=KIND_NAMES, figures=figures_of(report)), max_age=0)
