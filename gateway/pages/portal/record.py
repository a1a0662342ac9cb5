"""公开榜, the public record: for the county and for each town, every unit's obligations of the
year so far published on time, late or still missing, and its feedback answered on time and
rated, and its latest inspection result once an issued and published monthly 通报 covers it,
as of a stated instant; from supervision's public_record (the same recorded facts and
as-of rule as the office's scores), one RPC per period kept in the read model
(gateway/readmodel.py public_record). A unit below the thresholds is "too few to rate". Each
unit's figures link to its page, where the items and answers behind them are listed; the same
rows download as CSV (UTF-8 with a BOM, which Excel and WPS open as Chinese) and .xlsx."""
from __future__ import annotations

import csv
import io
import logging
import re
from typing import Any

from marshmallow import fields, validate
from openpyxl import Workbook
from openpyxl.styles import Font
from werkzeug.wrappers import Request, Response

from services.common.workdays import county_today

from ... import readmodel
from ...errors import ApiError
from ...labels import COMMENT_GRADE_NAMES
from ...params import Query
from ..kit import cached, page
from .directory import PAGE_SIZE, Directory, paged
from .public import public_page, together
from .towns import PageNumber, directory_of, past_the_end

log = logging.getLogger(__name__)
FIRST_YEAR = 2017  # the Regulations' year: nothing to record before it
TOO_FEW = "数量太少，不作评价"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_COLUMNS = ("单位代码", "单位名称", "应公开事项", "按时公开", "逾期补公开", "逾期未公开", "按时公开率(%)",
               "已答复意见", "按时答复", "按时答复率(%)", "评价数", "满意度",
               "检查得分", "检查发现问题", "已整改问题", "检查日期", "所据通报")
NO_INSPECTION = "暂无已通报的检查"


def Year() -> fields.Integer:
    return fields.Integer(strict=False, error_messages={"invalid": "年份应为四位数字"},
                          validate=validate.Range(FIRST_YEAR, 2100, error="年份应为 2017 年以后"),
                          metadata={"description": "the year recorded; this year when absent"})


class RecordQuery(Query):
    year = Year()
    page = PageNumber()


class RecordDownloadQuery(Query):
    year = Year()
    town = fields.String(validate=validate.Length(1, 32), metadata={"description": "only this town's units"})


def year_of(request: Request) -> int:
    this_year = county_today().year
    year = request.params.get("year") or this_year
    if year > this_year:
        raise ApiError(404, "not_found", f"{year}年尚未开始，请查看{this_year}年及以前的公开榜。")
    return year


