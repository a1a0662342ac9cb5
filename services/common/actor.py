"""Who is acting, as the gateway vouches for them: one frozen value on both sides of RPC.

The gateway builds it from a token or an API key and sends `actor.wire()` (a plain dict,
as RPC carries JSON); a service turns it back with `Actor.of(...)`, which refuses a
malformed one. Rules take an Actor, never a dict."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .errors import InvalidInput

ROLES = ("member", "operator", "reviewer", "inspector", "admin", "secadmin", "auditor", "subscriber")
# the three administrators (三权分立): the system administrator (admin), the security administrator
# (secadmin: roles, unlocks, second-factor resets, password policy) and the audit administrator
# (auditor: reads, exports and verifies the audit trail, nothing else); no account holds two
ADMINISTRATORS = ("admin", "secadmin", "auditor")
COUNTY_ROLES = frozenset({"inspector", "admin"})  # the county office sees every unit
UNIT_ROLES = frozenset({"operator", "reviewer", "member"})  # act for (or belong to) one unit


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    unit: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.username, str) or not self.username:
            raise InvalidInput("the actor has no username")
        if self.role not in ROLES:
            raise InvalidInput(f"the actor's role {self.role!r} is not one of {', '.join(ROLES)}")
        if self.unit is not None and not isinstance(self.unit, str):
            raise InvalidInput("the actor's unit must be a unit code")

    @classmethod
    def of(cls, raw: "Actor | dict[str, Any] | None") -> "Actor":
        """The actor an RPC was given (a dict off the wire, or already an Actor)."""
        if isinstance(raw, Actor):
            return raw
        if not isinstance(raw, dict):
            raise InvalidInput("the request names no actor")
        return cls(raw.get("username"), raw.get("role"), raw.get("unit"))

    def wire(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def county(self) -> bool:
        """The county office (inspector) or the administrator: every unit is theirs to see."""
        return self.role in COUNTY_ROLES

    def acts_for(self, unit_code: str | None) -> bool:
        """The county office acts for any unit; an operator or reviewer for their own."""
        return self.county or (self.unit is not None and self.unit == unit_code)
