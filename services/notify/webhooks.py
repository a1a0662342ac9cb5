"""Subscribers' webhooks: who wants which events POSTed where. Delivery comes later; these
are the rules for keeping the subscriptions. A subscriber (an API key, by its name) sees
only its own; the administrator sees all, and someone else's is NotFound, not Forbidden,
so a subscriber cannot learn which ids exist."""
from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.contract import CATALOGUE
from services.common.records import utcnow
from services.common.errors import Conflict, InvalidInput, NotFound

from .models import Webhook

MAX_URL = 2000
MAX_PER_OWNER = 20


def create(session: Session, actor: dict[str, Any], url: str, event_types: list[str]) -> dict[str, Any]:
    """A new active webhook; the answer carries its secret, the only time it is shown."""
    _check_url(url)
    types = _check_types(event_types)
    owned = session.scalar(sa.select(sa.func.count()).select_from(Webhook).where(Webhook.owner == actor["username"]))
    if owned >= MAX_PER_OWNER:
        raise Conflict(f"you have {MAX_PER_OWNER} webhooks already; delete one first")
    hook = Webhook(owner=actor["username"], url=url, event_types=types, secret=secrets.token_urlsafe(32),
                   active=True, created_at=utcnow())
    session.add(hook)
    session.flush()
    return {**as_dict(hook), "secret": hook.secret}


def list_for(session: Session, actor: dict[str, Any]) -> list[dict[str, Any]]:
    query = sa.select(Webhook).order_by(Webhook.id)
    if actor["role"] != "admin":
        query = query.where(Webhook.owner == actor["username"])
    return [as_dict(hook) for hook in session.scalars(query)]


def get(session: Session, actor: dict[str, Any], webhook_id: int) -> dict[str, Any]:
    return as_dict(_visible(session, actor, webhook_id))


def delete(session: Session, actor: dict[str, Any], webhook_id: int) -> dict[str, Any]:
    hook = _visible(session, actor, webhook_id)
    session.delete(hook)
    session.flush()
    return as_dict(hook)


def as_dict(hook: Webhook) -> dict[str, Any]:
    """Everything but the secret."""
    return {"id": hook.id, "owner": hook.owner, "url": hook.url, "event_types": list(hook.event_types),
            "active": hook.active, "created_at": hook.created_at.isoformat()}


def _visible(session: Session, actor: dict[str, Any], webhook_id: int) -> Webhook:
    hook = session.get(Webhook, int(webhook_id))
    if hook is None or (actor["role"] != "admin" and hook.owner != actor["username"]):
        raise NotFound(f"there is no webhook {webhook_id}")
    return hook


def _check_url(url: str) -> None:
    if not isinstance(url, str) or len(url) > MAX_URL:
        raise InvalidInput(f"the url must be text of at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  raises ValueError for a bad port
    except ValueError:
        raise InvalidInput("the url is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("the url must be an http or https URL with a host")


def _check_types(event_types: list[str]) -> list[str]:
    if not event_types:
        raise InvalidInput("give at least one event type")
    unknown = sorted(set(event_types) - set(CATALOGUE))
    if unknown:
        raise InvalidInput(f"unknown event types {', '.join(unknown)}; known: {', '.join(sorted(CATALOGUE))}")
    return list(dict.fromkeys(event_types))
