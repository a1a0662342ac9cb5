from __future__ import annotations

import logging
from typing import Any

from nameko.dependency_providers import Config

from services.common.metrics import WorkerMetrics
from services.common.production import ProductionGuard
from services.common.timers import timer

from . import api, auth, readmodel
from .access import AccessProvider
from .audit import AuditTrail, audit_refusal
from .clients import (Client, DisclosureClient, FeedbackClient, NotifyClient, ServiceClient, SupervisionClient,
                      UnitsClient)
from .errors import ApiError
from .pages import console, portal
from .pages.kit import WebProvider
from .pages.kit import static


log = logging.getLogger(__name__)


# one mixin per room (only modules are named here: `nameko run gateway.service` runs every
# service class it finds in this module's namespace)
class GatewayService(api.ApiRoutes, console.ConsolePages, static.StaticRoutes, portal.PortalPages,
                     readmodel.ReadModelEvents):
    """HTTP/JSON for web and mobile clients; it owns nothing durable."""
    name = "gateway"

    config = Config()
    production = ProductionGuard()  # GONGKAI_ENV=production: no development signing key, no guest broker
    metrics = WorkerMetrics()
    access = AccessProvider()
    audit = AuditTrail()  # spools state-changing requests for units' audit log (gateway/audit.py)
    web = WebProvider()  # the pages' CSRF tokens and portal settings (gateway/pages/kit)
    # the services, each through its typed client (gateway/clients)
    units = Client(UnitsClient)
    disclosure = Client(DisclosureClient)
    feedback = Client(FeedbackClient)
    notify = Client(NotifyClient)
    supervision = Client(SupervisionClient)

    @timer(interval=30, eager=True)
    def refresh_api_keys(self) -> None:
        """Keep this process's copy of the API keys in force."""
        try:
            auth.set_api_keys(self.units.active_api_keys())
        except Exception:  # units is down: keep the keys known so far, try again later
            log.warning("could not refresh the API keys from units; keeping the ones known so far")

    @audit_refusal
    def audit_refused_request(self, entry: dict[str, Any]) -> None:
        """A state-changing request refused before its route ran goes into the audit log too."""
        self.audit.record(entry)  # spooled, then appended in order by units (gateway/audit.py)

    def _services(self) -> dict[str, ServiceClient]:
        """Every service's client by the service's name (readiness, dead letters, the event feed)."""
        return {"units": self.units, "disclosure": self.disclosure, "feedback": self.feedback,
                "notify": self.notify, "supervision": self.supervision}

    def _services_named(self, name: str | None) -> dict[str, ServiceClient]:
        services = self._services()
        if name is None:
            return services
        if name not in services:
            raise ApiError(400, "invalid_input", f"service must be one of {', '.join(services)}")
        return {name: services[name]}
