"""/api/v1/catalogue, /plans, /obligations, /progress, /items and /archive: the disclosure
programme over HTTP. The routes parse and validate; the disclosure service decides who
sees and may change what (unit scope, audience, the author never approving their own)."""
from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from services.common.shapes.disclosure import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, Reminder

from .. import queries, readmodel, schemas
from ..errors import bad_request
from ..idempotency import idempotent
from ..http import api, decode_cursor, json_body, json_response, page
from ..params import filters
from ..uploads import read_upload


class DisclosureRoutes:
    # --- the catalogue (公开目录): public to read, kept by the county office ----------------

    @api("GET", "/api/v1/catalogue", query=queries.CatalogueList)
    def list_catalogue(self, request: Request) -> Response:
        """The entries in force on a date (`on`, today by default), by sector, frequency or text."""
        answer = readmodel.catalogue_answer(self, request.params)  # the same for everyone
        return readmodel.conditional(request, answer.body, answer.etag, public=True)

    @api("GET", "/api/v1/catalogue/<code:code>")
    def get_catalogue_entry(self, request: Request, code: str) -> Response:
        """The entry in force and every version it had."""
        answer = readmodel.catalogue_entry_answer(self, code)
        return readmodel.conditional(request, answer.body, answer.etag, public=True)

    @api("POST", "/api/v1/catalogue", body=schemas.NewCatalogueEntry)
    @idempotent
    def add_catalogue_entry(self, request: Request) -> Response:
        actor = self.access.caller(request)
        data = json_body(request, schemas.NewCatalogueEntry(), self.access.max_body)
        return json_response(self.disclosure.add_catalogue_entry(actor, data), 201)

    @api("PUT", "/api/v1/catalogue/<code:code>", body=schemas.CatalogueRevision)
    def revise_catalogue_entry(self, request: Request, code: str) -> Response:
        """A new version of the entry from `valid_from` on; the old one stays for the time before."""
        actor = self.access.caller(request)
        data = json_body(request, schemas.CatalogueRevision(), self.access.max_body)
        return json_response(self.disclosure.revise_catalogue_entry(actor, code, data))

    @api("POST", "/api/v1/catalogue/<code:code>/retire", body=schemas.CatalogueRetirement)
    def retire_catalogue_entry(self, request: Request, code: str) -> Response:
        actor = self.access.caller(request)
        data = json_body(request, schemas.CatalogueRetirement(), self.access.max_body)
        return json_response(self.disclosure.retire_catalogue_entry(actor, code, data))

    # --- the yearly plan (实施方案) ------------------------------------------------------------

    @api("GET", "/api/v1/plans")
    def list_plans(self, request: Request) -> Response:
        """Every plan past its draft; drafts too for the county office."""
        actor = self.access.actor(request)
        return json_response({"items": self.disclosure.list_plans(actor)})

    @api("GET", "/api/v1/plans/<id:plan_id>")
    def get_plan(self, request: Request, plan_id: int) -> Response:
        """A plan with its milestones, its consultation window and its trail."""
        actor = self.access.actor(request)
        return json_response(self.disclosure.get_plan(actor, plan_id))

    @api("POST", "/api/v1/plans", body=schemas.NewPlan)
    @idempotent
    def create_plan(self, request: Request) -> Response:
        actor = self.access.caller(request)
        data = json_body(request, schemas.NewPlan(), self.access.max_body)
        return json_response(self.disclosure.create_plan(actor, data), 201)

    @api("PATCH", "/api/v1/plans/<id:plan_id>", body=schemas.PlanChanges)
    def update_plan(self, request: Request, plan_id: int) -> Response:
        actor = self.access.caller(request)
        changes = json_body(request, schemas.PlanChanges(), self.access.max_body)
        return json_response(self.disclosure.update_plan(actor, plan_id, changes))

    @api("POST", "/api/v1/plans/<id:plan_id>/<any(consult,approve,activate,close):action>",
         body=schemas.PlanAction)
    def transition_plan(self, request: Request, plan_id: int, action: str) -> Response:
        """consult (征求意见: opens the window for comments), approve (schedules every unit's
        obligations for the year), activate, close."""
        actor = self.access.caller(request)
        data = _optional_body(self, request, schemas.PlanAction)
        return json_response(self.disclosure.transition_plan(actor, plan_id, action, data))

    # --- obligations (公开任务) and progress -------------------------------------------------------

    @api("GET", "/api/v1/obligations", query=queries.ObligationList)
    def list_obligations(self, request: Request) -> Response:
        """Obligations by unit (or a unit's subtree), town, status, period, sector, year or entry;
        operators and reviewers see their own unit's."""
        actor = self.access.caller(request)
        result = self.disclosure.list_obligations(actor, filters(request.params),
                                                  request.params["limit"], _after(request))
        return json_response(page(result))

    @api("GET", "/api/v1/obligations/<id:obligation_id>")
    def get_obligation(self, request: Request, obligation_id: int) -> Response:
        actor = self.access.caller(request)
        return json_response(self.disclosure.get_obligation(actor, obligation_id))

    @api("POST", "/api/v1/obligations/events", body=schemas.NewEvent)
    @idempotent
    def record_event(self, request: Request) -> Response:
        """Record an event (随时公开) or a decision to be taken (预公开): its obligation follows,
        with the due date on the working-day calendar."""
        actor = self.access.caller(request)
        data = json_body(request, schemas.NewEvent(), self.access.max_body)
        return json_response(self.disclosure.record_event(actor, data), 201)

    @api("POST", "/api/v1/obligations/<id:obligation_id>/waive", body=schemas.Reason)
    def waive_obligation(self, request: Request, obligation_id: int) -> Response:
        actor = self.access.caller(request)
        data = json_body(request, schemas.Reason(), self.access.max_body)
        return json_response(self.disclosure.waive_obligation(actor, obligation_id, data["reason"]))

    @api("POST", "/api/v1/obligations/<id:obligation_id>/remind", body=Reminder)
    @idempotent
    def remind_obligation(self, request: Request, obligation_id: int) -> Response:
        """The county office's reminder (催办) of an open or overdue obligation: the unit's liaison
        is told (ObligationReminded); a second reminder within 24 hours is refused (409)."""
        actor = self.access.caller(request)
        data = _optional_body(self, request, Reminder)
        return json_response(self.disclosure.remind_obligation(actor, obligation_id,
                                                               data.get("note")), 201)

    @api("GET", "/api/v1/progress", query=queries.ProgressQuery)
    def progress(self, request: Request) -> Response:
        """Obligations by status per town and sector: what the county office watches."""
        return json_response(self.disclosure.progress(filters(request.params)))

    # --- items (公开事项) ----------------------------------------------------------------------

    @api("GET", "/api/v1/items", query=queries.ItemList)
    def list_items(self, request: Request) -> Response:
        """The items the caller may see: anyone the published society-scope ones, per unit or
        county-wide with `q` on the title; members their chain's Party-scope ones too; a unit's
        operators and reviewers its drafts."""
        actor = self.access.actor(request)
        if actor is None:  # the public: from the read model, no RPC
            answer = readmodel.items_answer(self, request.params, _after(request))
            return readmodel.conditional(request, answer.body, answer.etag, public=True)
        result = self.disclosure.list_items(actor, filters(request.params),
                                            request.params["limit"], _after(request))
        return readmodel.json_conditional(request, page(result))

    @api("POST", "/api/v1/items", body=schemas.ItemDraft)
    @idempotent
    def create_item(self, request: Request) -> Response:
        actor = self.access.caller(request)
        data = json_body(request, schemas.ItemDraft(), self.access.max_body)
        return json_response(self.disclosure.create_item(actor, data), 201)

    @api("GET", "/api/v1/items/<id:item_id>")
    def get_item(self, request: Request, item_id: int) -> Response:
        actor = self.access.actor(request)
        if actor is None:  # the public: from the read model, no RPC
            answer = readmodel.item_answer(self, item_id)
            return readmodel.conditional(request, answer.body, answer.etag, public=True)
        return readmodel.json_conditional(request, self.disclosure.get_item(actor, item_id))

    @api("PATCH", "/api/v1/items/<id:item_id>", body=schemas.ItemChanges)
    def update_item(self, request: Request, item_id: int) -> Response:
        """Edit a draft."""
        actor = self.access.caller(request)
        changes = json_body(request, schemas.ItemChanges(), self.access.max_body)
        return json_response(self.disclosure.update_item(actor, item_id, changes))

    @api("POST", "/api/v1/items/<id:item_id>/<any(submit,review,approve,reject,withdraw):action>",
         body=schemas.ItemAction)
    def transition_item(self, request: Request, item_id: int, action: str) -> Response:
        """submit (提出, operator); review (审核), approve (审批, which publishes), reject (reviewer);
        withdraw (with a reason)."""
        actor = self.access.caller(request)
        body = _optional_body(self, request, schemas.ItemAction)
        return json_response(self.disclosure.transition_item(actor, item_id, action, body.get("reason")))

    @api("POST", "/api/v1/items/<id:item_id>/correct", body=schemas.ItemChanges)
    @idempotent
    def correct_item(self, request: Request, item_id: int) -> Response:
        """A new draft version of a published item (整改); the old version stays readable."""
        actor = self.access.caller(request)
        changes = json_body(request, schemas.ItemChanges(), self.access.max_body)
        return json_response(self.disclosure.correct_item(actor, item_id, changes), 201)

    @api("GET", "/api/v1/items/<id:item_id>/versions")
    def item_versions(self, request: Request, item_id: int) -> Response:
        """Every version of the item the caller may see, oldest first."""
        actor = self.access.actor(request)
        return json_response({"items": self.disclosure.item_versions(actor, item_id)})

    # --- attachments --------------------------------------------------------------------------

    @api("POST", "/api/v1/items/<id:item_id>/attachments", query=queries.AttachmentQuery, body=ATTACHMENT_TYPES)
    @idempotent(upload=lambda service: service._attachment_max_bytes())
    def add_attachment(self, request: Request, item_id: int) -> Response:
        """Attach a file to a draft: the file as the body with its Content-Type and `?filename=`,
        or as a form's `file`. PDF, PNG, JPEG, DOCX, XLSX or plain text, up to
        DISCLOSURE.ATTACHMENT_MAX_BYTES; stored once by its SHA-256."""
        actor = self.access.caller(request)
        upload = read_upload(request, self._attachment_max_bytes())
        added = self.disclosure.add_attachment(actor, item_id, upload.filename, upload.media_type,
                                               base64.b64encode(upload.content).decode())
        return json_response(added, 201)

    @api("GET", "/api/v1/items/<id:item_id>/attachments/<sha256:sha256>", produces=ATTACHMENT_TYPES)
    def get_attachment(self, request: Request, item_id: int, sha256: str) -> Response:
        """The file, with its media type, to whoever may see the item."""
        actor = self.access.actor(request)
        found = self.disclosure.get_attachment(actor, item_id, sha256)
        return Response(base64.b64decode(found["content_b64"]), mimetype=found["media_type"],
                        headers={"Content-Disposition": content_disposition(found["filename"]),
                                 "X-Content-Type-Options": "nosniff"})

    @api("DELETE", "/api/v1/items/<id:item_id>/attachments/<sha256:sha256>")
    def remove_attachment(self, request: Request, item_id: int, sha256: str) -> Response:
        actor = self.access.caller(request)
        return json_response(self.disclosure.remove_attachment(actor, item_id, sha256))

    # --- the archive (登记归档) ----------------------------------------------------------------

    @api("GET", "/api/v1/archive/<code:code>/<year:year>", produces=("application/zip",))
    def export_archive(self, request: Request, code: str, year: int) -> Response:
        """A unit's year as a zip: a manifest, every item version with its trail, the attachments."""
        actor = self.access.caller(request)
        exported = self.disclosure.export_archive(actor, code, year)
        return Response(base64.b64decode(exported["content_b64"]), mimetype="application/zip",
                        headers={"Content-Disposition": content_disposition(exported["filename"])})

    @api("POST", "/api/v1/archive/<year:year>/seal")
    def seal_year(self, request: Request, year: int) -> Response:
        """Close a year that has ended: its items are archived and stop changing."""
        actor = self.access.caller(request)
        return json_response(self.disclosure.seal_year(actor, year))

    def _attachment_max_bytes(self) -> int:
        disclosure = self.config.get("DISCLOSURE") or {}
        return int(disclosure.get("ATTACHMENT_MAX_BYTES", ATTACHMENT_MAX_BYTES))


def _optional_body(gateway: Any, request: Request, schema: type) -> dict[str, Any]:
    """A body that may be left out: {} when there is none, else validated."""
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return {}
    return json_body(request, schema(), gateway.access.max_body)


def _after(request: Request) -> int | None:
    """The position a list's cursor holds: the last id of the page before."""
    after = decode_cursor(request.params.get("cursor"))
    if after is not None and type(after) is not int:
        raise bad_request("the cursor is not one this API gave out")
    return after


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """Content-Disposition with an ASCII fallback and the real name per RFC 5987, so that
    Chinese file names arrive intact."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "download"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
