"""notify's request bodies, as the gateway and the notify service both validate them."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.common.contract import CATALOGUE

CHANNELS = ("email", "sms", "wecom", "dingtalk", "inbox")
DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed", "dead", "held", "bundled")
MAX_ID = 2**31 - 1


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class MarkRead(_Strict):
    ids = fields.List(fields.Integer(validate=validate.Range(1, MAX_ID)), load_default=None,
                      validate=validate.Length(max=500),
                      metadata={"description": "the messages to mark read; leave out to mark all"})


class ChannelSwitches(_Strict):
    channels = fields.Dict(keys=fields.String(validate=validate.OneOf(CHANNELS)), values=fields.Boolean(),
                           load_default=dict, metadata={"description": "channel → on (true) or off (false)"})
    quiet_hours = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=11), metadata={
        "description": "quiet hours in county time, e.g. 22:00-07:30 (SMS and robots wait for their end); "
                       "\"\" for none, \"default\" to follow the county's; leave out to keep"})
    digest = fields.Raw(load_default=None, allow_none=True, validate=validate.OneOf((True, False, "default", None)),
                        metadata={"description": "true: yellow warnings in the morning digest; false: each as it "
                                                 "comes; \"default\": the county's; leave out to keep"})


class TemplatePreview(_Strict):
    event_type = fields.String(required=True, validate=validate.OneOf(sorted(CATALOGUE)))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    payload = fields.Dict(keys=fields.String(validate=validate.Length(1, 64)), required=True,
                          metadata={"description": "an event payload as the contract defines it"})
