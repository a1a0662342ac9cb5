"""What the registry's routes answer: the directory, officials, designations, import jobs,
sign-in, accounts and API keys (the units service's data)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.common.shapes.units import DirectoryEntry

from .kit import list_of, maybe, page_of, string


class OfficialTerm(Schema):
    """Who holds a role, from when to when; contacts only for those who may see them."""
    role = string(metadata={"description": "secretary, liaison or reviewer"})
    name = string()
    phone = maybe()
    email = maybe()
    started_on = fields.Date(required=True)
    ended_on = maybe(fields.Date)


class Official(Schema):
    role = string(metadata={"description": "secretary, liaison or reviewer"})
    name = string()
    phone = maybe()
    email = maybe()


class UnitWithOfficials(DirectoryEntry):
    """A unit; as the county office and its own officials see it, its officials with their contacts."""
    officials = fields.List(fields.Nested(Official), metadata={"description": "who holds each role now"})


class AuditArchive(Schema):
    """One sealed month of the audit trail, moved out of the online entries."""
    month = string(metadata={"description": "YYYY-MM, county time"})
    file = string()
    first_id = fields.Integer(required=True)
    last_id = fields.Integer(required=True)
    entries = fields.Integer(required=True)
    head = string(metadata={"description": "the hash chain's head at the month's last entry"})
    sha256 = string(metadata={"description": "of the archive file"})
    sealed_at = fields.DateTime(required=True)


AuditArchiveList = list_of("AuditArchiveList", AuditArchive)
UnitPage = page_of("UnitPage", DirectoryEntry, "A page of the directory.")
UnitList = list_of("UnitList", DirectoryEntry, "Units related to one (children, subtree or ancestors).")
OfficialList = list_of("OfficialList", OfficialTerm)


class DesignationReview(Schema):
    """The county office's review (复核) of a model whose score for a month fell below the pass mark."""
    period = string(metadata={"description": "the month whose score was reviewed, like 2026-07"})
    decision = fields.String(required=True, validate=validate.OneOf(("keep",)),
                             metadata={"description": "keep (保留): the designation stays in its term"})
    reason = string()
    reviewed_by = string()
    reviewed_at = fields.DateTime(required=True)


class Designation(Schema):
    """A demonstration site (示范点) or model (典型): nominated, designated for a term, or revoked."""
    id = fields.Integer(required=True)
    unit_code = string()
    kind = string(metadata={"description": "demonstration or model"})
    status = string()
    reason = maybe()
    nominated_by = maybe()
    nominated_at = fields.DateTime(required=True)
    designated_by = maybe()
    starts_on = maybe(fields.Date)
    ends_on = maybe(fields.Date)
    revoked_reason = maybe()
    experience = maybe()
    actions = fields.List(fields.String(), required=True,
                          metadata={"description": "what may be done now, from the designation's state table: "
                                                   "designate (a nomination); keep (on review) and revoke "
                                                   "(one in its term)"})
    reviews = fields.List(fields.Nested(DesignationReview), required=True,
                          metadata={"description": "the reviews of its monthly scores, oldest first"})


DesignationPage = page_of("DesignationPage", Designation)


class Account(Schema):
    """An account, never its password."""
    username = string()
    display_name = maybe()
    role = string()
    unit_code = maybe()
    enabled = fields.Boolean(required=True)
    auth_version = fields.Integer(required=True)
    must_change_password = fields.Boolean(required=True)
    failed_logins = fields.Integer(required=True)
    locked = fields.Boolean(required=True)
    locked_until = maybe(fields.DateTime)


class AccountPage(Schema):
    items = fields.List(fields.Nested(Account), required=True)
    next_cursor = maybe()


class Caller(Schema):
    """Who the token or key says the caller is."""
    username = string()
    role = string()
    unit = maybe()


class TokenAnswer(Schema):
    """A signed-in session: a short-lived bearer token and the refresh token that renews it."""
    access_token = string()
    token_type = string(metadata={"description": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})
    refresh_token = string()
    account = fields.Nested(Account, required=True)


class ApiKey(Schema):
    """An API key as listed: its prefix, never the key."""
    id = fields.Integer(required=True)
    name = string()
    prefix = string()
    created_by = maybe()
    created_at = fields.DateTime(required=True)
    revoked = fields.Boolean(required=True)


class NewApiKeyAnswer(ApiKey):
    key = string(metadata={"description": "the key itself, sent as X-API-Key; shown in this answer only"})


ApiKeyList = list_of("ApiKeyList", ApiKey)


class AccountWithPassword(Account):
    """An account unlocked, or reset with a one-time password."""
    password = fields.String(metadata={"description": "reset only: a one-time password, shown in this answer only"})


class SecondFactor(Schema):
    """Whether an account has a second factor (TOTP), since when, and its recovery codes left."""
    username = string()
    enrolled = fields.Boolean(required=True)
    enrolled_at = maybe(fields.DateTime)
    recovery_codes_left = fields.Integer(required=True)


class RowProblem(Schema):
    row = fields.Integer(required=True, metadata={"description": "as Excel shows it (the header is row 1)"})
    column = maybe(metadata={"description": "the registry column; null for the whole row"})
    problem = string()


