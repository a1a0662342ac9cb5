from __future__ import annotations

import base64
from contextlib import contextmanager
from datetime import date
from typing import Any, Iterator

from nameko.dependency_providers import Config
from sqlalchemy.exc import IntegrityError

from services.common import base
from services.common.db import UnitOfWork
from services.common.errors import DOMAIN_ERRORS, Conflict
from services.common.rpc import rpc
from services.common.timers import timer

from . import accounts, audit, designations, jobs, officials, provisioning, registry, registry_files, sessions, tree
from .backpressure import QueueBacklog


class UnitsService(base.ServiceBase):
    """The county's registry of Party organisations, their officials and accounts."""
    name = "units"
    config = Config()

    @contextmanager
    def writing(self) -> Iterator[UnitOfWork]:
        """The one commit path of a changing RPC. A constraint the rules did not foresee (two
        requests registering the same code at once, say) comes back as a typed Conflict, not
        as a database error."""
        try:
            with self.db as uow:
                yield uow
        except IntegrityError as exc:
            raise Conflict("这项更改与已有数据冲突（可能有人同时提交了相同的更改）：请刷新后核对，再重试。",
                           {"constraint": str(exc.orig)[:200]}) from None

    # --- the directory -----------------------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_units(self, sector: str | None = None, parent: str | None = None, town: str | None = None,
                   status: str | None = None, q: str | None = None, limit: int = 50,
                   after: str | None = None) -> dict[str, Any]:
        return registry.list_units(self.db.session, sector=sector, parent=parent, town=town, status=status,
                                   q=q, limit=limit, after=after)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_unit(self, code: str, with_contacts: bool = False) -> dict[str, Any]:
        return registry.get_unit(self.db.session, code, with_contacts)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def children(self, code: str) -> list[dict[str, Any]]:
        return tree.children(self.db.session, code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def subtree(self, code: str) -> list[dict[str, Any]]:
        return tree.subtree(self.db.session, code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def ancestors(self, code: str) -> list[dict[str, Any]]:
        return tree.ancestors(self.db.session, code)

    # --- changing the registry ------------------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def create_unit(self, actor: str, row: dict[str, Any]) -> dict[str, Any]:
        with self.writing() as uow:
            registry.create_unit(uow, actor, row)
            uow.session.flush()
            return registry.get_unit(uow.session, row["code"])

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def update_unit(self, actor: str, code: str, changes: dict[str, Any]) -> dict[str, Any]:
        with self.writing() as uow:
            registry.update_unit(uow, actor, code, changes)
            return registry.get_unit(uow.session, code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def move_unit(self, actor: str, code: str, new_parent: str) -> dict[str, Any]:
        with self.writing() as uow:
            return tree.move(uow, actor, code, new_parent)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def merge_unit(self, actor: str, code: str, into_code: str) -> dict[str, Any]:
        with self.writing() as uow:
            return tree.merge(uow, actor, code, into_code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def dissolve_unit(self, actor: str, code: str, reason: str) -> dict[str, Any]:
        with self.writing() as uow:
            return tree.dissolve(uow, actor, code, reason)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def import_registry(self, actor: str, filename: str, content_b64: str, apply: bool = False) -> dict[str, Any]:
        """Check a registry file (CSV or .xlsx) row by row; with apply, register it whole or not at all,
        in one transaction. For scripts and tests with small files: the gateway submits an
        import job instead (submit_import), which never holds the database for the whole file."""
        report = registry_files.import_file(self.db, actor, filename, base64.b64decode(content_b64), apply)
        if report["applied"]:
            self.db.commit()
        return report

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def submit_import(self, actor: str, filename: str, content_b64: str, apply: bool = False,
                      request_id: str | None = None) -> dict[str, Any]:
        """Store a registry file as an import job (dry_run, or apply) and answer at once."""
        with self.writing() as uow:
            return jobs.submit(uow, actor, filename, base64.b64decode(content_b64), apply, request_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def import_job(self, job_id: int) -> dict[str, Any]:
        return jobs.get(self.db.session, job_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def apply_checked_import(self, actor: str, job_id: int, request_id: str | None = None) -> dict[str, Any]:
        """Apply the file a clean dry run checked (once): a new apply job, answered at once."""
        with self.writing() as uow:
            return jobs.apply_checked(uow, actor, job_id, request_id)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_import_jobs(self, limit: int = 10) -> list[dict[str, Any]]:
        return jobs.recent(self.db.session, limit)

    @timer(interval=1)
    def run_import_jobs(self) -> None:
        """Claim waiting import jobs (and ones whose worker died) and run them, in batches."""
        settings = self.config.get("UNITS") or {}
        backlog = QueueBacklog(self.config["AMQP_URI"])
        try:
            jobs.run_pending(self.db, float(settings.get("IMPORT_JOB_STALE_SECONDS", jobs.STALE_SECONDS)),
                             int(settings.get("IMPORT_BATCH_ROWS", jobs.BATCH_ROWS)),
                             float(settings.get("IMPORT_PAUSE_SECONDS", jobs.PAUSE_SECONDS)),
                             float(settings.get("IMPORT_ROWS_PER_SECOND", jobs.ROWS_PER_SECOND)), backlog,
                             int(settings.get("IMPORT_MAX_BACKLOG", jobs.MAX_BACKLOG)))
        finally:
            backlog.close()

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def export_registry(self, file_format: str = "csv") -> dict[str, str]:
        filename, content = registry_files.export_file(self.db.session, file_format)
        return {"filename": filename, "content_b64": base64.b64encode(content).decode()}

    # --- officials --------------------------------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def set_official(self, actor: str, code: str, role: str, official: dict[str, Any] | None) -> dict[str, Any]:
        """Appoint someone to a role (replacing the holder), or with None leave it vacant."""
        with self.writing() as uow:
            registry.set_official(uow, actor, code, role, official)
            return registry.get_unit(uow.session, code, with_contacts=True)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def officials(self, code: str, on: str | None = None) -> list[dict[str, Any]]:
        """Who holds each role now, or held it on a date (ISO), or the whole history (on='all')."""
        registry.load_unit(self.db.session, code)
        if on == "all":
            return officials.history(self.db.session, code)
        return officials.responsible_on(self.db.session, code, date.fromisoformat(on) if on else date.today())

    # --- demonstration sites and models ---------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def nominate(self, actor: str, code: str, kind: str, reason: str) -> dict[str, Any]:
        with self.writing() as uow:
            return designations.nominate(uow, actor, code, kind, reason)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def designate(self, actor: str, designation_id: int, term_years: int = 3) -> dict[str, Any]:
        with self.writing() as uow:
            return designations.designate(uow, actor, designation_id, term_years)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def set_experience(self, actor: str, designation_id: int, experience: str | None) -> dict[str, Any]:
        with self.writing() as uow:
            return designations.set_experience(uow, actor, designation_id, experience)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def revoke_designation(self, actor: str, designation_id: int, reason: str) -> dict[str, Any]:
        with self.writing() as uow:
            return designations.revoke(uow, actor, designation_id, reason)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_designations(self, code: str | None = None, status: str | None = None, limit: int = 100,
                          after_id: int = 0) -> dict[str, Any]:
        return designations.list_designations(self.db.session, code, status, min(int(limit), 500), int(after_id))

    @timer(interval=3600)
    def expire_designations(self) -> None:
        designations.expire_due(self.db)
        self.db.commit()

    # --- accounts ---------------------------------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def create_account(self, username: str, password: str | None, role: str, display_name: str,
                       unit_code: str | None = None) -> dict[str, Any]:
        """Without a password, the account gets a one-time one (in this answer only)."""
        with self.writing() as uow:
            return accounts.create(uow.session, username, password, role, display_name, unit_code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def authenticate(self, username: str, password: str) -> dict[str, Any]:
        try:
            return accounts.authenticate(self.db.session, username, password)
        finally:
            self.db.commit()  # a wrong password's count sticks; a hash may have been upgraded

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def get_account(self, username: str) -> dict[str, Any]:
        return accounts.get(self.db.session, username)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def set_account_enabled(self, username: str, enabled: bool) -> dict[str, Any]:
        with self.writing() as uow:
            return accounts.set_enabled(uow.session, username, enabled)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def change_account_role(self, username: str, role: str, unit_code: str | None = None) -> dict[str, Any]:
        with self.writing() as uow:
            return accounts.change_role(uow.session, username, role, unit_code)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_accounts(self, unit_code: str | None = None, role: str | None = None, limit: int | None = None,
                      after: str | None = None, q: str | None = None, locked: bool = False) -> list[dict[str, Any]]:
        return accounts.list_accounts(self.db.session, unit_code, role, limit, after, q, locked)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def reset_password(self, username: str) -> dict[str, Any]:
        """A one-time password (in this answer only); the account's sessions end."""
        with self.writing() as uow:
            return accounts.reset_password(uow.session, username)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def unlock_account(self, username: str) -> dict[str, Any]:
        with self.writing() as uow:
            return accounts.unlock(uow.session, username)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def change_password(self, username: str, current: str, new: str) -> dict[str, Any]:
        """The caller's own new password; the answer is a new session, as a login's."""
        try:
            return sessions.change_password(self.db.session, username, current, new)
        finally:
            self.db.commit()  # a refusal changed nothing but a wrong current password's count

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def provision_accounts(self, town: str | None = None, after: str | None = None,
                           limit: int = provisioning.PAGE) -> dict[str, Any]:
        """A page of bulk provisioning: an operator and a reviewer account for each active unit."""
        with self.writing() as uow:
            return provisioning.provision(uow.session, town, after, limit)

    # --- sessions and API keys -------------------------------------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def login(self, username: str, password: str) -> dict[str, Any]:
        """The account and a refresh token, if the password is right."""
        try:
            return sessions.login(self.db.session, username, password)
        finally:
            self.db.commit()  # a wrong password's count sticks

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def refresh_session(self, refresh_token: str) -> dict[str, Any]:
        """Rotate a refresh token. A refusal may have revoked the session: that is committed too."""
        try:
            return sessions.refresh(self.db.session, refresh_token)
        finally:
            self.db.commit()

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def logout(self, refresh_token: str) -> None:
        sessions.logout(self.db.session, refresh_token)
        self.db.commit()

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def create_api_key(self, name: str, created_by: str) -> dict[str, Any]:
        """A new key for a subscriber system; the key itself is in this answer only."""
        with self.writing() as uow:
            return sessions.create_api_key(uow.session, name, created_by)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def active_api_keys(self) -> list[dict[str, str]]:
        return sessions.active_api_keys(self.db.session)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def revoke_api_key(self, key_id: int) -> dict[str, Any]:
        key = sessions.revoke_api_key(self.db.session, key_id)
        self.db.commit()
        return key

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_api_keys(self) -> list[dict[str, Any]]:
        return sessions.list_api_keys(self.db.session)

    # --- the gateway's audit trail (services.units.audit) ---------------------------------

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def append_audit(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Append one state-changing request to the hash chain; nothing edits or deletes it."""
        with self.db as uow:
            return audit.append(uow.session, entry)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def append_audit_batch(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """Append a gateway's spooled entries in the order given, each once (by entry_id):
        a batch delivered again, or after a timeout, appends only what is not there yet."""
        with self.db as uow:
            return audit.append_batch(uow.session, entries)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def verify_audit(self) -> dict[str, Any]:
        return audit.verify(self.db.session)

    @rpc(expected_exceptions=DOMAIN_ERRORS)
    def list_audit(self, actor: str | None = None, action: str | None = None, after_id: int = 0,
                   limit: int = 100) -> dict[str, Any]:
        return audit.query(self.db.session, actor=actor, action=action, after_id=after_id, limit=limit)
