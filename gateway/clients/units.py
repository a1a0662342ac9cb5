"""The units service as the gateway calls it: the registry and its tree, officials, demonstration
sites, accounts and sign-in, API keys, the registry's import and export, and the audit log.

The registry's changes take the caller (`actor`); units records them under its username."""
from __future__ import annotations

from typing import Any

from .base import Actor, ServiceClient

RELATIONS = ("children", "subtree", "ancestors")


class UnitsClient(ServiceClient):
    service_name = "units"

    def active_api_keys(self) -> list[dict[str, str]]:
        return self._call("active_api_keys")

    def ancestors(self, code: str) -> list[dict[str, Any]]:
        return self._call("ancestors", code)

    def apply_checked_import(self, actor: Actor, job_id: int, request_id: str | None = None) -> dict[str, Any]:
        return self._call("apply_checked_import", actor, job_id, request_id)

    def append_audit_batch(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """Append the gateway's spooled audit entries, in order (gateway/audit.py's drain)."""
        return self._call("append_audit_batch", entries)

    def begin_enrolment(self, challenge: str) -> dict[str, Any]:
        """A new TOTP secret (and its otpauth URI) for the account behind a sign-in challenge."""
        return self._call("begin_enrolment", challenge)

    def confirm_enrolment(self, challenge: str, code: str, address: str | None = None) -> dict[str, Any]:
        """A session and the recovery codes (in this answer only)."""
        return self._call("confirm_enrolment", challenge, code, address)

    def change_account_role(self, username: str, role: str, unit_code: str | None = None) -> dict[str, Any]:
        return self._call("change_account_role", username, role, unit_code)

    def change_password(self, username: str, current: str, new: str, address: str | None = None) -> dict[str, Any]:
        """Failures count per account and the caller's address, as a login's."""
        return self._call("change_password", username, current, new, address)

    def children(self, code: str) -> list[dict[str, Any]]:
        return self._call("children", code)

    def claim_idempotency_key(self, caller: str, key: str, fingerprint: str) -> dict[str, Any]:
        return self._call("claim_idempotency_key", caller, key, fingerprint)

    def create_account(self, username: str, password: str | None, role: str, display_name: str,
                       unit_code: str | None = None) -> dict[str, Any]:
        return self._call("create_account", username, password, role, display_name, unit_code)

    def create_api_key(self, name: str, created_by: str) -> dict[str, Any]:
        return self._call("create_api_key", name, created_by)

    def create_unit(self, actor: Actor, row: dict[str, Any]) -> dict[str, Any]:
        return self._call("create_unit", actor, row)

    def designate(self, actor: Actor, designation_id: int, term_years: int = 3) -> dict[str, Any]:
        return self._call("designate", actor, designation_id, term_years)

    def dissolve_unit(self, actor: Actor, code: str, reason: str) -> dict[str, Any]:
        return self._call("dissolve_unit", actor, code, reason)

    def export_registry(self, file_format: str = 'csv') -> dict[str, str]:
        return self._call("export_registry", file_format)

    def get_account(self, username: str) -> dict[str, Any]:
        return self._call("get_account", username)

    def get_unit(self, code: str, with_contacts: bool = False) -> dict[str, Any]:
        return self._call("get_unit", code, with_contacts)

    def import_job(self, job_id: int) -> dict[str, Any]:
        return self._call("import_job", job_id)

    def list_accounts(self, unit_code: str | None = None, role: str | None = None, limit: int | None = None,
                      after: str | None = None, q: str | None = None, locked: bool = False) -> list[dict[str, Any]]:
        return self._call("list_accounts", unit_code, role, limit, after, q, locked)

    def list_api_keys(self) -> list[dict[str, Any]]:
        return self._call("list_api_keys")

    def list_audit(self, actor: str | None = None, action: str | None = None, after_id: int = 0,
                   limit: int = 100) -> dict[str, Any]:
        return self._call("list_audit", actor, action, after_id, limit)

    def list_audit_archives(self) -> list[dict[str, Any]]:
        """The sealed months of the audit trail: file, entries, head and SHA-256 each."""
        return self._call("list_audit_archives")

    def list_designations(self, code: str | None = None, status: str | None = None, limit: int = 100,
                          after_id: int = 0) -> dict[str, Any]:
        return self._call("list_designations", code, status, limit, after_id)

    def list_import_jobs(self, limit: int = 10) -> list[dict[str, Any]]:
        return self._call("list_import_jobs", limit)

    def list_units(self, sector: str | None = None, parent: str | None = None, town: str | None = None,
                   status: str | None = None, q: str | None = None, limit: int = 50,
                   after: str | None = None) -> dict[str, Any]:
        return self._call("list_units", sector, parent, town, status, q, limit, after)

    def login(self, username: str, password: str, otp: str | None = None,
              address: str | None = None) -> dict[str, Any]:
        """A session; SecondFactorRequired (with a challenge) for a role that needs a code and gave none.
        Failures count per account and the caller's `address`."""
        return self._call("login", username, password, otp, address)

    def logout(self, refresh_token: str) -> None:
        return self._call("logout", refresh_token)

    def merge_unit(self, actor: Actor, code: str, into_code: str) -> dict[str, Any]:
        return self._call("merge_unit", actor, code, into_code)

    def move_unit(self, actor: Actor, code: str, new_parent: str) -> dict[str, Any]:
        return self._call("move_unit", actor, code, new_parent)

    def nominate(self, actor: Actor, code: str, kind: str, reason: str) -> dict[str, Any]:
        return self._call("nominate", actor, code, kind, reason)

    def officials(self, code: str, on: str | None = None) -> list[dict[str, Any]]:
        return self._call("officials", code, on)

    def reset_second_factor(self, username: str) -> dict[str, Any]:
        return self._call("reset_second_factor", username)

    def second_factor_status(self, username: str) -> dict[str, Any]:
        return self._call("second_factor_status", username)

    def sign_in_history(self, username: str, limit: int = 30) -> list[dict[str, str]]:
        """The account's last sign-ins and failures, newest first: at (UTC), address, result."""
        return self._call("sign_in_history", username, limit)

    def second_step(self, challenge: str, code: str, address: str | None = None) -> dict[str, Any]:
        """A session, given a sign-in challenge and a TOTP or recovery code."""
        return self._call("second_step", challenge, code, address)

    def provision_accounts(self, town: str | None = None, after: str | None = None, limit: int = 50) -> dict[str, Any]:
        return self._call("provision_accounts", town, after, limit)

    def refresh_session(self, refresh_token: str) -> dict[str, Any]:
        return self._call("refresh_session", refresh_token)

    def reset_password(self, username: str) -> dict[str, Any]:
        return self._call("reset_password", username)

    def relatives(self, relation: str, code: str) -> list[dict[str, Any]]:
        """A unit's children, subtree or ancestors (relation names which)."""
        if relation not in RELATIONS:
            raise ValueError(f"relation must be one of {', '.join(RELATIONS)}")
        return self._call(relation, code)

    def revoke_api_key(self, key_id: int) -> dict[str, Any]:
        return self._call("revoke_api_key", key_id)

    def keep_designation(self, actor: Actor, designation_id: int, period: str, reason: str) -> dict[str, Any]:
        return self._call("keep_designation", actor, designation_id, period, reason)

    def revoke_designation(self, actor: Actor, designation_id: int, reason: str) -> dict[str, Any]:
        return self._call("revoke_designation", actor, designation_id, reason)

    def set_account_enabled(self, username: str, enabled: bool) -> dict[str, Any]:
        return self._call("set_account_enabled", username, enabled)

    def set_experience(self, actor: Actor, designation_id: int, experience: str | None) -> dict[str, Any]:
        return self._call("set_experience", actor, designation_id, experience)

    def set_official(self, actor: Actor, code: str, role: str, official: dict[str, Any] | None) -> dict[str, Any]:
        return self._call("set_official", actor, code, role, official)

    def settle_idempotency_key(self, caller: str, key: str, fingerprint: str, status: int | None = None,
                               body: str | None = None) -> None:
        return self._call("settle_idempotency_key", caller, key, fingerprint, status, body)

    def submit_import(self, actor: Actor, filename: str, content_b64: str, apply: bool = False,
                      request_id: str | None = None) -> dict[str, Any]:
        return self._call("submit_import", actor, filename, content_b64, apply, request_id)

    def subtree(self, code: str) -> list[dict[str, Any]]:
        return self._call("subtree", code)

    def unlock_account(self, username: str) -> dict[str, Any]:
        return self._call("unlock_account", username)

    def update_unit(self, actor: Actor, code: str, changes: dict[str, Any]) -> dict[str, Any]:
        return self._call("update_unit", actor, code, changes)

    def verify_audit(self) -> dict[str, Any]:
        return self._call("verify_audit")
