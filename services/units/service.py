from __future__ import annotations

import base64
from datetime import date
from typing import Any

from nameko.dependency_providers import Config

from services.common import base
from services.common.actor import Actor
from services.common.entrypoints import command, query
from services.common.records import utcnow
from services.common.timers import timer
from services.common.workdays import county_today

from . import (accounts, audit, audit_archive, contact_retention, designations_rpc, directory, erasures, idempotency,
               job_runner, jobs, officials, provisioning, registry, registry_files, security_rpc, sessions, tree)

from .backpressure import QueueBacklog


class UnitsService(base.ServiceBase, security_rpc.SecurityRpc, erasures.ErasureAudit,
                   designations_rpc.DesignationsRpc):
    """The county's registry of Party organisations, their officials and accounts."""
    name = "units"
    config = Config()

    # --- the directory -----------------------------------------------------------------

    @query
    def list_units(self, sector: str | None = None, parent: str | None = None, town: str | None = None,
                   status: str | None = None, q: str | None = None, limit: int = 50,
                   after: str | None = None) -> dict[str, Any]:
        return directory.list_units(self.db.session, sector=sector, parent=parent, town=town, status=status,
                                   q=q, limit=limit, after=after)

    @query
    def get_unit(self, code: str, with_contacts: bool = False) -> dict[str, Any]:
        return directory.get_unit(self.db.session, code, with_contacts)

    @query
    def children(self, code: str) -> list[dict[str, Any]]:
        return tree.children(self.db.session, code)

    @query
    def subtree(self, code: str) -> list[dict[str, Any]]:
        return tree.subtree(self.db.session, code)

    @query
    def ancestors(self, code: str) -> list[dict[str, Any]]:
        return tree.ancestors(self.db.session, code)

    # --- changing the registry ------------------------------------------------------------

    @command
    def create_unit(self, actor: Actor, row: dict[str, Any]) -> dict[str, Any]:
        registry.create_unit(self.db, actor.username, row)
        self.db.session.flush()
        return directory.get_unit(self.db.session, row["code"])

    @command
    def update_unit(self, actor: Actor, code: str, changes: dict[str, Any]) -> dict[str, Any]:
        registry.update_unit(self.db, actor.username, code, changes)
        return directory.get_unit(self.db.session, code)

    @command
    def move_unit(self, actor: Actor, code: str, new_parent: str) -> dict[str, Any]:
        return tree.move(self.db, actor.username, code, new_parent)

    @command
    def merge_unit(self, actor: Actor, code: str, into_code: str) -> dict[str, Any]:
        return tree.merge(self.db, actor.username, code, into_code)

    @command
    def dissolve_unit(self, actor: Actor, code: str, reason: str) -> dict[str, Any]:
        return tree.dissolve(self.db, actor.username, code, reason)

    @command
    def import_registry(self, actor: Actor, filename: str, content_b64: str, apply: bool = False) -> dict[str, Any]:
        """Check a registry file (CSV or .xlsx) row by row; with apply, register it whole or not at all,
        in one transaction. For scripts and tests with small files: the gateway submits an
        import job instead (submit_import), which never holds the database for the whole file."""
        report = registry_files.import_file(self.db, actor.username, filename, base64.b64decode(content_b64), apply)
        if not report["applied"]:
            self.db.rollback()  # a check keeps nothing of what it tried
        return report

    @command
    def submit_import(self, actor: Actor, filename: str, content_b64: str, apply: bool = False,
                      request_id: str | None = None) -> dict[str, Any]:
        """Store a registry file as an import job (dry_run, or apply) and answer at once."""
        return jobs.submit(self.db, actor.username, filename, base64.b64decode(content_b64), apply, request_id)

    @query
    def import_job(self, job_id: int) -> dict[str, Any]:
        return jobs.get(self.db.session, job_id)

    @command
    def apply_checked_import(self, actor: Actor, job_id: int, request_id: str | None = None) -> dict[str, Any]:
        """Apply the file a clean dry run checked (once): a new apply job, answered at once."""
        return jobs.apply_checked(self.db, actor.username, job_id, request_id)

    @query
    def list_import_jobs(self, limit: int = 10) -> list[dict[str, Any]]:
        return jobs.recent(self.db.session, limit)

    @timer(interval=1)
    def run_import_jobs(self) -> None:
        """Claim waiting import jobs (and ones whose worker died) and run them, in batches."""
        settings = self.config.get("UNITS") or {}
        backlog = QueueBacklog(self.config["AMQP_URI"])
        try:
            job_runner.run_pending(self.db, float(settings.get("IMPORT_JOB_STALE_SECONDS", jobs.STALE_SECONDS)),
                             int(settings.get("IMPORT_BATCH_ROWS", jobs.BATCH_ROWS)),
                             float(settings.get("IMPORT_PAUSE_SECONDS", jobs.PAUSE_SECONDS)),
                             float(settings.get("IMPORT_ROWS_PER_SECOND", jobs.ROWS_PER_SECOND)), backlog,
                             int(settings.get("IMPORT_MAX_BACKLOG", jobs.MAX_BACKLOG)))
        finally:
            backlog.close()

    @query
    def export_registry(self, file_format: str = "csv") -> dict[str, str]:
        filename, content = registry_files.export_file(self.db.session, file_format)
        return {"filename": filename, "content_b64": base64.b64encode(content).decode()}

    # --- officials --------------------------------------------------------------------------

    @command
    def set_official(self, actor: Actor, code: str, role: str, official: dict[str, Any] | None) -> dict[str, Any]:
        """Appoint someone to a role (replacing the holder), or with None leave it vacant."""
        registry.set_official(self.db, actor.username, code, role, official)
        return directory.get_unit(self.db.session, code, with_contacts=True)

    @query
    def officials(self, code: str, on: str | None = None) -> list[dict[str, Any]]:
        """Who holds each role now, or held it on a date (ISO), or the whole history (on='all')."""
        registry.load_unit(self.db.session, code)
        if on == "all":
            return officials.history(self.db.session, code)
        return officials.responsible_on(self.db.session, code, date.fromisoformat(on) if on else county_today())

    # --- accounts ---------------------------------------------------------------------------

    @command
    def create_account(self, username: str, password: str | None, role: str, display_name: str,
                       unit_code: str | None = None) -> dict[str, Any]:
        """Without a password, the account gets a one-time one (in this answer only)."""
        return accounts.create(self.db.session, username, password, role, display_name, unit_code)

    @command(keep_refused=True)
    def authenticate(self, username: str, password: str) -> dict[str, Any]:
        return accounts.authenticate(self.db.session, username, password)

    @query
    def get_account(self, username: str) -> dict[str, Any]:
        return accounts.get(self.db.session, username)

    @command
    def set_account_enabled(self, username: str, enabled: bool) -> dict[str, Any]:
        return accounts.set_enabled(self.db.session, username, enabled)

    @command
    def change_account_role(self, username: str, role: str, unit_code: str | None = None) -> dict[str, Any]:
        return accounts.change_role(self.db.session, username, role, unit_code)

    @query
    def list_accounts(self, unit_code: str | None = None, role: str | None = None, limit: int | None = None,
                      after: str | None = None, q: str | None = None, locked: bool = False) -> list[dict[str, Any]]:
        return accounts.list_accounts(self.db.session, unit_code, role, limit, after, q, locked)

    @command
    def reset_password(self, username: str) -> dict[str, Any]:
        """A one-time password (in this answer only); the account's sessions end."""
        return accounts.reset_password(self.db.session, username)

    @command
    def unlock_account(self, username: str) -> dict[str, Any]:
        return accounts.unlock(self.db.session, username)

    @command
    def provision_accounts(self, town: str | None = None, after: str | None = None,
                           limit: int = provisioning.PAGE) -> dict[str, Any]:
        """A page of bulk provisioning: an operator and a reviewer account for each active unit."""
        return provisioning.provision(self.db.session, town, after, limit)

    # --- sessions and API keys -------------------------------------------------------------

    @command(keep_refused=True)
    def refresh_session(self, refresh_token: str) -> dict[str, Any]:
        """Rotate a refresh token. A refusal may have revoked the session: that is committed too."""
        return sessions.refresh(self.db.session, refresh_token)

    @command
    def logout(self, refresh_token: str) -> None:
        sessions.logout(self.db.session, refresh_token)

    @command
    def create_api_key(self, name: str, created_by: str) -> dict[str, Any]:
        """A new key for a subscriber system; the key itself is in this answer only."""
        return sessions.create_api_key(self.db.session, name, created_by)

    @query
    def active_api_keys(self) -> list[dict[str, str]]:
        return sessions.active_api_keys(self.db.session)

    @command
    def revoke_api_key(self, key_id: int) -> dict[str, Any]:
        return sessions.revoke_api_key(self.db.session, key_id)

    @query
    def list_api_keys(self) -> list[dict[str, Any]]:
        return sessions.list_api_keys(self.db.session)

    # --- the gateway's audit trail (services.units.audit) ---------------------------------

    @command
    def append_audit(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Append one state-changing request to the hash chain; nothing edits or deletes it."""
        return audit.append(self.db.session, entry)

    @command
    def append_audit_batch(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """Append a gateway's spooled entries in the order given, each once (by entry_id):
        a batch delivered again, or after a timeout, appends only what is not there yet."""
        return audit.append_batch(self.db.session, entries)

    @query
    def verify_audit(self) -> dict[str, Any]:
        """The whole chain: the sealed monthly archives, then the online entries."""
        return audit_archive.verify_all(self.db.session, audit_archive.settings(self.config)[0])

    @query
    def list_audit_archives(self) -> list[dict[str, Any]]:
        return audit_archive.archives(self.db.session)

    @timer(interval=3600)
    def erase_past_officials_contacts(self) -> None:
        """A past term's phone and email, once OFFICIAL_CONTACT_RETENTION_DAYS have passed since it ended."""
        days = contact_retention.retention_days(self.config)
        while contact_retention.erase_expired(self.db.session, county_today(), days):
            self.db.commit()

    @timer(interval=3600)
    def archive_audit(self) -> None:
        """Seal each month of the trail once all of it is past the retention (180 days at least)."""
        folder, days = audit_archive.settings(self.config)
        audit_archive.archive_due(self.db, folder, utcnow(), days)

    @query
    def list_audit(self, actor: str | None = None, action: str | None = None, after_id: int = 0,
                   limit: int = 100) -> dict[str, Any]:
        return audit.query(self.db.session, actor=actor, action=action, after_id=after_id, limit=limit)

    # --- the gateway's Idempotency-Key records (services.units.idempotency) ----------------------

    @command
    def claim_idempotency_key(self, caller: str, key: str, fingerprint: str) -> dict[str, Any]:
        return idempotency.claim(self.db.session, caller, key, fingerprint)

    @command
    def settle_idempotency_key(self, caller: str, key: str, fingerprint: str, status: int | None = None,
                               body: str | None = None) -> None:
        """Keep the answer (status and body), or with no status free the key for a retry."""
        if status is None:
            idempotency.release(self.db.session, caller, key, fingerprint)
        else:
            idempotency.complete(self.db.session, caller, key, fingerprint, status, body or "")

    @timer(interval=600)
    def purge_idempotency_keys(self) -> None:
        idempotency.purge(self.db.session)
        self.db.commit()
