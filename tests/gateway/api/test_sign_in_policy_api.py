"""The password rules and the lockout over HTTP against separately started processes (units and
the gateway behind a trusted proxy, one cluster for the module): creation, a change and a change
after the security administrator's reset all refuse a weak, common, username-bearing or recently
used password in Chinese naming the rule; an expired password (PASSWORD_MAX_AGE_DAYS per role)
gets no token, only the change. Wrong passwords from someone else's address never lock the
official out; from many addresses they lock the account, alert the security administrator
(an AccountLockedOut event, a metric) and the security administrator unlocks it."""
import json
import subprocess
import sys
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.config import ROOT
from services.common.migrate import upgrade
from services.common.records import utcnow
from services.units.lockout import slow_seconds
from services.units.models import Account, AddressLock
from tests.conftest import free_port, scalar, wait_for
from tests.processes import Cluster, base_env, temporary_vhost
from tests.test_end_to_end import token

ADMIN = token("admin", "admin")
SECADMIN = token("secadmin", "secadmin")
FIRST = "Qingshan7village"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sign-in-policy")
    urls = {"units": f"sqlite:///{tmp}/units.db"}
    upgrade("units", urls["units"])
    with temporary_vhost() as amqp:
        env = {**base_env(amqp, urls, free_port()), "RATE_LIMITS_ENABLED": "false", "TRUST_PROXY": "true",
               "PASSWORD_MAX_AGE_DAYS": "operator=30,inspector=90"}
        cluster = Cluster(env, tmp)
        try:
            for module in ("services.units.load_sample", "services.units.demo_accounts"):
                subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, check=True, capture_output=True)
            units = cluster.start("units")
            address = f"127.0.0.1:{free_port()}"
            cluster.start("gateway", GATEWAY_ADDRESS=address)
            api = f"http://{address}"
            wait_for(lambda: requests.get(f"{api}/api/v1/accounts", headers=ADMIN, timeout=10).status_code == 200,
                     timeout=90, interval=0.2, message="the gateway to reach units")
            yield {"api": api, "db": urls["units"], "units": units}
        finally:
            cluster.stop_all()
            print(cluster.logs())


def sign_in(api, username, password, address="198.51.100.7"):
    """A sign-in from `address`, as our own proxy reports it."""
    return requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "password", "username": username,
                                                            "password": password},
                         headers={"X-Forwarded-For": address})


def change(api, username, current, new):
    return requests.post(f"{api}/api/v1/auth/password", json={
        "username": username, "current_password": current, "new_password": new})


def refusal(response):
    return response.json()["error"]["message"]


def test_weak_common_and_username_passwords_are_refused_at_creation(county):
    api = county["api"]
    new = {"username": "op-rules", "display_name": "干事", "role": "operator", "unit_code": "A001"}
    for password, rule in (("Qwer1234", "常见密码表"), ("Woaini1314", "常见密码表"), ("abcdefgh12", "至少 3 类"),
                           ("Op-Rules-2026", "不能包含用户名")):
        made = requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={**new, "password": password})
        assert made.status_code == 400 and rule in refusal(made), made.text
    short = requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={**new, "password": "Ab1!xyz"})
    assert short.status_code == 400 and "8–128" in short.text
    made = requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={**new, "password": FIRST})
    assert made.status_code == 201, made.text
    assert sign_in(api, "op-rules", FIRST).status_code == 200


def test_a_change_and_a_reset_keep_the_rules_and_the_history(county):
    api = county["api"]
    assert requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={
        "username": "rv-rules", "display_name": "书记", "role": "reviewer", "unit_code": "A001",
        "password": FIRST}).status_code == 201
    refused = change(api, "rv-rules", FIRST, "Rv-Rules-9!")
    assert refused.status_code == 400 and "不能包含用户名" in refusal(refused)
    assert change(api, "rv-rules", FIRST, "Hongqi-2027-x").status_code == 200
    again = change(api, "rv-rules", "Hongqi-2027-x", FIRST)
    assert again.status_code == 400 and "最近 5 次" in refusal(again)
    reset = requests.post(f"{api}/api/v1/accounts/rv-rules/reset", headers=SECADMIN)
    assert reset.status_code == 200, reset.text
    back = change(api, "rv-rules", reset.json()["password"], "Hongqi-2027-x")
    assert back.status_code == 400 and "最近 5 次" in refusal(back)
    assert change(api, "rv-rules", reset.json()["password"], "Hongqi-2028-y").status_code == 200


