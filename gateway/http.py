"""The gateway's HTTP entrypoint: request ids, rate limits, CORS and security headers, body
limits, JSON in and out, and every failure turned into the one error envelope."""
from __future__ import annotations

import base64
import heapq
import json
import logging
import uuid
from functools import partial
from typing import Any, Callable

from eventlet.event import Event
from marshmallow import Schema, ValidationError
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from services.common import i18n, logs, tracing
from services.common.errors import DomainError

from . import params, policy
from .audit_entry import entry_for
from .auth import actor_from_request
from .cors import Cors, flag
from .errors import ApiError, bad_request, response_for, wants_problem
from .ratelimit import RateLimiter, buckets, limiter_from_config
from .wsgi_protocol import NoDelayProtocol

REQUEST_ID_HEADER = "X-Request-ID"
ROUTED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
URL_LENGTH_LIMIT = 16 * 1024  # bytes of the request line (eventlet's default is 8 KB)

log = logging.getLogger(__name__)


class Edge:
    """What every route of one gateway shares: its rate limiter (one set of buckets per
    process, not per route) and its CORS and header settings."""

    def __init__(self, gateway: dict[str, Any]):
        self.limiter: RateLimiter = limiter_from_config(gateway)
        self.cors = Cors(gateway.get("CORS_ORIGINS"), gateway.get("HSTS"))
        self.trust_proxy = flag(gateway.get("TRUST_PROXY"))

    def address(self, request: Request) -> str:
        """The caller's address. X-Forwarded-For is forged at will, so it counts only behind our
        own proxy, whose entry is the last."""
        forwarded = request.headers.get("X-Forwarded-For", "") if self.trust_proxy else ""
        return (forwarded.split(",")[-1].strip() or request.remote_addr or "unknown")[:64]

    def client(self, request: Request, actor: dict[str, Any] | None) -> str:
        """Whom a rate limit counts: the signed-in name, else the address."""
        if actor is not None:
            return f"user:{actor['username']}"
        return f"addr:{self.address(request)}"


def edge_of(container: Any) -> Edge:
    """The container's one Edge, kept on the container so it lives and dies with it."""
    edge = getattr(container, "gongkai_edge", None)
    if edge is None:
        edge = Edge(container.config.get("GATEWAY") or {})
        container.gongkai_edge = edge
    return edge


def request_id_of(request: Request) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if 0 < len(given) <= 64 and given.replace("-", "").replace("_", "").isalnum():
        return given
    return str(uuid.uuid4())


class ApiWsgiApp(WsgiApp):
    """nameko's WSGI app, but a request no route matches (an unroutable path, a method no
    route takes) also leaves as the envelope, not werkzeug's HTML page. A path parameter out
    of its converter's bounds (an id past 2³¹−1, say) is a 404 like any path that is not there:
    werkzeug stops at the rule whose converter refused, whatever its method."""

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)  # shallow until the route reads it, as nameko does
        try:
            provider, request.path_values = self.url_map.bind_to_environ(environ).match()
        except HTTPException as exc:
            request_id = request_id_of(request)
            if isinstance(exc, (NotFound, MethodNotAllowed)) and request.method in ROUTED_METHODS:
                exc = ApiError(404, "not_found", f"这个地址没有内容：{request.path}")
            response = response_for(exc, request_id, i18n.language_of(request.headers.get("Accept-Language")),
                                    wants_problem(request.headers.get("Accept")))
            response.headers[REQUEST_ID_HEADER] = request_id
        else:
            response = provider.handle_request(request)
        return response(environ, start_response)


class ApiWebServer(WebServer):
    def get_wsgi_app(self) -> WsgiApp:
        return ApiWsgiApp(self)

    def get_wsgi_server(self, sock, wsgi_app, *args: Any, **kwargs: Any):
        """eventlet's server, its request line allowed URL_LENGTH_LIMIT bytes (a search of a thousand
        Chinese characters, 9 KB encoded, reaches the page that says it is too long, instead of a
        bare 414), its connections without Nagle's delay (gateway/wsgi_protocol.py)."""
        server = super().get_wsgi_server(sock, wsgi_app, *args, **{"protocol": NoDelayProtocol, **kwargs})
        server.url_length_limit = URL_LENGTH_LIMIT
        return server

    def make_url_map(self) -> Map:
        """nameko's map, with the bounded converters of gateway/params.py."""
        url_map = Map(converters=params.CONVERTERS)
        for provider in self._providers:
            rule = provider.get_url_rule()
            rule.endpoint = provider
            url_map.add(rule)
        return url_map


