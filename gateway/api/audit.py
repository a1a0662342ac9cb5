"""/api/v1/audit: the audit trail of state-changing requests, for the county office
(inspector) and the administrator. Read-only: no route edits or deletes an entry."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..errors import bad_request
from .. import queries
from ..http import api, decode_cursor, json_response, page


class AuditRoutes:
    @api("GET", "/api/v1/audit", query=queries.AuditList)
    def list_audit(self, request: Request) -> Response:
        """Entries oldest first. `actor` is a username; `action` a method and route rule,
        or its beginning (e.g. `POST` or `POST /api/v1/units`)."""
        query = request.params
        after = decode_cursor(query.get("cursor")) or 0
        if type(after) is not int or after < 0:
            raise bad_request("the cursor is not one this API gave out")
        result = self.units.list_audit(query.get("actor"), query.get("action"), after,
                                       query["limit"])
        return json_response(page(result))

    @api("GET", "/api/v1/audit/verify")
    def verify_audit(self, request: Request) -> Response:
        """Walk the hash chain: `ok`, how many entries, and the first entry that was edited
        or whose predecessor was removed."""
        return json_response(self.units.verify_audit())
