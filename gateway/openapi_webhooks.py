"""The `webhooks` of the OpenAPI document: what a subscriber's URL receives, one entry per event
type of the contract (services/common/contract), with the payload schemas docs/asyncapi.yaml
has, and the Standard Webhooks headers that sign each POST; plus the test message `ping` sends."""
from __future__ import annotations

import copy
from typing import Any

from services.common.asyncapi import schemas_and_envelope
from services.common.contract import CATALOGUE

PREFIX = "Event"  # the payloads' schemas as components: EventItemPublished..., apart from the API's own
SIGNATURE_HEADERS = [
    {"name": "webhook-id", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "the message's id, the same on every retry of it: drop a repeat you already processed"},
    {"name": "webhook-timestamp", "in": "header", "required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"},
     "description": "seconds since the epoch when it was signed; refuse one more than five minutes off your clock"},
    {"name": "webhook-signature", "in": "header", "required": True,
     "schema": {"type": "string", "pattern": "^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$"},
     "description": "space-separated `v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{body}` with "
                    "the webhook's `whsec_` secret (base64 after the prefix); any one matching signature is valid "
                    "(two while a secret is being rotated). The standardwebhooks package verifies it."},
]
RECEIVED = {"2XX": {"description": "received: any 2xx counts as delivered; anything else is retried with backoff, "
                                   "and the webhook is disabled after WEBHOOK_DISABLE_AFTER failures in a row"}}
PING = {"type": "object", "required": ["type", "webhook_id", "sent_at"], "properties": {
    "type": {"const": "ping"}, "webhook_id": {"type": "integer"}, "sent_at": {"type": "string", "format": "date-time"}}}


def _renamed(value: Any) -> Any:
    """The payloads' schemas with their references moved under PREFIX."""
    if isinstance(value, dict):
        return {key: (f"#/components/schemas/{PREFIX}{item.rsplit('/', 1)[1]}" if key == "$ref" else _renamed(item))
                for key, item in value.items()}
    if isinstance(value, list):
        return [_renamed(item) for item in value]
    return value


def _post(summary: str, schema: dict[str, Any], operation_id: str, description: str) -> dict[str, Any]:
    return {"post": {"operationId": operation_id, "summary": summary, "description": description,
                     "tags": ["webhooks"], "parameters": copy.deepcopy(SIGNATURE_HEADERS),
                     "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
                     "responses": copy.deepcopy(RECEIVED)}}


def webhooks() -> tuple[dict[str, Any], dict[str, Any]]:
    """(the document's `webhooks`, the component schemas they refer to)."""
    schemas, envelope = schemas_and_envelope()
    components = {f"{PREFIX}{name}": _renamed(schema) for name, schema in schemas.items()}
    components[f"{PREFIX}Envelope"] = envelope
    hooks = {}
    for event in sorted(CATALOGUE.values(), key=lambda e: e.name):
        body = {"allOf": [{"$ref": f"#/components/schemas/{PREFIX}Envelope"}, {"type": "object", "properties": {
            "type": {"const": event.name}, "version": {"const": event.version},
            "producer": {"const": event.producer},
            "payload": {"$ref": f"#/components/schemas/{PREFIX}{event.schema.__name__}"}}}]}
        hooks[event.name] = _post(event.summary, body, f"receive{event.name}",
                                  f"Sent to each webhook subscribed to {event.name}: the event's envelope, as the "
                                  f"event feed lists it. Delivery is at least once; be idempotent on `event_id`.")
    hooks["ping"] = _post("A signed test message", PING, "receivePing",
                          "Sent by POST /api/v1/webhooks/{webhook_id}/ping, signed like every event.")
    return hooks, components
