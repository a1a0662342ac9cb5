"""The OpenAPI 3.1 document of the gateway, generated from the routes themselves: their
rules, the request schemas they validate with, their docstrings and the policy table, so
the document cannot drift from the code."""
from __future__ import annotations

import re
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from . import answers, idempotency, openapi_headers, openapi_webhooks, params, policy
from .errors import PROBLEM_JSON
from .http import ApiEndpoint

ERROR_STATUSES = {"400": "The request is not valid; details say which fields.",
                  "401": "Sign in first, or the token is not valid.",
                  "403": "Your role or unit may not do this.",
                  "404": "Nothing is there.",
                  "409": "The thing is not in a state that allows this.",
                  "413": "The body is too large.",
                  "414": "The URL is too long.",
                  "415": "Send JSON with Content-Type: application/json.",
                  "422": "The uploaded file has problems; the report lists them by row.",
                  "429": "Too many requests; wait the seconds Retry-After says.",
                  "500": "Something went wrong on our side; quote the request id.",
                  "503": "A service did not answer in time; try again shortly."}
JSON = "application/json"
SUBSCRIBER = "subscriber"  # the role an API key (X-API-Key) signs in as
CONVERTER = re.compile(r"<(?:([^:>]+):)?([^>]+)>")


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "a stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "what went wrong, for a person to read"})
    details = fields.Dict(required=True, metadata={"description": "per-field problems, when there are any"})


class ErrorEnvelope(Schema):
    error = fields.Nested(ErrorBody, required=True)
    request_id = fields.String(required=True, metadata={"description": "quote it when asking for help"})


class Problem(Schema):
    """RFC 9457, when the request's Accept names application/problem+json."""
    type = fields.String(required=True, metadata={"description": "urn:gongkai:problem:<code>"})
    title = fields.String(required=True, metadata={"description": "what kind of refusal, for a person (per status)"})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "what went wrong, in Chinese (Accept-Language: "
                                                                   "en for English)"})
    instance = fields.String(required=True, metadata={"description": "urn:gongkai:request:<request id>"})
    code = fields.String(required=True, metadata={"description": "the envelope's stable code"})
    request_id = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "the envelope's details: the problems by field of the body (or "
                                                 "under `fields`, and `query` for the query's), or what else the "
                                                 "refusal says"})


