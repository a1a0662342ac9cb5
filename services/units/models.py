from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.crypto import Sealed
from services.common.records import NAMING, UTCDateTime


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


class Unit(Base):
    """A grassroots Party organisation (党组织) in the county tree."""
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    sector: Mapped[str] = mapped_column(sa.String(16), index=True)
    org_type: Mapped[str] = mapped_column(sa.String(16))  # committee 党委 / general_branch 党总支 / branch 党支部
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("units.code"), nullable=True, index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="active")  # active / merged / dissolved
    demonstration: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # an active 示范点 designation
    merged_into: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    closed_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)  # merged or dissolved on
    revision: Mapped[int] = mapped_column(sa.Integer, default=1)  # rises at every change, sent with events
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    officials: Mapped[list["Official"]] = relationship(
        back_populates="unit", order_by="Official.role", cascade="all, delete-orphan")


class Official(Base):
    """Who holds a role (书记 secretary, 联络员 liaison, 审核人 reviewer) in a unit now."""
    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.ForeignKey("units.code"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(Sealed("officials.phone"), nullable=True)  # sealed at rest
    email: Mapped[str | None] = mapped_column(Sealed("officials.email"), nullable=True)

    unit: Mapped[Unit] = relationship(back_populates="officials")

    __table_args__ = (sa.UniqueConstraint("unit_code", "role", name="uq_officials_unit_role"),)


class OfficialTerm(Base):
    """Who held which role when: accountability asks "who was responsible on date D"."""
    __tablename__ = "official_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(Sealed("official_terms.phone"), nullable=True)
    email: Mapped[str | None] = mapped_column(Sealed("official_terms.email"), nullable=True)
    started_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)  # exclusive; None while in office


class Designation(Base):
    """A demonstration site (示范点) or model (典型): nominated, designated for a term,
    then expired or revoked."""
    __tablename__ = "designations"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(sa.ForeignKey("units.code"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # demonstration 示范点 / model 典型
    status: Mapped[str] = mapped_column(sa.String(16), index=True)  # nominated / designated / expired / revoked
    reason: Mapped[str] = mapped_column(sa.Text)
    nominated_by: Mapped[str] = mapped_column(sa.String(64))
    nominated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    designated_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    starts_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)  # the term's last day
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    experience: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # 经验做法, for others to learn from
    experience_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)


class Account(Base):
    """A login for an official or the county office's staff, scoped to a role and a unit."""
    __tablename__ = "accounts"

    username: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16))
    unit_code: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # bumped when the account is disabled or its role or unit changes: tokens minted
    # under an older version are refused
    auth_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # a one-time password (made by the admin) must be replaced at the first sign-in
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # wrong passwords in a row, from any address, and the account-wide lock after failures from
    # many addresses (services/units/lockout.py; each address's own count is an AddressLock)
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # when the account's own password was last chosen (services/units/password_policy.py: expiry)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RefreshToken(Base):
    """One refresh token of a login session (a family). Each use rotates it: the used one
    is spent, and presenting a spent one again revokes the whole family (it was stolen)."""
    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(sa.String(36), index=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256 of the secret
    auth_version: Mapped[int] = mapped_column(sa.Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    spent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiKey(Base):
    """A key another county system uses to read the event feed; only its hash is kept."""
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))  # shown in lists to tell keys apart
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    """One state-changing request to the gateway, hash-chained to the entry before it so
    that an edited or removed entry is detectable (see services.units.audit). No RPC
    updates or deletes these rows."""
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    actor: Mapped[str] = mapped_column(sa.String(100), index=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    unit: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    action: Mapped[str] = mapped_column(sa.String(300), index=True)  # method and route rule
    target: Mapped[str] = mapped_column(sa.String(2000))  # the request path, never a body
    result: Mapped[int] = mapped_column(sa.Integer)  # the HTTP status the caller got
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    request_id: Mapped[str] = mapped_column(sa.String(64))
    # the gateway's id for the entry (its spool's), so a redelivered entry is appended once
    entry_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # a fork cannot be stored
    hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("uq_audit_log_entry_id", "entry_id", unique=True),)


class ImportJob(Base):
    """A registry upload checked (dry_run) or applied (apply) in the background: the file
    is kept until the job ends, its progress is committed with every batch it applies."""
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # dry_run / apply
    status: Mapped[str] = mapped_column(sa.String(16), index=True)  # queued / running / succeeded / failed
    actor: Mapped[str] = mapped_column(sa.String(100))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True)  # dropped when the job ends
    rows_total: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)  # known once the file is read
    rows_done: Mapped[int] = mapped_column(sa.Integer, default=0)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)  # runs started (a restart resumes)
    report: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)
    error: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)  # {code, message} of a failed job
    request_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditArchive(Base):
    """One sealed month of the audit trail, moved out of audit_log into a file once all of it is
    older than the retention (services.units.audit_archive). The row keeps the file's SHA-256
    and the chain's head at its end, so a file changed or replaced is found even when its
    .sha256 beside it was rewritten too."""
    __tablename__ = "audit_archives"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)  # YYYY-MM, county time
    filename: Mapped[str] = mapped_column(sa.String(100))
    first_id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"))
    last_id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"))
    entries: Mapped[int] = mapped_column(sa.Integer)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))  # the chain's hash before its first entry
    head: Mapped[str] = mapped_column(sa.String(64))  # the hash of its last entry
    sha256: Mapped[str] = mapped_column(sa.String(64))  # of the file
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyKey(Base):
    """A gateway request's Idempotency-Key and, once answered, its answer (services/units/idempotency.py)."""
    __tablename__ = "idempotency_keys"

    caller: Mapped[str] = mapped_column(sa.String(80), primary_key=True)  # who sent it (user:… or key:…)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))  # sha256 of method, path and body
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)  # null while at work
    body: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SecondFactor(Base):
    """An account's TOTP secret (RFC 6238), sealed at rest. Unconfirmed until the holder has
    typed one code from their app; `last_step` is the time step of the last code taken, so a
    code seen once (over a shoulder, in a proxy's log) is refused the second time."""
    __tablename__ = "second_factors"

    username: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    secret: Mapped[str] = mapped_column(Sealed("second_factors.secret"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)


class RecoveryCode(Base):
    """A one-time recovery code for a lost phone, kept as a keyed hash; spent when used."""
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SignInChallenge(Base):
    """A password accepted, the second factor still to come: a short-lived random token (only
    its SHA-256 kept) that the second step presents instead of the password again."""
    __tablename__ = "sign_in_challenges"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PasswordHistory(Base):
    """The Argon2 hashes of an account's last chosen passwords, so a new one is none of them."""
    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AddressLock(Base):
    """Wrong passwords in a row for one account from one address (services/units/lockout.py):
    slowed, then that address locked out of that account for a while."""
    __tablename__ = "address_locks"

    username: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SignInRecord(Base):
    """One sign-in attempt: when, from which address, and its result (ok, wrong_password,
    wrong_code, locked: refused by a lock): the lockout counts the wrong passwords and codes,
    the account's sign-in history lists them all."""
    __tablename__ = "sign_in_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    result: Mapped[str] = mapped_column(sa.String(24))
# the reviews of models, in their own module (on this Base)
from .review_models import DesignationReview  # noqa: E402,F401
