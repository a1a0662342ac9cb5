"""Templates and static files: one Jinja2 Environment with autoescape on for every template,
Chinese dates in the county's time zone, and our own CSS under a content-hashed URL."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.wrappers import Response

from services.common import i18n
from services.common.workdays import COUNTY_TIMEZONE

HERE = Path(__file__).resolve().parents[2]  # gateway/
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}
HTML = "text/html"
WEEKDAYS = "一二三四五六日"


def _moment(value: Any) -> datetime | date | None:
    """A date, or an aware datetime in the county's time zone, from what services send (ISO text)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.replace("Z", "+00:00")
        value = datetime.fromisoformat(text) if ("T" in text or " " in text) else date.fromisoformat(text)
    if isinstance(value, datetime):
        if value.tzinfo is None:  # services store UTC without a zone
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(COUNTY_TIMEZONE)
    return value


def cn_date(value: Any) -> str:
    """2026年12月1日, the county's calendar day of a date or an instant."""
    moment = _moment(value)
    if moment is None:
        return ""
    day = moment.date() if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(value: Any) -> str:
    """2026年12月1日 14:05, in the county's time zone."""
    moment = _moment(value)
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return cn_date(moment)
    return f"{cn_date(moment)} {moment:%H:%M}"


def cn_weekday(value: Any) -> str:
    moment = _moment(value)
    return "" if moment is None else f"星期{WEEKDAYS[moment.weekday()]}"


def short_name(name: str) -> str:
    """A unit's name as people say it: 中共集美街道工作委员会 → 集美街道, 中共东山镇委员会 → 东山镇."""
    text = name.removeprefix("中共")
    for tail in ("工作委员会", "委员会", "党委"):
        if text.endswith(tail) and len(text) > len(tail):
            return text.removesuffix(tail)
    return text


def percent(value: Any) -> str:
    return "—" if value is None else f"{round(float(value) * 100)}%"


@cache
def static_version(name: str) -> str:
    """A short hash of a static file's bytes: its URL changes whenever the file does, so the
    file can be cached for a year."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(cn_date=cn_date, cn_datetime=cn_datetime, cn_weekday=cn_weekday, percent=percent, short_name=short_name,
                       message=i18n.translate)  # a message a service wrote (a trail's step), in Chinese
    env.globals.update(static_url=static_url)
    return env


def render_text(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render(template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Response:
    """A page from a template, as text/html; every value is escaped unless a template says otherwise."""
    return Response(render_text(template, **context), status=status, headers=headers, mimetype=HTML)


def static_file(name: str) -> tuple[bytes, str] | None:
    """The bytes and type of a file under gateway/static/, or None for anything else (no
    directories, nothing outside it)."""
    path = STATIC / name
    if "/" in name or name.startswith(".") or path.suffix not in STATIC_TYPES or not path.is_file():
        return None
    return path.read_bytes(), STATIC_TYPES[path.suffix]
