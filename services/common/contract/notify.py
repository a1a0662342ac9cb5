"""Events of notify (services/notify): deliveries."""
from __future__ import annotations

from marshmallow import fields, validate

from . import names
from .base import CHANNELS, EventType, Payload

class Notification(Payload):
    delivery_id = fields.Integer(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    recipient = fields.String(required=True, metadata={"description": "address, masked"})
    cause_event_id = fields.UUID(required=True)
    cause_type = fields.String(required=True)


class NotificationDelivered(Notification):
    delivered_at = fields.AwareDateTime(required=True)


class NotificationFailed(Notification):
    reason = fields.String(required=True)
    attempts = fields.Integer(required=True)
    dead_letter = fields.Boolean(load_default=False, metadata={
        "description": "true when the attempts ran out on transient failures; false for a permanent failure"})


class WebhookDisabled(Payload):
    """A subscriber's webhook failed too many times in a row and was switched off."""
    webhook_id = fields.Integer(required=True)
    owner = fields.String(required=True)
    url_host = fields.String(required=True)
    consecutive_failures = fields.Integer(required=True)
    reason = fields.String(required=True)
    disabled_at = fields.AwareDateTime(required=True)


EVENTS = (
    EventType(names.NOTIFICATION_DELIVERED, 1, "notify", NotificationDelivered, "A notification reached its channel."),
    EventType(names.NOTIFICATION_FAILED, 1, "notify", NotificationFailed, "A notification could not be delivered."),
    EventType(names.WEBHOOK_DISABLED, 1, "notify", WebhookDisabled,
              "A subscriber's webhook was disabled after consecutive failures; the administrator is told."),
)
