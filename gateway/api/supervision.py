"""/api/v1/rectifications, /scores, /rankings, /reports,
/candidates, /commitments and /comments: the county office's supervision over HTTP (checklists and inspections:
gateway/api/inspections.py). The
routes parse and validate; the supervision service decides whose things a caller sees."""
from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from marshmallow import fields, validate
from werkzeug.wrappers import Request, Response

from services.common.contract import SECTORS
from services.common.shapes import supervision as shapes
from services.common.workdays import county_today

from ..errors import ApiError, bad_request
from ..vocabulary import EVIDENCE_TYPES, PHOTO_MAX_BYTES, PHOTO_TYPES, XLSX
from ..idempotency import idempotent
from ..http import api, decode_cursor, json_body, json_response, page
from ..params import FIRST_YEAR, LAST_YEAR, YEAR_PREFIX, Cursor, Limit, OneOf, Query, UnitCode, Year, filters

def Period(required: bool = False) -> fields.String:
    return fields.String(required=required, validate=shapes.PERIOD,
                         metadata={"description": "2026 (year), 2026-H1, 2026-Q3 or 2026-07 (month)"})


def AsOf() -> fields.String:
    return fields.String(validate=[validate.Length(10, 40), validate.Regexp(
                             YEAR_PREFIX, error=f"应为 {FIRST_YEAR}–{LAST_YEAR} 年间的时刻，如 2026-10-10T00:00:00+08:00")],
                         metadata={"description": "an instant with its offset, e.g. 2026-10-10T00:00:00+08:00; "
                                                  "now when absent, never in the future"})


class PagedQuery(Query):
    limit = Limit()
    cursor = Cursor()


class RectificationList(PagedQuery):
    unit = UnitCode()
    status = OneOf("open", "submitted", "returned", "overdue", "accepted")
    inspection = fields.Integer(validate=validate.Range(1, 2 ** 31 - 1))
    town = UnitCode("the units of this town (镇街)")


def Current(description: str) -> fields.String:
    """A period that defaults, when absent, to the current one in the county's calendar."""
    return fields.String(validate=shapes.PERIOD, metadata={"description": description})


def current_year() -> str:
    return str(county_today().year)


def current_month() -> str:
    return f"{county_today():%Y-%m}"


class ScoreQuery(Query):
    period = Current("2026 (year), 2026-H1, 2026-Q3 or 2026-07 (month); this year when absent")
    as_of = AsOf()
    unit = UnitCode()
    sector = OneOf(*SECTORS)
    town = UnitCode("a town's code")


class RankingQuery(Query):
    period = Current("2026 (year), 2026-H1, 2026-Q3 or 2026-07 (month); this month (the monthly report's) "
                     "when absent")
    as_of = AsOf()
    top = fields.Integer(load_default=10, validate=validate.Range(1, 100),
                         metadata={"description": "how many on the red and black lists"})


class CandidateQuery(Query):
    as_of = AsOf()
    sector = OneOf(*SECTORS)


class CommitmentQuery(Query):
    unit = UnitCode()
    year = Year()


class CommentQuery(Query):
    unit = UnitCode()
    period = Period()


def after_cursor(request: Request) -> int | None:
    after = decode_cursor(request.params.get("cursor"))
    if after is not None and type(after) is not int:
        raise bad_request("the cursor is not one this API gave out")
    return after


def photo_max_bytes(config: dict[str, Any]) -> int:
    """The largest photo supervision takes (config SUPERVISION.PHOTO_MAX_BYTES)."""
    return int((config.get("SUPERVISION") or {}).get("PHOTO_MAX_BYTES", PHOTO_MAX_BYTES))


def uploaded_photo(request: Request, most: int) -> tuple[str, str]:
    """(media type as sent, content as base64) of an uploaded photo; 413 once over `most` bytes."""
    too_large = ApiError(413, "too_large", f"照片超过 {most / (1024 * 1024):g} MB，请压缩后再上传")
    if request.content_length is not None and request.content_length > most:
        raise too_large
    content = request.stream.read(most + 1)
    if len(content) > most:
        raise too_large
    if not content:
        raise bad_request("照片是空的")
    return request.mimetype or "application/octet-stream", base64.b64encode(content).decode()


