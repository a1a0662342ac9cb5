"""The registry's wire shapes: what the gateway and the units service both validate."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.contract import ORG_TYPES, SECTORS
from services.common.i18n import term

PHONE = validate.Regexp(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$", error="不是有效的手机号或座机号（例如 13800000000 或 0571-88888888）")


class OfficialInput(Schema):
    """An official appointed through the API."""
    name = fields.String(required=True, validate=validate.Length(1, 100))
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=200))


class Experience(Schema):
    """The experience write-up (经验做法) of a designated demonstration site or model."""
    class Meta:
        unknown = "raise"

    experience = fields.String(required=True, allow_none=True, validate=validate.Length(max=10_000), metadata={
        "description": "经验做法, shown on the public portal's page of models; null or empty removes it"})


SECTOR_LABELS = {code: term("sector", code) for code in SECTORS}  # the names people read, from the catalogue
ORG_TYPE_LABELS = {code: term("org_type", code) for code in ORG_TYPES}


class DirectoryEntry(Schema):
    """A unit as the public directory shows it: no officials' contacts."""
    code = fields.String()
    name = fields.String()
    sector = fields.String()
    sector_label = fields.Function(lambda unit: SECTOR_LABELS.get(unit.sector), metadata={"type": ["string", "null"]})
    org_type = fields.String()
    org_type_label = fields.Function(lambda unit: ORG_TYPE_LABELS.get(unit.org_type),
                                    metadata={"type": ["string", "null"]})
    parent_code = fields.String(allow_none=True)
    status = fields.String()
    demonstration = fields.Boolean()
    merged_into = fields.String(allow_none=True)  # a merged unit: the one it became part of