class ApiEndpoint(HttpRequestHandler):
    """An HTTP route that is authorised by the policy table before any worker runs, whose
    worker sees the request id as the correlation id of everything it causes, and whose
    errors all leave as the envelope."""

    server = ApiWebServer()

    def __init__(self, method: str, url: str, body: Any = None, query: type[Schema] | None = None,
                 produces: tuple[str, ...] = ("application/json",), status: int | None = None, **kwargs: Any):
        """`body` (a request schema, or the media types of an uploaded file), `query` (the
        route's query schema, from gateway/params.py's fields), `produces` (the content types
        of a success) and `status` (when a success is not 200/201) describe the route for the
        OpenAPI document. The query is validated here before the worker runs and handed to
        the route as `request.params`; a body is validated by the route (json_body)."""
        kwargs.setdefault("expected_exceptions", DomainError)  # refusals, logged as such
        super().__init__(method, url, **kwargs)
        self.body, self.query, self.produces, self.status = body, query, produces, status
        self.query_schema = query() if query is not None else None

    def setup(self) -> None:
        for method in self.method.split(","):
            policy.allowed_roles(method, self.url)  # a route without a policy does not start
        self.secret = self.container.config["GATEWAY"]["JWT_SECRET"]
        self.edge = edge_of(self.container)
        super().setup()

    def handle_request(self, request: Request) -> Response:
        request.shallow = False
        request_id = request_id_of(request)
        request.traceparent = tracing.child(request.headers.get(tracing.HEADER))  # the caller's trace, or a new one
        bound, traced = logs.bind(request_id), logs.bind_trace(request.traceparent)
        origin = request.headers.get("Origin")
        try:
            try:
                response = self.preflight(origin) if request.method == "OPTIONS" else self.call(request, request_id)
            except Exception as exc:
                response = response_for(exc, request_id, i18n.language_of(request.headers.get("Accept-Language")),
                                        wants_problem(request.headers.get("Accept")))
            if response.status_code >= 400:
                log.info("%s %s answered %s", request.method, request.path, response.status_code)
            response.headers[REQUEST_ID_HEADER] = request_id
            # the trace this answer belongs to, with the gateway's span: as traceparent (what the
            # caller sends to continue it) and as the Level 2 draft's traceresponse
            response.headers[tracing.HEADER] = response.headers[tracing.RESPONSE_HEADER] = request.traceparent
            return self.edge.cors.decorate(response, origin, request.path)
        finally:
            logs.unbind_trace(traced)
            logs.unbind(bound)

    def call(self, request: Request, request_id: str) -> Response:
        """Rate limit (by who the caller is, even when their token is refused), then the
        policy, then the worker."""
        try:
            actor, refused = self.caller_of(request), None
        except ApiError as exc:
            actor, refused = None, exc
        request.actor = actor  # whom the worker and the audit entry see (pages also read a session)
        request.client_address = self.edge.address(request)  # a sign-in's failures and a scan's reader count per address
        try:
            self.limit(request, actor)
            if refused is not None:
                raise refused
            policy.authorize(request.method, self.url, actor)
            self.admit(request, actor)
        except ApiError as exc:
            self.audit_refusal(request, actor, exc.status, request_id)
            raise
        request.params = params.load_query(self.query_schema, request.args) if self.query_schema else {}
        context_data = {**self.server.context_data_from_headers(request), "correlation_id": request_id,
                        tracing.HEADER: request.traceparent}
        args, kwargs = self.get_entrypoint_parameters(request)
        self.check_signature(args, kwargs)
        done = Event()
        self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                    handle_result=partial(self.handle_result, done))
        return self.response_from_result(done.wait())

    def caller_of(self, request: Request) -> dict[str, Any] | None:
        """Who calls: a bearer token or an API key (pages add the browser's session, gateway/pages/kit/session.py)."""
        return actor_from_request(request.headers, self.secret)

    def admit(self, request: Request, actor: dict[str, Any] | None) -> None:
        """A last check before the worker, refused requests audited like the policy's (pages: CSRF)."""

    def audit_refusal(self, request: Request, actor: dict[str, Any] | None, status: int, request_id: str) -> None:
        """Hand a refused state-changing request to the service's refusal auditor, if it has
        one, without waiting for it."""
        entry = entry_for(request, self.url, actor, status, request_id)
        auditor = next((e for e in self.container.entrypoints if getattr(e, "audits_refusals", False)), None)
        if entry is not None and auditor is not None:
            self.container.spawn_worker(auditor, (entry,), {}, context_data={
                "correlation_id": request_id, tracing.HEADER: request.traceparent})

    def limit(self, request: Request, actor: dict[str, Any] | None) -> None:
        for client, kind in buckets(request, self.edge.client(request, actor), self.edge.address(request)):
            wait = self.edge.limiter.check(client, kind)
            if wait is not None:
                raise ApiError(429, "rate_limited", f"too many {kind} requests; try again later",
                               headers={"Retry-After": RateLimiter.retry_after(wait)})

    def preflight(self, origin: str | None) -> Response:
        """A CORS preflight needs no token and runs no worker: 204 for an allowed origin,
        403 for another; a plain OPTIONS (no Origin) just lists the methods."""
        if origin and not self.edge.cors.allows(origin):
            raise ApiError(403, "forbidden", "cross-origin requests from this origin are not allowed")
        response = Response(status=204, headers={"Allow": "GET, POST, PUT, PATCH, DELETE, OPTIONS"})
        return self.edge.cors.preflight(response) if origin else response


