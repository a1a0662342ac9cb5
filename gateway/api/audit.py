"""/api/v1/audit: the audit trail of state-changing requests, of views of people's contacts
and of exports. Read-only: no route edits or deletes an entry. Reading, exporting and verifying
it belong to the audit administrator (gateway/policy_areas/audit.py)."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..audit_entry import audited_read
from ..audit_export import audit_csv
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
        """Walk the hash chain through the sealed monthly archives and the online entries: `ok`,
        how many entries, each archive's result, and where the chain first breaks (`where`,
        `first_bad_id`, `reason` in Chinese)."""
        return json_response(self.units.verify_audit())

    @api("GET", "/api/v1/audit/archives")
    def audit_archives(self, request: Request) -> Response:
        """The sealed months (older than the 180 days kept online): file, entries, head, SHA-256."""
        return json_response({"items": self.units.list_audit_archives()})

    @api("GET", "/api/v1/audit/export", query=queries.AuditExport, produces=("text/csv",))
    def export_audit(self, request: Request) -> Response:
        """The online entries as CSV (at most 20,000, oldest first), filtered like the list.
        The export is itself audited."""
        audited_read(request)
        filename, body = audit_csv(self.units, request.params.get("actor"), request.params.get("action"))
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
