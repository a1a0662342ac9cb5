"""Generate docs/asyncapi.yaml, the published description of the event contract.

Other county systems subscribe to our events and read this document rather than our code,
so it is generated from services.common.contract (never edited by hand) and
tests/common/test_asyncapi.py fails when the committed file and the code drift apart.

    python -m services.common.asyncapi          # regenerate docs/asyncapi.yaml
    python -m services.common.asyncapi --check  # exit 1 if the committed file is stale

The payload schemas come from apispec's marshmallow converter, targeting OpenAPI 3.1 so
the output is plain JSON Schema (``type: [string, "null"]``, not ``nullable``), which is
what AsyncAPI 2.6 expects. The output is deterministic: regenerating gives identical bytes.
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .contract import CATALOGUE, EVENTS_EXCHANGE, SUBSCRIPTIONS, Envelope

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
AMQP_BINDING_VERSION = "0.2.0"
DOCUMENT_ID = "urn:gongkai:events"
# Who answers for the contract: the county office that runs the programme. The address is the
# sender notify mails from (config.yaml MAIL_FROM's default); the URL is the gateway's API
# documentation, which also describes the event feed and webhooks.
CONTACT = {"name": "Gongkai, county Party-affairs disclosure office (党务公开领导小组办公室)",
           "url": "http://127.0.0.1:8000/api/v1/docs", "email": "gongkai@county.example.gov.cn"}
LICENSE = {"name": "Proprietary: for the county's own and its subscribing systems' use"}

DESCRIPTION = f"""\
Domain events of the county Party-affairs disclosure programme (党务公开).

Generated from services/common/contract/ by `python -m services.common.asyncapi`; do not edit by hand.

- Delivery is at least once: a consumer may receive the same event more than once and must be
  idempotent on `event_id`.
- Every event travels on one durable topic exchange, `{EVENTS_EXCHANGE}`, with the routing key
  `<producer>.<Type>` (for example `disclosure.ItemPublished`). Bind `*.<Type>` to receive one
  type from any producer, or `<producer>.#` to receive everything one producer emits.
- `occurred_at` (and every other timestamp) is UTC, in ISO 8601 with an offset.
- Consumers must ignore payload fields they do not know: a producer may add optional fields
  without raising the event's version.
"""


def schemas_and_envelope() -> tuple[dict[str, Any], dict[str, Any]]:
    """JSON Schemas of every payload (nested ones included) and of the envelope, via apispec."""
    plugin = MarshmallowPlugin()
    spec = APISpec("Gongkai events", "1.0.0", "3.1.0", plugins=[plugin])
    schemas = {s.__name__: plugin.converter.schema2jsonschema(s)
               for s in sorted({e.schema for e in CATALOGUE.values()}, key=lambda s: s.__name__)}
    # Nested schemas (Official inside UnitState) were registered as components by the converter.
    schemas.update(spec.to_dict().get("components", {}).get("schemas", {}))
    for schema in schemas.values():
        # Producers are strict (unknown=RAISE), but the published promise is that consumers
        # tolerate new optional fields, so the document must not forbid them.
        if schema.get("additionalProperties") is False:
            del schema["additionalProperties"]
    envelope = plugin.converter.schema2jsonschema(Envelope)
    return dict(sorted(schemas.items())), envelope


def _producer_tag(producer: str) -> dict[str, str]:
    return {"name": producer, "description": f"Events produced by the {producer} service "
                                             f"(routing keys `{producer}.*`)."}


def build_document() -> dict[str, Any]:
    """The AsyncAPI 2.6.0 document for the whole event catalogue.

    Everything per event comes from its EventType, so a new type needs nothing here: its
    messageId (what code generators name a subscriber's handler after) is the type's name,
    unique in the catalogue, and its tag is its producer."""
    schemas, envelope = schemas_and_envelope()
    exchange = {"name": EVENTS_EXCHANGE, "type": "topic", "durable": True,
                "autoDelete": False, "vhost": "/"}
    channels: dict[str, Any] = {}
    for event in sorted(CATALOGUE.values(), key=lambda e: e.routing_key):
        payload = copy.deepcopy(envelope)
        payload["properties"]["type"] = {"type": "string", "const": event.name}
        payload["properties"]["version"] = {"type": "integer", "const": event.version}
        payload["properties"]["payload"] = {"$ref": f"#/components/schemas/{event.schema.__name__}"}
        channels[event.routing_key] = {
            "description": f"{event.summary} Routing key `{event.routing_key}` on `{EVENTS_EXCHANGE}`.",
            "x-producer": event.producer,
            "x-internal-subscribers": sorted(s for s, types in SUBSCRIPTIONS.items() if event.name in types),
            "bindings": {"amqp": {"is": "routingKey", "exchange": dict(exchange),
                                  "bindingVersion": AMQP_BINDING_VERSION}},
            "subscribe": {
                "operationId": f"receive{event.name}",
                "summary": event.summary,
                "tags": [{"name": event.producer}],
                "message": {
                    "messageId": event.name,
                    "name": event.name,
                    "title": f"{event.name} v{event.version}",
                    "summary": event.summary,
                    "contentType": "application/json",
                    "tags": [{"name": event.producer}],
                    "correlationId": {"location": "$message.payload#/correlation_id"},
                    "bindings": {"amqp": {"contentEncoding": "utf-8", "messageType": event.name,
                                          "bindingVersion": AMQP_BINDING_VERSION}},
                    "payload": payload,
                },
            },
        }
    producers = sorted({e.producer for e in CATALOGUE.values()})
    return {
        "asyncapi": "2.6.0",
        "id": DOCUMENT_ID,
        "info": {"title": "Gongkai events", "version": "1.0.0", "description": DESCRIPTION,
                 "contact": dict(CONTACT), "license": dict(LICENSE)},
        "tags": [_producer_tag(p) for p in producers],
        "defaultContentType": "application/json",
        "servers": {"amqp": {"url": "127.0.0.1:5672", "protocol": "amqp", "protocolVersion": "0.9.1"}},
        "channels": channels,
        "components": {"schemas": schemas},
    }


class _Dumper(yaml.SafeDumper):
    """safe_dump, but multi-line strings (the description) as readable literal blocks."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def render() -> str:
    """The document as YAML text, exactly as committed."""
    return yaml.dump(build_document(), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate docs/asyncapi.yaml from the event contract.")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the committed document is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOCUMENT_PATH.read_text(encoding="utf-8") if DOCUMENT_PATH.exists() else None
        if current != text:
            print(f"{DOCUMENT_PATH} is out of date with services/common/contract/; "
                  "run `python -m services.common.asyncapi` and commit the result.", file=sys.stderr)
            return 1
        print(f"{DOCUMENT_PATH} is up to date.")
        return 0
    DOCUMENT_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOCUMENT_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DOCUMENT_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