api = ApiEndpoint.decorator


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status, mimetype="application/json")


def json_body(request: Request, schema: Schema, max_bytes: int) -> dict[str, Any]:
    """The request's JSON body, validated; 413, 415 or 400 in the envelope otherwise."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, "too_large", f"the body is over {max_bytes} bytes")
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "send JSON with Content-Type: application/json")
    raw = request.get_data(cache=False)
    if len(raw) > max_bytes:
        raise ApiError(413, "too_large", f"the body is over {max_bytes} bytes")
    try:
        data = json.loads(raw or b"null")
    except ValueError:
        raise bad_request("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise bad_request("the body must be a JSON object")
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise bad_request("some fields are not valid", exc.messages) from None


def encode_cursor(value: Any) -> str | None:
    if value is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise bad_request("the cursor is not one this API gave out") from None


def page(result: dict[str, Any]) -> dict[str, Any]:
    """A service's page ({items, next}) as the API shows it, with an opaque cursor."""
    return {"items": result["items"], "next_cursor": encode_cursor(result["next"])}


def merged_page(streams: dict[str, list[dict[str, Any]]], key: Callable[[dict[str, Any]], Any], limit: int,
                positions: dict[str, int]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One page from several services' lists, each already in id order after its position:
    merged by `key`, taking from each only a prefix, so the position of each (the last id
    taken) skips nothing. Returns the rows and the new positions."""
    merged = heapq.merge(*([{**row, "_source": name} for row in rows] for name, rows in streams.items()), key=key)
    positions, taken = dict(positions), []
    for row in merged:
        if len(taken) == limit:
            break
        source = row.pop("_source")
        positions[source] = row["id"]
        taken.append({**row, "source": source})
    return taken, positions


def positions_of(cursor: str | None, sources: tuple[str, ...]) -> dict[str, int]:
    """The per-source positions a merged list's cursor holds."""
    positions = decode_cursor(cursor) or {}
    if not isinstance(positions, dict) or not all(
            name in sources and type(value) is int and value >= 0 for name, value in positions.items()):
        raise bad_request("the cursor is not one this API gave out")
    return positions
