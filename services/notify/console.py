"""What people read of notify: an account's in-app inbox, its channel preferences (and the
county office's defaults), the delivery log, and template previews for the office."""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.contract import CATALOGUE, ContractError
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.common.records import utcnow
from services.common.shapes.notify import DELIVERY_STATUSES

from . import templates
from .models import Delivery, InboxMessage, Preference
from .planner import DEFAULTS
from .rules import CHANNELS, Rules
from .outcomes import mask

QUIET_HOURS = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")
STATUSES = DELIVERY_STATUSES


def inbox(session: Session, actor: Actor, unread: bool = False, limit: int = 50,
          before_id: int | None = None) -> dict[str, Any]:
    query = (sa.select(InboxMessage).where(InboxMessage.username == actor.username)
             .order_by(InboxMessage.id.desc()).limit(limit))
    if unread:
        query = query.where(InboxMessage.read_at.is_(None))
    if before_id:
        query = query.where(InboxMessage.id < before_id)
    items = [{"id": m.id, "event_type": m.cause_type, "event_id": m.cause_event_id, "unit_code": m.unit_code,
              "urgency": m.urgency, "subject": m.subject, "body": m.body, "link": m.link,
              "created_at": m.created_at.isoformat(), "read": m.read_at is not None} for m in session.scalars(query)]
    return {"items": items, "unread": unread_count(session, actor)}


def unread_count(session: Session, actor: Actor) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(InboxMessage).where(
        InboxMessage.username == actor.username, InboxMessage.read_at.is_(None))) or 0


def mark_read(session: Session, actor: Actor, ids: list[int] | None) -> dict[str, Any]:
    """Mark these messages (all, when no ids) read; someone else's ids are ignored."""
    query = sa.update(InboxMessage).where(InboxMessage.username == actor.username, InboxMessage.read_at.is_(None))
    if ids:
        query = query.where(InboxMessage.id.in_([int(i) for i in ids]))
    marked = session.execute(query.values(read_at=utcnow())).rowcount
    return {"marked": marked, "unread": unread_count(session, actor)}


def preferences(session: Session, username: str, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """The person's channels, quiet hours and digest choice: in force, the county's defaults, their own."""
    defaults = session.get(Preference, DEFAULTS)
    own = session.get(Preference, username) if username != DEFAULTS else None
    merged = {channel: True for channel in CHANNELS}
    merged.update(defaults.channels if defaults else {})
    merged.update(own.channels if own else {})
    county_quiet = defaults.quiet_hours if defaults and defaults.quiet_hours is not None else \
        str((settings or {}).get("QUIET_HOURS", "22:00-07:30"))
    county_digest = defaults.digest if defaults and defaults.digest is not None else True
    own_quiet, own_digest = (own.quiet_hours, own.digest) if own else (None, None)
    return {"channels": merged, "defaults": {c: (defaults.channels if defaults else {}).get(c, True) for c in CHANNELS},
            "own": dict(own.channels) if own else {},
            "quiet_hours": county_quiet if own_quiet is None else own_quiet, "own_quiet_hours": own_quiet,
            "default_quiet_hours": county_quiet,
            "digest": county_digest if own_digest is None else own_digest, "own_digest": own_digest,
            "default_digest": county_digest}


def checked_quiet_hours(text: str) -> str | None:
    """"22:00-07:30" as given, "" for none, "default" (None) to follow the county's; else a 400."""
    text = text.strip()
    if text in ("", "default"):
        return None if text == "default" else ""
    match = QUIET_HOURS.fullmatch(text)
    if not match or any(int(h) > 23 or int(m) > 59 for h, m in (match.group(1, 2), match.group(3, 4))) \
            or match.group(1, 2) == match.group(3, 4):
        raise InvalidInput(f"免打扰时段“{text}”格式不对：请写成 22:00-07:30（开始-结束，24 小时制）")
    return f"{int(match.group(1)):02d}:{match.group(2)}-{int(match.group(3)):02d}:{match.group(4)}"


def set_preferences(session: Session, actor: Actor, channels: dict[str, bool], defaults: bool = False,
                    quiet_hours: str | None = None, digest: bool | str | None = None,
                    settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """An official's own switches, quiet hours and digest choice (None: unchanged; quiet hours
    and digest "default": follow the county's again); `defaults` (the county office only) sets
    everyone's defaults."""
    if defaults and actor.role not in ("inspector", "admin"):
        raise Forbidden("只有县委办公室可以设置默认的通知渠道")
    unknown = sorted(set(channels) - set(CHANNELS))
    if unknown:
        raise InvalidInput(f"未知的通知渠道：{', '.join(unknown)}；可选：{', '.join(CHANNELS)}")
    username = DEFAULTS if defaults else actor.username
    row = session.get(Preference, username) or Preference(username=username, channels={})
    row.channels = {**row.channels, **{c: bool(v) for c, v in channels.items()}}
    if quiet_hours is not None:
        row.quiet_hours = checked_quiet_hours(quiet_hours)
    if digest is not None:
        row.digest = None if digest == "default" else bool(digest)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return preferences(session, username, settings)


def deliveries(session: Session, filters: dict[str, Any], limit: int = 50, before_id: int | None = None) -> list[dict[str, Any]]:
    query = sa.select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    for name, column in (("unit", Delivery.unit_code), ("channel", Delivery.channel), ("status", Delivery.status),
                         ("event", Delivery.cause_type)):
        if filters.get(name):
            query = query.where(column == filters[name])
    if before_id:
        query = query.where(Delivery.id < before_id)
    return [{"id": d.id, "event_type": d.cause_type, "event_id": d.cause_event_id, "unit_code": d.unit_code,
             "channel": d.channel, "recipient": mask(d.recipient), "subject": d.subject, "status": d.status,
             "urgency": d.urgency, "attempts": d.attempts, "last_error": d.last_error,
             "created_at": d.created_at.isoformat(),
             "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None,
             "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
             "message_id": d.message_id} for d in session.scalars(query)]


def preview(rules: Rules, event_type: str, channel: str, payload: dict[str, Any], public_url: str = "") -> dict[str, Any]:
    """The message a template makes of this payload (validated against the contract)."""
    spec = CATALOGUE.get(event_type)
    if spec is None:
        raise NotFound(f"没有事件类型 {event_type}")
    if channel not in CHANNELS:
        raise InvalidInput(f"未知的通知渠道 {channel}；可选：{', '.join(CHANNELS)}")
    errors = spec.payload_schema.validate(payload)
    if errors:
        raise InvalidInput(f"{event_type} 的内容不符合事件定义，请按字段修改", {"fields": errors})
    loaded = spec.payload_schema.load(payload)
    rule = rules.for_event(event_type)
    try:
        link = public_url.rstrip("/") + (rule.link_for(loaded) if rule else "/")
        subject, body = templates.render(event_type, channel, loaded, link)
    except (templates.TemplateError, KeyError, ValueError, ContractError) as exc:
        raise InvalidInput(f"模板无法生成：{exc}") from None
    return {"event_type": event_type, "channel": channel, "subject": subject, "body": body, "link": link,
            "template": templates.file_for(event_type, channel), "segments": (len(body) + 69) // 70 if channel == "sms" else None}
