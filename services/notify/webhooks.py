"""Subscribers' webhooks: who wants which events POSTed where, and their delivery. A
subscriber (an API key, by its name) sees only its own; the administrator sees all, and
someone else's is NotFound, not Forbidden, so a subscriber cannot learn which ids exist.
The secret (whsec_…, Standard Webhooks) is shown once, at creation or rotation."""
from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common import tombstones
from services.common.actor import Actor
from services.common.contract import CATALOGUE, Event, to_message
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.records import utcnow

from . import channels, netcheck
from .models import Delivery, Webhook, WebhookAttempt

MAX_PER_OWNER = 20


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def create(session: Session, actor: Actor, url: str, event_types: list[str], allow: Any = None) -> dict[str, Any]:
    """A new active webhook; the answer carries its secret, the only time it is shown."""
    netcheck.check(url, allow, strict=False)
    types = _check_types(event_types)
    owned = session.scalar(sa.select(sa.func.count()).select_from(Webhook).where(Webhook.owner == actor.username))
    if owned >= MAX_PER_OWNER:
        raise Conflict(f"您已有 {MAX_PER_OWNER} 个推送订阅，请先删除一个")
    hook = Webhook(owner=actor.username, url=url, event_types=types, secret=new_secret(), active=True,
                   created_at=utcnow(), consecutive_failures=0)
    session.add(hook)
    session.flush()
    return {**as_dict(hook), "secret": hook.secret}


def list_for(session: Session, actor: Actor) -> list[dict[str, Any]]:
    query = sa.select(Webhook).order_by(Webhook.id)
    if actor.role != "admin":
        query = query.where(Webhook.owner == actor.username)
    return [as_dict(hook) for hook in session.scalars(query)]


def get(session: Session, actor: Actor, webhook_id: int) -> dict[str, Any]:
    return as_dict(_visible(session, actor, webhook_id))


def delete(session: Session, actor: Actor, webhook_id: int) -> dict[str, Any]:
    hook = _visible(session, actor, webhook_id)
    session.execute(sa.update(Delivery).where(Delivery.webhook_id == hook.id, Delivery.status.in_(("pending", "sending")))
                    .values(status="failed", last_error="the webhook was deleted", next_attempt_at=None))
    tombstones.bury(session, "webhook", hook.id, f"推送订阅 {hook.id}（{hook.url}）", actor.username, hook.owner)
    session.delete(hook)
    session.flush()
    return as_dict(hook)


def rotate_secret(session: Session, actor: Actor, webhook_id: int) -> dict[str, Any]:
    """A new secret at once (shown in this answer only); the old one stops signing."""
    hook = _visible(session, actor, webhook_id)
    hook.secret, hook.secret_rotated_at = new_secret(), utcnow()
    return {**as_dict(hook), "secret": hook.secret}


def enable(session: Session, actor: Actor, webhook_id: int, allow: Any = None) -> dict[str, Any]:
    """Switch a disabled webhook back on: its waiting deliveries go again, in order."""
    hook = _visible(session, actor, webhook_id)
    netcheck.check(hook.url, allow, strict=False)
    hook.active, hook.consecutive_failures, hook.disabled_reason, hook.disabled_at = True, 0, None, None
    session.execute(sa.update(Delivery).where(Delivery.webhook_id == hook.id, Delivery.status == "pending")
                    .values(next_attempt_at=utcnow()))
    return as_dict(hook)


def attempts(session: Session, actor: Actor, webhook_id: int, limit: int = 50,
             before_id: int | None = None) -> list[dict[str, Any]]:
    hook = _visible(session, actor, webhook_id)
    query = (sa.select(WebhookAttempt, Delivery).join(Delivery, Delivery.id == WebhookAttempt.delivery_id)
             .where(WebhookAttempt.webhook_id == hook.id).order_by(WebhookAttempt.id.desc()).limit(limit))
    if before_id:
        query = query.where(WebhookAttempt.id < before_id)
    return [{"id": a.id, "delivery_id": d.id, "webhook_message_id": d.message_id, "event_type": d.cause_type,
             "event_id": d.cause_event_id, "attempted_at": a.attempted_at.isoformat(), "status_code": a.status_code,
             "outcome": a.outcome, "error": a.error, "duration_ms": a.duration_ms, "delivery_status": d.status,
             "attempts": d.attempts} for a, d in session.execute(query)]


