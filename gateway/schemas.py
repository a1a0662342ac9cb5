"""Request bodies the gateway accepts, validated before any service is called. A shape that
the service validates too is a wire shape of services/common/shapes (one schema, both sides);
the rest are the gateway's own. Every string and number is bounded."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.common.shapes.disclosure import NewItem as ItemDraft  # noqa: F401  one schema, both sides
from services.common.shapes.disclosure import (  # noqa: F401
    CatalogueRetirement, CatalogueRevision, ItemChanges, NewCatalogueEntry, NewEvent, NewPlan, PlanAction, PlanChanges)
from services.common.shapes.feedback import NewFeedback as FeedbackDraft  # noqa: F401
from services.common.shapes.units import OfficialInput as Official  # noqa: F401

from .params import CODE_PATTERN, MAX_ID, MONTH_PATTERN

CODE = validate.Regexp(f"^{CODE_PATTERN}$", error="不是有效的代码（字母、数字、-、_，最多 32 位）")


def _name(longest: int = 200, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(1, longest), **kwargs)


class ItemAction(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class Replay(Schema):
    class Meta:
        unknown = RAISE

    service = fields.String(required=True, validate=validate.Length(1, 32))
    ids = fields.List(fields.Integer(validate=validate.Range(1, MAX_ID)), load_default=None, allow_none=True,
                      validate=validate.Length(max=1000))
    event_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))


class NewUnit(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=CODE)
    name = _name(required=True)
    sector = _name(32, required=True)
    org_type = _name(32, required=True)
    parent_code = fields.String(required=True, validate=CODE)
    secretary = _name(100, load_default=None, allow_none=True)
    secretary_phone = _name(32, load_default=None, allow_none=True)
    liaison = _name(100, load_default=None, allow_none=True)
    liaison_phone = _name(32, load_default=None, allow_none=True)
    liaison_email = _name(200, load_default=None, allow_none=True)


class UnitChanges(Schema):
    class Meta:
        unknown = RAISE

    name = _name()
    sector = _name(32)
    org_type = _name(32)


class Move(Schema):
    class Meta:
        unknown = RAISE

    parent_code = fields.String(required=True, validate=CODE)


class Merge(Schema):
    class Meta:
        unknown = RAISE

    into_code = fields.String(required=True, validate=CODE)


class Reason(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class Keep(Schema):
    """A model kept on review of a month's score (复核后保留)."""
    class Meta:
        unknown = RAISE

    period = fields.String(required=True, validate=validate.Regexp(MONTH_PATTERN, error="复核的月份应为 2026-07 这样的年月"),
                           metadata={"description": "the month whose score fell below the pass mark"})
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


UNIT_ACTIONS = {"move": Move, "merge": Merge, "dissolve": Reason}


class Nomination(Schema):
    class Meta:
        unknown = RAISE

    unit_code = fields.String(required=True, validate=CODE)
    kind = fields.String(required=True, validate=validate.OneOf(("demonstration", "model")))
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class Designate(Schema):
    class Meta:
        unknown = RAISE

    term_years = fields.Integer(load_default=3, validate=validate.Range(1, 10))


class TokenRequest(Schema):
    class Meta:
        unknown = RAISE

    grant_type = fields.String(required=True, validate=validate.OneOf(("password", "refresh_token")))
    username = fields.String(validate=validate.Length(max=64))
    password = fields.String(validate=validate.Length(max=256), load_only=True)
    refresh_token = fields.String(validate=validate.Length(max=256), load_only=True)
    otp = fields.String(validate=validate.Length(max=32), load_only=True,
                        metadata={"description": "the second factor (a 6-digit TOTP code, or a recovery code) for "
                                                 "the county office and the administrators"})


class Logout(Schema):
    class Meta:
        unknown = RAISE

    refresh_token = fields.String(required=True, validate=validate.Length(max=256))


class NewApiKey(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(1, 100))


class NewWebhook(Schema):
    """A subscription: the service checks the URL and the event types against the catalogue."""
    class Meta:
        unknown = RAISE

    url = fields.String(required=True, validate=validate.Length(1, 2000))
    event_types = fields.List(fields.String(validate=validate.Length(1, 64)), required=True,
                              validate=validate.Length(1, 100))
