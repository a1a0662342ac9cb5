"""One error envelope for every failure, and one table from typed errors to HTTP status."""
from __future__ import annotations

import json
import logging
from typing import Any

from nameko.exceptions import RemoteError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error raised by the gateway itself."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details or {}, headers or {}


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="gongkai"'})


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def bad_request(message: str, details: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, "invalid_input", message, details)


# Typed errors of the services (services.common.errors), by the class name nameko carries.
SERVICE_ERRORS: dict[str, tuple[int, str]] = {
    "InvalidInput": (400, "invalid_input"),
    "Forbidden": (403, "forbidden"),
    "NotFound": (404, "not_found"),
    "Conflict": (409, "conflict"),
}


def envelope(status: int, code: str, message: str, request_id: str,
             details: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or {}}, "request_id": request_id}
    return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers,
                    mimetype="application/json")


def response_for(exc: BaseException, request_id: str) -> Response:
    if isinstance(exc, ApiError):
        return envelope(exc.status, exc.code, exc.message, request_id, exc.details, exc.headers)
    if isinstance(exc, RemoteError) and exc.exc_type in SERVICE_ERRORS:
        status, code = SERVICE_ERRORS[exc.exc_type]
        return envelope(status, code, exc.value, request_id)
    if isinstance(exc, HTTPException):
        return envelope(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description or exc.name,
                        request_id)
    log.error("request %s failed", request_id, exc_info=(type(exc), exc, exc.__traceback__))
    return envelope(500, "internal", "something went wrong on our side; quote the request id", request_id)
