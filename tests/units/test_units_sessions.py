"""Login sessions with rotating refresh tokens, and API keys, without a broker."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.common.errors import Forbidden
from services.units import accounts, sessions
from services.units.models import ApiKey, RefreshToken
from tests.units.units_fixtures import register_sample

PASSWORD = "a long passphrase"


@pytest.fixture
def uow(uow_factory):
    uow = register_sample(uow_factory("units"))
    accounts.create(uow.session, "rv-a001", PASSWORD, "reviewer", "书记", "A001")
    uow.commit()
    return uow


def test_a_refresh_token_rotates_and_a_reused_one_closes_the_session(uow):
    first = sessions.login(uow.session, "rv-a001", PASSWORD)
    assert first["account"]["role"] == "reviewer" and len(first["refresh_token"]) > 30
    second = sessions.refresh(uow.session, first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    with pytest.raises(Forbidden, match="已被用过"):
        sessions.refresh(uow.session, first["refresh_token"])  # a copy of the spent token
    with pytest.raises(Forbidden, match="无效"):
        sessions.refresh(uow.session, second["refresh_token"])  # the whole family is revoked
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(RefreshToken)
                              .where(RefreshToken.token_hash.contains(first["refresh_token"]))) == 0


def test_disabling_or_changing_the_account_ends_its_sessions(uow):
    token = sessions.login(uow.session, "rv-a001", PASSWORD)["refresh_token"]
    accounts.change_role(uow.session, "rv-a001", "operator", "A001")
    with pytest.raises(Forbidden, match="已停用"):
        sessions.refresh(uow.session, token)
    token = sessions.login(uow.session, "rv-a001", PASSWORD)["refresh_token"]
    accounts.set_enabled(uow.session, "rv-a001", False)
    with pytest.raises(Forbidden, match="已停用"):
        sessions.refresh(uow.session, token)


def test_an_expired_session_and_a_logout_end_the_refresh_token(uow):
    token = sessions.login(uow.session, "rv-a001", PASSWORD)["refresh_token"]
    uow.session.execute(sa.update(RefreshToken).values(expires_at=sessions.utcnow() - timedelta(seconds=1)))
    with pytest.raises(Forbidden, match="已过期"):
        sessions.refresh(uow.session, token)
    token = sessions.login(uow.session, "rv-a001", PASSWORD)["refresh_token"]
    sessions.logout(uow.session, token)
    with pytest.raises(Forbidden):
        sessions.refresh(uow.session, token)


def test_api_keys_are_shown_once_and_kept_as_hashes(uow):
    made = sessions.create_api_key(uow.session, "county-archive", "admin")
    uow.commit()
    assert made["key"].startswith("gk_") and made["prefix"] == made["key"][:10]
    assert made["key"] not in uow.session.scalar(sa.select(ApiKey.key_hash))
    assert "key" not in sessions.list_api_keys(uow.session)[0]
    assert sessions.active_api_keys(uow.session) == [{"digest": sessions.digest(made["key"]),
                                                       "name": "county-archive"}]
    sessions.revoke_api_key(uow.session, made["id"])
    assert sessions.active_api_keys(uow.session) == []
