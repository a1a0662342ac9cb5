"""/api/v1/units and /api/v1/designations: the public directory, the registry's upkeep by
the administrator, officials, and demonstration sites named by the county office."""
from __future__ import annotations

import base64
from typing import Any

from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.shapes.units import Experience

from .. import queries, readmodel, schemas
from ..audit_entry import audited_read
from ..errors import forbidden, in_language
from ..vocabulary import IMPORT_MAX_BYTES, XLSX
from ..idempotency import idempotent
from ..http import api, decode_cursor, json_body, json_response, page
from ..uploads import read_upload


def job_location(job: dict[str, Any]) -> dict[str, str]:
    """Where an import job is followed (Location of the 202, and of its replay)."""
    return {"Location": f"/api/v1/units/import/jobs/{job['id']}"}


class UnitRoutes:
    # --- the public directory ------------------------------------------------------------

    @api("GET", "/api/v1/units", query=queries.UnitList)
    def list_units(self, request: Request) -> Response:
        query = request.params  # the directory is the same for everyone: from the read model
        answer = readmodel.units_answer(self, query, decode_cursor(query.get("cursor")))
        return readmodel.conditional(request, answer.body, answer.etag, public=True)

    @api("GET", "/api/v1/units/<code:code>")
    def get_unit(self, request: Request, code: str) -> Response:
        """Officials' contacts only for the county office and the unit's own officials."""
        actor = self.access.actor(request)
        if not self._sees_contacts(actor, code):  # as the public sees it: from the read model
            answer = readmodel.unit_answer(self, code)
            return readmodel.conditional(request, answer.body, answer.etag, public=True)
        audited_read(request)
        return readmodel.json_conditional(request, self.units.get_unit(code, True))

    @api("GET", "/api/v1/units/<code:code>/<any(children,subtree,ancestors):relation>")
    def unit_relatives(self, request: Request, code: str, relation: str) -> Response:
        return json_response({"items": self.units.relatives(relation, code)})

    # --- upkeep of the registry (admin) --------------------------------------------------------

    @api("POST", "/api/v1/units", body=schemas.NewUnit)
    @idempotent
    def create_unit(self, request: Request) -> Response:
        actor = self.access.caller(request)
        row = json_body(request, schemas.NewUnit(), self.access.max_body)
        return json_response(self.units.create_unit(actor, row), 201)

    @api("PATCH", "/api/v1/units/<code:code>", body=schemas.UnitChanges)
    def update_unit(self, request: Request, code: str) -> Response:
        actor = self.access.caller(request)
        changes = json_body(request, schemas.UnitChanges(), self.access.max_body)
        return json_response(self.units.update_unit(actor, code, changes))

    @api("POST", "/api/v1/units/<code:code>/<any(move,merge,dissolve):action>")
    def change_unit(self, request: Request, code: str, action: str) -> Response:
        actor = self.access.caller(request)
        body = json_body(request, schemas.UNIT_ACTIONS[action](), self.access.max_body)
        change = {"move": self.units.move_unit, "merge": self.units.merge_unit, "dissolve": self.units.dissolve_unit}
        return json_response(change[action](actor, code, *body.values()))

    @api("POST", "/api/v1/units/import", query=queries.ImportQuery, body=("text/csv", XLSX), status=202)
    @idempotent(upload=lambda service: IMPORT_MAX_BYTES, replay_headers=job_location)
    def import_units(self, request: Request) -> Response:
        """Upload the registry as the request body (CSV or .xlsx) or as a form's `file`;
        `?apply=true` registers it, otherwise it is a dry run with a report per row. Either
        way it runs as a job: 202 with the job, and its URL in Location, to follow its
        rows_done of rows_total and then its report (or why it failed)."""
        actor = self.access.caller(request)
        upload = read_upload(request, IMPORT_MAX_BYTES, "registry.xlsx" if request.mimetype == XLSX else "registry.csv",
                             "send the registry as the form field 'file'")
        job = self.units.submit_import(actor, upload.filename,
                                       base64.b64encode(upload.content).decode(), request.params["apply"],
                                       request.headers.get("X-Request-ID"))
        response = json_response(job, 202)
        response.headers.update(job_location(job))
        return response

    @api("GET", "/api/v1/units/import/jobs/<id:job_id>")
    def import_job(self, request: Request, job_id: int) -> Response:
        """An import job: queued, running (rows_done of rows_total), succeeded or failed, with
        the dry run's report or the apply's outcome; its problems, notes and error in the
        caller's language (Accept-Language)."""
        job = self.units.import_job(job_id)
        return json_response(job_in_language(job, i18n.language_of(request.headers.get("Accept-Language"))))

    @api("POST", "/api/v1/units/import/jobs/<id:job_id>/apply", status=202)
    def apply_import_job(self, request: Request, job_id: int) -> Response:
        """Apply the very file a clean dry run checked (its `can_apply`), once, without sending
        it again: 202 with the new apply job and its URL in Location. The file is checked
        again against the registry as it is now; a dry run kept longer than a day, with
        problems, or applied already is a 409 saying so."""
        actor = self.access.caller(request)
        job = self.units.apply_checked_import(actor, job_id,
                                              request.headers.get("X-Request-ID"))
        response = json_response(job, 202)
        response.headers["Location"] = f"/api/v1/units/import/jobs/{job['id']}"
        return response

    @api("GET", "/api/v1/units/export", query=queries.ExportQuery, produces=("text/csv", XLSX))
    def export_units(self, request: Request) -> Response:
        file_format = request.params["format"]
        audited_read(request)
        exported = self.units.export_registry(file_format)
        mimetype = "text/csv" if file_format == "csv" else XLSX
        return Response(base64.b64decode(exported["content_b64"]), mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{exported["filename"]}"'})

    # --- officials -------------------------------------------------------------------------

    @api("GET", "/api/v1/units/<code:code>/officials", query=queries.OfficialsQuery)
    def unit_officials(self, request: Request, code: str) -> Response:
        """Who holds each role now; `?on=YYYY-MM-DD` for a past date, `?on=all` for the history."""
        actor = self.access.caller(request)
        if not self._sees_contacts(actor, code):
            raise forbidden("only the county office and the unit's own officials see its officials")
        audited_read(request)
        return json_response({"items": self.units.officials(code, request.params.get("on"))})

    @api("PUT,DELETE", "/api/v1/units/<code:code>/officials/<any(secretary,liaison,reviewer):role>",
         body=schemas.Official)
    def set_official(self, request: Request, code: str, role: str) -> Response:
        """PUT appoints someone to the role; DELETE leaves it vacant."""
        actor = self.access.caller(request)
        official = json_body(request, schemas.Official(), self.access.max_body) if request.method == "PUT" else None
        return json_response(self.units.set_official(actor, code, role, official))

    # --- demonstration sites (示范点) and models (典型) -------------------------------------

    @api("GET", "/api/v1/designations", query=queries.DesignationList)
    def list_designations(self, request: Request) -> Response:
        """Demonstration sites and models: nominated, designated, expired or revoked."""
        query = request.params
        result = self.units.list_designations(query.get("unit"), query.get("status"),
                                              query["limit"], decode_cursor(query.get("cursor")) or 0)
        return json_response(page(result))

    @api("POST", "/api/v1/designations", body=schemas.Nomination)
    @idempotent
    def nominate(self, request: Request) -> Response:
        actor = self.access.caller(request)
        body = json_body(request, schemas.Nomination(), self.access.max_body)
        return json_response(self.units.nominate(actor, body["unit_code"],
                                                 body["kind"], body["reason"]), 201)

    @api("POST", "/api/v1/designations/<id:designation_id>/<any(designate,revoke):action>")
    def decide_designation(self, request: Request, designation_id: int, action: str) -> Response:
        actor = self.access.caller(request)
        if action == "designate":
            body = json_body(request, schemas.Designate(), self.access.max_body) if request.content_length else {}
            result = self.units.designate(actor, designation_id,
                                          body.get("term_years", 3))
        else:
            body = json_body(request, schemas.Reason(), self.access.max_body)
            result = self.units.revoke_designation(actor, designation_id,
                                                   body["reason"])
        return json_response(result)

    @api("POST", "/api/v1/designations/<id:designation_id>/keep", body=schemas.Keep)
    def keep_designation(self, request: Request, designation_id: int) -> Response:
        """Keep a model whose score for the month fell below the pass mark (复核后保留), with the reason."""
        actor = self.access.caller(request)
        body = json_body(request, schemas.Keep(), self.access.max_body)
        return json_response(self.units.keep_designation(actor, designation_id, body["period"], body["reason"]))

    @api("PUT", "/api/v1/designations/<id:designation_id>/experience", body=Experience)
    def set_designation_experience(self, request: Request, designation_id: int) -> Response:
        """Attach the experience write-up (经验做法) to a designated site or model, for the portal's page of models."""
        actor = self.access.caller(request)
        body = json_body(request, Experience(), self.access.max_body)
        return json_response(self.units.set_experience(actor, designation_id,
                                                       body["experience"]))

    @staticmethod
    def _sees_contacts(actor: dict[str, Any] | None, code: str) -> bool:
        if actor is None:
            return False
        return actor["role"] in ("admin", "inspector") or (
            actor["role"] in ("operator", "reviewer") and actor["unit"] == code)


def job_in_language(job: dict[str, Any], language: str) -> dict[str, Any]:
    """An import job as a person reads it: each problem of its report, its notes and its error's
    message in the language (rows, columns and codes as they are)."""
    job = dict(job)
    if job.get("report"):
        report = job["report"] = dict(job["report"])
        if report.get("notes"):
            report["notes"] = in_language(report["notes"], language)
        if report.get("problems"):
            report["problems"] = [{**p, "problem": in_language(p["problem"], language)} for p in report["problems"]]
    if job.get("error"):
        job["error"] = {**job["error"], "message": in_language(job["error"]["message"], language)}
    return job