class ImportReport(Schema):
    """What a dry run found, or what an apply did."""
    filename = string()
    encoding = maybe()
    notes = fields.List(fields.String(), required=True)
    rows = fields.Integer(required=True)
    problems = fields.List(fields.Nested(RowProblem), required=True)
    applied = fields.Boolean(required=True)
    registered = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    apply_job = fields.Integer(metadata={"description": "the apply job that applied this dry run's file"})
    officials_ = fields.Boolean(data_key="_officials", metadata={
        "description": "internal to a dry run not yet applied: whether the file has every official's column"})


class JobError(Schema):
    code = string()
    message = string()


class ImportJob(Schema):
    """A registry import: queued, running (rows_done of rows_total), succeeded or failed."""
    id = fields.Integer(required=True)
    kind = string(validate=validate.OneOf(("dry_run", "apply")))
    status = string(validate=validate.OneOf(("queued", "running", "succeeded", "failed")))
    filename = string()
    rows_done = fields.Integer(required=True)
    rows_total = maybe(fields.Integer)
    attempts = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    started_at = maybe(fields.DateTime)
    finished_at = maybe(fields.DateTime)
    report = maybe(fields.Nested, nested=ImportReport)
    error = maybe(fields.Nested, nested=JobError)
    actor = string()
    can_apply = fields.Boolean(required=True, metadata={"description": "a clean dry run that may be applied now"})


class AuditEntry(Schema):
    """One state-changing request, hash-chained to the one before."""
    id = fields.Integer(required=True)
    actor = string()
    role = string()
    unit = maybe()
    action = string(metadata={"description": "the method and the route rule"})
    target = string(metadata={"description": "the request path"})
    result = fields.Integer(required=True, metadata={"description": "the HTTP status the caller got"})
    at = fields.DateTime(required=True)
    request_id = string()
    entry_id = maybe(metadata={"description": "the id the writer gave it (one entry per id)"})
    prev_hash = string()
    hash = string()


class ArchiveCheck(Schema):
    month = string()
    file = string()
    entries = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    reason = maybe()


class AuditVerdict(Schema):
    """The whole chain checked: the sealed monthly archives, then the online entries."""
    ok = fields.Boolean(required=True)
    entries = fields.Integer(required=True)
    online_entries = fields.Integer(metadata={"description": "absent when an archive failed"})
    archives = fields.List(fields.Nested(ArchiveCheck), required=True)
    where = maybe(metadata={"description": "where the chain breaks; null when it holds"})
    first_bad_id = maybe(fields.Integer)
    reason = maybe()
    last_hash = fields.String(metadata={"description": "the chain's head, when it holds"})

ANSWERS = {
    ("GET", "/api/v1/units"): UnitPage,
    ("GET", "/api/v1/units/<code:code>"): UnitWithOfficials,
    ("GET", "/api/v1/units/<code:code>/<any(children,subtree,ancestors):relation>"): UnitList,
    ("POST", "/api/v1/units"): DirectoryEntry,
    ("PATCH", "/api/v1/units/<code:code>"): DirectoryEntry,
    ("POST", "/api/v1/units/<code:code>/<any(move,merge,dissolve):action>"): DirectoryEntry,
    ("POST", "/api/v1/units/import"): ImportJob,
    ("GET", "/api/v1/units/import/jobs/<id:job_id>"): ImportJob,
    ("POST", "/api/v1/units/import/jobs/<id:job_id>/apply"): ImportJob,
    ("GET", "/api/v1/units/<code:code>/officials"): OfficialList,
    ("PUT", "/api/v1/units/<code:code>/officials/<any(secretary,liaison,reviewer):role>"): UnitWithOfficials,
    ("DELETE", "/api/v1/units/<code:code>/officials/<any(secretary,liaison,reviewer):role>"): UnitWithOfficials,
    ("GET", "/api/v1/designations"): DesignationPage,
    ("POST", "/api/v1/designations"): Designation,
    ("POST", "/api/v1/designations/<id:designation_id>/<any(designate,revoke):action>"): Designation,
    ("POST", "/api/v1/designations/<id:designation_id>/keep"): Designation,
    ("PUT", "/api/v1/designations/<id:designation_id>/experience"): Designation,
    ("POST", "/api/v1/auth/token"): TokenAnswer,
    ("GET", "/api/v1/auth/me"): Caller,
    ("POST", "/api/v1/auth/password"): TokenAnswer,
    ("GET", "/api/v1/api-keys"): ApiKeyList,
    ("POST", "/api/v1/api-keys"): NewApiKeyAnswer,
    ("DELETE", "/api/v1/api-keys/<id:key_id>"): ApiKey,
    ("GET", "/api/v1/accounts"): AccountPage,
    ("POST", "/api/v1/accounts"): Account,
    ("GET", "/api/v1/accounts/<username:username>"): Account,
    ("PATCH", "/api/v1/accounts/<username:username>"): Account,
    ("POST", "/api/v1/accounts/<username:username>/<any(disable,enable):action>"): Account,
    ("POST", "/api/v1/accounts/<username:username>/<any(unlock,reset):action>"): AccountWithPassword,
    ("GET", "/api/v1/accounts/<username:username>/second-factor"): SecondFactor,
    ("POST", "/api/v1/accounts/<username:username>/second-factor/reset"): SecondFactor,
    ("GET", "/api/v1/audit"): page_of("AuditPage", AuditEntry, "Audit entries, oldest first."),
    ("GET", "/api/v1/audit/verify"): AuditVerdict,
    ("GET", "/api/v1/audit/archives"): AuditArchiveList,
}
