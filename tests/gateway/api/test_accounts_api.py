"""Accounts over HTTP against separately started processes (units and the gateway, one
cluster for the module): the admin creates, lists, changes, disables and resets accounts;
a one-time password gets no token until it is changed; wrong passwords slow and then lock
the address out of the account (counted per account and address; a metric); the security
administrator unlocks it;
bulk provisioning for a town is an .xlsx with one-time passwords, idempotent when run again."""
import io
import subprocess
import sys
import time

import pytest
import requests
from openpyxl import load_workbook

from services.common.config import ROOT
from services.common.migrate import upgrade
from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import free_port, scalar, wait_for
from tests.processes import Cluster, base_env, temporary_vhost
from tests.test_end_to_end import token

ADMIN = token("admin", "admin")
SECADMIN = token("secadmin", "secadmin")  # roles, unlocks, resets (三权分立)
PASSWORD = "a long passphrase"
TOWN = "T01"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("accounts")
    urls = {"units": f"sqlite:///{tmp}/units.db"}
    upgrade("units", urls["units"])
    with temporary_vhost() as amqp:
        env = {**base_env(amqp, urls, free_port()), "RATE_LIMITS_ENABLED": "false"}
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


def sign_in(api, username, password, **headers):
    return requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "password", "username": username,
                                                            "password": password}, headers=headers)


def test_the_admin_keeps_accounts_and_a_one_time_password_must_be_changed(county):
    api = county["api"]
    made = requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={
        "username": "op-extra", "display_name": "新干事", "role": "operator", "unit_code": "A001"})
    assert made.status_code == 201, made.text
    one_time = made.json()["password"]
    assert len(one_time) == 12 and made.json()["must_change_password"] is True
    assert "password" not in requests.get(f"{api}/api/v1/accounts/op-extra", headers=ADMIN).json()

    first = sign_in(api, "op-extra", one_time)
    assert first.status_code == 403 and first.json()["error"]["code"] == "password_change_required"
    assert "新密码" in first.json()["error"]["message"]
    changed = requests.post(f"{api}/api/v1/auth/password", json={
        "username": "op-extra", "current_password": one_time, "new_password": PASSWORD})
    assert changed.status_code == 200, changed.text
    assert changed.json()["account"]["must_change_password"] is False and changed.json()["access_token"]
    assert sign_in(api, "op-extra", PASSWORD).status_code == 200

    listed = requests.get(f"{api}/api/v1/accounts", params={"unit": "A001", "role": "operator"}, headers=ADMIN)
    assert [a["username"] for a in listed.json()["items"]] == ["op-a001", "op-extra"]
    page = requests.get(f"{api}/api/v1/accounts", params={"unit": "A001", "limit": 1}, headers=ADMIN).json()
    rest = requests.get(f"{api}/api/v1/accounts", params={"unit": "A001", "limit": 1, "cursor": page["next_cursor"]},
                        headers=ADMIN).json()
    assert page["items"][0]["username"] < rest["items"][0]["username"]

    refresh = sign_in(api, "op-extra", PASSWORD).json()["refresh_token"]
    assert requests.patch(f"{api}/api/v1/accounts/op-extra", headers=ADMIN,
                          json={"role": "reviewer", "unit_code": "A001"}).status_code == 403  # the secadmin's
    moved = requests.patch(f"{api}/api/v1/accounts/op-extra", headers=SECADMIN,
                           json={"role": "reviewer", "unit_code": "A001"})
    assert moved.status_code == 200 and moved.json()["role"] == "reviewer"
    again = requests.post(f"{api}/api/v1/auth/token", json={"grant_type": "refresh_token", "refresh_token": refresh})
    assert again.status_code == 401  # a role change ends the account's sessions

    assert requests.post(f"{api}/api/v1/accounts/op-extra/disable", headers=ADMIN).json()["enabled"] is False
    assert "已停用" in sign_in(api, "op-extra", PASSWORD).json()["error"]["message"]
    assert requests.post(f"{api}/api/v1/accounts/op-extra/enable", headers=ADMIN).json()["enabled"] is True
    assert requests.post(f"{api}/api/v1/accounts/op-extra/reset", headers=ADMIN).status_code == 403
    reset = requests.post(f"{api}/api/v1/accounts/op-extra/reset", headers=SECADMIN).json()
    assert reset["must_change_password"] and len(reset["password"]) == 12
    assert sign_in(api, "op-extra", PASSWORD).status_code == 401
    assert sign_in(api, "op-extra", reset["password"]).json()["error"]["code"] == "password_change_required"

    yourself = requests.post(f"{api}/api/v1/accounts/admin/disable", headers=ADMIN)
    assert yourself.status_code == 409 and "另一位管理员" in yourself.json()["error"]["message"]
    taken = requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={
        "username": "op-extra", "display_name": "x", "role": "operator", "unit_code": "A001"})
    assert taken.status_code == 409 and "已被占用" in taken.json()["error"]["message"]
    wrong = requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={
        "username": "x!", "display_name": "x", "role": "operator"})
    assert wrong.status_code == 400
    assert requests.get(f"{api}/api/v1/accounts", headers=token("op-a001", "operator", "A001")).status_code == 403

    # messages in zh-CN by default, in English for Accept-Language: en; the code stays the key
    anonymous = requests.get(f"{api}/api/v1/accounts").json()["error"]
    assert anonymous["code"] == "unauthorized" and anonymous["message"].startswith("请先登录")
    english = requests.get(f"{api}/api/v1/accounts", headers={"Accept-Language": "en-US,en;q=0.9"}).json()["error"]
    assert english == {**anonymous, "message": "sign in first: this needs a bearer token"}
    taken_en = requests.post(f"{api}/api/v1/accounts", headers={**ADMIN, "Accept-Language": "en"}, json={
        "username": "op-extra", "display_name": "x", "role": "operator", "unit_code": "A001"}).json()["error"]
    assert taken_en == {"code": "conflict", "message": "The username op-extra is taken; choose another.", "details": {}}


