"""/api/v1/calendar: the county's working-day calendar. Anyone signed in reads where each year
comes from (entered by the county office, published, or the statutory fallback: provisional);
the county office (inspector) enters a year's State Council arrangement as JSON or as a YAML or
.xlsx file. The disclosure service keeps the versions and announces each."""
from __future__ import annotations

import base64

from werkzeug.wrappers import Request, Response

from services.common.shapes.calendar import CalendarArrangementInput, PassedDecisionInput

from ..clients.passed import calendar_passed, decide, followed
from ..http import api, json_body, json_response
from ..idempotency import idempotent
from ..params import Day, Query, Text
from ..uploads import read_upload

YAML, XLSX = "application/yaml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_MAX_BYTES = 1024 * 1024


class CalendarFileQuery(Query):
    document = Text(200, "the State Council notice, when the file does not say it")
    issued_on = Day("the date of that notice, when the file does not say it")
    filename = Text(200, "the file's name, when the body is the file")


class CalendarRoutes:
    @api("GET", "/api/v1/calendar")
    def list_calendar(self, request: Request) -> Response:
        """The years around today with their source; next_year_missing from 1 November on."""
        return json_response(self.disclosure.list_calendar_years())

    @api("GET", "/api/v1/calendar/<year:year>")
    def get_calendar_year(self, request: Request, year: int) -> Response:
        """A year's weekday holidays and worked weekends as deadlines use them, its source
        (entered, published, statutory: provisional) and every version the office entered."""
        return json_response(self.disclosure.get_calendar_year(year))

    @api("GET", "/api/v1/calendar/<year:year>/passed")
    def get_calendar_passed(self, request: Request, year: int) -> Response:
        """The deadlines the year's versions did not move because they had passed, left for the
        county office to decide: obligations, feedback acknowledgements and answers, rectifications
        (kind, id, unit_code, from_due_on as it stays, to_due_on as the new calendar gives it)."""
        return json_response({"year": year, "items": calendar_passed(self.disclosure, self.feedback,
                                                                     self.supervision, year)})

    @api("POST", "/api/v1/calendar/<year:year>/passed/<kind>/<id:record_id>/decide", body=PassedDecisionInput)
    def decide_calendar_passed(self, request: Request, year: int, kind: str, record_id: int) -> Response:
        """The county office's decision on one of them (a note; who and when are kept). The
        deadline itself stays as it is; a second decision is refused (409)."""
        data = json_body(request, PassedDecisionInput(), self.access.max_body)
        return json_response(decide(self._services(), self.access.caller(request), year, kind, record_id, data["note"]))

    @api("PUT", "/api/v1/calendar/<year:year>", body=CalendarArrangementInput)
    def put_calendar_year(self, request: Request, year: int) -> Response:
        """Enter (or change) the year's arrangement: a new version; the answer lists the
        obligations it moved and every service's deadlines already passed, left for the office
        to decide (obligations, feedback, rectifications; `pending` names a service that did not
        answer: its own come with the event)."""
        actor = self.access.caller(request)
        data = json_body(request, CalendarArrangementInput(), self.access.max_body)
        return json_response(followed(self.disclosure.enter_calendar_year(actor, year, _wire(data)),
                                      self.feedback, self.supervision))

    @api("POST", "/api/v1/calendar/<year:year>/file", query=CalendarFileQuery, body=(YAML, XLSX))
    @idempotent(upload=lambda service: FILE_MAX_BYTES)
    def post_calendar_file(self, request: Request, year: int) -> Response:
        """The same from a YAML or .xlsx file (the body, or a form's `file`)."""
        actor = self.access.caller(request)
        upload = read_upload(request, FILE_MAX_BYTES, "calendar.xlsx" if request.mimetype == XLSX else "calendar.yaml",
                             "send the calendar as the form field 'file'")
        fields = {k: request.params[k] for k in ("document", "issued_on") if request.params.get(k) is not None}
        entered = self.disclosure.enter_calendar_file(actor, year, upload.filename,
                                                      base64.b64encode(upload.content).decode(), _wire(fields))
        return json_response(followed(entered, self.feedback, self.supervision))


def _wire(data: dict) -> dict:
    return {key: [d.isoformat() for d in value] if isinstance(value, list)
            else value.isoformat() if hasattr(value, "isoformat") else value for key, value in data.items()}