class SupervisionRoutes:
    # --- rectifications (限期整改) --------------------------------------------------------------

    @api("GET", "/api/v1/rectifications", query=RectificationList)
    def list_rectifications(self, request: Request) -> Response:
        result = self.supervision.list_rectifications(self.access.caller(request), filters(request.params),
                                                      request.params["limit"], after_cursor(request))
        return json_response(page(result))

    @api("GET", "/api/v1/rectifications/<id:rectification_id>")
    def get_rectification(self, request: Request, rectification_id: int) -> Response:
        return json_response(self.supervision.get_rectification(self.access.caller(request),
                                                                rectification_id))

    @api("POST", "/api/v1/rectifications/<id:rectification_id>/submit", body=shapes.RectificationSubmission)
    def submit_rectification(self, request: Request, rectification_id: int) -> Response:
        """The unit's operator says what was done, naming the evidence photos uploaded."""
        data = json_body(request, shapes.RectificationSubmission(), self.access.max_body)
        return json_response(self.supervision.submit_rectification(self.access.caller(request),
                                                                   rectification_id, data))

    @api("POST", "/api/v1/rectifications/<id:rectification_id>/<any(accept,return):action>", body=shapes.ReturnReason)
    def decide_rectification(self, request: Request, rectification_id: int, action: str) -> Response:
        """accept (验收通过), or return with a reason (退回)."""
        data = json_body(request, shapes.ReturnReason(), self.access.max_body) if action == "return" else {}
        return json_response(self.supervision.decide_rectification(self.access.caller(request),
                                                                   rectification_id, action, data))

    @api("POST", "/api/v1/rectifications/<id:rectification_id>/photos", body=EVIDENCE_TYPES)
    @idempotent(upload=lambda service: photo_max_bytes(service.config))
    def add_rectification_photo(self, request: Request, rectification_id: int) -> Response:
        media_type, content = uploaded_photo(request, photo_max_bytes(self.config))
        return json_response(self.supervision.add_photo(self.access.caller(request),
                                                        "rectification", rectification_id, media_type, content), 201)

    @api("GET", "/api/v1/rectifications/<id:rectification_id>/photos/<sha256:sha256>", produces=EVIDENCE_TYPES)
    def get_rectification_photo(self, request: Request, rectification_id: int, sha256: str) -> Response:
        found = self.supervision.get_photo(self.access.caller(request), "rectification",
                                           rectification_id, sha256)
        return Response(base64.b64decode(found["content_b64"]), mimetype=found["media_type"],
                        headers={"X-Content-Type-Options": "nosniff"})

    # --- scores, rankings, reports (考核、排名、通报) -------------------------------------------

    @api("GET", "/api/v1/scores", query=ScoreQuery)
    def scores(self, request: Request) -> Response:
        """Scores per unit for a period as of an instant, with every component; the same
        question gives the same answer whenever it is asked."""
        p = request.params
        return json_response(self.supervision.scores(self.access.caller(request), p.get("period") or current_year(),
                                                     p.get("as_of"), filters(p, "period", "as_of")))

    @api("GET", "/api/v1/rankings", query=RankingQuery)
    def rankings(self, request: Request) -> Response:
        """Units, towns and sectors ranked with the change since the previous period, and the
        red and black lists; the public sees those of a published monthly report only."""
        p = request.params
        return json_response(self.supervision.rankings(self.access.actor(request), p.get("period") or current_month(),
                                                       p.get("as_of"), p["top"]))

    @api("GET", "/api/v1/reports")
    def list_reports(self, request: Request) -> Response:
        return json_response({"items": self.supervision.list_reports(self.access.actor(request))})

    @api("POST", "/api/v1/reports", body=shapes.NewReport)
    @idempotent
    def create_report(self, request: Request) -> Response:
        """A draft monthly report (月度通报) or annual report (年度工作报告) with its figures filled."""
        data = json_body(request, shapes.NewReport(), self.access.max_body)
        return json_response(self.supervision.create_report(self.access.caller(request), data),
                             201)

    @api("GET", "/api/v1/reports/<id:report_id>")
    def get_report(self, request: Request, report_id: int) -> Response:
        return json_response(self.supervision.get_report(self.access.actor(request), report_id))

    @api("PATCH", "/api/v1/reports/<id:report_id>", body=shapes.ReportChanges)
    def update_report(self, request: Request, report_id: int) -> Response:
        """Edit a draft's title or text."""
        data = json_body(request, shapes.ReportChanges(), self.access.max_body)
        return json_response(self.supervision.update_report(self.access.caller(request),
                                                            report_id, data))

    @api("POST", "/api/v1/reports/<id:report_id>/issue", body=shapes.ReportIssue)
    def issue_report(self, request: Request, report_id: int) -> Response:
        """Issue and seal it (ReportIssued); `publish` shows its rankings to the public."""
        data = json_body(request, shapes.ReportIssue(), self.access.max_body) if request.content_length else {}
        return json_response(self.supervision.issue_report(self.access.caller(request),
                                                           report_id, data))

    @api("GET", "/api/v1/reports/<id:report_id>.xlsx", produces=(XLSX,))
    def report_workbook(self, request: Request, report_id: int) -> Response:
        found = self.supervision.get_report(self.access.actor(request), report_id, "xlsx")
        return Response(base64.b64decode(found["content_b64"]), mimetype=XLSX, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found['filename'])}"})

    @api("GET", "/api/v1/reports/<id:report_id>/page", produces=("text/html",))
    def report_page(self, request: Request, report_id: int) -> Response:
        """The report as a printable page."""
        page_ = self.supervision.get_report(self.access.actor(request), report_id, "html")
        return Response(page_, mimetype="text/html")

    # --- models, commitments, comments (典型示范、公开承诺、领导点评) ------------------------------

    @api("GET", "/api/v1/candidates", query=CandidateQuery)
    def candidates(self, request: Request) -> Response:
        """Model candidates per sector, with their evidence (three periods' scores)."""
        p = request.params
        return json_response(self.supervision.candidates(p.get("as_of"), p.get("sector")))

    @api("POST", "/api/v1/candidates/<code:unit_code>/nominate", body=shapes.ModelNomination)
    @idempotent
    def nominate_candidate(self, request: Request, unit_code: str) -> Response:
        """Nominate a candidate as a model (典型) into units' designation flow."""
        actor = self.access.caller(request)
        data = json_body(request, shapes.ModelNomination(), self.access.max_body) if request.content_length else \
            shapes.ModelNomination().load({})
        if self.supervision.nominable(unit_code) is None:
            raise ApiError(409, "conflict", f"单位 {unit_code} 不在当前的典型候选名单中")
        return json_response(self.units.nominate(actor, unit_code, "model",
                                                 data["reason"]), 201)

    @api("GET", "/api/v1/commitments", query=CommitmentQuery)
    def list_commitments(self, request: Request) -> Response:
        p = request.params
        return json_response({"items": self.supervision.list_commitments(p.get("unit"),
                                                                         p.get("year"))})

    @api("POST", "/api/v1/commitments", body=shapes.NewCommitment)
    @idempotent
    def add_commitment(self, request: Request) -> Response:
        data = json_body(request, shapes.NewCommitment(), self.access.max_body)
        return json_response(self.supervision.add_commitment(self.access.caller(request),
                                                             data), 201)

    @api("POST", "/api/v1/commitments/<id:commitment_id>/progress", body=shapes.CommitmentProgress)
    @idempotent
    def report_commitment_progress(self, request: Request, commitment_id: int) -> Response:
        """How a commitment is going, shown on its unit's page; done_on once it is kept."""
        data = json_body(request, shapes.CommitmentProgress(), self.access.max_body)
        return json_response(self.supervision.report_commitment_progress(self.access.caller(request), commitment_id,
                                                                         data))

    @api("GET", "/api/v1/comments", query=CommentQuery)
    def list_comments(self, request: Request) -> Response:
        p = request.params
        return json_response({"items": self.supervision.list_comments(p.get("unit"),
                                                                      p.get("period"))})

    @api("POST", "/api/v1/comments", body=shapes.NewComment)
    @idempotent
    def add_comment(self, request: Request) -> Response:
        data = json_body(request, shapes.NewComment(), self.access.max_body)
        return json_response(self.supervision.add_comment(self.access.caller(request), data),
                             201)
