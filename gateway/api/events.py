"""/api/v1/events and /api/v1/webhooks: how other county systems follow what happens.
The feed reads the producers' outbox history, so a subscriber backfills and catches up
after downtime; webhooks are its subscriptions for pushed delivery."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from services.common.contract import CATALOGUE

from .. import queries, schemas
from ..errors import bad_request
from ..idempotency import idempotent
from ..http import api, encode_cursor, json_body, json_response, merged_page, positions_of

PRODUCERS = ("units", "disclosure", "feedback", "notify")


class EventRoutes:
    @api("GET", "/api/v1/events", query=queries.EventFeed)
    def list_events(self, request: Request) -> Response:
        """Published events, oldest first, merged across producers by (occurred_at, producer).
        `type` filters by a comma-separated list of event types; `limit` is 1 to 500
        (default 100). The answer's `next_cursor` is always given: poll with it as `after`
        to continue, even when `items` is empty. Events are kept 90 days
        (OUTBOX_RETENTION_DAYS) after publication; older ones are gone from the feed."""
        positions = positions_of(request.params.get("after"), PRODUCERS)
        types = _types(request.params.get("type"))
        limit = request.params["limit"]
        services = self._services()
        streams = {name: services[name].event_history(positions.get(name, 0), types, limit) for name in PRODUCERS}
        rows, positions = merged_page(streams, lambda r: (r["event"]["occurred_at"], r["_source"], r["id"]),
                                      limit, positions)
        return json_response({"items": [row["event"] for row in rows], "next_cursor": encode_cursor(positions)})

    @api("GET", "/api/v1/webhooks")
    def list_webhooks(self, request: Request) -> Response:
        """A subscriber's own webhooks; every webhook for the administrator."""
        actor = self.access.caller(request)
        return json_response({"items": self.notify.list_webhooks(actor)})

    @api("POST", "/api/v1/webhooks", body=schemas.NewWebhook)
    @idempotent
    def create_webhook(self, request: Request) -> Response:
        """The signing `secret` is in this answer only."""
        actor = self.access.caller(request)
        body = json_body(request, schemas.NewWebhook(), self.access.max_body)
        return json_response(self.notify.create_webhook(actor, body["url"],
                                                        body["event_types"]), 201)

    @api("GET", "/api/v1/webhooks/<id:webhook_id>")
    def get_webhook(self, request: Request, webhook_id: int) -> Response:
        actor = self.access.caller(request)
        return json_response(self.notify.get_webhook(actor, webhook_id))

    @api("DELETE", "/api/v1/webhooks/<id:webhook_id>")
    def delete_webhook(self, request: Request, webhook_id: int) -> Response:
        actor = self.access.caller(request)
        return json_response(self.notify.delete_webhook(actor, webhook_id))


def _types(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    types = [t.strip() for t in raw.split(",") if t.strip()]
    unknown = sorted(set(types) - set(CATALOGUE))
    if unknown:
        raise bad_request(f"unknown event types {', '.join(unknown)}; known: {', '.join(sorted(CATALOGUE))}",
                          {"known": sorted(CATALOGUE)})
    return types or None
