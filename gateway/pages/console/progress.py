"""进度监测 for the county office: the on-time rate by town and by sector, the overdue
obligations by town, the trend by month, feedback answered on time, rectifications open and
the towns' ranking (the last four: gateway/pages/console/figures.py), each as a chart drawn on the server (pygal, SVG served as an image so the
page keeps its script-free Content-Security-Policy) with a table under it for screen readers
and for copying into a report, each figure linking to the obligations behind it, each table
exported as .xlsx; and 大屏, the county's figures full-screen for a meeting room, refreshing
itself every minute, legible from across the room.

The figures are disclosure's progress answer (GET /api/v1/progress): obligations of the year
by status per town and sector; on time = fulfilled on time over fulfilled, fulfilled late and
overdue (open ones are not yet judged, waived ones do not count)."""
from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import pygal
from marshmallow import fields, validate
from pygal.etree import etree
from openpyxl import Workbook
from openpyxl.styles import Font
from pygal.style import Style
from werkzeug.wrappers import Request, Response

from services.common.contract import SECTORS
from services.common.shapes.disclosure import OBLIGATION_STATUSES
from services.common.workdays import county_today

from ...audit_entry import audited_read
from ...labels import PROGRESS_STATUS_NAMES as STATUS_NAMES, SECTOR_NAMES
from ...params import Month, OneOf, Paged, Query, UnitCode, Year
from ...vocabulary import XLSX
from ...policy import PROGRESS_CHARTS
from . import calendar as calendar_pages
from . import progress_figures
from . import reminders as reminder_pages
from .figures import KINDS as FIGURES, figures_for
from ..kit.pages import page, uncached

CHARTS = {"town": "各镇街按时公开率", "sector": "各领域按时公开率", "overdue": "各镇街逾期未完成任务数"}
KINDS = PROGRESS_CHARTS  # every chart's name, for the routes
assert KINDS.split(",") == [*CHARTS, *FIGURES]
STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#1a1a1a", foreground_strong="#1a1a1a",
              foreground_subtle="#555555", colors=("#a4161a", "#0b4f9c", "#1d7a33"), font_family="sans-serif",
              label_font_size=14, major_label_font_size=14, value_font_size=14, title_font_size=18)


class ProgressPageQuery(Query):
    year = Year()


class ObligationsPageQuery(Paged):
    year = Year()
    town = UnitCode()
    sector = OneOf(*SECTORS)
    status = OneOf(*OBLIGATION_STATUSES)
    due_month = Month("due in this month, like 2026-07")
    reminded = fields.Integer(validate=validate.Range(1, 2 ** 31 - 1),
                              metadata={"description": "the obligation just reminded, to say so"})


