"""Officials with their history, designations (示范点/典型) and accounts, without a broker."""
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from services.common.errors import Conflict, Forbidden, InvalidInput
from services.units import accounts, designations, directory, officials, registry
from services.units.models import Designation
from tests.units.units_fixtures import emitted, last_outbox_id, register_sample


DAY = date(2026, 7, 1)  # the day every test here runs on: 10:00 in the county


@pytest.fixture(autouse=True)
def county_clock():
    """Set before the registry is loaded (autouse fixtures come first), so terms and histories start on DAY."""
    with time_machine.travel(datetime(2026, 7, 1, 2, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def uow(uow_factory):
    return register_sample(uow_factory("units"))


def test_appointing_a_new_liaison_keeps_the_old_one_in_history(uow):
    before = last_outbox_id(uow)
    registry.set_official(uow, "admin", "A001", "liaison", {"name": "新联络员", "phone": "13911112222",
                                                             "email": "new@example.gov.cn"})
    uow.commit()
    kinds = [k for k, _ in emitted(uow, before)]
    assert kinds == ["OfficialRemoved", "OfficialAssigned"]
    today = DAY
    now = {o["role"]: o["name"] for o in officials.responsible_on(uow.session, "A001", today)}
    assert now["liaison"] == "新联络员"
    history = [t for t in officials.history(uow.session, "A001") if t["role"] == "liaison"]
    assert [t["name"] for t in history] == ["杨超", "新联络员"] and history[0]["ended_on"] == today.isoformat()
    assert officials.responsible_on(uow.session, "A001", today - timedelta(days=1)) == []  # before any record


def test_an_unchanged_official_emits_nothing_and_a_bad_one_is_refused(uow):
    before = last_outbox_id(uow)
    registry.set_official(uow, "admin", "A001", "liaison", {"name": "杨超", "phone": "15518190937",
                                                             "email": "a001@example.gov.cn"})
    assert emitted(uow, before) == []
    with pytest.raises(InvalidInput, match="phone"):
        registry.set_official(uow, "admin", "A001", "reviewer", {"name": "x", "phone": "123"})


def test_designation_lifecycle(uow):
    nominated = designations.nominate(uow, "office", "A003", "demonstration", "公开栏规范、更新及时")
    with pytest.raises(Conflict, match="already"):
        designations.nominate(uow, "office", "A003", "demonstration", "again")
    before = last_outbox_id(uow)
    designated = designations.designate(uow, "office", nominated["id"])
    uow.commit()
    assert designated["status"] == "designated"
    assert date.fromisoformat(designated["ends_on"]) == registry.term_end(DAY, 3)
    ((kind, payload),) = emitted(uow, before)
    assert kind == "DemonstrationDesignated" and payload["unit"]["demonstration"] is True

    revoked = designations.revoke(uow, "office", designated["id"], "公开内容弄虚作假")
    uow.commit()
    assert revoked["status"] == "revoked" and directory.get_unit(uow.session, "A003")["demonstration"] is False
    with pytest.raises(Conflict):
        designations.revoke(uow, "office", designated["id"], "again")


def test_a_term_expires_by_itself_once(uow):
    sample_designated = designations.list_designations(uow.session, status="designated")["items"]
    assert len(sample_designated) == 7  # the registry's demonstration column
    unit = sample_designated[0]["unit_code"]
    uow.session.execute(sa.update(Designation).where(Designation.id == sample_designated[0]["id"])
                        .values(ends_on=DAY - timedelta(days=1)))
    before = last_outbox_id(uow)
    assert designations.expire_due(uow) == 1
    uow.commit()
    assert designations.expire_due(uow) == 0
    assert [k for k, _ in emitted(uow, before)] == ["DemonstrationExpired"]
    assert directory.get_unit(uow.session, unit)["demonstration"] is False


def test_accounts_hash_passwords_and_refuse_the_wrong_ones(uow):
    created = accounts.create(uow.session, "Op-A001", "a long passphrase", "operator", "党务干事", "A001")
    uow.commit()
    assert created["username"] == "op-a001" and "password_hash" not in created
    assert accounts.authenticate(uow.session, "op-a001", "a long passphrase")["role"] == "operator"
    for user, password in (("op-a001", "wrong password"), ("nobody", "a long passphrase")):
        with pytest.raises(Forbidden, match="用户名或密码不对"):
            accounts.authenticate(uow.session, user, password)
    disabled = accounts.set_enabled(uow.session, "op-a001", False)
    assert disabled["auth_version"] == 2
    with pytest.raises(Forbidden, match="已停用"):
        accounts.authenticate(uow.session, "op-a001", "a long passphrase")
    assert accounts.change_role(uow.session, "op-a001", "reviewer", "A001")["auth_version"] == 3


@pytest.mark.parametrize("args, problem", [
    (("x", "a long passphrase", "operator", "x", "A001"), "用户名"),
    (("op2", "short", "operator", "x", "A001"), "至少"),
    (("op2", "a long passphrase", "operator", "x", None), "须指定所属单位"),
    (("op2", "a long passphrase", "inspector", "x", "A001"), "全县范围"),
    (("op2", "a long passphrase", "king", "x", None), "角色"),
    (("op2", "a long passphrase", "operator", "x", "Z999"), "不是在册的现有单位"),
])
def test_bad_accounts_are_refused(uow, args, problem):
    with pytest.raises(InvalidInput, match=problem):
        accounts.create(uow.session, *args)
