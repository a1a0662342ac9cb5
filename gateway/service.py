from __future__ import annotations

import logging
from typing import Any

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy
from werkzeug.wrappers import Request, Response

from services.common.metrics import WorkerMetrics
from services.common.timers import timer

from . import auth, openapi, queries, readmodel, schemas
from .access import AccessProvider
from .audit import AuditTrail, audit_refusal
from .errors import ApiError
from .http import api, encode_cursor, json_body, json_response, merged_page, positions_of
from .readiness import READINESS
from .routes import accounts as account_routes
from .routes import audit as audit_routes
from .routes import auth as auth_routes
from .routes import disclosure as disclosure_routes
from .routes import events as event_routes
from .routes import feedback as feedback_routes
from .routes import notify as notify_routes
from .routes import portal as portal_routes
from .routes import portal_feedback as portal_feedback_routes
from .routes import posters as poster_routes
from .routes import supervision as supervision_routes
from .routes import units as unit_routes
from .web import WebProvider
from .web import console_accounts, console_feedback, console_items, console_progress, console_signin, console_work
from .web import console_corrections
from .web import console_admin, console_registry, console_webhooks
from .web import console_figures, console_inspections, console_reminders, inspection_records
from .web import static as web_static


log = logging.getLogger(__name__)


class GatewayService(auth_routes.AuthRoutes, unit_routes.UnitRoutes, disclosure_routes.DisclosureRoutes,
                     event_routes.EventRoutes, notify_routes.NotifyRoutes, audit_routes.AuditRoutes, feedback_routes.FeedbackRoutes,
                     account_routes.AccountRoutes, console_signin.ConsoleSignIn, console_work.ConsoleWork,
                     console_accounts.ConsoleAccounts, console_items.ConsoleItems, console_corrections.ConsoleCorrections,
                     console_progress.ConsoleProgress, console_figures.ConsoleFigures, console_reminders.ConsoleReminders,
                     console_inspections.ConsoleInspections, inspection_records.ConsoleInspectionRecords,
                     console_feedback.ConsoleFeedback,
                     console_registry.ConsoleRegistry, console_admin.ConsoleAdmin, console_webhooks.ConsoleWebhooks,
                     supervision_routes.SupervisionRoutes, web_static.StaticRoutes, portal_routes.PortalRoutes,
                     portal_feedback_routes.PortalFeedbackRoutes, poster_routes.PosterRoutes, readmodel.ReadModelEvents):
    """HTTP/JSON for web and mobile clients; it owns nothing durable."""
    name = "gateway"

    config = Config()
    metrics = WorkerMetrics()
    access = AccessProvider()
    audit = AuditTrail()  # spools state-changing requests for units' audit log (gateway/audit.py)
    web = WebProvider()  # the pages' CSRF tokens and portal settings (gateway/web)
    units = RpcProxy("units")
    disclosure = RpcProxy("disclosure")
    feedback = RpcProxy("feedback")
    notify = RpcProxy("notify")
    supervision = RpcProxy("supervision")

    @timer(interval=30, eager=True)
    def refresh_api_keys(self) -> None:
        """Keep this process's copy of the API keys in force."""
        try:
            auth.set_api_keys(self.access.call(self.units, "active_api_keys"))
        except Exception:  # units is down: keep the keys known so far, try again later
            log.warning("could not refresh the API keys from units; keeping the ones known so far")

    @audit_refusal
    def audit_refused_request(self, entry: dict[str, Any]) -> None:
        """A state-changing request refused before its route ran goes into the audit log too."""
        self.audit.record(entry)  # spooled, then appended in order by units (gateway/audit.py)

    # --- health -------------------------------------------------------------------

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
        streams = {name: self.access.call(proxy, "list_dead_letters", query.get("type"), limit,
                                          positions.get(name, 0)) for name, proxy in services.items()}
        rows, positions = merged_page(streams, lambda r: (r["first_failed_at"], r["_source"], r["id"]), limit,
                                      positions)
        return json_response({"items": rows, "next_cursor": encode_cursor(positions) if len(rows) == limit else None})

    @api("POST", "/api/v1/dead-letters/replay", body=schemas.Replay)
    def replay_dead_letters(self, request: Request) -> Response:
        data = json_body(request, schemas.Replay(), self.access.max_body)
        (service,) = self._services_named(data["service"]).values()
        replayed = self.access.call(service, "replay_dead_letters", data["ids"], data["event_type"])
        return json_response({"replayed": replayed})

    @api("GET,POST,PUT,PATCH,DELETE,OPTIONS", "/<path:path>")
    def not_found(self, request: Request, path: str) -> Response:
        raise ApiError(404, "not_found", f"这个地址没有内容：/{path}")

    def _services(self) -> dict[str, Any]:
        return {"units": self.units, "disclosure": self.disclosure, "feedback": self.feedback,
                "notify": self.notify, "supervision": self.supervision}

    def _services_named(self, name: str | None) -> dict[str, Any]:
        services = self._services()
        if name is None:
            return services
        if name not in services:
            raise ApiError(400, "invalid_input", f"service must be one of {', '.join(services)}")
        return {name: services[name]}
