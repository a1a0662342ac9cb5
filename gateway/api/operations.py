"""The gateway's own routes: liveness and readiness, the OpenAPI document and its page, the
dead letters of every service (listed across services, replayed), and the 404 for any other path."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .. import openapi, queries, schemas
from ..errors import ApiError
from ..http import api, encode_cursor, json_body, json_response, merged_page, positions_of
from ..readiness import READINESS


class OperationRoutes:

    @api("GET", "/healthz")
    def healthz(self, request: Request) -> Response:
        return json_response({"status": "alive"})

    @api("GET", "/readyz")
    def readyz(self, request: Request) -> Response:
        report = READINESS.report(self._services)
        return json_response(report, 200 if report["ready"] else 503)

    @api("GET", "/api/v1/openapi.json")
    def openapi_document(self, request: Request) -> Response:
        """The OpenAPI 3.1 document of this API."""
        return json_response(openapi.build(type(self)))

    @api("GET", "/api/v1/docs", produces=("text/html",))
    def docs_page(self, request: Request) -> Response:
        """A page to browse the API."""
        return Response(openapi.DOCS_PAGE, mimetype="text/html")

    # --- operations ---------------------------------------------------------------------

    @api("GET", "/api/v1/dead-letters", query=queries.DeadLetterList)
    def list_dead_letters(self, request: Request) -> Response:
        """Events parked after failing, with the reason and attempts, oldest first across services."""
        query = request.params
        services = self._services_named(query.get("service"))
        positions = positions_of(query.get("cursor"), tuple(services))
        limit = query["limit"]
        streams = {name: client.list_dead_letters(query.get("type"), limit, positions.get(name, 0))
                   for name, client in services.items()}
        rows, positions = merged_page(streams, lambda r: (r["first_failed_at"], r["_source"], r["id"]), limit,
                                      positions)
        return json_response({"items": rows, "next_cursor": encode_cursor(positions) if len(rows) == limit else None})

    @api("POST", "/api/v1/dead-letters/replay", body=schemas.Replay)
    def replay_dead_letters(self, request: Request) -> Response:
        data = json_body(request, schemas.Replay(), self.access.max_body)
        (service,) = self._services_named(data["service"]).values()
        replayed = service.replay_dead_letters(data["ids"], data["event_type"])
        return json_response({"replayed": replayed})

    @api("GET,POST,PUT,PATCH,DELETE,OPTIONS", "/<path:path>")
    def not_found(self, request: Request, path: str) -> Response:
        raise ApiError(404, "not_found", f"这个地址没有内容：/{path}")