def test_an_expired_password_only_opens_the_change(county):
    api = county["api"]
    assert requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={
        "username": "op-aged", "display_name": "干事", "role": "operator", "unit_code": "A001",
        "password": FIRST}).status_code == 201
    engine = sa.create_engine(county["db"], poolclass=sa.pool.NullPool)
    with Session(engine) as session:
        session.get(Account, "op-aged").password_changed_at = utcnow() - timedelta(days=31)
        session.commit()
    engine.dispose()
    expired = sign_in(api, "op-aged", FIRST)
    assert expired.status_code == 403 and expired.json()["error"]["code"] == "password_change_required"
    assert "超过 30 天" in refusal(expired) and "access_token" not in expired.json()
    changed = change(api, "op-aged", FIRST, "Hongqi-2027-x")
    assert changed.status_code == 200 and changed.json()["access_token"]
    assert sign_in(api, "op-aged", "Hongqi-2027-x").status_code == 200


def _reviewer(api, username):
    made = requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={
        "username": username, "display_name": "书记", "role": "reviewer", "unit_code": "A001", "password": FIRST})
    assert made.status_code == 201, made.text


def wait_passed(url, username, address):
    """The wait after the last failure from `address` has passed: its time is moved back by the
    wait (and a second) in units' database, instead of sleeping through it."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with Session(engine) as session:
        row = session.get(AddressLock, (username, address))
        row.last_failed_at -= timedelta(seconds=slow_seconds(row.failures) + 1)
        session.commit()
    engine.dispose()


def test_someone_elses_address_cannot_lock_the_official_out(county):
    api = county["api"]
    _reviewer(api, "rv-target")
    answers = []
    for attempt in range(5):
        if attempt >= 3:  # the waits after the third and fourth failures from that address
            wait_passed(county["db"], "rv-target", "203.0.113.66")
        answers.append(sign_in(api, "rv-target", "wrong guess", address="203.0.113.66").status_code)
    assert answers == [401] * 5
    paused = sign_in(api, "rv-target", FIRST, address="203.0.113.66")  # the guesser's address: paused
    message = refusal(paused)
    assert paused.status_code == 429 and paused.json()["error"]["code"] == "account_locked"
    assert "此地址登录该账号已暂停" in message and "自动解锁" in message and "安全管理员" in message
    assert "系统管理员" not in message and 14 * 60 < int(paused.headers["Retry-After"]) <= 15 * 60
    assert sign_in(api, "rv-target", FIRST).status_code == 200  # the official, from the office: in
    locked = requests.get(f"{api}/api/v1/accounts", params={"locked": "true"}, headers=SECADMIN).json()["items"]
    assert [a["username"] for a in locked] == ["rv-target"]
    assert requests.post(f"{api}/api/v1/accounts/rv-target/unlock", headers=SECADMIN).status_code == 200
    assert sign_in(api, "rv-target", FIRST, address="203.0.113.66").status_code == 200
    assert "gongkai_address_locks" in county["units"].metrics()


def test_failures_from_many_addresses_lock_the_account_and_alert_the_security_administrator(county):
    api = county["api"]
    _reviewer(api, "rv-spread")
    statuses = [sign_in(api, "rv-spread", "wrong guess", address=f"192.0.2.{n // 2}").status_code
                for n in range(20)]  # two from each of ten addresses: none of them slowed
    assert statuses == [401] * 20
    locked = sign_in(api, "rv-spread", FIRST)  # the right password, from the office: the account is locked
    message = refusal(locked)
    assert locked.status_code == 429 and "多个网络地址" in message and "安全管理员" in message
    assert "自动解锁" in message and "系统管理员" not in message
    assert requests.get(f"{api}/api/v1/accounts/rv-spread", headers=SECADMIN).json()["locked"] is True
    body = scalar(county["db"], "SELECT body FROM outbox WHERE type = 'AccountLockedOut'")
    assert body is not None and json.loads(body)["payload"]["username"] == "rv-spread"
    assert json.loads(body)["payload"]["addresses"] == 10
    assert "gongkai_account_lockouts_total 1.0" in county["units"].metrics()
    assert scalar(county["db"], "SELECT count(*) FROM audit_log WHERE action = 'lockout.account'") == 1
    assert requests.post(f"{api}/api/v1/accounts/rv-spread/unlock", headers=ADMIN).status_code == 403
    assert requests.post(f"{api}/api/v1/accounts/rv-spread/unlock", headers=SECADMIN).json()["locked"] is False
    assert sign_in(api, "rv-spread", FIRST).status_code == 200
