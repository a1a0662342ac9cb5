"""/api/v1/checklists, /inspections and /inspection-records: the checklist (考核细则) and the
county office's inspections (督查) with their records and photos, over HTTP. The routes parse
and validate; the supervision service decides whose things a caller sees."""
from __future__ import annotations

from marshmallow import fields, validate
from werkzeug.wrappers import Request, Response

from services.common.shapes import supervision as shapes
from services.common.workdays import county_today

from ..idempotency import idempotent
from ..http import api, json_body, json_response, page
from ..params import Query, Year
from ..vocabulary import PHOTO_TYPES
from .supervision import PagedQuery, after_cursor, photo_max_bytes, uploaded_photo


class ChecklistQuery(Query):
    year = Year()
    version = fields.Integer(validate=validate.Range(1, 10000))


class InspectionRoutes:
    # --- the checklist (考核细则) -----------------------------------------------------------

    @api("GET", "/api/v1/checklists", query=ChecklistQuery)
    def get_checklist(self, request: Request) -> Response:
        """The year's checklist (this year by default): dimensions, weights, criteria and maxima."""
        year = request.params.get("year") or county_today().year
        return json_response(self.supervision.get_checklist(year, request.params.get("version")))

    @api("POST", "/api/v1/checklists", body=shapes.ChecklistBody)
    @idempotent
    def publish_checklist(self, request: Request) -> Response:
        """A new version of a year's checklist, in force from now on."""
        data = json_body(request, shapes.ChecklistBody(), self.access.max_body)
        return json_response(self.supervision.publish_checklist(self.access.caller(request),
                                                                data), 201)

    # --- inspections (督查) -------------------------------------------------------------------

    @api("GET", "/api/v1/inspections", query=PagedQuery)
    def list_inspections(self, request: Request) -> Response:
        """Inspections; a unit's operator and reviewer see those of their own unit."""
        result = self.supervision.list_inspections(self.access.caller(request),
                                                   request.params["limit"], after_cursor(request))
        return json_response(page(result))

    @api("POST", "/api/v1/inspections", body=shapes.NewInspection)
    @idempotent
    def plan_inspection(self, request: Request) -> Response:
        """Plan an inspection: units by list, subtree, or a random sample (双随机, with its seed kept)."""
        data = json_body(request, shapes.NewInspection(), self.access.max_body)
        return json_response(self.supervision.plan_inspection(self.access.caller(request),
                                                              data), 201)

    @api("GET", "/api/v1/inspections/<id:inspection_id>")
    def get_inspection(self, request: Request, inspection_id: int) -> Response:
        return json_response(self.supervision.get_inspection(self.access.caller(request),
                                                             inspection_id))

    @api("GET", "/api/v1/inspections/<id:inspection_id>/draw")
    def inspection_draw(self, request: Request, inspection_id: int) -> Response:
        """The random draw's seed, population and pool, and the draw re-run from them."""
        return json_response(self.supervision.inspection_draw(inspection_id))

    @api("GET", "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>")
    def unit_records(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        """Every submitted revision of the unit's record, with its scores and findings."""
        return json_response({"items": self.supervision.unit_records(self.access.caller(request),
                                                                     inspection_id, unit_code)})

    @api("PUT", "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>/scores", body=shapes.UnitRecord)
    def save_record(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        """The unit's draft record: a score per criterion with a note, and the findings (问题清单)."""
        data = json_body(request, shapes.UnitRecord(), self.access.max_body)
        return json_response(self.supervision.save_record(self.access.caller(request),
                                                          inspection_id, unit_code, data))

    @api("POST", "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>/submit")
    def submit_record(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        """Final from now on; each finding opens a rectification (限期整改)."""
        return json_response(self.supervision.submit_record(self.access.caller(request),
                                                            inspection_id, unit_code))

    @api("POST", "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>/correct", body=shapes.Correction)
    @idempotent
    def correct_record(self, request: Request, inspection_id: int, unit_code: str) -> Response:
        """A correction: a new revision with the reason; the old one is kept."""
        data = json_body(request, shapes.Correction(), self.access.max_body)
        return json_response(self.supervision.correct_record(self.access.caller(request),
                                                             inspection_id, unit_code, data), 201)

    @api("GET", "/api/v1/inspections/<id:inspection_id>/findings", query=PagedQuery)
    def inspection_findings(self, request: Request, inspection_id: int) -> Response:
        """The findings of an inspection, each with its rectification."""
        result = self.supervision.list_rectifications(self.access.caller(request), {"inspection": inspection_id},
                                                      request.params["limit"], after_cursor(request))
        return json_response(page(result))

    @api("POST", "/api/v1/inspection-records/<id:record_id>/photos", body=PHOTO_TYPES)
    @idempotent(upload=lambda service: photo_max_bytes(service.config))
    def add_record_photo(self, request: Request, record_id: int) -> Response:
        """An evidence photo (PNG or JPEG, the file as the body) for a draft record."""
        media_type, content = uploaded_photo(request, photo_max_bytes(self.config))
        return json_response(self.supervision.add_photo(self.access.caller(request), "record",
                                                        record_id, media_type, content), 201)
