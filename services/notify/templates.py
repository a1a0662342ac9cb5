"""Chinese message templates (Jinja2), one file per (event, channel) under templates/:
`<Event>.email.j2` (its first line is the subject, the rest the body), `<Event>.sms.j2`, and
`<Event>.wecom.j2` / `<Event>.dingtalk.j2` where a robot's message differs from the SMS one
(otherwise the robots take the SMS text). The in-app inbox shows the email's subject and body.
Times are shown in the county's time zone (the `county_time` filter), never in UTC."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2

from services.common.i18n import term
from services.common.workdays import COUNTY_TIMEZONE

DIRECTORY = Path(__file__).resolve().parent / "templates"
FALLBACK = {"wecom": "sms", "dingtalk": "sms", "inbox": "email"}
INSPECTION_KINDS = {"routine": "例行检查", "special": "专项检查", "random": "随机抽查"}


class TemplateError(ValueError):
    """A template that is missing or does not render; the message names it."""


def county_time(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(COUNTY_TIMEZONE).strftime(fmt)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def short(text: Any, most: int = 60) -> str:
    text = str(text)
    return text if len(text) <= most else text[:most - 1] + "…"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DIRECTORY)), undefined=jinja2.StrictUndefined,
                             autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                             auto_reload=True)
    env.filters.update(county_time=county_time, short=short, kind=lambda k: term("feedback_kind", k),
                       target=lambda k: term("feedback_target", k),
                       dimension=lambda d: term("dimension", d),
                       inspection_kind=lambda k: INSPECTION_KINDS.get(k, k), join=lambda xs, sep="、": sep.join(map(str, xs)))
    return env


ENV = _environment()


def file_for(event_type: str, channel: str, audience: str = "") -> str | None:
    """The template of (event, channel); `audience` "sender" picks the feedback sender's own
    (`<Event>.sender.<channel>.j2`), written for a villager rather than an official."""
    stem = f"{event_type}.{audience}" if audience else event_type
    for candidate in (channel, FALLBACK.get(channel)):
        if candidate and (DIRECTORY / f"{stem}.{candidate}.j2").is_file():
            return f"{stem}.{candidate}.j2"
    return None


def missing(event_type: str, channels: tuple[str, ...], audience: str = "") -> list[str]:
    """What the rules would need and the templates lack, as messages (also syntax errors)."""
    problems = []
    stem = f"{event_type}.{audience}" if audience else event_type
    for channel in channels:
        name = file_for(event_type, channel, audience)
        if name is None:
            problems.append(f"no template {stem}.{channel}.j2 (nor {stem}.{FALLBACK.get(channel, channel)}.j2)")
            continue
        try:
            ENV.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(f"template {name} line {exc.lineno}: {exc.message}")
    return problems


def render(event_type: str, channel: str, payload: dict[str, Any], link: str, unit_name: str = "",
           audience: str = "") -> tuple[str, str]:
    """(subject, body) of one message. SMS and robot messages have an empty subject."""
    name = file_for(event_type, channel, audience)
    if name is None:
        raise TemplateError(f"no template for {event_type} on {channel}")
    try:
        text = ENV.get_template(name).render(p=payload, link=link, unit_name=unit_name or payload.get("unit_code", ""))
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template {name} does not render: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TemplateError(f"template {name} does not render: {type(exc).__name__}: {exc}") from None
    if name.endswith(".email.j2"):
        subject, _, body = text.partition("\n")
        return subject.strip(), body.lstrip("\n")
    return "", text.strip()
