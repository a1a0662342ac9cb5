"""Accounts' rules without a broker: one-time passwords, the first sign-in's change, the
lockout counted per account, and bulk provisioning."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.common.errors import AccountLocked, Forbidden, InvalidInput, PasswordChangeRequired, SignInSlowed
from services.units import accounts, lockout, provisioning, sessions
from services.units.models import Account, RefreshToken, Unit
from tests.units.units_fixtures import register_sample

PASSWORD = "a long passphrase"


@pytest.fixture
def uow(uow_factory):
    uow = register_sample(uow_factory("units"))
    accounts.create(uow.session, "rv-a001", PASSWORD, "reviewer", "书记", "A001")
    uow.commit()
    return uow


def _session_before_reset(uow, username):
    """A session the account had (as if opened before its password was reset)."""
    return sessions._issue(uow.session, uow.session.get(Account, username), "family-before")


def _age_last_failure(uow, username, seconds):
    account = uow.session.get(Account, username)
    account.last_failed_at -= timedelta(seconds=seconds)


def test_a_one_time_password_is_shown_once_and_must_be_changed(uow):
    made = accounts.create(uow.session, "op-new", None, "operator", "干事", "A001")
    assert len(made["password"]) == accounts.ONE_TIME_LENGTH and made["must_change_password"]
    assert "password" not in accounts.get(uow.session, "op-new")
    with pytest.raises(PasswordChangeRequired, match="新密码"):  # no session before it is changed
        sessions.login(uow.session, "op-new", made["password"])
    assert not uow.session.scalars(sa.select(RefreshToken).where(RefreshToken.username == "op-new")).all()
    signed_in = {"refresh_token": _session_before_reset(uow, "op-new")}
    with pytest.raises(InvalidInput, match="不能与当前密码相同"):
        sessions.change_password(uow.session, "op-new", made["password"], made["password"])
    with pytest.raises(InvalidInput, match="至少"):
        sessions.change_password(uow.session, "op-new", made["password"], "short")
    changed = sessions.change_password(uow.session, "op-new", made["password"], "my own passphrase")
    assert sessions.login(uow.session, "op-new", "my own passphrase")["account"]["username"] == "op-new"
    assert changed["account"]["must_change_password"] is False
    with pytest.raises(Forbidden, match="已停用|已变更"):  # the session before the change has ended
        sessions.refresh(uow.session, signed_in["refresh_token"])
    assert sessions.refresh(uow.session, changed["refresh_token"])["account"]["username"] == "op-new"
    with pytest.raises(Forbidden, match="用户名或密码不对"):
        accounts.authenticate(uow.session, "op-new", made["password"])


def test_a_reset_ends_the_sessions_lifts_a_lock_and_needs_a_change(uow):
    token = sessions.login(uow.session, "rv-a001", PASSWORD)["refresh_token"]
    uow.session.get(Account, "rv-a001").locked_until = lockout.utcnow() + timedelta(minutes=5)
    reset = accounts.reset_password(uow.session, "rv-a001")
    assert reset["must_change_password"] and not reset["locked"] and len(reset["password"]) == 12
    with pytest.raises(Forbidden):
        sessions.refresh(uow.session, token)
    with pytest.raises(Forbidden):
        accounts.authenticate(uow.session, "rv-a001", PASSWORD)
    assert accounts.authenticate(uow.session, "rv-a001", reset["password"])["must_change_password"]
    with pytest.raises(PasswordChangeRequired):
        sessions.login(uow.session, "rv-a001", reset["password"])


def test_wrong_passwords_slow_then_lock_the_account_for_15_minutes(uow):
    for _ in range(lockout.SLOW_FROM):
        with pytest.raises(Forbidden):
            accounts.authenticate(uow.session, "rv-a001", "wrong guess")
    with pytest.raises(SignInSlowed) as slowed:  # too soon after the third: not even looked at
        accounts.authenticate(uow.session, "rv-a001", PASSWORD)
    assert slowed.value.status == 429 and 1 <= slowed.value.details["retry_after_seconds"] <= 2
    assert uow.session.get(Account, "rv-a001").failed_logins == 3
    for _ in range(lockout.LOCK_AFTER - lockout.SLOW_FROM):
        _age_last_failure(uow, "rv-a001", 60)
        with pytest.raises(Forbidden):
            accounts.authenticate(uow.session, "rv-a001", "wrong guess")
    with pytest.raises(AccountLocked, match="已锁定") as locked:  # the right password does not open it
        accounts.authenticate(uow.session, "rv-a001", PASSWORD)
    assert 14 * 60 < locked.value.details["retry_after_seconds"] <= 15 * 60
    assert accounts.get(uow.session, "rv-a001")["locked"] is True
    assert [a["username"] for a in accounts.list_accounts(uow.session, locked=True)] == ["rv-a001"]
    (family,) = lockout.gauges(uow.session)
    assert family.name == "gongkai_accounts_locked" and family.samples[0].value == 1
    accounts.unlock(uow.session, "rv-a001")
    assert accounts.authenticate(uow.session, "rv-a001", PASSWORD)["failed_logins"] == 0


def test_the_count_is_per_account_and_a_lock_that_ran_out_starts_a_new_one(uow):
    accounts.create(uow.session, "op-a001", PASSWORD, "operator", "干事", "A001")
    account = uow.session.get(Account, "rv-a001")
    account.failed_logins, account.locked_until = 5, lockout.utcnow() - timedelta(seconds=1)
    account.last_failed_at = lockout.utcnow() - timedelta(minutes=16)
    assert accounts.authenticate(uow.session, "op-a001", PASSWORD)["failed_logins"] == 0  # another account
    with pytest.raises(Forbidden):
        accounts.authenticate(uow.session, "rv-a001", "wrong guess")
    assert (account.failed_logins, account.locked_until) == (1, None)
    with pytest.raises(Forbidden, match="用户名或密码不对"):  # an unknown name says the same, counts nothing
        accounts.authenticate(uow.session, "nobody", "wrong guess")


def test_provisioning_gives_each_active_unit_an_operator_and_a_reviewer_once(uow):
    town = uow.session.scalar(sa.select(Unit.code).where(Unit.parent_code.is_not(None), Unit.status == "active")
                              .where(Unit.code.in_(sa.select(Unit.parent_code))).order_by(Unit.code).limit(1))
    pages, after = [], None
    while True:
        page = provisioning.provision(uow.session, town=town, after=after, limit=3)
        pages.append(page["rows"])
        after = page["next"]
        if after is None:
            break
    rows = [row for page in pages for row in page]
    units = {row["unit_code"] for row in rows}
    assert len(rows) == 2 * len(units) and len(units) > 3 and len(pages) > 1
    assert all(row["status"] == "created" and len(row["password"]) == 12 for row in rows)
    first = rows[0]
    assert accounts.authenticate(uow.session, first["username"], first["password"])["must_change_password"]
    again = provisioning.provision(uow.session, town=town, limit=200)["rows"]
    assert {row["status"] for row in again} == {"existing"} and all(r["password"] is None for r in again)
    county = provisioning.provision(uow.session, limit=200)["rows"]
    assert any(r["unit_code"] == "A001" and r["role"] == "reviewer" and r["username"] == "rv-a001"
               and r["status"] == "existing" for r in county)  # the unit's reviewer is kept as it is


def test_a_password_that_is_not_text_is_refused_as_wrong_not_a_crash(uow):
    with pytest.raises(Forbidden, match="用户名或密码不对"):
        accounts.authenticate(uow.session, "rv-a001", "bad \ud800 surrogate")
    with pytest.raises(InvalidInput, match="无法识别的字符"):
        accounts.create(uow.session, "op-odd", "ten chars \ud800!", "operator", "x", "A001")
