"""The shapes of units at the service boundary: registry rows in, public directory out."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from services.common.contract import ORG_TYPES, SECTORS
from services.common.i18n import term
from services.common.shapes.units import PHONE, OfficialInput  # noqa: F401  shared with the gateway



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


SECTOR_LABELS = {code: term("sector", code) for code in SECTORS}  # the names people read, from the catalogue
ORG_TYPE_LABELS = {code: term("org_type", code) for code in ORG_TYPES}


class DirectoryEntry(Schema):
    """A unit as the public directory shows it: no officials' contacts."""
    code = fields.String()
    name = fields.String()
    sector = fields.String()
    sector_label = fields.Function(lambda unit: SECTOR_LABELS.get(unit.sector))
    org_type = fields.String()
    org_type_label = fields.Function(lambda unit: ORG_TYPE_LABELS.get(unit.org_type))
    parent_code = fields.String(allow_none=True)
    status = fields.String()
    demonstration = fields.Boolean()
    merged_into = fields.String(allow_none=True)  # a merged unit: the one it became part of
