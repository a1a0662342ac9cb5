"""Form posts: the body read within the gateway's size limit, the CSRF token checked, the
honeypot looked at, and the fields validated by a marshmallow schema (the same one the API
uses), with a Chinese message per field so the page can show the form again with the
sender's text kept and each message tied to its field."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, validate
from werkzeug.wrappers import Request

from ...errors import ApiError
from .csrf import FIELD as CSRF_FIELD

HONEYPOT = "website"  # hidden from people (CSS and aria-hidden); bots fill it in
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class FormRefused(ApiError):
    """A form that cannot be read at all (too large, not a form): a page with the status."""


def read_form(request: Request, max_bytes: int) -> dict[str, str]:
    """The posted fields (each a single value, stripped of surrounding white space)."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise FormRefused(413, "too_large", f"提交的内容太大（超过 {max_bytes // 1024} KB），请删减后再提交。")
    if request.mimetype not in FORM_TYPES:
        raise FormRefused(415, "unsupported_media_type", "请通过网页上的表单提交。")
    request.max_form_memory_size = max_bytes
    request.max_content_length = max_bytes
    try:
        form = request.form
    except Exception:  # werkzeug's 413 for a body over the limit without a length
        raise FormRefused(413, "too_large", f"提交的内容太大（超过 {max_bytes // 1024} KB），请删减后再提交。") from None
    return {key: form.get(key, "").strip() for key in form.keys()}


def is_bot(form: dict[str, str]) -> bool:
    """The honeypot was filled in: drop the post without saying so."""
    return bool(form.get(HONEYPOT))


def _message(schema: Schema, name: str, value: Any, labels: dict[str, str]) -> str:
    label = labels.get(name, name)
    field = schema.fields.get(name)
    if value in (None, ""):
        return f"请填写{label}。"
    for validator in getattr(field, "validators", ()):
        if isinstance(validator, validate.Length) and validator.max is not None and len(str(value)) > validator.max:
            return f"{label}最多 {validator.max} 字，现在有 {len(str(value))} 字，请删减。"
        if isinstance(validator, validate.Length) and validator.min and len(str(value)) < validator.min:
            return f"{label}至少 {validator.min} 字。"
        if isinstance(validator, validate.OneOf):
            return f"请从给出的选项中选择{label}。"
    return f"{label}的格式不正确，请检查后再填。"


def validate_form(schema: Schema, data: dict[str, Any], labels: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(the loaded data, {}) or ({}, {field: Chinese message}) for the fields in `labels`
    (unknown fields are never passed to the schema)."""
    try:
        return schema.load(data), {}
    except ValidationError as exc:
        errors = exc.messages if isinstance(exc.messages, dict) else {}
        return {}, {name: _message(schema, name, data.get(name), labels) for name in errors} or {
            "_": "提交的内容不正确，请检查后再提交。"}


__all__ = ["CSRF_FIELD", "HONEYPOT", "FormRefused", "is_bot", "read_form", "validate_form"]
