"""Login sessions and API keys.

A login returns a refresh token: a random secret of which only the SHA-256 is stored.
Each refresh spends it and issues the next one in the same family; presenting a spent
token again means it was copied, so the whole family is revoked. A refresh also fails
once the account is disabled or its role or unit changed (its auth_version moved on).

API keys are for other county systems (the subscriber role); they too are stored as
hashes and shown once, when made.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.errors import (Conflict, Forbidden, InvalidInput, NotFound, PasswordChangeRequired,
                                    SecondFactorRequired)
from services.common.records import utcnow

from . import accounts, challenges, lockout, password_policy, second_factor
from .models import Account, ApiKey, RefreshToken

REFRESH_LIFETIME = timedelta(days=14)
API_KEY_PREFIX = "gk_"



def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(session: Session, account: Account, family: str) -> str:
    secret = secrets.token_urlsafe(32)
    session.add(RefreshToken(family=family, username=account.username, token_hash=_digest(secret),
                             auth_version=account.auth_version, issued_at=utcnow(),
                             expires_at=utcnow() + REFRESH_LIFETIME))
    return secret


def login(session: Session, username: str, password: str, otp: str | None = None,
          factor_roles: frozenset[str] = second_factor.ALWAYS,
          max_ages: Mapping[str, int] | None = None, address: str | None = None) -> dict[str, Any]:
    """The account and the first refresh token of a new session; none while the account's
    password is a one-time one, or older than its role's `max_ages` in days
    (PasswordChangeRequired: change it first). A role in
    `factor_roles` needs its code too: given as `otp` (the API's password grant), or else
    SecondFactorRequired with a challenge for the second step (the console's)."""
    account = accounts.authenticate(session, username, password, factor_roles, address)
    if account["must_change_password"]:
        raise PasswordChangeRequired("这是管理员给的一次性密码：请先设置您自己的新密码，再登录。",
                                     {"username": account["username"]})
    record = session.get(Account, account["username"])
    days = password_policy.expired(record, max_ages or {})
    if days:
        raise PasswordChangeRequired(f"密码已使用超过 {days} 天，按规定须更换：请先设置新密码，再登录。",
                                     {"username": record.username, "expired": "true"})
    if record.role in factor_roles:
        if otp is None or not second_factor.enrolled(session, record.username):
            _ask_second_factor(session, record)
        _take_code(session, record, otp, address)
    return {"account": accounts.view(record), "refresh_token": _issue(session, record, str(uuid.uuid4()))}


def _ask_second_factor(session: Session, account: Account) -> None:
    # details cross the RPC as text (nameko stringifies what is not a string, a list or a mapping)
    details = {"challenge": challenges.issue(session, account.username), "username": account.username}
    if not second_factor.enrolled(session, account.username):
        raise SecondFactorRequired(second_factor.NOT_ENROLLED, {**details, "step": "enrol"})
    raise SecondFactorRequired("此账号登录须输入动态验证码：请打开手机上的验证器应用，输入显示的 6 位数字。",
                               {**details, "step": "code"})


def _take_code(session: Session, account: Account, code: str | None, address: str | None) -> str:
    """The second factor taken, or Forbidden: a wrong code counts towards the lockout as a
    wrong password does."""
    lockout.check(session, account, address)
    try:
        used = second_factor.verify(session, account.username, code)
    except Forbidden:
        lockout.failed(session, account, address, result="wrong_code")
        raise
    lockout.succeeded(session, account, address)
    return used


def second_step(session: Session, challenge: str, code: str, address: str | None = None) -> dict[str, Any]:
    """The console's second page: the challenge and a code (or a recovery code) open the session."""
    pending, account = challenges.take(session, challenge)
    used = _take_code(session, account, code, address)
    challenges.spend(pending)
    return {"account": accounts.view(account), "refresh_token": _issue(session, account, str(uuid.uuid4())),
            "second_factor": used}


def enrolment(session: Session, challenge: str) -> dict[str, Any]:
    """A new secret for an account that has none yet, behind its sign-in challenge."""
    _, account = challenges.take(session, challenge, attempt=False)
    return {"username": account.username, **second_factor.begin(session, account.username)}


def confirm_enrolment(session: Session, challenge: str, code: str, address: str | None = None) -> dict[str, Any]:
    """The first code from the app confirms the enrolment and opens the session; the recovery
    codes are in this answer only."""
    pending, account = challenges.take(session, challenge)
    lockout.check(session, account, address)
    codes = second_factor.confirm(session, account.username, code)
    lockout.succeeded(session, account, address)
    challenges.spend(pending)
    return {"account": accounts.view(account), "refresh_token": _issue(session, account, str(uuid.uuid4())),
            **codes}


def change_password(session: Session, username: str, current: str, new: str,
                    factor_roles: frozenset[str] = second_factor.ALWAYS, address: str | None = None) -> dict[str, Any]:
    """Set the account's own password: every session it had ends (the version moved on) and
    this answer opens a new one, as a login does; a role that signs in with a second factor
    goes on to it (SecondFactorRequired, the new password kept)."""
    account = accounts.change_password(session, username, current, new, address)
    if account.role in factor_roles:
        _ask_second_factor(session, account)
    return {"account": accounts.view(account), "refresh_token": _issue(session, account, str(uuid.uuid4()))}


def _revoke_family(session: Session, family: str) -> None:
    session.execute(sa.update(RefreshToken).where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def refresh(session: Session, secret: str) -> dict[str, Any]:
    """Spend a refresh token for the account's current claims and the next token.
    Raises Forbidden (and may revoke the session) when the token must not be honoured;
    the caller commits either way, so a revocation sticks."""
    token = session.scalar(sa.select(RefreshToken).where(RefreshToken.token_hash == _digest(secret or "")))
    if token is None or token.revoked_at is not None:
        raise Forbidden("登录凭据无效：请重新登录。")
    if token.spent_at is not None:
        _revoke_family(session, token.family)
        raise Forbidden("这个登录凭据已被用过，为安全起见本次登录已结束：请重新登录。")
    if token.expires_at <= utcnow():
        raise Forbidden("登录已过期：请重新登录。")
    account = session.get(Account, token.username)
    if account is None or not account.enabled or account.auth_version != token.auth_version:
        _revoke_family(session, token.family)
        raise Forbidden("账号的角色、单位或密码已变更，或账号已停用：请重新登录。")
    token.spent_at = utcnow()
    return {"account": accounts.view(account), "refresh_token": _issue(session, account, token.family)}


def logout(session: Session, secret: str) -> None:
    token = session.scalar(sa.select(RefreshToken).where(RefreshToken.token_hash == _digest(secret or "")))
    if token is not None:
        _revoke_family(session, token.family)


def create_api_key(session: Session, name: str, created_by: str) -> dict[str, Any]:
    name = (name or "").strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("API 密钥须有名称（使用它的系统），最多 100 个字符。")
    if session.scalar(sa.select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise Conflict(f"已有名为 {name} 的 API 密钥：请换一个名称，或先吊销旧的。")
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=secret[:10], key_hash=_digest(secret), created_by=created_by, created_at=utcnow())
    session.add(key)
    session.flush()
    return {**api_key_view(key), "key": secret}


def active_api_keys(session: Session) -> list[dict[str, str]]:
    """The digests of the keys in force, which the gateway caches to check keys without a
    call per request."""
    keys = session.scalars(sa.select(ApiKey).where(ApiKey.revoked_at.is_(None)).order_by(ApiKey.id))
    return [{"digest": k.key_hash, "name": k.name} for k in keys]


def digest(secret: str) -> str:
    return _digest(secret)


def revoke_api_key(session: Session, key_id: int) -> dict[str, Any]:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"没有编号为 {key_id} 的 API 密钥。")
    key.revoked_at = key.revoked_at or utcnow()
    return api_key_view(key)


def list_api_keys(session: Session) -> list[dict[str, Any]]:
    return [api_key_view(k) for k in session.scalars(sa.select(ApiKey).order_by(ApiKey.id))]


def api_key_view(key: ApiKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "prefix": key.prefix, "created_by": key.created_by,
            "created_at": key.created_at.isoformat(),
            "revoked": key.revoked_at is not None}