def ping(session: Session, actor: Actor, webhook_id: int, settings: dict[str, Any]) -> dict[str, Any]:
    """POST a signed test message now and answer what the subscriber said."""
    hook = _visible(session, actor, webhook_id)
    netcheck.check(hook.url, settings.get("WEBHOOK_ALLOW"))
    message_id = f"msg_ping_{uuid.uuid4().hex}"
    body = json.dumps({"type": "ping", "webhook_id": hook.id, "sent_at": datetime.now(timezone.utc).isoformat()})
    probe = Delivery(message_id=message_id, body=body)
    started = time.monotonic()
    try:
        status, error = channels.send_webhook(hook.url, hook.secret, probe, settings), None
    except (channels.Transient, channels.Permanent) as exc:
        status, error = exc.status_code, str(exc)
    return {"webhook_id": hook.id, "webhook_message_id": message_id, "delivered": error is None,
            "status_code": status, "error": error, "duration_ms": int((time.monotonic() - started) * 1000)}


def fan_out(session: Session, event: Event, now: datetime) -> list[Delivery]:
    """One delivery per active webhook that wants this event's type, in the event's
    arrival order per webhook (ids rise), with a webhook-id fixed per delivery."""
    made = []
    body = None
    for hook in session.scalars(sa.select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)):
        if event.type not in hook.event_types:
            continue
        key = f"{event.event_id}:webhook:{hook.id}"
        if session.scalar(sa.select(Delivery.id).where(Delivery.delivery_key == key)) is not None:
            continue
        body = body or json.dumps(to_message(event), ensure_ascii=False, separators=(",", ":"))
        delivery = Delivery(cause_event_id=str(event.event_id), cause_type=event.type, unit_code="-",
                            channel="webhook", recipient=f"webhook:{hook.id}", subject="", body=body, attempts=0,
                            status="pending", next_attempt_at=now, created_at=now, delivery_key=key,
                            message_id=f"msg_{uuid.uuid5(uuid.NAMESPACE_URL, key).hex}", webhook_id=hook.id,
                            destination=str(hook.id), urgency="normal")
        session.add(delivery)
        made.append(delivery)
    if made:
        session.flush()
    return made


def as_dict(hook: Webhook) -> dict[str, Any]:
    """Everything but the secret."""
    return {"id": hook.id, "owner": hook.owner, "url": hook.url, "event_types": list(hook.event_types),
            "active": hook.active, "created_at": hook.created_at.isoformat(),
            "consecutive_failures": hook.consecutive_failures or 0, "disabled_reason": hook.disabled_reason,
            "disabled_at": hook.disabled_at.isoformat() if hook.disabled_at else None,
            "secret_rotated_at": hook.secret_rotated_at.isoformat() if hook.secret_rotated_at else None}


def _visible(session: Session, actor: Actor, webhook_id: int) -> Webhook:
    hook = session.get(Webhook, int(webhook_id))
    deleted = hook is None and tombstones.gone(session, "webhook", webhook_id,
                                               None if actor.role == "admin" else actor.username)
    if deleted:  # a 410 saying when and by whom, to an administrator or its owner
        raise deleted
    if hook is None or (actor.role != "admin" and hook.owner != actor.username):
        raise NotFound(f"没有编号为 {webhook_id} 的推送订阅")
    return hook


def _check_types(event_types: list[str]) -> list[str]:
    if not event_types:
        raise InvalidInput("请至少选择一种事件类型")
    unknown = sorted(set(event_types) - set(CATALOGUE))
    if unknown:
        raise InvalidInput(f"未知的事件类型：{', '.join(unknown)}；可选：{', '.join(sorted(CATALOGUE))}")
    return list(dict.fromkeys(event_types))
