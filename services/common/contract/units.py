"""Events of the registry (services/units): units, officials, designations."""
from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from . import names
from .base import OFFICIAL_ROLES, ORG_TYPES, SECTORS, EventType, Payload, Personal

# the sealing contexts of an official's contact in events (notify opens them)
OFFICIAL_PHONE, OFFICIAL_EMAIL = "event.official.phone", "event.official.email"


class Official(Payload):
    class Meta(Payload.Meta):
        unknown = EXCLUDE  # nested: marshmallow does not pass the consumer's EXCLUDE down

    role = fields.String(required=True, validate=validate.OneOf(OFFICIAL_ROLES))
    name = fields.String(required=True)
    phone = Personal(OFFICIAL_PHONE)
    email = Personal(OFFICIAL_EMAIL)


class UnitState(Payload):
    """The full state of a unit as other services copy it. Every unit event carries it, with
    `revision` rising at each change, so a consumer keeps the newest state whatever order
    the events of different types arrive in."""
    code = fields.String(required=True, metadata={"description": "stable unique unit code"})
    revision = fields.Integer(required=True, metadata={"description": "rises by one at every change of the unit"})
    name = fields.String(required=True)
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))
    org_type = fields.String(required=True, validate=validate.OneOf(ORG_TYPES))
    parent_code = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=validate.OneOf(("active", "merged", "dissolved")))
    merged_into = fields.String(allow_none=True, load_default=None,
                                metadata={"description": "the unit that took over a merged unit"})
    demonstration = fields.Boolean(required=True, metadata={"description": "a demonstration site (示范点)"})
    officials = fields.List(fields.Nested(Official), required=True,
                            metadata={"description": "the officials in office now"})


class UnitChange(Payload):
    unit = fields.Nested(UnitState, required=True, metadata={"description": "the unit after the change"})
    changed_by = fields.String(required=True)


class UnitMoved(UnitChange):
    from_parent_code = fields.String(allow_none=True, required=True)
    to_parent_code = fields.String(required=True)


class UnitMerged(UnitChange):
    """The unit was merged into another, which takes over its history and open work;
    its children moved under the surviving unit (each with its own UnitMoved)."""
    into_code = fields.String(required=True)
    children_moved = fields.List(fields.String(), required=True)
    merged_on = fields.Date(required=True)


class UnitDissolved(UnitChange):
    """The unit was dissolved: its history is kept, no new obligations arise."""
    reason = fields.String(required=True)
    dissolved_on = fields.Date(required=True)


class OfficialAssigned(UnitChange):
    role = fields.String(required=True, validate=validate.OneOf(OFFICIAL_ROLES))
    name = fields.String(required=True)
    phone = Personal(OFFICIAL_PHONE)
    email = Personal(OFFICIAL_EMAIL)
    started_on = fields.Date(required=True)


class OfficialRemoved(UnitChange):
    role = fields.String(required=True, validate=validate.OneOf(OFFICIAL_ROLES))
    name = fields.String(required=True)
    ended_on = fields.Date(required=True)


class DesignationChange(UnitChange):
    designation_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("demonstration", "model")),
                         metadata={"description": "demonstration site 示范点 or model 典型"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, metadata={"description": "the last day of the term"})


class DemonstrationDesignated(DesignationChange):
    pass


class DemonstrationExpired(DesignationChange):
    pass


class DemonstrationRevoked(DesignationChange):
    reason = fields.String(required=True)


class DesignationKept(Payload):
    """The county office reviewed (复核) a model whose monthly score fell below the pass mark and
    kept it: the designation stays in its term; the month reviewed is off the review list."""
    designation_id = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("demonstration", "model")))
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                           metadata={"description": "the month whose score was reviewed (2026-07)"})
    reason = fields.String(required=True)
    kept_by = fields.String(required=True)


ACCOUNT_ROLES = ("member", "operator", "reviewer", "inspector", "admin", "secadmin", "auditor")


class AccountState(Payload):
    """An account as other services may know it: never its password hash nor any secret.
    `revision` rises at every change, so a consumer keeps the newest state."""
    username = fields.String(required=True)
    revision = fields.Integer(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ACCOUNT_ROLES))
    unit_code = fields.String(allow_none=True, required=True)
    enabled = fields.Boolean(required=True)


class AccountLockedOut(Payload):
    """An account locked after wrong passwords from many addresses: the security administrator
    is told, and may unlock it before `locked_until`."""
    username = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ACCOUNT_ROLES))
    unit_code = fields.String(allow_none=True, required=True)
    locked_until = fields.DateTime(required=True, metadata={"description": "when the lock ends by itself (UTC)"})
    failures = fields.Integer(required=True, metadata={"description": "failures within the last hour"})
    addresses = fields.Integer(required=True, metadata={"description": "distinct addresses they came from"})


EVENTS = (
    EventType(names.UNIT_REGISTERED, 1, "units", UnitState, "A Party organisation joined the registry."),
    EventType(names.UNIT_UPDATED, 1, "units", UnitState, "A unit's details changed; the full new state."),
    EventType(names.UNIT_MOVED, 1, "units", UnitMoved, "A unit moved to another parent in the tree."),
    EventType(names.UNIT_MERGED, 1, "units", UnitMerged, "A unit was merged into another."),
    EventType(names.UNIT_DISSOLVED, 1, "units", UnitDissolved, "A unit was dissolved."),
    EventType(names.OFFICIAL_ASSIGNED, 1, "units", OfficialAssigned, "Someone took up a role (书记, 联络员, 审核人) in a unit."),
    EventType(names.OFFICIAL_REMOVED, 1, "units", OfficialRemoved, "Someone left a role in a unit."),
    EventType(names.DEMONSTRATION_DESIGNATED, 1, "units", DemonstrationDesignated,
              "A unit was designated a demonstration site (示范点) or model (典型) for a term."),
    EventType(names.DEMONSTRATION_EXPIRED, 1, "units", DemonstrationExpired, "A designation's term ended."),
    EventType(names.DEMONSTRATION_REVOKED, 1, "units", DemonstrationRevoked, "A designation was revoked, with the reason."),
    EventType(names.DESIGNATION_KEPT, 1, "units", DesignationKept,
              "A model whose monthly score fell below the pass mark was reviewed and kept, with the reason."),
    EventType(names.ACCOUNT_CREATED, 1, "units", AccountState, "An account was created (no password hash)."),
    EventType(names.ACCOUNT_CHANGED, 1, "units", AccountState, "An account's role, unit or name changed, or it was enabled again."),
    EventType(names.ACCOUNT_DISABLED, 1, "units", AccountState, "An account was disabled."),
    EventType(names.ACCOUNT_LOCKED_OUT, 1, "units", AccountLockedOut,
              "An account was locked after wrong passwords from many addresses (for the security administrator)."),
)
