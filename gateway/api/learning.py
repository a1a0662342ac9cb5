"""/api/v1/examples and /api/v1/guidance: the county office's 范例 marks on published items (per
catalogue matter and sector) and its guidance notes (分类指导) per matter and sector. Disclosure
decides; what operators see of both comes with the item editor's page."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from services.common.contract import SECTORS
from services.common.shapes import learning as shapes

from ..http import api, json_body, json_response
from ..idempotency import idempotent
from ..params import Flag, OneOf, Query, Text


class ExamplesQuery(Query):
    entry_code = Text(32, "the catalogue matter's code")
    sector = OneOf(*SECTORS, description="the sector marked for")
    ended = Flag("list the ended marks too")


class GuidanceQuery(Query):
    entry_code = Text(32, "the catalogue matter's code")
    retired = Flag("list the retired notes too")


class LearningRoutes:
    @api("GET", "/api/v1/examples", query=ExamplesQuery)
    def list_examples(self, request: Request) -> Response:
        """The 范例 marks, newest first: current ones (`ended`: all), by matter and sector."""
        return json_response({"items": self.disclosure.list_examples(self.access.caller(request), dict(request.params))})

    @api("POST", "/api/v1/examples", body=shapes.MarkExampleBody)
    @idempotent
    def mark_example(self, request: Request) -> Response:
        """Mark a published item of a catalogue matter as an example for a sector, with the reason."""
        data = json_body(request, shapes.MarkExampleBody(), self.access.max_body)
        return json_response(self.disclosure.mark_example(self.access.caller(request), data), 201)

    @api("POST", "/api/v1/examples/<id:mark_id>/end", body=shapes.EndExampleBody)
    def unmark_example(self, request: Request, mark_id: int) -> Response:
        """End a mark, with the reason."""
        data = json_body(request, shapes.EndExampleBody(), self.access.max_body)
        return json_response(self.disclosure.unmark_example(self.access.caller(request), mark_id, data))

    @api("GET", "/api/v1/guidance", query=GuidanceQuery)
    def list_guidance(self, request: Request) -> Response:
        """The guidance notes in force (`retired`: all), by matter."""
        return json_response({"items": self.disclosure.list_guidance(self.access.caller(request), dict(request.params))})

    @api("POST", "/api/v1/guidance", body=shapes.NewGuidanceBody)
    @idempotent
    def create_guidance(self, request: Request) -> Response:
        """Write a note for a matter and a sector (no sector: every sector)."""
        data = json_body(request, shapes.NewGuidanceBody(), self.access.max_body)
        return json_response(self.disclosure.create_guidance(self.access.caller(request), data), 201)

    @api("GET", "/api/v1/guidance/<id:note_id>")
    def get_guidance(self, request: Request, note_id: int) -> Response:
        return json_response(self.disclosure.get_guidance(self.access.caller(request), note_id))

    @api("PATCH", "/api/v1/guidance/<id:note_id>", body=shapes.ReviseGuidanceBody)
    def revise_guidance(self, request: Request, note_id: int) -> Response:
        """Revise the note; `revision` is the one the change was made from (an older one is refused, 409)."""
        data = json_body(request, shapes.ReviseGuidanceBody(), self.access.max_body)
        return json_response(self.disclosure.revise_guidance(self.access.caller(request), note_id, data))

    @api("POST", "/api/v1/guidance/<id:note_id>/retire", body=shapes.RetireGuidanceBody)
    def retire_guidance(self, request: Request, note_id: int) -> Response:
        """Retire the note, with the reason; `revision` as for a revision."""
        data = json_body(request, shapes.RetireGuidanceBody(), self.access.max_body)
        return json_response(self.disclosure.retire_guidance(self.access.caller(request), note_id, data))
