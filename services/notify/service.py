from __future__ import annotations

from typing import Any

from nameko.dependency_providers import Config

from services.common import base
from services.common.actor import Actor
from services.common.contract import CATALOGUE, Event
from services.common.errors import DOMAIN_ERRORS
from services.common.inbox import event_subscriber
from services.common.rpc import rpc

from . import console, handling, webhooks
from .engine import NotifyEngine


class NotifyService(base.ServiceBase):
    """Tells the officials responsible what happened and what is due, on the channels they
    read, and delivers events to subscribers' webhooks."""
    name = "notify"
    config = Config()
    engine = NotifyEngine()

    @event_subscriber(*sorted(CATALOGUE))
    def on_event(self, event: Event) -> None:
        """Every event: the directory learns from units' events, the rules plan messages,
        subscribers' webhooks get their types; the sender wakes when this commits."""
        handling.handle(self.db, self.engine, event)

    # --- the in-app inbox and preferences ------------------------------------------------
    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_notifications(self, actor: dict[str, Any], unread: bool = False, limit: int = 50,
                           before_id: int | None = None) -> dict[str, Any]:
        return console.inbox(self.db.session, Actor.of(actor), bool(unread), min(int(limit), 200), before_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def mark_notifications_read(self, actor: dict[str, Any], ids: list[int] | None = None) -> dict[str, Any]:
        with self.db as uow:
            return console.mark_read(uow.session, Actor.of(actor), ids)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_preferences(self, actor: dict[str, Any]) -> dict[str, Any]:
        return console.preferences(self.db.session, Actor.of(actor).username)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def set_preferences(self, actor: dict[str, Any], channels: dict[str, bool], defaults: bool = False) -> dict[str, Any]:
        with self.db as uow:
            return console.set_preferences(uow.session, Actor.of(actor), channels, bool(defaults))

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_deliveries(self, filters: dict[str, Any] | None = None, limit: int = 50,
                        before_id: int | None = None) -> list[dict[str, Any]]:
        return console.deliveries(self.db.session, filters or {}, min(int(limit), 500), before_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def preview_template(self, event_type: str, channel: str, payload: dict[str, Any]) -> dict[str, Any]:
        return console.preview(self.engine.rules, event_type, channel, payload,
                               self.engine.settings.get("PUBLIC_URL") or "")

    # --- subscribers' webhooks -------------------------------------------------------------
    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def create_webhook(self, actor: dict[str, Any], url: str, event_types: list[str]) -> dict[str, Any]:
        with self.db as uow:
            return webhooks.create(uow.session, Actor.of(actor), url, event_types,
                                   self.engine.settings.get("WEBHOOK_ALLOW"))

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_webhooks(self, actor: dict[str, Any]) -> list[dict[str, Any]]:
        return webhooks.list_for(self.db.session, Actor.of(actor))

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_webhook(self, actor: dict[str, Any], webhook_id: int) -> dict[str, Any]:
        return webhooks.get(self.db.session, Actor.of(actor), webhook_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def delete_webhook(self, actor: dict[str, Any], webhook_id: int) -> dict[str, Any]:
        with self.db as uow:
            return webhooks.delete(uow.session, Actor.of(actor), webhook_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def rotate_webhook_secret(self, actor: dict[str, Any], webhook_id: int) -> dict[str, Any]:
        with self.db as uow:
            return webhooks.rotate_secret(uow.session, Actor.of(actor), webhook_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def enable_webhook(self, actor: dict[str, Any], webhook_id: int) -> dict[str, Any]:
        with self.db as uow:
            enabled = webhooks.enable(uow.session, Actor.of(actor), webhook_id, self.engine.settings.get("WEBHOOK_ALLOW"))
        self.engine.sender.wake()
        return enabled

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def webhook_deliveries(self, actor: dict[str, Any], webhook_id: int, limit: int = 50,
                           before_id: int | None = None) -> list[dict[str, Any]]:
        return webhooks.attempts(self.db.session, Actor.of(actor), webhook_id, min(int(limit), 200), before_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def ping_webhook(self, actor: dict[str, Any], webhook_id: int) -> dict[str, Any]:
        return webhooks.ping(self.db.session, Actor.of(actor), webhook_id, self.engine.settings)