def test_wrong_passwords_slow_then_lock_the_address_out_of_the_account(county):
    api = county["api"]
    requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={
        "username": "rv-lock", "display_name": "书记", "role": "reviewer", "unit_code": "A001", "password": PASSWORD})
    answers = []
    for attempt in range(5):
        if attempt >= 3:  # the wait after the third and fourth failures (2 s, then 4 s)
            time.sleep(2 * 2 ** (attempt - 3) + 0.2)
        forwarded = {"X-Forwarded-For": f"10.0.0.{attempt}"}  # forged without a trusted proxy: ignored
        answers.append(sign_in(api, "rv-lock", "wrong guess", **forwarded))
    assert [a.status_code for a in answers] == [401] * 5
    slowed_or_locked = sign_in(api, "rv-lock", PASSWORD)
    assert slowed_or_locked.status_code == 429 and slowed_or_locked.json()["error"]["code"] == "account_locked"
    assert 14 * 60 < int(slowed_or_locked.headers["Retry-After"]) <= 15 * 60
    assert "已暂停" in slowed_or_locked.json()["error"]["message"]
    locked = requests.get(f"{api}/api/v1/accounts", params={"locked": "true"}, headers=ADMIN).json()["items"]
    assert [a["username"] for a in locked] == ["rv-lock"]
    metrics = county["units"].metrics()
    assert "gongkai_address_locks 1.0" in metrics and "gongkai_accounts_locked 0.0" in metrics
    assert 'gongkai_login_failures_total{outcome="wrong_password"}' in metrics
    assert requests.post(f"{api}/api/v1/accounts/rv-lock/unlock", headers=ADMIN).status_code == 403
    assert requests.post(f"{api}/api/v1/accounts/rv-lock/unlock", headers=SECADMIN).json()["locked"] is False
    assert sign_in(api, "rv-lock", PASSWORD).status_code == 200


