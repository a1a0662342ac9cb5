"""工作日历: the county office's page for the working-day calendar. It shows where each year
around today comes from (entered by the office, published, or the statutory holidays:
provisional, 暂定), a year's weekday holidays and worked weekends with every version entered,
and a form to enter or change a year: the State Council notice's number and date, and the days
typed in or uploaded as a YAML or .xlsx file. The disclosure service checks and keeps it; a
refusal is shown in words, nothing changed, the form as typed. Every deadline the year's
versions did not move because it had passed (obligations, feedback, rectifications) is listed
with its old date and the one the new calendar gives, linked to its record's page."""
from __future__ import annotations

import base64
import re
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError
from services.common.shapes.calendar import NOTE_MAX

from ...clients.passed import calendar_passed, decide, followed
from ...params import Query, Year
from ..kit.pages import page, uncached

FILE_MAX_BYTES = 1024 * 1024
SOURCES = {"entered": "县委办公室录入", "published": "国务院已公布（系统内置）", "statutory": "按法定节假日暂定"}
# what each kind of passed deadline is, and the console page of its record (None: there is none)
PASSED_KINDS = {"obligation": ("公开任务", "/console/obligations/{id}/remind"),
                "feedback_ack": ("意见受理期限", "/console/feedback/{id}"),
                "feedback_answer": ("意见答复期限", "/console/feedback/{id}"),
                "rectification": ("整改期限", None)}
SEPARATORS = re.compile(r"[\s,，、;；]+")


class CalendarPageQuery(Query):
    year = Year("the year to show")
    saved = Year("the year just entered, to say so")


def _days(text: str) -> list[str]:
    return [d for d in SEPARATORS.split(text or "") if d]


class ConsoleCalendar:
    """Mixed into GatewayService; needs `disclosure`, `feedback`, `supervision`, `access` and `web`."""

    def _calendar_page(self, request: Request, year: int | None = None, status: int = 200,
                       problem: str | None = None, form: dict[str, Any] | None = None,
                       outcome: dict[str, Any] | None = None, refused: str | None = None) -> Response:
        params = getattr(request, "params", None) or {}
        years = self.disclosure.list_calendar_years()
        year = year or params.get("year") or next(
            (y["year"] for y in years["years"] if y["year"] > int(years["today"][:4])), int(years["today"][:4]))
        shown = self.disclosure.get_calendar_year(year)
        passed = calendar_passed(self.disclosure, self.feedback, self.supervision, year)
        return uncached(self.web.page(request, "console/calendar.html", status, title=f"工作日历 · {year}年",
                                      years=years, shown=shown, sources=SOURCES, problem=problem,
                                      passed=passed, passed_kinds=PASSED_KINDS, refused=refused, note_max=NOTE_MAX,
                                      form=form or {}, outcome=outcome, saved=params.get("saved")))

    @page("GET", "/console/calendar", query=CalendarPageQuery)
    def console_calendar(self, request: Request) -> Response:
        return self.renew_session(request, self._calendar_page(request))

    @page("POST", "/console/calendar/<year:year>", max_form=FILE_MAX_BYTES + 64 * 1024)
    def console_enter_calendar(self, request: Request, year: int) -> Response:
        """Enter the year from the form's days, or from its file when one is chosen."""
        form = {k: request.form_data.get(k) or "" for k in ("document", "issued_on", "holidays", "workdays")}
        fields = {"document": form["document"].strip(), "issued_on": form["issued_on"].strip()}
        upload = request.files.get("file")
        try:
            if upload is not None and upload.filename:
                content = upload.read(FILE_MAX_BYTES + 1)
                if len(content) > FILE_MAX_BYTES:
                    return self._calendar_page(request, year, 413, "文件超过 1 MB，没有录入。", form)
                outcome = self.disclosure.enter_calendar_file(request.actor, year, upload.filename[:200],
                                                              base64.b64encode(content).decode(),
                                                              {k: v for k, v in fields.items() if v})
            else:
                outcome = self.disclosure.enter_calendar_year(request.actor, year, {
                    **fields, "holidays": _days(form["holidays"]), "workdays": _days(form["workdays"])})
        except DomainError as exc:
            return self._calendar_page(request, year, exc.status, i18n.translate(exc.message), form)
        outcome = followed(outcome, self.feedback, self.supervision)
        if outcome.get("passed"):  # deadlines already passed: the office decides, so they are shown now
            return self._calendar_page(request, year, 200, None, None, outcome)
        return redirect(f"/console/calendar?year={year}&saved={year}", 303)

    @page("POST", "/console/calendar/<year:year>/passed/<kind>/<id:record_id>")
    def console_decide_passed(self, request: Request, year: int, kind: str, record_id: int) -> Response:
        """The office's decision on a passed deadline, a note kept with who and when."""
        note = (request.form_data.get("note") or "").strip()
        if not note or len(note) > NOTE_MAX:
            return self._calendar_page(request, year, 400, refused=f"请写明处理决定（1–{NOTE_MAX} 字）。")
        try:
            decide(self._services(), request.actor, year, kind, record_id, note)
        except DomainError as exc:
            return self._calendar_page(request, year, exc.status, refused=i18n.translate(exc.message))
        return redirect(f"/console/calendar?year={year}#passed", 303)


def missing_year(self, actor: dict[str, Any] | None) -> int | None:
    """Next year, when from 1 November its arrangement is still unknown and the reader is the
    county office (我的待办 and the dashboard say so every day until it is entered)."""
    if not actor or actor.get("role") != "inspector":
        return None
    try:
        years = self.disclosure.list_calendar_years()
    except DomainError:
        return None
    return int(years["today"][:4]) + 1 if years["next_year_missing"] else None
