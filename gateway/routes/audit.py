"""/api/v1/audit: the audit trail of state-changing requests, for the county office
(inspector) and the administrator. Read-only: no route edits or deletes an entry."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..errors import bad_request
from ..http import api, decode_cursor, json_response, page, page_limit


class AuditRoutes:
    @api("GET", "/api/v1/audit", query=("actor", "action", "limit", "cursor"))
    def list_audit(self, request: Request) -> Response:
        """Entries oldest first. `actor` is a username; `action` a method and route rule,
        or its beginning (e.g. `POST` or `POST /api/v1/units`)."""
        args = request.args
        after = decode_cursor(args.get("cursor")) or 0
        if not isinstance(after, int):
            raise bad_request("the cursor is not one this API gave out")
        result = self.access.call(self.units, "list_audit", args.get("actor"), args.get("action"), after,
                                  page_limit(request))
        return json_response(page(result))

    @api("GET", "/api/v1/audit/verify")
    def verify_audit(self, request: Request) -> Response:
        """Walk the hash chain: `ok`, how many entries, and the first entry that was edited
        or whose predecessor was removed."""
        return json_response(self.access.call(self.units, "verify_audit"))
