"""The units service's RPCs for signing in with a second factor and for the security
administrator's resets: mixed into UnitsService (wiring only, as service.py is)."""
from __future__ import annotations

from typing import Any

from services.common.entrypoints import command, query

from . import lockout, password_policy, second_factor, sessions


class SecurityRpc:
    """Needs the service's `db` and `config`."""

    def factor_roles(self) -> frozenset[str]:
        """The roles that sign in with a second factor (config.yaml UNITS.SECOND_FACTOR_ROLES adds to ALWAYS)."""
        return second_factor.required_roles((self.config.get("UNITS") or {}).get("SECOND_FACTOR_ROLES"))

    def password_max_ages(self) -> dict[str, int]:
        """Days a password lasts per role (config.yaml UNITS.PASSWORD_MAX_AGE_DAYS; 0 = never)."""
        return password_policy.max_ages((self.config.get("UNITS") or {}).get("PASSWORD_MAX_AGE_DAYS"))

    @command(keep_refused=True)
    def login(self, username: str, password: str, otp: str | None = None,
              address: str | None = None) -> dict[str, Any]:
        """The account and a refresh token, if the password (and, for the roles that need one,
        the second factor) is right and not expired; a refusal's counts (per account and the
        caller's `address`) are committed."""
        return sessions.login(self.db.session, username, password, otp, self.factor_roles(),
                              self.password_max_ages(), address)

    @command(keep_refused=True)
    def change_password(self, username: str, current: str, new: str, address: str | None = None) -> dict[str, Any]:
        """The caller's own new password; the answer is a new session, as a login's."""
        return sessions.change_password(self.db.session, username, current, new, self.factor_roles(), address)

    @command(keep_refused=True)
    def second_step(self, challenge: str, code: str, address: str | None = None) -> dict[str, Any]:
        return sessions.second_step(self.db.session, challenge, code, address)

    @command(keep_refused=True)
    def begin_enrolment(self, challenge: str) -> dict[str, Any]:
        return sessions.enrolment(self.db.session, challenge)

    @command(keep_refused=True)
    def confirm_enrolment(self, challenge: str, code: str, address: str | None = None) -> dict[str, Any]:
        return sessions.confirm_enrolment(self.db.session, challenge, code, address)

    @command
    def reset_second_factor(self, username: str) -> dict[str, Any]:
        return second_factor.reset(self.db.session, username)

    @query
    def second_factor_status(self, username: str) -> dict[str, Any]:
        return second_factor.status(self.db.session, username)

    @query
    def sign_in_history(self, username: str, limit: int = 30) -> list[dict[str, str]]:
        """The account's last sign-ins and failures, newest first (at in UTC, address, result)."""
        return lockout.history(self.db.session, username, limit)
