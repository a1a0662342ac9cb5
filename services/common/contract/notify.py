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


EVENTS = (
    EventType(names.NOTIFICATION_DELIVERED, 1, "notify", NotificationDelivered, "A notification reached its channel."),
    EventType(names.NOTIFICATION_FAILED, 1, "notify", NotificationFailed, "A notification could not be delivered."),
)
