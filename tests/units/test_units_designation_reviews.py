"""A model reviewed (复核) after its score fell, and kept: the (state, action) row, the record
shown with the designation, DesignationKept for supervision, and the refusals; without a broker."""
from datetime import UTC, datetime

import pytest
import time_machine

from services.common.errors import Conflict, InvalidInput
from services.units import designations
from tests.units.units_fixtures import emitted, last_outbox_id, register_sample


@pytest.fixture(autouse=True)
def county_clock():
    with time_machine.travel(datetime(2026, 8, 3, 2, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def uow(uow_factory):
    return register_sample(uow_factory("units"))


def _model(uow, unit="A003"):
    nominated = designations.nominate(uow, "office", unit, "model", "连续三个月考核优秀")
    made = designations.designate(uow, "office", nominated["id"])
    uow.commit()
    return made


def test_a_model_kept_on_review_stays_designated_with_the_record(uow):
    made = _model(uow)
    assert made["actions"] == ["keep", "revoke"] and made["reviews"] == []
    before = last_outbox_id(uow)
    kept = designations.keep(uow, "office", made["id"], "2026-07", "  七月得分受一次性逾期影响，整改已落实  ")
    uow.commit()
    assert kept["status"] == "designated" and kept["actions"] == ["keep", "revoke"]
    ((review),) = kept["reviews"]
    assert (review["period"], review["decision"], review["reason"], review["reviewed_by"]) == \
        ("2026-07", "keep", "七月得分受一次性逾期影响，整改已落实", "office")
    assert review["reviewed_at"].startswith("2026-08-03")
    ((kind, payload),) = emitted(uow, before)
    assert kind == "DesignationKept"
    assert payload == {"designation_id": made["id"], "unit_code": "A003", "kind": "model", "period": "2026-07",
                       "reason": "七月得分受一次性逾期影响，整改已落实", "kept_by": "office"}
    listed = designations.list_designations(uow.session, unit_code="A003")["items"]
    assert [d["reviews"] for d in listed if d["id"] == made["id"]] == [kept["reviews"]]
    # a later month reviewed again is a record of its own; a revocation keeps the history shown
    designations.keep(uow, "office", made["id"], "2026-08", "八月复核保留")
    revoked = designations.revoke(uow, "office", made["id"], "复核后撤销")
    assert [r["period"] for r in revoked["reviews"]] == ["2026-07", "2026-08"]


def test_keeping_is_refused_in_chinese_and_changes_nothing(uow):
    made = _model(uow)
    designations.keep(uow, "office", made["id"], "2026-07", "保留")
    uow.commit()
    with pytest.raises(Conflict, match="2026-07 的复核已有记录"):
        designations.keep(uow, "office", made["id"], "2026-07", "再次保留")
    with pytest.raises(InvalidInput, match="须写明理由"):
        designations.keep(uow, "office", made["id"], "2026-06", "   ")
    with pytest.raises(InvalidInput, match="月份“2026-13”有误"):
        designations.keep(uow, "office", made["id"], "2026-13", "保留")
    nominated = designations.nominate(uow, "office", "A004", "model", "候选")
    with pytest.raises(Conflict, match="只有在期内的典型才能复核保留"):
        designations.keep(uow, "office", nominated["id"], "2026-07", "保留")
    site = designations.nominate(uow, "office", "A005", "demonstration", "公开栏规范")
    designations.designate(uow, "office", site["id"])
    uow.commit()
    before = last_outbox_id(uow)
    with pytest.raises(Conflict, match="是示范点"):
        designations.keep(uow, "office", site["id"], "2026-07", "保留")
    assert emitted(uow, before) == []
