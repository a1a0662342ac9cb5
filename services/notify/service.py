from __future__ import annotations

from typing import Any

import eventlet
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy

from services.common import base
from services.common.actor import Actor
from services.common.contract import CATALOGUE, Event
from services.common.entrypoints import command, query
from services.common.inbox import event_subscriber

from . import console, handling, webhooks
from .engine import NotifyEngine

SENDER_LOOKUP_SECONDS = 10


class NotifyService(base.ServiceBase):
    """Tells the officials responsible what happened and what is due, on the channels they
    read, and delivers events to subscribers' webhooks."""
    name = "notify"
    config = Config()
    engine = NotifyEngine()
    feedback = RpcProxy("feedback")

    @event_subscriber(*sorted(CATALOGUE))
    def on_event(self, event: Event) -> None:
        """Every event: the directory learns from units' events, the rules plan messages,
        subscribers' webhooks get their types; the sender wakes when this commits."""
        handling.handle(self.db, self.engine, event, self._sender_contact)

    def _sender_contact(self, feedback_id: int) -> dict[str, Any] | None:
        """feedback's answer for a feedback sender's tracking code and contact; a feedback service
        that does not answer in time fails the handler, and the event is tried again."""
        reply = self.feedback.sender_contact.call_async(feedback_id)
        try:
            with eventlet.Timeout(SENDER_LOOKUP_SECONDS):
                return reply.result()
        except eventlet.Timeout:
            raise TimeoutError(f"feedback did not answer within {SENDER_LOOKUP_SECONDS} s") from None

    # --- the in-app inbox and preferences ------------------------------------------------
    @query
    def list_notifications(self, actor: Actor, unread: bool = False, limit: int = 50,
                           before_id: int | None = None) -> dict[str, Any]:
        return console.inbox(self.db.session, actor, bool(unread), min(int(limit), 200), before_id)

    @command
    def mark_notifications_read(self, actor: Actor, ids: list[int] | None = None) -> dict[str, Any]:
        return console.mark_read(self.db.session, actor, ids)

    @query
    def get_preferences(self, actor: Actor) -> dict[str, Any]:
        return console.preferences(self.db.session, actor.username, self.engine.settings)

    @command
    def set_preferences(self, actor: Actor, channels: dict[str, bool], defaults: bool = False,
                        quiet_hours: str | None = None, digest: bool | str | None = None) -> dict[str, Any]:
        return console.set_preferences(self.db.session, actor, channels, bool(defaults), quiet_hours, digest,
                                       self.engine.settings)

    @query
    def list_deliveries(self, filters: dict[str, Any] | None = None, limit: int = 50,
                        before_id: int | None = None) -> list[dict[str, Any]]:
        return console.deliveries(self.db.session, filters or {}, min(int(limit), 500), before_id)

    @query
    def preview_template(self, event_type: str, channel: str, payload: dict[str, Any]) -> dict[str, Any]:
        return console.preview(self.engine.rules, event_type, channel, payload,
                               self.engine.settings.get("PUBLIC_URL") or "")

    # --- subscribers' webhooks -------------------------------------------------------------
    @command
    def create_webhook(self, actor: Actor, url: str, event_types: list[str]) -> dict[str, Any]:
        return webhooks.create(self.db.session, actor, url, event_types, self.engine.settings.get("WEBHOOK_ALLOW"))

    @query
    def list_webhooks(self, actor: Actor) -> list[dict[str, Any]]:
        return webhooks.list_for(self.db.session, actor)

    @query
    def get_webhook(self, actor: Actor, webhook_id: int) -> dict[str, Any]:
        return webhooks.get(self.db.session, actor, webhook_id)

    @command
    def delete_webhook(self, actor: Actor, webhook_id: int) -> dict[str, Any]:
        return webhooks.delete(self.db.session, actor, webhook_id)

    @command
    def rotate_webhook_secret(self, actor: Actor, webhook_id: int) -> dict[str, Any]:
        return webhooks.rotate_secret(self.db.session, actor, webhook_id)

    @command(then=lambda service: service.engine.sender.wake())
    def enable_webhook(self, actor: Actor, webhook_id: int) -> dict[str, Any]:
        return webhooks.enable(self.db.session, actor, webhook_id, self.engine.settings.get("WEBHOOK_ALLOW"))

    @query
    def webhook_deliveries(self, actor: Actor, webhook_id: int, limit: int = 50,
                           before_id: int | None = None) -> list[dict[str, Any]]:
        return webhooks.attempts(self.db.session, actor, webhook_id, min(int(limit), 200), before_id)

    @query
    def ping_webhook(self, actor: Actor, webhook_id: int) -> dict[str, Any]:
        return webhooks.ping(self.db.session, actor, webhook_id, self.engine.settings)
