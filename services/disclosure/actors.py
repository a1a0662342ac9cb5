"""The checks every rule makes of the Actor (services.common.actor), decoded where the call
entered the service. The gateway has checked the role against its policy table; these checks
are for what only disclosure knows: whose unit a thing belongs to."""
from __future__ import annotations

from services.common.actor import COUNTY_ROLES, Actor
from services.common.errors import Forbidden

__all__ = ["COUNTY_ROLES", "require_role", "require_unit"]


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise Forbidden(f"only a {' or '.join(roles)} may do this; you are {actor.role}")


def require_unit(actor: Actor, unit_code: str) -> None:
    """An operator or reviewer acts for their own unit only; the county office for any."""
    if not actor.acts_for(unit_code):
        raise Forbidden(f"you act for unit {actor.unit}, not {unit_code}")
