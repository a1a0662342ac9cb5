"""What the routes for other systems and operations answer: the event feed, webhooks,
notifications and deliveries, health and dead letters; with supervision's and the calendar's."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.contract import Envelope
from services.common.contract.base import CHANNELS
from services.common.shapes.notify import DELIVERY_STATUSES

from . import calendar, supervision
from .kit import list_of, maybe, page_of, string

EventPage = page_of("EventPage", Envelope, "Published events, oldest first; `next_cursor` is always given "
                                           "(poll with it as `after`, even when `items` is empty).")


class Webhook(Schema):
    """A subscription; its signing secret only when it is made or rotated."""
    id = fields.Integer(required=True)
    owner = string()
    url = string()
    event_types = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    consecutive_failures = fields.Integer(required=True)
    disabled_reason_ = maybe(data_key="disabled_reason")  # (named apart from the messages' scan of that name)
    disabled_at = maybe(fields.DateTime)
    secret_rotated_at = maybe(fields.DateTime)


class WebhookWithSecret(Webhook):
    secret = string(metadata={"description": "the Standard Webhooks signing secret (whsec_...), shown here only"})


class Ping(Schema):
    """A signed test message sent now, and what the subscriber answered."""
    webhook_id = fields.Integer(required=True)
    webhook_message_id = string()
    delivered = fields.Boolean(required=True)
    status_code = maybe(fields.Integer)
    error = maybe()
    duration_ms = fields.Integer(required=True)


class WebhookAttempt(Schema):
    id = fields.Integer(required=True)
    delivery_id = fields.Integer(required=True)
    webhook_message_id = string()
    event_type = maybe()
    event_id = maybe()
    attempted_at = fields.DateTime(required=True)
    status_code = maybe(fields.Integer)
    outcome = string()
    error = maybe()
    duration_ms = maybe(fields.Integer)
    delivery_status = string()
    attempts = fields.Integer(required=True)


class Liveness(Schema):
    status = string(metadata={"description": "alive"})


class ServiceState(Schema):
    ok = fields.Boolean(required=True)


class Readiness(Schema):
    ready = fields.Boolean(required=True)
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceState), required=True)


class Info(Schema):
    title = string()
    version = string()
    description = string()


class OpenApiDocument(Schema):
    """This document: OpenAPI 3.1 (https://spec.openapis.org/oas/v3.1.0), whose own schema describes
    its parts."""
    openapi = string(metadata={"description": "3.1.0"})
    info = fields.Nested(Info, required=True)
    paths = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True,
                        metadata={"description": "each path's operations by method"})
    components = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True,
                             metadata={"description": "schemas and securitySchemes"})
    webhooks = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True,
                           metadata={"description": "what a subscriber's webhook receives, per event type"})


CHANNEL = validate.OneOf(CHANNELS)
URGENCY = fields.String(required=True, metadata={"description": "red, yellow or info"})


class Notification(Schema):
    """A message in the caller's in-app inbox."""
    id = fields.Integer(required=True)
    event_type = string()
    event_id = string()
    unit_code = string()
    urgency = URGENCY
    subject = string()
    body = string()
    link = string()
    created_at = fields.DateTime(required=True)
    read = fields.Boolean(required=True)


class NotificationPage(Schema):
    items = fields.List(fields.Nested(Notification), required=True)
    next_cursor = maybe()
    unread = fields.Integer(required=True)


class MarkedRead(Schema):
    marked = fields.Integer(required=True)
    unread = fields.Integer(required=True)


SWITCHES = {"keys": fields.String(validate=CHANNEL), "values": fields.Boolean(), "required": True}


class Preferences(Schema):
    """The channels, quiet hours and digest in force, the county's defaults and the person's own."""
    channels = fields.Dict(**SWITCHES)
    defaults = fields.Dict(**SWITCHES)
    own = fields.Dict(**SWITCHES)
    quiet_hours = string(metadata={"description": "HH:MM-HH:MM, or empty for none"})
    own_quiet_hours = maybe(metadata={"description": "null: follow the county's"})
    default_quiet_hours = string()
    digest = fields.Boolean(required=True)
    own_digest = maybe(fields.Boolean, metadata={"description": "null: follow the county's"})
    default_digest = fields.Boolean(required=True)


class Preview(Schema):
    """The message a template makes of a payload."""
    event_type = string()
    channel = string(validate=CHANNEL)
    subject = string()
    body = string()
    link = string()
    template = string()
    segments = maybe(fields.Integer, metadata={"description": "SMS segments of 70 characters; null for others"})


class Delivery(Schema):
    """A message to one recipient on one channel; the address masked."""
    id = fields.Integer(required=True)
    event_type = string()
    event_id = string()
    unit_code = string()
    channel = string(validate=CHANNEL)
    recipient = string(metadata={"description": "masked"})
    subject = string()
    status = string(validate=validate.OneOf(DELIVERY_STATUSES))
    urgency = URGENCY
    attempts = fields.Integer(required=True)
    last_error = maybe()
    created_at = fields.DateTime(required=True)
    next_attempt_at = maybe(fields.DateTime)
    delivered_at = maybe(fields.DateTime)
    message_id = maybe()


class DeadLetter(Schema):
    """An event parked after failing, as the service that consumed it keeps it."""
    id = fields.Integer(required=True)
    source = string(metadata={"description": "the service that holds it"})
    queue = string()
    event_id = maybe()
    event_type = maybe()
    status = string(validate=validate.OneOf(("retrying", "dead", "replayed")))
    attempts = fields.Integer(required=True)
    last_error = string()
    first_failed_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    body = string(metadata={"description": "the message as received; base64 when body_encoding says so"})
    body_encoding = string(validate=validate.OneOf(("utf-8", "base64")))
    body_bytes = maybe(fields.Integer)
    body_sha256 = maybe()
    content_type = maybe()


class Replayed(Schema):
    replayed = fields.Integer(required=True, metadata={"description": "how many the service put back on its queue"})


WEBHOOK = "/api/v1/webhooks/<id:webhook_id>"
OPERATIONS = {
    ("GET", "/healthz"): Liveness,
    ("GET", "/readyz"): Readiness,
    ("GET", "/api/v1/openapi.json"): OpenApiDocument,
    ("GET", "/api/v1/dead-letters"): page_of("DeadLetterPage", DeadLetter, "Dead letters, oldest first across services."),
    ("POST", "/api/v1/dead-letters/replay"): Replayed,
    ("GET", "/api/v1/events"): EventPage,
    ("GET", "/api/v1/webhooks"): list_of("WebhookList", Webhook),
    ("POST", "/api/v1/webhooks"): WebhookWithSecret,
    ("GET", WEBHOOK): Webhook,
    ("DELETE", WEBHOOK): Webhook,
    ("GET", WEBHOOK + "/deliveries"): page_of("WebhookAttemptPage", WebhookAttempt),
    ("POST", WEBHOOK + "/ping"): Ping,
    ("POST", WEBHOOK + "/rotate-secret"): WebhookWithSecret,
    ("POST", WEBHOOK + "/enable"): Webhook,
    ("GET", "/api/v1/notifications"): NotificationPage,
    ("POST", "/api/v1/notifications/read"): MarkedRead,
    ("GET", "/api/v1/notification-preferences"): Preferences,
    ("PUT", "/api/v1/notification-preferences"): Preferences,
    ("PUT", "/api/v1/notification-preferences/defaults"): Preferences,
    ("POST", "/api/v1/notification-templates/preview"): Preview,
    ("GET", "/api/v1/deliveries"): page_of("DeliveryPage", Delivery, "The delivery log, newest first."),
}
ANSWERS = {**OPERATIONS, **supervision.ANSWERS, **calendar.ANSWERS}
