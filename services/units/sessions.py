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
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, PasswordChangeRequired
from services.common.records import utcnow

from . import accounts
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


def login(session: Session, username: str, password: str) -> dict[str, Any]:
    """The account and the first refresh token of a new session; none while the account's
    password is a one-time one (PasswordChangeRequired: change it first)."""
    account = accounts.authenticate(session, username, password)
    if account["must_change_password"]:
        raise PasswordChangeRequired("这是管理员给的一次性密码：请先设置您自己的新密码，再登录。",
                                     {"username": account["username"]})
    refresh = _issue(session, session.get(Account, account["username"]), str(uuid.uuid4()))
    return {"account": account, "refresh_token": refresh}


def change_password(session: Session, username: str, current: str, new: str) -> dict[str, Any]:
    """Set the account's own password: every session it had ends (the version moved on) and
    this answer opens a new one, as a login does."""
    account = accounts.change_password(session, username, current, new)
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
