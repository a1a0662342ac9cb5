"""The shapes of units at the service boundary: registry rows in, public directory out."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from services.common.contract import ORG_TYPES, SECTORS
from services.common.shapes.units import (  # noqa: F401  shared with the gateway
    ORG_TYPE_LABELS, PHONE, SECTOR_LABELS, DirectoryEntry, OfficialInput)



class RegistryRow(Schema):
    """One row of the county registry file (the sample county's columns)."""
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$"))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))
    org_type = fields.String(required=True, validate=validate.OneOf(ORG_TYPES))
    parent_code = fields.String(load_default=None, allow_none=True)
    secretary = fields.String(load_default=None, allow_none=True)
    secretary_phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    liaison = fields.String(load_default=None, allow_none=True)
    liaison_phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    liaison_email = fields.Email(load_default=None, allow_none=True)
    demonstration = fields.Boolean(load_default=False, truthy={"1", "true", "yes", "是"}, falsy={"0", "false", "no", "否", ""})
