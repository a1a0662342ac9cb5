from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.common.contract import AUDIENCES

CARRIERS = ("公开栏", "网站", "微信公众号", "会议", "文件", "简报", "短信")


class Actor(Schema):
    """Who is acting, as the gateway vouches for them."""
    username = fields.String(required=True)
    role = fields.String(required=True)
    unit = fields.String(allow_none=True, load_default=None)


class NewItem(Schema):
    class Meta:
        unknown = RAISE

    unit_code = fields.String(required=True)
    title = fields.String(required=True, validate=validate.Length(1, 300))
    body = fields.String(required=True, validate=validate.Length(1, 100_000))
    audience = fields.String(required=True, validate=validate.OneOf(AUDIENCES))
    carriers = fields.List(fields.String(validate=validate.OneOf(CARRIERS)), required=True,
                           validate=validate.Length(min=1))
    obligation_id = fields.Integer(load_default=None, allow_none=True)


class Transition(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    role = fields.String()
    reason = fields.String(allow_none=True)
    at = fields.AwareDateTime()


class PublicItemView(Schema):
    """What anyone may read of a published item: no author, no trail."""
    id = fields.Integer()
    unit_code = fields.String()
    title = fields.String()
    body = fields.String()
    audience = fields.String()
    carriers = fields.List(fields.String())
    version = fields.Integer()
    published_at = fields.AwareDateTime(allow_none=True)


class ItemView(PublicItemView):
    """An item as its own unit and the county office see it, with its workflow trail."""
    status = fields.String()
    author = fields.String()
    obligation_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    trail = fields.List(fields.Nested(Transition))
