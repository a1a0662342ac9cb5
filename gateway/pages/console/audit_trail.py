"""The audit administrator's page (审计): it walks the whole hash chain on every visit — the
sealed monthly archives, then the online entries — and says whether it is whole or where it
first breaks; it lists the archives with their heads and SHA-256, and exports the online
entries as CSV (the export itself is audited). The same RPCs as /api/v1/audit."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ...audit_entry import audited_read
from ...audit_export import audit_csv
from ...queries import AuditExport
from ..kit.pages import page, uncached


class ConsoleAuditTrail:
    """Mixed into GatewayService; needs `units`, `access` and `web`."""

    @page("GET", "/console/audit")
    def console_audit(self, request: Request) -> Response:
        verified = self.units.verify_audit()
        archives = self.units.list_audit_archives()
        response = self.web.page(request, "console/audit.html", title="审计记录", verified=verified,
                                 archives=archives)
        return self.renew_session(request, uncached(response))

    @page("GET", "/console/audit/export.csv", query=AuditExport)
    def console_export_audit(self, request: Request) -> Response:
        audited_read(request)
        filename, body = audit_csv(self.units, request.params.get("actor"), request.params.get("action"))
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
