"""/api/v1/notifications (the signed-in account's in-app inbox), preferences, the delivery
log and template previews for the county office, and the webhooks' attempts, test ping,
secret rotation and re-enabling."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from services.common.shapes import notify as shapes

from .. import queries
from ..errors import bad_request
from ..http import api, decode_cursor, encode_cursor, json_body, json_response
from ..params import filters


def _before(request: Request) -> int | None:
    before = decode_cursor(request.params.get("cursor"))
    if before is not None and type(before) is not int:
        raise bad_request("the cursor is not one this API gave out")
    return before


def _paged(items: list[dict], limit: int) -> dict:
    return {"items": items, "next_cursor": encode_cursor(items[-1]["id"]) if len(items) == limit and items else None}


class NotifyRoutes:
    @api("GET", "/api/v1/notifications", query=queries.NotificationList)
    def list_notifications(self, request: Request) -> Response:
        """The signed-in account's messages, newest first, with the unread count."""
        actor = self.access.caller(request)
        limit = request.params["limit"]
        answer = self.notify.list_notifications(actor, request.params.get("unread", False),
                                                limit, _before(request))
        return json_response({**_paged(answer["items"], limit), "unread": answer["unread"]})

    @api("POST", "/api/v1/notifications/read", body=shapes.MarkRead)
    def mark_notifications_read(self, request: Request) -> Response:
        """Mark the given messages read (all of them when `ids` is left out)."""
        actor = self.access.caller(request)
        body = json_body(request, shapes.MarkRead(), self.access.max_body)
        return json_response(self.notify.mark_notifications_read(actor, body.get("ids")))

    @api("GET", "/api/v1/notification-preferences")
    def get_notification_preferences(self, request: Request) -> Response:
        """The channels on and off for the signed-in account, its quiet hours and digest choice, and
        the county office's defaults."""
        return json_response(self.notify.get_preferences(self.access.caller(request)))

    @api("PUT", "/api/v1/notification-preferences", body=shapes.ChannelSwitches)
    def set_notification_preferences(self, request: Request) -> Response:
        body = json_body(request, shapes.ChannelSwitches(), self.access.max_body)
        return json_response(self.notify.set_preferences(self.access.caller(request), body["channels"], False,
                                                         body["quiet_hours"], body["digest"]))

    @api("PUT", "/api/v1/notification-preferences/defaults", body=shapes.ChannelSwitches)
    def set_notification_defaults(self, request: Request) -> Response:
        """The county office's defaults for every official who has not chosen."""
        body = json_body(request, shapes.ChannelSwitches(), self.access.max_body)
        return json_response(self.notify.set_preferences(self.access.caller(request), body["channels"], True,
                                                         body["quiet_hours"], body["digest"]))

    @api("POST", "/api/v1/notification-templates/preview", body=shapes.TemplatePreview)
    def preview_notification_template(self, request: Request) -> Response:
        """The message a template makes of an example payload, in county time, with its link."""
        body = json_body(request, shapes.TemplatePreview(), self.access.max_body)
        return json_response(self.notify.preview_template(body["event_type"], body["channel"],
                                                          body["payload"]))

    @api("GET", "/api/v1/deliveries", query=queries.DeliveryList)
    def list_deliveries(self, request: Request) -> Response:
        """Every delivery, newest first: channel, recipient (masked), status, attempts, last error."""
        limit = request.params["limit"]
        items = self.notify.list_deliveries(filters(request.params), limit, _before(request))
        return json_response(_paged(items, limit))

    @api("GET", "/api/v1/webhooks/<id:webhook_id>/deliveries", query=queries.WebhookAttemptList)
    def list_webhook_deliveries(self, request: Request, webhook_id: int) -> Response:
        """The webhook's attempts, newest first: status code, outcome, error, duration."""
        limit = request.params["limit"]
        items = self.notify.webhook_deliveries(self.access.caller(request), webhook_id, limit,
                                               _before(request))
        return json_response(_paged(items, limit))

    @api("POST", "/api/v1/webhooks/<id:webhook_id>/ping")
    def ping_webhook(self, request: Request, webhook_id: int) -> Response:
        """POST a signed test message to the webhook now; the answer says what it replied."""
        return json_response(self.notify.ping_webhook(self.access.caller(request), webhook_id))

    @api("POST", "/api/v1/webhooks/<id:webhook_id>/rotate-secret")
    def rotate_webhook_secret(self, request: Request, webhook_id: int) -> Response:
        """A new signing secret, in this answer only; the old one stops at once."""
        return json_response(self.notify.rotate_webhook_secret(self.access.caller(request),
                                                               webhook_id))

    @api("POST", "/api/v1/webhooks/<id:webhook_id>/enable")
    def enable_webhook(self, request: Request, webhook_id: int) -> Response:
        """Switch a webhook disabled after failures back on; its waiting events go, in order."""
        return json_response(self.notify.enable_webhook(self.access.caller(request), webhook_id))
