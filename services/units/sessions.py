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

from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
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
    """The account and the first refresh token of a new session."""
    account = accounts.authenticate(session, username, password)
    refresh = _issue(session, session.get(Account, account["username"]), str(uuid.uuid4()))
    return {"account": account, "refresh_token": refresh}


def _revoke_family(session: Session, family: str) -> None:
    session.execute(sa.update(RefreshToken).where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def refresh(session: Session, secret: str) -> dict[str, Any]:
    """Spend a refresh token for the account's current claims and the next token.
    Raises Forbidden (and may revoke the session) when the token must not be honoured;
    the caller commits either way, so a revocation sticks."""
    token = session.scalar(sa.select(RefreshToken).where(RefreshToken.token_hash == _digest(secret or "")))
    if token is None or token.revoked_at is not None:
        raise Forbidden("the refresh token is not valid; sign in again")
    if token.spent_at is not None:
        _revoke_family(session, token.family)
        raise Forbidden("the refresh token was used before; the session is closed, sign in again")
    if token.expires_at <= utcnow():
        raise Forbidden("the session has expired; sign in again")
    account = session.get(Account, token.username)
    if account is None or not account.enabled or account.auth_version != token.auth_version:
        _revoke_family(session, token.family)
        raise Forbidden("the account changed or was disabled; sign in again")
    token.spent_at = utcnow()
    return {"account": accounts.view(account), "refresh_token": _issue(session, account, token.family)}


def logout(session: Session, secret: str) -> None:
    token = session.scalar(sa.select(RefreshToken).where(RefreshToken.token_hash == _digest(secret or "")))
    if token is not None:
        _revoke_family(session, token.family)


def create_api_key(session: Session, name: str, created_by: str) -> dict[str, Any]:
    name = (name or "").strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("an API key needs a name of up to 100 characters (the system that uses it)")
    if session.scalar(sa.select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise Conflict(f"an API key named {name!r} exists already")
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
        raise NotFound(f"no API key {key_id}")
    key.revoked_at = key.revoked_at or utcnow()
    return api_key_view(key)


def list_api_keys(session: Session) -> list[dict[str, Any]]:
    return [api_key_view(k) for k in session.scalars(sa.select(ApiKey).order_by(ApiKey.id))]


def api_key_view(key: ApiKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "prefix": key.prefix, "created_by": key.created_by,
            "created_at": key.created_at.isoformat(),
            "revoked": key.revoked_at is not None}
