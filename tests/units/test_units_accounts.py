"""Accounts' rules without a broker: one-time passwords, the first sign-in's change, the
lockout counted per account and address (many addresses lock the account and alert the
security administrator), and bulk provisioning."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.common.errors import AccountLocked, Forbidden, InvalidInput, PasswordChangeRequired, SignInSlowed
from services.units import accounts, lockout, provisioning, sessions
from services.units.models import Account, AddressLock, AuditEntry, RefreshToken, Unit
from tests.units.units_fixtures import emitted, last_outbox_id, register_sample

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


def _age_last_failure(uow, username, address, seconds):
    uow.session.get(AddressLock, (username, address)).last_failed_at -= timedelta(seconds=seconds)


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


def test_wrong_passwords_slow_then_lock_the_address_out_of_the_account_for_15_minutes(uow):
    for _ in range(lockout.SLOW_FROM):
        with pytest.raises(Forbidden):
            accounts.authenticate(uow.session, "rv-a001", "wrong guess", address="203.0.113.9")
    with pytest.raises(SignInSlowed) as slowed:  # too soon after the third: not even looked at
        accounts.authenticate(uow.session, "rv-a001", PASSWORD, address="203.0.113.9")
    assert slowed.value.status == 429 and 1 <= slowed.value.details["retry_after_seconds"] <= 2
    assert uow.session.get(AddressLock, ("rv-a001", "203.0.113.9")).failures == 3
    for _ in range(lockout.LOCK_AFTER - lockout.SLOW_FROM):
        _age_last_failure(uow, "rv-a001", "203.0.113.9", 60)
        with pytest.raises(Forbidden):
            accounts.authenticate(uow.session, "rv-a001", "wrong guess", address="203.0.113.9")
    with pytest.raises(AccountLocked, match="已暂停.*自动解锁.*安全管理员") as locked:  # the right password neither
        accounts.authenticate(uow.session, "rv-a001", PASSWORD, address="203.0.113.9")
    assert 14 * 60 < locked.value.details["retry_after_seconds"] <= 15 * 60
    assert "系统管理员" not in locked.value.message
    # the official at their own office is not locked out by someone else's guesses
    assert accounts.authenticate(uow.session, "rv-a001", PASSWORD, address="198.51.100.7")["locked"] is False
    assert [a["username"] for a in accounts.list_accounts(uow.session, locked=True)] == ["rv-a001"]
    families = {f.name: f.samples[0].value for f in lockout.gauges(uow.session)}
    assert families == {"gongkai_accounts_locked": 0, "gongkai_address_locks": 1}
    actions = uow.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("lockout.%"))).all()
    assert actions == ["lockout.address"]
    accounts.unlock(uow.session, "rv-a001")  # the security administrator's unlock lifts the address's lock too
    assert accounts.authenticate(uow.session, "rv-a001", PASSWORD, address="203.0.113.9")["failed_logins"] == 0


def test_failures_from_many_addresses_lock_the_account_and_alert_the_security_administrator(uow):
    before = last_outbox_id(uow)
    for n in range(lockout.ACCOUNT_LOCK_AFTER):  # a spread campaign: 2 tries from each of 10 addresses
        with pytest.raises(Forbidden):
            accounts.authenticate(uow.session, "rv-a001", "wrong guess", address=f"192.0.2.{n // 2}")
    with pytest.raises(AccountLocked, match="多个网络地址.*自动解锁.*安全管理员") as locked:
        accounts.authenticate(uow.session, "rv-a001", PASSWORD, address="198.51.100.7")  # from anywhere
    assert "系统管理员" not in locked.value.message
    assert accounts.get(uow.session, "rv-a001")["locked"] is True
    (alert,) = [p for t, p in emitted(uow, before) if t == "AccountLockedOut"]
    assert alert["username"] == "rv-a001" and alert["failures"] == 20 and alert["addresses"] == 10
    assert lockout.ACCOUNT_LOCKOUTS._value.get() >= 1
    actions = uow.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("lockout.%"))).all()
    assert actions == ["lockout.account"]
    accounts.unlock(uow.session, "rv-a001")
    assert accounts.authenticate(uow.session, "rv-a001", PASSWORD, address="198.51.100.7")["locked"] is False


def test_a_lock_that_ran_out_starts_a_new_count_and_counts_are_per_account(uow):
    accounts.create(uow.session, "op-a001", PASSWORD, "operator", "干事", "A001")
    uow.session.add(AddressLock(username="rv-a001", address="203.0.113.9", failures=5,
                                last_failed_at=lockout.utcnow() - timedelta(minutes=16),
                                locked_until=lockout.utcnow() - timedelta(seconds=1)))
    assert accounts.authenticate(uow.session, "op-a001", PASSWORD, address="203.0.113.9")["failed_logins"] == 0
    with pytest.raises(Forbidden):
        accounts.authenticate(uow.session, "rv-a001", "wrong guess", address="203.0.113.9")
    row = uow.session.get(AddressLock, ("rv-a001", "203.0.113.9"))
    assert (row.failures, row.locked_until) == (1, None)
    with pytest.raises(Forbidden, match="用户名或密码不对"):  # an unknown name says the same, counts nothing
        accounts.authenticate(uow.session, "nobody", "wrong guess")


def test_attempts_refused_by_a_lock_are_in_the_history_and_count_towards_no_lock(uow):
    now = lockout.utcnow()
    addresses = [f"203.0.113.{n}" for n in range(lockout.ACCOUNT_LOCK_ADDRESSES)]
    for address in addresses:  # each address locked out of the account (5 wrong passwords earlier)
        uow.session.add(AddressLock(username="rv-a001", address=address, failures=lockout.LOCK_AFTER,
                                    last_failed_at=now, locked_until=now + timedelta(minutes=10)))
    for n in range(lockout.ACCOUNT_LOCK_AFTER):  # the right password even: refused, not looked at
        with pytest.raises(AccountLocked, match="已暂停"):
            accounts.authenticate(uow.session, "rv-a001", PASSWORD, address=addresses[n % len(addresses)])
    history = lockout.history(uow.session, "rv-a001", 100)
    assert len(history) == lockout.ACCOUNT_LOCK_AFTER and {h["result"] for h in history} == {"locked"}
    assert {h["address"] for h in history} == set(addresses)
    assert accounts.get(uow.session, "rv-a001")["locked"] is False  # not guesses: no account lock
    assert uow.session.get(AddressLock, ("rv-a001", addresses[0])).failures == lockout.LOCK_AFTER

    uow.session.get(Account, "rv-a001").locked_until = now + timedelta(minutes=5)  # the account's own lock
    with pytest.raises(AccountLocked, match="多个网络地址"):
        accounts.authenticate(uow.session, "rv-a001", PASSWORD, address="198.51.100.7")
    newest = lockout.history(uow.session, "rv-a001", 1)[0]
    assert (newest["address"], newest["result"]) == ("198.51.100.7", "locked")


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
