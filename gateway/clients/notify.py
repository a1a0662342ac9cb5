"""The notify service as the gateway calls it: in-app notifications, preferences, the message
templates' preview, deliveries and webhooks."""
from __future__ import annotations

from typing import Any

from .base import Actor, ServiceClient


class NotifyClient(ServiceClient):
    service_name = "notify"

    def create_webhook(self, actor: Actor, url: str, event_types: list[str]) -> dict[str, Any]:
        return self._call("create_webhook", actor, url, event_types)

    def delete_webhook(self, actor: Actor, webhook_id: int) -> dict[str, Any]:
        return self._call("delete_webhook", actor, webhook_id)

    def enable_webhook(self, actor: Actor, webhook_id: int) -> dict[str, Any]:
        return self._call("enable_webhook", actor, webhook_id)

    def get_preferences(self, actor: Actor) -> dict[str, Any]:
        return self._call("get_preferences", actor)

    def get_webhook(self, actor: Actor, webhook_id: int) -> dict[str, Any]:
        return self._call("get_webhook", actor, webhook_id)

    def list_deliveries(self, filters: dict[str, Any] | None = None, limit: int = 50,
                        before_id: int | None = None) -> list[dict[str, Any]]:
        return self._call("list_deliveries", filters, limit, before_id)

    def list_notifications(self, actor: Actor, unread: bool = False, limit: int = 50,
                           before_id: int | None = None) -> dict[str, Any]:
        return self._call("list_notifications", actor, unread, limit, before_id)

    def list_webhooks(self, actor: Actor) -> list[dict[str, Any]]:
        return self._call("list_webhooks", actor)

    def mark_notifications_read(self, actor: Actor, ids: list[int] | None = None) -> dict[str, Any]:
        return self._call("mark_notifications_read", actor, ids)

    def ping_webhook(self, actor: Actor, webhook_id: int) -> dict[str, Any]:
        return self._call("ping_webhook", actor, webhook_id)

    def preview_template(self, event_type: str, channel: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._call("preview_template", event_type, channel, payload)

    def rotate_webhook_secret(self, actor: Actor, webhook_id: int) -> dict[str, Any]:
        return self._call("rotate_webhook_secret", actor, webhook_id)

    def set_preferences(self, actor: Actor, channels: dict[str, bool], defaults: bool = False,
                        quiet_hours: str | None = None, digest: bool | str | None = None) -> dict[str, Any]:
        return self._call("set_preferences", actor, channels, defaults, quiet_hours, digest)

    def webhook_deliveries(self, actor: Actor, webhook_id: int, limit: int = 50,
                           before_id: int | None = None) -> list[dict[str, Any]]:
        return self._call("webhook_deliveries", actor, webhook_id, limit, before_id)
