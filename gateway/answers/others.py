"""What the routes for other systems and the office answer: the event feed and webhooks in
full; notifications, supervision, the calendar and operations by their outer shape (a page, a
list or a record) where this version of the document does not list their fields yet."""
from __future__ import annotations

from marshmallow import Schema, fields

from services.common.contract import Envelope

from .kit import Record, RecordList, RecordPage, list_of, maybe, page_of, string

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


class NotificationPage(Schema):
    items = fields.List(fields.Nested(Record), required=True)
    next_cursor = maybe()
    unread = fields.Integer(required=True)


class Replayed(Schema):
    replayed = fields.Raw(required=True, metadata={"description": "what each service put back on its queue"})


WEBHOOK = "/api/v1/webhooks/<id:webhook_id>"
OPERATIONS = {
    ("GET", "/healthz"): Liveness,
    ("GET", "/readyz"): Readiness,
    ("GET", "/api/v1/openapi.json"): Record,
    ("GET", "/api/v1/dead-letters"): RecordPage,
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
    ("POST", "/api/v1/notifications/read"): Record,
    ("GET", "/api/v1/notification-preferences"): Record,
    ("PUT", "/api/v1/notification-preferences"): Record,
    ("PUT", "/api/v1/notification-preferences/defaults"): Record,
    ("POST", "/api/v1/notification-templates/preview"): Record,
    ("GET", "/api/v1/deliveries"): RecordPage,
}
# supervision and the calendar: their records by outer shape
RECORDS = {
    "GET": ["/api/v1/calendar", "/api/v1/candidates", "/api/v1/checklists", "/api/v1/calendar/<year:year>", "/api/v1/inspections/<id:inspection_id>",
            "/api/v1/inspections/<id:inspection_id>/draw",
            "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>",
            "/api/v1/rectifications/<id:rectification_id>", "/api/v1/scores", "/api/v1/rankings",
            "/api/v1/reports/<id:report_id>", "/api/v1/calendar/<year:year>/passed"],
    "POST": ["/api/v1/calendar/<year:year>/passed/<kind>/<id:record_id>/decide", "/api/v1/calendar/<year:year>/file",
             "/api/v1/checklists", "/api/v1/inspections",
             "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>/submit",
             "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>/correct",
             "/api/v1/inspection-records/<id:record_id>/photos",
             "/api/v1/rectifications/<id:rectification_id>/submit",
             "/api/v1/rectifications/<id:rectification_id>/<any(accept,return):action>",
             "/api/v1/rectifications/<id:rectification_id>/photos", "/api/v1/reports",
             "/api/v1/reports/<id:report_id>/issue", "/api/v1/candidates/<code:unit_code>/nominate",
             "/api/v1/commitments", "/api/v1/commitments/<id:commitment_id>/progress", "/api/v1/comments"],
    "PUT": ["/api/v1/calendar/<year:year>", "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>/scores"],
    "PATCH": ["/api/v1/reports/<id:report_id>"],
}
PAGES = ["/api/v1/inspections", "/api/v1/inspections/<id:inspection_id>/findings", "/api/v1/rectifications"]
LISTS = ["/api/v1/reports", "/api/v1/commitments", "/api/v1/comments"]

ANSWERS = {**OPERATIONS,
           **{(method, rule): Record for method, rules in RECORDS.items() for rule in rules},
           **{("GET", rule): RecordPage for rule in PAGES},
           **{("GET", rule): RecordList for rule in LISTS}}