def _group(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Rows summed by town or by sector, with their on-time rate."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = row["town_name"] if key == "town" else SECTOR_NAMES.get(row["sector"], row["sector"])
        code = row["town_code"] if key == "town" else row["sector"]
        group = groups.setdefault(name, {"name": name, "code": code, **dict.fromkeys(OBLIGATION_STATUSES, 0)})
        for status in OBLIGATION_STATUSES:
            group[status] += row.get(status, 0)
    for group in groups.values():
        judged = group["fulfilled"] + group["fulfilled_late"] + group["overdue"]
        group["judged"] = judged
        group["rate"] = round(group["fulfilled"] / judged, 4) if judged else None
    return sorted(groups.values(), key=lambda g: g["name"])


def tables(progress: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    by_town, by_sector = _group(progress["rows"], "town"), _group(progress["rows"], "sector")
    return {"town": by_town, "sector": by_sector,
            "overdue": sorted((g for g in by_town if g["overdue"]), key=lambda g: -g["overdue"])}


def wide_label_room(labels: list[str], size: int = 14) -> int:
    """The room a label's Chinese characters need beyond pygal's estimate, which counts each
    character as wide as a Latin one (about 0.6 of the font size; a Chinese one is 1.0)."""
    widest = max((sum(1 for ch in label if ord(ch) > 0x2e80) for label in labels), default=0)
    return 10 + round(widest * size * 0.45)


def chart_svg(kind: str, rows: list[dict[str, Any]], year: int) -> bytes:
    chart = pygal.HorizontalBar(style=STYLE, width=900, height=max(260, 40 * len(rows) + 120), show_legend=False,
                                explicit_size=True, title=f"{year}年 {CHARTS[kind]}", js=[],
                                print_values=True, range=(0, 100) if kind != "overdue" else None,
                                no_data_text="暂无数据", truncate_label=-1,  # a town's whole name, never cut
                                margin_left=wide_label_room([r["name"] for r in rows]))
    if kind == "overdue":
        chart.x_labels = [r["name"] for r in rows]
        chart.add("逾期", [r["overdue"] for r in rows])
        chart.value_formatter = lambda v: f"{v:.0f}"
    else:
        chart.x_labels = [r["name"] for r in rows]
        chart.add("按时公开率", [None if r["rate"] is None else round(r["rate"] * 100, 1) for r in rows])
        chart.value_formatter = lambda v: f"{v:.1f}%"
    tree = chart.render_tree()
    for parent in list(tree.iter()):  # pygal's tooltip script: an image runs none, so it goes
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.endswith("script"):
                parent.remove(child)
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + etree.tostring(tree, encoding="utf-8")


def table_xlsx(kind: str, rows: list[dict[str, Any]], year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = {"town": "按镇街", "sector": "按领域", "overdue": "逾期"}[kind]
    sheet.append([f"{year}年 {CHARTS[kind]}"])
    sheet.append(["镇街" if kind != "sector" else "领域", *(STATUS_NAMES[s] for s in OBLIGATION_STATUSES),
                  "已到期（计入）", "按时公开率"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row["name"], *(row[s] for s in OBLIGATION_STATUSES), row["judged"],
                      None if row["rate"] is None else row["rate"]])
        sheet.cell(sheet.max_row, len(OBLIGATION_STATUSES) + 3).number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class ConsoleProgress:
    """Mixed into GatewayService; needs `disclosure`, `access` and `web`."""

    def _progress(self, request: Request) -> dict[str, Any]:
        filters = {"year": request.params["year"]} if request.params.get("year") else {}
        return self.disclosure.progress(filters)

    @page("GET", "/console/progress", query=ProgressPageQuery)
    def console_progress(self, request: Request) -> Response:
        progress = self._progress(request)
        year_query = f"?year={progress['year']}"
        figures, figures_problem = figures_for(self, request.actor, progress["year"])
        response = self.web.page(request, "console/progress.html", title="进度监测", progress=progress,
                                 tables=tables(progress), charts=CHARTS, statuses=STATUS_NAMES,
                                 figures=figures, figures_problem=figures_problem,
                                 calendar_missing=calendar_pages.missing_year(self, request.actor),
                                 year_query=year_query, link=lambda **q: "/console/obligations?" + urlencode(
                                     {"year": progress["year"], **{k: v for k, v in q.items() if v}}))
        return self.renew_session(request, uncached(response))

    @page("GET", f"/console/progress/<any({KINDS}):kind>.svg", query=ProgressPageQuery)
    def console_progress_chart(self, request: Request, kind: str) -> Response:
        if kind in FIGURES:
            year = self._year(request)
            body = progress_figures.chart_svg(figures_for(self, request.actor, year, (kind,))[0][kind], year)
        else:
            progress = self._progress(request)
            body = chart_svg(kind, tables(progress)[kind], progress["year"])
        return Response(body, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=60",
                                                                 "X-Content-Type-Options": "nosniff"})

    @page("GET", f"/console/progress/<any({KINDS}):kind>.xlsx", query=ProgressPageQuery)
    def console_progress_table(self, request: Request, kind: str) -> Response:
        audited_read(request)
        if kind in FIGURES:
            year = self._year(request)
            body = progress_figures.table_xlsx(figures_for(self, request.actor, year, (kind,))[0][kind], year)
        else:
            progress = self._progress(request)
            year = progress["year"]
            body = table_xlsx(kind, tables(progress)[kind], year)
        return Response(body, mimetype=XLSX, headers={
            "Content-Disposition": f'attachment; filename="progress-{kind}-{year}.xlsx"'})

    def _year(self, request: Request) -> int:
        return request.params.get("year") or county_today().year

    @page("GET", "/console/screen", query=ProgressPageQuery)
    def console_screen(self, request: Request) -> Response:
        """大屏: the county's figures, full screen, refreshing itself every minute: the on-time rate
        and the towns', then the trend by month, feedback answered on time, rectifications open
        and the towns' ranking (the dashboard's four newer figures, as tables legible from afar)."""
        progress = self._progress(request)
        figures, figures_problem = figures_for(self, request.actor, progress["year"])  # the four newer ones
        response = self.web.page(request, "console/screen.html", title="大屏", progress=progress,
                                 tables=tables(progress), figures=figures, figures_problem=figures_problem)
        response.headers["Refresh"] = "60"  # the header, not a meta tag: the page stays accessible (axe meta-refresh)
        return uncached(response)

    @page("GET", "/console/obligations", query=ObligationsPageQuery)
    def console_obligations(self, request: Request) -> Response:
        """The obligations behind a figure (by year, town, sector and status)."""
        query = request.params
        filters = {k: v for k, v in query.items() if k in ("year", "town", "sector", "status", "due_month") and v}
        found = self.disclosure.list_obligations(request.actor, filters, 200, None)
        reminded = query.get("reminded")
        return self.renew_session(request, uncached(self.web.page(
            request, "console/obligations.html", title="公开任务", rows=found["items"], filters=filters,
            statuses=STATUS_NAMES, sectors=SECTOR_NAMES, more=found.get("next") is not None,
            reminders=reminder_pages.last_reminders(self, request.actor, found["items"]),
            reminded=self.disclosure.get_obligation(request.actor, reminded) if reminded else None,
            month_label=progress_figures.month_label)))
