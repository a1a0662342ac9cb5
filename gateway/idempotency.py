"""`Idempotency-Key` on the POSTs that create: a client that sends the header may retry the same
request (a lost answer, a timeout) and gets the first answer, status and body, without the thing
being made twice; the same key with another request is refused (422). Keys are kept 24 hours by
the units service (services/units/idempotency.py), so every gateway replica sees one record per
key: of two requests with one key at once, on two gateways, one does the work and the other
waits for its answer (or, past IDEMPOTENCY_WAIT_SECONDS, is told to retry: 409 with Retry-After).

A route opts in with `@idempotent` under its `@api(...)`; the OpenAPI document then lists the
header. Only successes are kept: a refusal or a failure frees the key, so a retry runs again.

An upload opts in with `@idempotent(upload=<its largest file>)`: its fingerprint is over what was
sent, not over the bytes on the wire, so a client's retry that frames the same form with another
multipart boundary is the same request: the form's fields, and each file part's field name, file
name, media type and SHA-256. A file sent as the body is hashed as it is. A body over the route's
limit takes no key: the route refuses it (413) as it would without one. `replay_headers` gives a
replayed answer the headers the first one had (an import's Location)."""
from __future__ import annotations

import functools
import hashlib
import io
import logging
import time
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from .errors import ApiError, bad_request
from .uploads import MULTIPART_OVERHEAD

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEY_MAX = 200
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.2
DESCRIPTION = ("a key of your own (a UUID) that makes this POST safe to retry for 24 hours: the same key with "
               "the same request answers the first answer again (with Idempotent-Replayed: true) and creates "
               "nothing; with a different request it is refused (422)")
log = logging.getLogger(__name__)


Route = Callable[..., Response]


def idempotent(route: Route | None = None, *, upload: Callable[[Any], int] | None = None,
               replay_headers: Callable[[dict[str, Any]], dict[str, str]] | None = None) -> Any:
    """`@idempotent` for a JSON body; `@idempotent(upload=lambda service: most)` for a file."""
    def decorate(route: Route) -> Route:
        @functools.wraps(route)
        def with_key(service: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            key = request.headers.get(HEADER)
            if key is None:
                return route(service, request, *args, **kwargs)
            key = _checked(key)
            fingerprint = _fingerprint(request) if upload is None else _upload_fingerprint(request, upload(service))
            if fingerprint is None:  # over the limit: the route refuses it
                return route(service, request, *args, **kwargs)
            record = Record(service, request, key, fingerprint)
            first = record.claim()
            if first is not None:
                if replay_headers is not None:
                    first.headers.update(replay_headers(first.get_json()))
                return first
            try:
                response = route(service, request, *args, **kwargs)
            except BaseException:
                record.settle(None)
                raise
            record.settle(response if response.status_code < 300 else None)
            return response

        with_key.idempotent = True  # read by gateway/openapi.py
        return with_key

    return decorate if route is None else decorate(route)


class Record:
    """One request's key as the units service keeps it, for the caller who sent it."""

    def __init__(self, service: Any, request: Request, key: str, fingerprint: str):
        actor = getattr(request, "actor", None)
        self.units, self.key = service.units, key
        self.caller = f"{actor['role']}:{actor['username']}"[:80] if actor else "anonymous"
        self.fingerprint = fingerprint
        self.wait = float((service.config.get("GATEWAY") or {}).get("IDEMPOTENCY_WAIT_SECONDS", WAIT_SECONDS))

    def claim(self) -> Response | None:
        """None when this request is the first with the key (do it); else the first answer."""
        deadline = time.monotonic() + self.wait
        while True:
            state = self.units.claim_idempotency_key(self.caller, self.key, self.fingerprint)
            if state["state"] == "claimed":
                return None
            if state["state"] == "done":
                return Response(state["body"], status=state["status"], mimetype="application/json",
                                headers={REPLAYED: "true"})
            if time.monotonic() >= deadline:
                raise ApiError(409, "idempotency_pending", "同一个 Idempotency-Key 的请求正在处理中，请稍后用同一个键重试。",
                               headers={"Retry-After": "1"})
            time.sleep(POLL_SECONDS)

    def settle(self, response: Response | None) -> None:
        """Keep a success's answer; free the key otherwise."""
        try:
            if response is None:
                self.units.settle_idempotency_key(self.caller, self.key, self.fingerprint)
            else:
                self.units.settle_idempotency_key(self.caller, self.key, self.fingerprint, response.status_code,
                                                  response.get_data(as_text=True))
        except Exception:  # units did not answer: the key stays taken until it expires (24 h)
            log.warning("could not settle the Idempotency-Key %s of %s", self.key, self.caller, exc_info=True)


def _checked(key: str) -> str:
    key = key.strip()
    if not 1 <= len(key) <= KEY_MAX or not key.isascii() or not key.isprintable():
        raise bad_request("Idempotency-Key 须为 1 到 200 个可打印的 ASCII 字符（建议用 UUID）")
    return key


def _fingerprint(request: Request) -> str:
    """The request the key stands for: method, path, query and body."""
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _upload_fingerprint(request: Request, most: int) -> str | None:
    """An upload's request as its parts say it, or None when it is over `most` bytes. The file
    stays readable for the route: a form's parts are rewound, a body is put back."""
    if request.content_length is not None and request.content_length > most + MULTIPART_OVERHEAD:
        return None
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    if request.mimetype == "multipart/form-data":
        request.max_content_length = most + MULTIPART_OVERHEAD
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"field {name}={value}\n".encode())
        for name, part in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            content = hashlib.sha256()
            for chunk in iter(lambda: part.stream.read(64 * 1024), b""):
                content.update(chunk)
            part.stream.seek(0)
            digest.update(f"file {name} {part.filename} {part.mimetype} {content.hexdigest()}\n".encode())
        return digest.hexdigest()
    body = request.stream.read(most + 1)
    request.stream = io.BytesIO(body)  # what the route reads (more than `most` and it refuses)
    if len(body) > most:
        return None
    digest.update(f"body {request.mimetype}\n".encode())
    digest.update(body)
    return digest.hexdigest()
