"""One error envelope for every failure. A typed error (services.common.errors, raised here
or by a service and carried back over RPC as itself) says its own status and code."""
from __future__ import annotations

import json
import logging
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from services.common import i18n
from services.common.errors import DomainError

log = logging.getLogger(__name__)


class ApiError(DomainError):
    """An error raised by the gateway itself, with any status and headers."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message, details)
        self.status, self.code, self.headers = status, code, headers or {}


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="gongkai"'})


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def bad_request(message: str, details: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, "invalid_input", message, details)


def in_language(value: Any, language: str) -> Any:
    """Every text in a value (a message, a list of them, a dict of them by field) in the language."""
    if isinstance(value, str):
        return i18n.translate(value, language)
    if isinstance(value, list):
        return [in_language(one, language) for one in value]
    if isinstance(value, dict):
        return {key: in_language(one, language) for key, one in value.items()}
    return value


def envelope(status: int, code: str, message: str, request_id: str,
             details: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
             language: str = i18n.DEFAULT) -> Response:
    """The envelope; its message and the validation messages in its details (by field of the
    body, `fields`, or of the query, `query`) in zh-CN (or English for `language` en) from the
    catalogues of services/common/i18n.py, its code and the field names never translated."""
    details = {key: in_language(value, language) if key in ("fields", "query") else value
               for key, value in (details or {}).items()}
    body = {"error": {"code": code, "message": i18n.translate(message, language), "details": details},
            "request_id": request_id}
    return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers,
                    mimetype="application/json")


def response_for(exc: BaseException, request_id: str, language: str = i18n.DEFAULT) -> Response:
    if isinstance(exc, DomainError):
        return envelope(exc.status, exc.code, exc.message, request_id, exc.details, getattr(exc, "headers", None),
                        language)
    if isinstance(exc, HTTPException):
        return envelope(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description or exc.name,
                        request_id, language=language)
    log.error("request %s failed", request_id, exc_info=(type(exc), exc, exc.__traceback__))
    return envelope(500, "internal", "something went wrong on our side; quote the request id", request_id,
                    language=language)