def _path_and_parameters(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []

    def replace(match: re.Match) -> str:
        converter, name = match.group(1) or "string", match.group(2)
        parameters.append({"name": name, "in": "path", "required": True,
                           "schema": params.openapi_schema(converter)})
        return "{" + name + "}"

    return CONVERTER.sub(replace, rule), parameters


def _operation(endpoint: ApiEndpoint, method: str, name: str, handler: Any) -> dict[str, Any]:
    path, parameters = _path_and_parameters(endpoint.url)
    if endpoint.query is not None:  # expanded by apispec into one parameter per field
        parameters.append({"in": "query", "schema": endpoint.query})
    if getattr(handler, "idempotent", False):
        parameters.append({"name": idempotency.HEADER, "in": "header", "required": False,
                           "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.KEY_MAX},
                           "description": idempotency.DESCRIPTION})
    doc = (handler.__doc__ or "").strip()
    summary = doc.splitlines()[0] if doc else name.replace("_", " ")
    roles = policy.allowed_roles(method, endpoint.url)
    operation: dict[str, Any] = {
        "operationId": f"{name}_{method.lower()}" if "," in endpoint.method else name,
        "summary": summary, "tags": [path.split("/")[3] if path.startswith("/api/v1/") else "health"],
        "parameters": parameters,
        "responses": {**_successes(endpoint, method, getattr(handler, "idempotent", False)),
                      **_failures(method, endpoint.url)},
        "x-roles": sorted(roles),
    }
    if policy.ANONYMOUS not in roles:  # a public route takes either, or none
        operation["security"] = _security(roles)
    if doc and len(doc.splitlines()) > 1:
        operation["description"] = doc
    if isinstance(endpoint.body, tuple):  # an upload: the file as the body, or a form's `file`
        binary = {"schema": {"type": "string", "contentEncoding": "binary"}}
        operation["requestBody"] = {"required": True, "content": {
            **{media_type: binary for media_type in endpoint.body},
            "multipart/form-data": {"schema": {"type": "object", "properties": {"file": binary["schema"]}}}}}
    elif endpoint.body is not None and method in ("POST", "PUT", "PATCH"):
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": endpoint.body}}}
    return operation


def _failures(method: str, rule: str) -> dict[str, Any]:
    """Every refusal in the error envelope, unless the route answers a status with its own shape."""
    own = answers.FAILURES.get((method, rule), {})
    return {status: {"description": text, "headers": openapi_headers.refs(), "content": {JSON: {"schema": own.get(
        status) or {"$ref": "#/components/schemas/ErrorEnvelope"}}, PROBLEM_JSON: {"schema": {
            "$ref": "#/components/schemas/Problem"}}}} for status, text in ERROR_STATUSES.items()}


def _security(roles: frozenset[str]) -> list[dict[str, list]]:
    """A bearer token, or an API key where the policy lets a subscriber in."""
    return [{"bearer": []}] + ([{"apiKey": []}] if SUBSCRIBER in roles else [])


def _successes(endpoint: ApiEndpoint, method: str, idempotent: bool) -> dict[str, Any]:
    """A POST answers 201 when it creates and 200 when it acts; both are listed. A route that takes
    an Idempotency-Key may answer a retry with Idempotent-Replayed."""
    replayed = (idempotency.REPLAYED,) if idempotent else ()
    if endpoint.status == 204:
        return {"204": {"description": "done; no content", "headers": openapi_headers.refs(*replayed)}}
    content = {media_type: {"schema": _answer(method, endpoint.url, media_type)} for media_type in endpoint.produces}
    if endpoint.status == 202:  # taken on as a job: the answer is the job, Location where to follow it
        return {"202": {"description": "accepted; follow the job at Location", "content": content,
                        "headers": openapi_headers.refs(openapi_headers.LOCATION, *replayed)}}
    statuses = ("200", "201") if method == "POST" else ("200",)
    return {status: {"description": "done", "content": content, "headers": openapi_headers.refs(*replayed)}
            for status in statuses}


def _answer(method: str, rule: str, media_type: str) -> Any:
    """JSON by the route's answer schema (gateway/answers), a page as text, anything else as bytes."""
    if media_type == JSON:
        return answers.answer_of(method, rule)
    if media_type.startswith("text/html"):
        return {"type": "string"}
    return {"type": "string", "contentEncoding": "binary"}


@cache
def build(service_cls: type) -> dict[str, Any]:
    plugin = MarshmallowPlugin()
    spec = APISpec(title="Gongkai API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[plugin],
                   info={"description": "党务公开: the county's Party-affairs disclosure programme. Every failure "
                                        "answers with the error envelope, or as application/problem+json "
                                        "(RFC 9457) when Accept asks for it; lists take limit and cursor."})
    plugin.map_to_openapi_type(params.DayOrAll, fields.String)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                               "description": "POST /api/v1/auth/token gives one"})
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                               "description": "another county system's key (the subscriber role), "
                                                              "made by the administrator: POST /api/v1/api-keys"})
    spec.components.schema("ErrorEnvelope", schema=ErrorEnvelope)
    spec.components.schema("Problem", schema=Problem)
    for name, header in openapi_headers.COMPONENTS.items():
        spec.components.header(name, header)
    paths: dict[str, dict[str, Any]] = {}
    for name in sorted(dir(service_cls)):
        handler = getattr(service_cls, name)
        for endpoint in getattr(handler, "nameko_entrypoints", ()):
            if (not isinstance(endpoint, ApiEndpoint) or endpoint.url == policy.CATCH_ALL
                    or not getattr(endpoint, "in_openapi", True)):  # web pages are not the API
                continue
            path, _ = _path_and_parameters(endpoint.url)
            for method in endpoint.method.split(","):
                paths.setdefault(path, {})[method.lower()] = _operation(endpoint, method, name, handler)
    for path in sorted(paths):
        spec.path(path=path, operations=paths[path])
    document = spec.to_dict()
    hooks, schemas = openapi_webhooks.webhooks()
    document["webhooks"] = hooks
    document["components"]["schemas"].update(schemas)
    return document


DOCS_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Gongkai API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .3em}h2{margin-top:2rem;border-bottom:1px solid #ddd}
.m{display:inline-block;width:4.5rem;font-weight:bold}.roles{color:#666;font-size:90%}</style></head>
<body><h1>Gongkai API</h1><p>The machine-readable document: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<div id="paths">Loading…</div>
<script>
fetch('/api/v1/openapi.json').then(r => r.json()).then(doc => {
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops))
    (byTag[op.tags[0]] = byTag[op.tags[0]] || []).push([method, path, op]);
  const esc = s => String(s).replace(/[&<>]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;'}[c]));
  document.getElementById('paths').innerHTML = Object.entries(byTag).map(([tag, ops]) =>
    '<h2>' + esc(tag) + '</h2>' + ops.map(([m, p, op]) => '<p><span class="m">' + m.toUpperCase() +
    '</span><code>' + esc(p) + '</code> ' + esc(op.summary) + ' <span class="roles">(' +
    esc(op['x-roles'].join(', ')) + ')</span></p>').join('')).join('');
});
</script></body></html>"""