def summary(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The units' counts added up (a town's or the county's line)."""
    keys = ("judged", "on_time", "late", "missing")
    total = {k: sum(r["obligations"][k] for r in rows) for k in keys}
    total["units"] = len(rows)
    total["feedback"] = sum(r["feedback"]["judged"] for r in rows)
    total["feedback_on_time"] = sum(r["feedback"]["on_time"] for r in rows)
    return total


def period_label(text: str) -> str:
    """2026-07 → 2026年7月, 2026-Q3 → 2026年第3季度, 2026-H1 → 2026年上半年, 2026 → 2026年."""
    found = re.fullmatch(r"(\d{4})(?:-(\d{2})|-Q(\d)|-H(\d))?", text or "")
    if not found:
        return text
    year, month, quarter, half = found.groups()
    return (f"{year}年{int(month)}月" if month else f"{year}年第{quarter}季度" if quarter
            else f"{year}年{'上' if half == '1' else '下'}半年" if half else f"{year}年")


def download_row(r: dict[str, Any]) -> list[Any]:
    o, f = r["obligations"], r["feedback"]
    return [r["unit_code"], r["name"], o["judged"], o["on_time"], o["late"], o["missing"],
            TOO_FEW if o["rate"] is None else o["rate"], f["judged"], f["on_time"],
            TOO_FEW if f["rate"] is None else f["rate"], f["rated"],
            TOO_FEW if f["satisfaction"] is None else f["satisfaction"], *inspection_cells(r.get("inspection"))]


def inspection_cells(i: dict[str, Any] | None) -> list[Any]:
    """The unit's issued inspection result as the download's last columns."""
    if i is None:
        return [NO_INSPECTION, "", "", "", ""]
    return ["" if i["score"] is None else i["score"], i["findings"], i["rectified"], i["inspected_on"], i["report_title"]]


def xlsx_of(title: str, table: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row in table:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class PortalRecord:
    """Mixed into GatewayService; needs `supervision`, `units` (through the read model) and `web`."""

    @page("GET", "/record", query=RecordQuery)
    def portal_record(self, request: Request) -> Response:
        """The county's 公开榜: each town's line, then every unit, paged in the registry's order."""
        year, number = year_of(request), request.params["page"]
        return public_page(self, request, ("record", None, year, number),
                           lambda: self._record(request, None, year, number))

    @page("GET", "/towns/<code:code>/record", query=RecordQuery)
    def portal_town_record(self, request: Request, code: str) -> Response:
        """A town's 公开榜: its own line and every unit under it, paged."""
        year, number = year_of(request), request.params["page"]
        return public_page(self, request, ("record", code, year, number),
                           lambda: self._record(request, code, year, number))

    def _rows(self, town: str | None, year: int) -> tuple[dict[str, Any], list[dict[str, Any]], Directory]:
        """The record, its rows for the county (town None) or a town among the active units, and the directory."""
        record = readmodel.public_record(self, str(year))
        directory = directory_of(self)
        if town is not None:
            group = directory.group(town)
            if group is None or group["sector"] != "town":
                raise ApiError(404, "not_found", f"没有找到代码为 {town} 的镇（街道），请从公开榜首页进入。")
        active = directory.by_code
        return record, [r for r in record["units"] if r["unit_code"] in active
                        and (town is None or r["town_code"] == town)], directory

    def _record(self, request: Request, town: str | None, year: int, number: int) -> Response:
        record, rows, directory = self._rows(town, year)
        group = directory.group(town) if town else None
        shown = paged(rows, number, PAGE_SIZE)
        if shown is None:
            raise past_the_end(number, max(1, -(-len(rows) // PAGE_SIZE)))
        towns = []
        if town is None and number == 1:  # the towns' lines head the county's first page
            by_town: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                by_town.setdefault(row["town_code"], []).append(row)
            towns = [(t, summary(by_town.get(t["code"], []))) for t in directory.units if t["sector"] == "town"]
        reports = self._issued_reports(year) if number == 1 else []
        where = group["name"] if group else "全县"
        base = f"/towns/{town}/record" if town else "/record"
        return self.web.page(request, "record.html", title=f"{where}{year}年党务公开榜", where=where, year=year,
                             record=record, shown=shown, total=summary(rows), towns=towns, group=group, base=base,
                             too_few=TOO_FEW, reports=reports, download=f"?year={year}" + (f"&town={town}" if town else ""),
                             description=f"{where}各党组织{year}年按时公开、逾期和群众意见答复情况，"
                                         f"截至{record['as_of'][:10]}。")

    def _issued_reports(self, year: int) -> list[dict[str, Any]]:
        """The office's 通报 and inspection reports of the year it has issued to the public, newest first."""
        try:
            issued = self.supervision.list_reports(None)
        except Exception:
            log.warning("the issued reports could not be read", exc_info=True)
            return []
        return [r for r in reversed(issued) if str(r.get("period", "")).startswith(str(year))]

    @page("GET", "/record.<any(csv,xlsx):form>", query=RecordDownloadQuery)
    def portal_record_download(self, request: Request, form: str) -> Response:
        """The same rows as CSV (UTF-8 with a BOM) or .xlsx, for the county or one town (?town=)."""
        year, town = year_of(request), request.params.get("town")
        record, rows, _ = self._rows(town, year)
        table = [list(CSV_COLUMNS)] + [download_row(r) for r in rows] + [[], [
            f"截至 {record['as_of']}；应公开事项少于 {record['min_obligations']} 项、"
            f"意见少于 {record['min_feedback']} 件的，不计算比率。检查结果取已印发并公开的最近一期月度通报。"]]
        name = f"gongkai-record-{year}{'-' + town if town else ''}.{form}"
        if form == "csv":
            out = io.StringIO()
            out.write("\ufeff")
            csv.writer(out).writerows(table)
            body, mimetype = out.getvalue().encode("utf-8"), "text/csv"
        else:
            body, mimetype = xlsx_of(f"{year}年公开榜", table), XLSX
        response = Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
        if form == "csv":
            response.charset = "utf-8"
        return cached(request, response, max_age=300)

    def _unit_record(self, code: str) -> dict[str, Any]:
        """For a unit's page: its own line of this year's 公开榜, its commitments (公开承诺) of the
        year with how far each is from its date, and its leaders' comments (领导点评), newest first.
        Supervision not answering leaves them out of the page rather than the page out."""
        today = county_today()
        try:
            record, commitments, comments = together((readmodel.public_record, self, str(today.year)),
                                                     (self.supervision.list_commitments, code, today.year),
                                                     (self.supervision.list_comments, code, None))
        except Exception:
            log.warning("the record of unit %s could not be read", code, exc_info=True)
            return {"figures": None, "commitments": [], "comments": []}
        figures = next((r for r in record["units"] if r["unit_code"] == code), None)
        for c in commitments:
            c["due"] = c["due_on"] < today.isoformat()
        shown = [{**c, "period_label": period_label(c["period"]),
                  "grade_label": COMMENT_GRADE_NAMES.get(c["grade"], c["grade"]),
                  "by": "县委领导小组办公室" if c["role"] == "inspector" else "上级党组织分管领导"}
                 for c in reversed(comments)]
        return {"figures": figures, "as_of": record["as_of"], "year": today.year, "too_few": TOO_FEW,
                "commitments": commitments, "comments": shown}
