"""Who is acting, as the gateway vouches for them, and the checks every rule makes of it.
The gateway has checked the role against its policy table; these checks are for what
only disclosure knows: whose unit a thing belongs to."""
from __future__ import annotations

from typing import Any

from services.common.errors import Forbidden, validated

from .schemas import Actor

COUNTY_ROLES = ("inspector", "admin")  # the county office sees every unit


def actor_of(raw: dict[str, Any] | None) -> dict[str, Any]:
    return validated(Actor(unknown="exclude"), raw, "the actor")


def require_role(actor: dict[str, Any], *roles: str) -> None:
    if actor["role"] not in roles:
        raise Forbidden(f"only a {' or '.join(roles)} may do this; you are {actor['role']}")


def require_unit(actor: dict[str, Any], unit_code: str) -> None:
    """An operator or reviewer acts for their own unit only; the county office for any."""
    if actor["role"] not in COUNTY_ROLES and actor["unit"] != unit_code:
        raise Forbidden(f"you act for unit {actor['unit']}, not {unit_code}")
