"""Request bodies the gateway accepts, validated before any service is called. Where a
service defines the shape, the gateway uses that very schema."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.disclosure.schemas import NewItem as ItemDraft  # noqa: F401  one schema, both sides
from services.disclosure.schemas import (  # noqa: F401
    CatalogueRetirement, CatalogueRevision, ItemChanges, NewCatalogueEntry, NewEvent, NewPlan, PlanAction, PlanChanges)
from services.common.shapes.feedback import NewFeedback as FeedbackDraft  # noqa: F401
from services.units.schemas import OfficialInput as Official  # noqa: F401


class ItemAction(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class Replay(Schema):
    class Meta:
        unknown = RAISE

    service = fields.String(required=True)
    ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    event_type = fields.String(load_default=None, allow_none=True)


class NewUnit(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True)
    name = fields.String(required=True)
    sector = fields.String(required=True)
    org_type = fields.String(required=True)
    parent_code = fields.String(required=True)
    secretary = fields.String(load_default=None, allow_none=True)
    secretary_phone = fields.String(load_default=None, allow_none=True)
    liaison = fields.String(load_default=None, allow_none=True)
    liaison_phone = fields.String(load_default=None, allow_none=True)
    liaison_email = fields.String(load_default=None, allow_none=True)


class UnitChanges(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String()
    sector = fields.String()
    org_type = fields.String()


class Move(Schema):
    class Meta:
        unknown = RAISE

    parent_code = fields.String(required=True)


class Merge(Schema):
    class Meta:
        unknown = RAISE

    into_code = fields.String(required=True)


class Reason(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.Length(1, 2000))


UNIT_ACTIONS = {"move": Move, "merge": Merge, "dissolve": Reason}


class Nomination(Schema):
    class Meta:
        unknown = RAISE

    unit_code = fields.String(required=True)
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
    event_types = fields.List(fields.String(), required=True, validate=validate.Length(1, 100))