def test_provisioning_a_town_is_a_sheet_of_one_time_passwords_once(county):
    api, db = county["api"], county["db"]
    town_units = scalar(db, "WITH RECURSIVE t(code) AS (SELECT code FROM units WHERE code = 'T01' UNION ALL "
                            "SELECT u.code FROM units u JOIN t ON u.parent_code = t.code) "
                            "SELECT count(*) FROM t JOIN units u ON u.code = t.code WHERE u.status = 'active'")
    first = requests.post(f"{api}/api/v1/accounts/provision", headers=ADMIN, json={"town": TOWN})
    assert first.status_code == 200, first.text
    assert first.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(first.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("单位代码", "单位名称", "角色", "用户名", "姓名/称呼", "一次性密码", "状态")
    accounts = [r for r in rows[1:] if r and r[3]]
    assert len(accounts) == 2 * town_units and town_units > 3
    assert all(r[6] == "新开设" and len(r[5]) == 12 for r in accounts)
    unit_code, _, _, username, _, password, _ = accounts[0]
    assert sign_in(api, username, password).json()["error"]["code"] == "password_change_required"

    second = requests.post(f"{api}/api/v1/accounts/provision", headers=ADMIN, json={"town": TOWN})
    again = [r for r in list(load_workbook(io.BytesIO(second.content)).active.iter_rows(values_only=True))[1:]
             if r and r[3]]
    assert [r[3] for r in again] == [r[3] for r in accounts]
    assert all(r[5] in ("", None) and r[6].startswith("已有账号") for r in again)
    unknown = requests.post(f"{api}/api/v1/accounts/provision", headers=ADMIN, json={"town": "NOPE"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"


def test_three_administrators_none_on_their_own_account_nor_the_last_of_a_kind(county):
    """三权分立: the system administrator keeps accounts, the security administrator roles, unlocks and
    resets, the audit administrator only the trail; none acts on their own account, the last of
    each is never disabled nor moved to another role, and a refusal changes nothing."""
    api = county["api"]
    own = requests.post(f"{api}/api/v1/accounts/secadmin/reset", headers=SECADMIN)
    assert own.status_code == 409 and "另一位管理员" in own.json()["error"]["message"]
    mine = requests.post(f"{api}/api/v1/accounts/secadmin/second-factor/reset", headers=SECADMIN)
    assert mine.status_code == 409 and requests.get(f"{api}/api/v1/accounts/secadmin/second-factor",
                                                    headers=SECADMIN).json()["enrolled"] is True
    assert requests.post(f"{api}/api/v1/accounts/admin/reset", headers=ADMIN).status_code == 403  # the fuzzer's find
    for role in ("auditor", "secadmin"):  # the last of a kind: neither disabled nor moved
        last = requests.post(f"{api}/api/v1/accounts/{role}/disable", headers=ADMIN)
        assert last.status_code == 409 and "最后一个" in last.json()["error"]["message"], last.text
        moved = requests.patch(f"{api}/api/v1/accounts/auditor", headers=SECADMIN, json={"role": "operator",
                                                                                          "unit_code": "A001"})
        assert moved.status_code == 409 and "最后一个在用的审计管理员账号" in moved.json()["error"]["message"]
    assert requests.get(f"{api}/api/v1/accounts/auditor", headers=SECADMIN).json()["role"] == "auditor"
    auditor = token("auditor", "auditor")
    assert requests.get(f"{api}/api/v1/accounts", headers=auditor).status_code == 403
    assert requests.post(f"{api}/api/v1/accounts/op-a001/unlock", headers=auditor).status_code == 403

    second = requests.post(f"{api}/api/v1/accounts", headers=ADMIN, json={
        "username": "auditor-2", "display_name": "第二审计员", "role": "auditor", "password": PASSWORD})
    assert second.status_code == 201, second.text
    assert requests.post(f"{api}/api/v1/accounts/auditor-2/disable", headers=ADMIN).json()["enabled"] is False
    status = requests.get(f"{api}/api/v1/accounts/office/second-factor", headers=SECADMIN).json()
    assert status["enrolled"] is True
    reset = requests.post(f"{api}/api/v1/accounts/office/second-factor/reset", headers=SECADMIN)
    assert reset.status_code == 200 and reset.json()["enrolled"] is False
    asked = sign_in(api, "office", DEMO_PASSWORD)
    assert asked.status_code == 401 and asked.json()["error"]["details"] == {"step": "enrol"}
