"""Every JSON answer is described field by field: no success answer of the OpenAPI document is
an open object (`additionalProperties: true`) or a list of untyped items, and each property has a
type. The live contract test (test_openapi_answers.py) checks the running county against them."""
from __future__ import annotations

from functools import cache

from gateway import answers
from gateway.openapi import build
from gateway.service import GatewayService


# free-form by design: an event's payload (typed per event type under `webhooks`) and the parts of
# the OpenAPI document itself (described by the OpenAPI 3.1 schema)
FREE_FORM = {"Envelope.payload[]", "OpenApiDocument.paths[][]", "OpenApiDocument.components[][]",
             "OpenApiDocument.webhooks[][]"}


@cache
def document() -> dict:
    return build(GatewayService)


def _problems(schema: dict, components: dict, where: str, seen: set[str]) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        seen.add(name)
        return _problems(components[name], components, name, seen)
    found = []
    if schema.get("additionalProperties") is True:
        found.append(f"{where}: an open object")
    if "type" not in schema and not {"$ref", "oneOf", "anyOf", "allOf"} & set(schema) and where not in FREE_FORM:
        found.append(f"{where}: no type")
    types = schema.get("type")
    if types == "array" or (isinstance(types, list) and "array" in types):
        if not schema.get("items") and where not in FREE_FORM:
            found.append(f"{where}: untyped items")
    for name, prop in (schema.get("properties") or {}).items():
        found += _problems(prop, components, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += _problems(schema[key], components, f"{where}[]", seen)
    return found


def test_every_success_answer_is_described_field_by_field():
    doc = document()
    components = doc["components"]["schemas"]
    problems = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2"):
                    continue
                for media_type, content in response.get("content", {}).items():
                    if media_type.endswith("json"):
                        problems += _problems(content["schema"], components, f"{method.upper()} {path}", set())
    assert not problems, problems


def test_no_answer_schema_takes_unknown_fields():
    open_ones = [f"{method} {rule}" for (method, rule), schema in answers.ANSWERS.items()
                 if schema.Meta.__dict__.get("unknown") == "include"]
    assert not open_ones, open_ones
