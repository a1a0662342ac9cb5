"""One error envelope for every failure. A typed error (services.common.errors, raised here
or by a service and carried back over RPC as itself) says its own status and code."""
from __future__ import annotations

import json
import logging
from typing import Any

from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Response

from services.common import i18n
from services.common.errors import DomainError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "urn:gongkai:problem:"  # + the envelope's code: a stable name, not a page to fetch
TITLES = {400: "请求有误", 401: "需要登录", 403: "无权操作", 404: "没有找到", 409: "当前状态不允许这样做",
          413: "内容过大", 414: "地址过长", 415: "不支持的内容类型", 422: "无法处理", 429: "请求过于频繁",
          500: "系统内部错误", 503: "服务暂时不可用"}


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


def problem(status: int, code: str, message: str, request_id: str, details: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None, language: str = i18n.DEFAULT) -> Response:
    """The same refusal as an RFC 9457 problem document, for a client that asks for
    application/problem+json: type (a URN per code), title (per status), status, detail (the
    message), instance (the request), and as extension members the code, the request id and
    `errors`: the envelope's details, every message in the language (the per-field problems by
    field name, or under `fields` and `query`)."""
    body: dict[str, Any] = {
        "type": f"{PROBLEM_TYPE}{code}", "title": i18n.translate(TITLES.get(status, "请求未能完成"), language),
        "status": status, "detail": i18n.translate(message, language), "instance": f"urn:gongkai:request:{request_id}",
        "code": code, "request_id": request_id}
    if details:
        body["errors"] = in_language(details, language)
    return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers, mimetype=PROBLEM_JSON)


def wants_problem(accept: str | None) -> bool:
    """Whether the Accept header asks for application/problem+json by name, at least as much as
    for application/json; our envelope stays the answer otherwise."""
    asked = parse_accept_header(accept or "", MIMEAccept)
    quality = {value.lower(): q for value, q in asked}
    return quality.get(PROBLEM_JSON, 0) > 0 and quality.get(PROBLEM_JSON, 0) >= quality.get("application/json", 0)


def response_for(exc: BaseException, request_id: str, language: str = i18n.DEFAULT,
                 as_problem: bool = False) -> Response:
    """The refusal in the envelope, or as a problem document (`as_problem`, see wants_problem)."""
    render = problem if as_problem else envelope
    if isinstance(exc, DomainError):
        return render(exc.status, exc.code, exc.message, request_id, exc.details, getattr(exc, "headers", None),
                      language)
    if isinstance(exc, HTTPException):
        return render(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description or exc.name,
                      request_id, language=language)
    log.error("request %s failed", request_id, exc_info=(type(exc), exc, exc.__traceback__))
    return render(500, "internal", "something went wrong on our side; quote the request id", request_id,
                  language=language)
