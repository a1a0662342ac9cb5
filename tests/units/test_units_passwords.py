"""The password rules without a broker: 8 characters from 3 classes or a 16-character
passphrase, never containing the username, not on the common-password list, none of the last
five; applied at account creation and at a change; expiry per role sends the sign-in to the
change-password page."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from services.common.errors import InvalidInput, PasswordChangeRequired
from services.units import accounts, password_policy, sessions
from services.units.models import Account, PasswordHistory
from tests.units.units_fixtures import register_sample

NOW = datetime(2026, 12, 7, 8, 30, tzinfo=timezone.utc)
PASSWORD = "Tiaozhan-2026"


@pytest.fixture
def uow(uow_factory):
    uow = register_sample(uow_factory("units"))
    accounts.create(uow.session, "op-a001", PASSWORD, "operator", "干事", "A001")
    uow.commit()
    return uow


@pytest.mark.parametrize("password, rule", [
    ("Ab1!xyz", "至少 8 个字符"),  # 7 characters
    ("abcdefgh12", "至少 3 类"),  # two classes only, and short of a passphrase
    ("ABCDEFGHIJ", "至少 3 类"),
    ("Xy9-op-a001-Z", "不能包含用户名"),
    ("OP-A001xyz!9", "不能包含用户名"),  # in any case
    ("Woaini1314", "常见密码表"),  # lower-case match of a Chinese favourite
    ("Qwer1234", "常见密码表"),
    ("P@ssw0rd", "常见密码表"),
    ("Admin@123", "常见密码表"),
    ("x" * 129, "最多 128"),
])
def test_a_password_breaking_a_rule_is_refused_naming_the_rule(password, rule):
    with pytest.raises(InvalidInput, match=rule):
        password_policy.check(password, "op-a001")


@pytest.mark.parametrize("password", [
    "Tiaozhan-2026",  # lower, upper, digits, symbol
    "tiaozhan-2026",  # lower, digits, symbol
    "Qingshan7village",  # lower, upper, digits
    "our village office",  # a passphrase of 16+ characters, lower case and spaces only
    "党建工作每月公开一次请大家一起监督",  # a passphrase of 16 Chinese characters
    "dangjian公开2026",  # Chinese characters count as the fourth class
])
def test_a_password_keeping_the_rules_is_taken(password):
    password_policy.check(password, "op-a001")


def test_the_list_is_a_real_one():
    common = password_policy.common_passwords()
    assert len(common) > 10_000
    assert {"123456", "woaini1314", "qwer1234", "5201314", "password", "1qaz2wsx"} <= common


def test_creation_applies_the_rules(uow):
    with pytest.raises(InvalidInput, match="常见密码表"):
        accounts.create(uow.session, "rv-new", "Aa123456", "reviewer", "书记", "A001")
    with pytest.raises(InvalidInput, match="不能包含用户名"):
        accounts.create(uow.session, "rv-new", "rv-new-Pass1", "reviewer", "书记", "A001")
    assert uow.session.get(Account, "rv-new") is None
    made = accounts.create(uow.session, "rv-new", None, "reviewer", "书记", "A001")  # a one-time one: random
    assert made["must_change_password"]


def test_none_of_the_last_five_passwords_again(uow):
    chosen = [PASSWORD] + [f"Tiaozhan-{n}-2026" for n in range(1, 6)]
    for current, new in zip(chosen, chosen[1:]):
        sessions.change_password(uow.session, "op-a001", current, new, frozenset())
    kept = uow.session.scalars(sa.select(PasswordHistory).where(PasswordHistory.username == "op-a001")).all()
    assert len(kept) == password_policy.HISTORY and all(h.password_hash.startswith("$argon2") for h in kept)
    for earlier in chosen[2:5]:  # among the last five
        with pytest.raises(InvalidInput, match="最近 5 次"):
            sessions.change_password(uow.session, "op-a001", chosen[-1], earlier, frozenset())
    with pytest.raises(InvalidInput, match="常见密码表"):  # the rules hold at a change too
        sessions.change_password(uow.session, "op-a001", chosen[-1], "Qwer1234", frozenset())
    with pytest.raises(InvalidInput, match="至少 3 类"):
        sessions.change_password(uow.session, "op-a001", chosen[-1], "tiaozhanxyz", frozenset())
    # the sixth back has left the history: it may come back
    sessions.change_password(uow.session, "op-a001", chosen[-1], chosen[0], frozenset())


def test_a_reset_gives_a_one_time_password_that_the_rules_then_apply_to(uow):
    reset = accounts.reset_password(uow.session, "op-a001")
    with pytest.raises(InvalidInput, match="最近 5 次"):  # back to the password before the reset: refused
        sessions.change_password(uow.session, "op-a001", reset["password"], PASSWORD, frozenset())
    changed = sessions.change_password(uow.session, "op-a001", reset["password"], "Qingshan7village", frozenset())
    assert changed["account"]["must_change_password"] is False


def test_an_expired_password_signs_in_only_to_the_change_page(uow):
    ages = password_policy.max_ages("operator=30,inspector=90")
    assert ages == {"operator": 30, "inspector": 90}
    assert password_policy.max_ages(None) == {"inspector": 90, "admin": 90, "secadmin": 90, "auditor": 90}
    account = uow.session.get(Account, "op-a001")
    account.password_changed_at = NOW - timedelta(days=29)
    with time_machine.travel(NOW, tick=False):
        assert sessions.login(uow.session, "op-a001", PASSWORD, None, frozenset(), ages)["refresh_token"]
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        with pytest.raises(PasswordChangeRequired, match="超过 30 天") as refused:
            sessions.login(uow.session, "op-a001", PASSWORD, None, frozenset(), ages)
        assert refused.value.status == 403
        assert sessions.login(uow.session, "op-a001", PASSWORD, None, frozenset(), {"operator": 0})  # 0: never
        sessions.change_password(uow.session, "op-a001", PASSWORD, "Qingshan7village", frozenset())
        assert sessions.login(uow.session, "op-a001", "Qingshan7village", None, frozenset(), ages)["refresh_token"]
    with pytest.raises(ValueError):
        password_policy.max_ages("operator:30")


def test_a_one_time_password_meets_the_rules_it_is_checked_against():
    for _ in range(500):  # each carries a lower-case letter, a capital and a digit, placed at random
        handed_out = accounts.one_time_password()
        assert len(handed_out) == accounts.ONE_TIME_LENGTH and password_policy.classes(handed_out) >= 3
        password_policy.check(handed_out, "op-new")
