"""Second factors without a broker: enrolment confirmed by a code, a replayed code refused, a
recovery code taken once, the security administrator's reset, and signing in with the code as
the console (a challenge, then the code) and the API (the code beside the password) do it."""
import time

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from services.common.errors import AccountLocked, Conflict, Forbidden, SecondFactorRequired, SignInSlowed
from services.units import accounts, second_factor, sessions
from services.units.models import Account, AddressLock, RecoveryCode, SecondFactor
from tests.units.units_fixtures import register_sample

PASSWORD = "a long passphrase"
NOW = 1_796_000_000.0  # a fixed instant for the codes of the rules below


@pytest.fixture
def uow(uow_factory):
    uow = register_sample(uow_factory("units"))
    accounts.create(uow.session, "office", PASSWORD, "inspector", "县委领导小组办公室")
    accounts.create(uow.session, "rv-a001", PASSWORD, "reviewer", "书记", "A001")
    uow.commit()
    return uow


def enrol(uow, username="office", now=NOW):
    started = second_factor.begin(uow.session, username)
    assert started["uri"].startswith("otpauth://totp/") and "secret=" + started["secret"] in started["uri"]
    with pytest.raises(Forbidden, match="动态验证码不对"):
        second_factor.confirm(uow.session, username, "000000" if pyotp.TOTP(started["secret"]).at(now) != "000000"
                              else "111111", now)
    codes = second_factor.confirm(uow.session, username, pyotp.TOTP(started["secret"]).at(now), now)
    return started["secret"], codes["recovery_codes"]


def test_enrolment_is_confirmed_by_a_code_and_gives_ten_hashed_recovery_codes(uow):
    secret, codes = enrol(uow)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = uow.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert all(c.replace("-", "") not in stored for c in codes)
    raw = uow.session.execute(sa.text("select secret from second_factors")).scalar()
    assert secret not in raw  # sealed at rest
    with pytest.raises(Conflict, match="已绑定"):
        second_factor.begin(uow.session, "office")
    assert second_factor.status(uow.session, "office") | {"enrolled_at": None} == {
        "username": "office", "enrolled": True, "enrolled_at": None, "recovery_codes_left": 10}


def test_a_code_is_taken_once_and_a_recovery_code_once(uow):
    secret, codes = enrol(uow, now=NOW - 60)
    totp = pyotp.TOTP(secret)
    assert second_factor.verify(uow.session, "office", totp.at(NOW), NOW) == "totp"
    with pytest.raises(Forbidden, match="已经用过") as replayed:
        second_factor.verify(uow.session, "office", totp.at(NOW), NOW)
    assert replayed.value.details["reason"] == "replayed"
    with pytest.raises(Forbidden, match="已经用过"):  # an older code, still inside the window
        second_factor.verify(uow.session, "office", totp.at(NOW - 30), NOW)
    assert second_factor.verify(uow.session, "office", totp.at(NOW + 30), NOW) == "totp"  # a clock a step ahead
    with pytest.raises(Forbidden, match="不对"):
        second_factor.verify(uow.session, "office", totp.at(NOW + 90), NOW)
    assert second_factor.verify(uow.session, "office", codes[0].upper(), NOW) == "recovery_code"
    with pytest.raises(Forbidden, match="恢复码已经用过"):
        second_factor.verify(uow.session, "office", codes[0], NOW)
    with pytest.raises(Forbidden, match="不对"):
        second_factor.verify(uow.session, "office", "abcde-fghjk", NOW)
    assert second_factor.status(uow.session, "office")["recovery_codes_left"] == 9


def test_the_console_signs_in_in_two_steps_and_the_api_in_one(uow):
    """Each code is the one of a new time step (units refuses a step it has taken): the service's
    clock is moved a step on before each, instead of waiting for the real clock to."""
    with time_machine.travel(time.time(), tick=False) as clock:  # the clock stands still between shifts
        def fresh_code(secret):
            clock.shift(30)
            return pyotp.TOTP(secret).at(time.time())

        with pytest.raises(SecondFactorRequired) as first:  # no factor yet: enrol at the sign-in
            sessions.login(uow.session, "office", PASSWORD)
        assert first.value.details["step"] == "enrol" and first.value.status == 401
        challenge = first.value.details["challenge"]
        started = sessions.enrolment(uow.session, challenge)
        opened = sessions.confirm_enrolment(uow.session, challenge, fresh_code(started["secret"]))
        assert opened["refresh_token"] and len(opened["recovery_codes"]) == 10
        with pytest.raises(Forbidden, match="已过期或已用过"):  # a challenge opens one session
            sessions.second_step(uow.session, challenge, fresh_code(started["secret"]))

        with pytest.raises(SecondFactorRequired) as asked:
            sessions.login(uow.session, "office", PASSWORD)
        assert asked.value.details["step"] == "code"
        done = sessions.second_step(uow.session, asked.value.details["challenge"], fresh_code(started["secret"]))
        assert done["account"]["username"] == "office" and done["second_factor"] == "totp"

        api = sessions.login(uow.session, "office", PASSWORD, fresh_code(started["secret"]))
        assert api["account"]["role"] == "inspector"
        with pytest.raises(Forbidden, match="不对"):
            sessions.login(uow.session, "office", PASSWORD, "12345")
    # a role the county did not add signs in with the password alone; an added one is asked
    assert sessions.login(uow.session, "rv-a001", PASSWORD)["account"]["role"] == "reviewer"
    with pytest.raises(SecondFactorRequired):
        sessions.login(uow.session, "rv-a001", PASSWORD, None, second_factor.required_roles("reviewer, operator"))


def test_wrong_codes_count_towards_the_lockout_and_a_reset_ends_the_sessions(uow):
    secret, _ = enrol(uow)
    version = uow.session.get(Account, "office").auth_version
    refused = []
    for _ in range(5):
        try:
            sessions.login(uow.session, "office", PASSWORD, "000001")
        except (Forbidden, SignInSlowed, AccountLocked) as exc:
            refused.append(type(exc).__name__)
        row = uow.session.get(AddressLock, ("office", "unknown"))
        row.last_failed_at = None if row.locked_until is None else row.last_failed_at
    assert refused.count("Forbidden") == 5 and uow.session.get(AddressLock, ("office", "unknown")).locked_until
    with pytest.raises(AccountLocked):
        sessions.login(uow.session, "office", PASSWORD, pyotp.TOTP(secret).now())

    assert second_factor.reset(uow.session, "office")["enrolled"] is False
    assert uow.session.get(SecondFactor, "office") is None
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    assert uow.session.get(Account, "office").auth_version == version + 1
