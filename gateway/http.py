"""The gateway's HTTP entrypoint: request ids, body limits, JSON in and out, and every
failure turned into the one error envelope."""
from __future__ import annotations

import base64
import json
import uuid
from functools import partial
from typing import Any

from eventlet.event import Event
from marshmallow import Schema, ValidationError
from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Request, Response

from . import policy
from .auth import actor_from_request
from .errors import ApiError, bad_request, response_for

REQUEST_ID_HEADER = "X-Request-ID"


def request_id_of(request: Request) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if 0 < len(given) <= 64 and given.replace("-", "").replace("_", "").isalnum():
        return given
    return str(uuid.uuid4())


class ApiEndpoint(HttpRequestHandler):
    """An HTTP route that is authorised by the policy table before any worker runs, whose
    worker sees the request id as the correlation id of everything it causes, and whose
    errors all leave as the envelope."""

    def __init__(self, method: str, url: str, body: Any = None, query: tuple[str, ...] = (), **kwargs: Any):
        """`body` (a request schema, or "file" for an upload) and `query` (parameter names)
        describe the route for the OpenAPI document; validation happens in the route."""
        super().__init__(method, url, **kwargs)
        self.body, self.query = body, query

    def setup(self) -> None:
        for method in self.method.split(","):
            policy.allowed_roles(method, self.url)  # a route without a policy does not start
        self.secret = self.container.config["GATEWAY"]["JWT_SECRET"]
        super().setup()

    def handle_request(self, request: Request) -> Response:
        request.shallow = False
        request_id = request_id_of(request)
        try:
            policy.authorize(request.method, self.url, actor_from_request(request.headers, self.secret))
            context_data = {**self.server.context_data_from_headers(request), "correlation_id": request_id}
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            done = Event()
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=partial(self.handle_result, done))
            response = self.response_from_result(done.wait())
        except Exception as exc:
            response = response_for(exc, request_id)
        response.headers[REQUEST_ID_HEADER] = request_id
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cache-Control", "no-store")
        return response


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


def page_limit(request: Request, default: int = 50, maximum: int = 200) -> int:
    raw = request.args.get("limit", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise bad_request(f"limit must be a whole number from 1 to {maximum}")
    return int(raw)


def page(result: dict[str, Any]) -> dict[str, Any]:
    """A service's page ({items, next}) as the API shows it, with an opaque cursor."""
    return {"items": result["items"], "next_cursor": encode_cursor(result["next"])}
